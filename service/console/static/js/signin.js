// Signing in with a token: checked with GET /api/me, kept in sessionStorage, dropped on sign-out or a 401.

import { api, ApiError, token } from "./api.js";
import { byId } from "./dom.js";

function showSignIn(message = "") {
  byId("account-nav").hidden = true;
  byId("sign-in").hidden = false;
  const error = byId("sign-in-error");
  error.textContent = message;
  const input = byId("token");
  input.toggleAttribute("aria-invalid", Boolean(message));
  input.value = "";
  input.focus();
}

async function whoAmI() {
  try {
    return await api("GET", "/api/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      token.clear();
      return null;
    }
    throw error;
  }
}

function signedIn(me) {
  byId("sign-in").hidden = true;
  byId("account-nav").hidden = false;
  const unit = me.business_unit ? `, ${me.business_unit}` : "";
  byId("whoami").textContent = `${me.name} (${me.role}${unit})`;
}

// Calls `onReady(me)` once a valid token is known; the page draws its workspace from there.
export async function whenSignedIn(onReady) {
  byId("sign-out").addEventListener("click", () => {
    token.clear();
    window.location.reload();
  });
  window.addEventListener("contact-lookup:signed-out", () => {
    token.clear();
    window.location.reload();
  });
  byId("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = byId("token").value.trim();
    if (!value) {
      showSignIn("Enter your API token.");
      return;
    }
    token.set(value);
    try {
      const me = await whoAmI();
      if (!me) {
        showSignIn("This token is not valid. Check it and try again.");
        return;
      }
      signedIn(me);
      await onReady(me);
    } catch (error) {
      showSignIn(error.message);
    }
  });
  if (!token.get()) {
    showSignIn();
    return;
  }
  try {
    const me = await whoAmI();
    if (!me) {
      showSignIn("This token is no longer valid; sign in again.");
      return;
    }
    signedIn(me);
    await onReady(me);
  } catch (error) {
    showSignIn(error.message);
  }
}

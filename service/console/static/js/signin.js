// Signing in through the identity provider (when the service names one) or with a pasted API token: either way
// the token is checked with GET /api/me, kept in sessionStorage, dropped on sign-out or a 401.

import { api, ApiError, token } from "./api.js";
import { byId } from "./dom.js";
import { beginSignIn, completeSignIn, providerConfig, signOut } from "./oidc.js";

let notice = "";

// sessionStorage is per tab, so a console tab a softphone opens for a call (`/console?caller=`) starts signed
// out. Such a tab asks the console tabs of this browser (same origin only) for their token, and a signed-in one
// hands it over; any other tab still signs in on its own.
const HANDOVER = "BroadcastChannel" in window ? new BroadcastChannel("contact-lookup.sign-in") : null;
HANDOVER?.addEventListener("message", (event) => {
  const current = token.get();
  if (event.data?.type === "ask" && current) HANDOVER.postMessage({ type: "token", asked: event.data.asked, token: current });
});

function borrowToken(waitMs = 400) {
  if (!HANDOVER) return Promise.resolve(null);
  const asked = crypto.getRandomValues(new Uint32Array(2)).join("-");
  return new Promise((resolve) => {
    const done = (value) => {
      HANDOVER.removeEventListener("message", answered);
      window.clearTimeout(timer);
      resolve(value);
    };
    const answered = (event) => {
      if (event.data?.type === "token" && event.data.asked === asked) done(event.data.token);
    };
    const timer = window.setTimeout(() => done(null), waitMs);
    HANDOVER.addEventListener("message", answered);
    HANDOVER.postMessage({ type: "ask", asked });
  });
}

function showSignIn(message = "") {
  byId("account-nav").hidden = true;
  byId("sign-in").hidden = false;
  const error = byId("sign-in-error");
  error.textContent = message || notice;
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

async function provider() {
  try {
    return await providerConfig();
  } catch (error) {
    return { error };
  }
}

// Calls `onReady(me)` once a valid token is known; the page draws its workspace from there. `borrow`: a tab opened
// for a call, which takes the sign-in of another console tab when there is one.
export async function whenSignedIn(onReady, { borrow = false } = {}) {
  const config = await provider();
  const sso = config && !config.error ? config : null;
  byId("sign-out").addEventListener("click", () => signOut(sso));
  window.addEventListener("contact-lookup:signed-out", () => signOut(null));
  const ssoButton = byId("sign-in-sso");
  if (config) {
    byId("sign-in-sso-group").hidden = false;
    ssoButton.disabled = Boolean(config.error);
    if (config.error) notice = config.error.message;
    ssoButton.addEventListener("click", () => beginSignIn(sso));
  }
  if (sso) {
    try {
      await completeSignIn(sso);
    } catch (error) {
      showSignIn(`Signing in at the identity provider failed: ${error.message}`);
      return;
    }
  }
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
  if (!token.get() && borrow) {
    const borrowed = await borrowToken();
    if (borrowed) token.set(borrowed);
  }
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

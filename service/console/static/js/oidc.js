// Signing in through the company's identity provider: OpenID Connect Authorization Code with PKCE (RFC 7636),
// as a public client, with WebCrypto and nothing else. The access token goes where a pasted token goes
// (sessionStorage, via `token`), so every API call is the same; it is renewed with the refresh token shortly
// before it expires, and signing out ends the session at the provider too.

import { token } from "./api.js";

const KEY = "contact-lookup.oidc";
const PENDING_KEY = "contact-lookup.oidc.pending";
const RENEW_BEFORE_S = 30;

let renewal = null;

function base64url(bytes) {
  let text = "";
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(size = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

async function challengeOf(verifier) {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
}

function here() {
  return `${window.location.origin}${window.location.pathname}`;
}

function stored() {
  try {
    return JSON.parse(window.sessionStorage.getItem(KEY) ?? "null");
  } catch {
    return null;
  }
}

// The provider's settings from this service (public values only), and its endpoints from its discovery document.
export async function providerConfig() {
  const response = await fetch("/console/config.json", { headers: { Accept: "application/json" } });
  if (!response.ok) return null;
  const { oidc } = await response.json();
  if (!oidc) return null;
  const discovery = await fetch(`${oidc.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
  if (!discovery.ok) throw new Error("the identity provider cannot be reached; retry or sign in with a token");
  return { ...oidc, endpoints: await discovery.json() };
}

// Sends the browser to the provider's sign-in page; it comes back here with `code` and `state`.
export async function beginSignIn(config) {
  const verifier = randomString(48);
  const state = randomString();
  window.sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, redirect: here() }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: config.client_id,
    redirect_uri: here(),
    scope: config.scope,
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
  });
  window.location.assign(`${config.endpoints.authorization_endpoint}?${query}`);
}

async function tokenRequest(config, fields) {
  const response = await fetch(config.endpoints.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams({ client_id: config.client_id, ...fields }),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok || !data.access_token) {
    throw new Error(data.error_description || data.error || `the identity provider refused (${response.status})`);
  }
  return data;
}

function keep(config, data) {
  const previous = stored() ?? {};
  token.set(data.access_token);
  window.sessionStorage.setItem(
    KEY,
    JSON.stringify({
      refresh_token: data.refresh_token ?? previous.refresh_token ?? null,
      id_token: data.id_token ?? previous.id_token ?? null,
      expires_at: Date.now() + (Number(data.expires_in) || 300) * 1000,
    }),
  );
  scheduleRenewal(config);
}

// Renews the access token with the refresh token `RENEW_BEFORE_S` before it expires; a refusal signs out.
function scheduleRenewal(config) {
  window.clearTimeout(renewal);
  const session = stored();
  if (!session?.refresh_token) return;
  const delay = Math.max(1000, session.expires_at - Date.now() - RENEW_BEFORE_S * 1000);
  renewal = window.setTimeout(async () => {
    try {
      keep(config, await tokenRequest(config, { grant_type: "refresh_token", refresh_token: session.refresh_token }));
    } catch (error) {
      window.dispatchEvent(new CustomEvent("contact-lookup:signed-out", { detail: error }));
    }
  }, delay);
}

// After the provider sent the browser back: trades the code for tokens (true), or does nothing (false).
export async function completeSignIn(config) {
  const params = new URLSearchParams(window.location.search);
  const code = params.get("code");
  const returned = params.get("state");
  const failure = params.get("error");
  if (!code && !failure) {
    if (stored() && token.get()) scheduleRenewal(config);
    return false;
  }
  const pending = JSON.parse(window.sessionStorage.getItem(PENDING_KEY) ?? "null");
  window.sessionStorage.removeItem(PENDING_KEY);
  window.history.replaceState(null, "", here());
  if (failure) throw new Error(params.get("error_description") || failure);
  if (!pending || pending.state !== returned) throw new Error("the sign-in answer does not match this tab; try again");
  const data = await tokenRequest(config, {
    grant_type: "authorization_code",
    code,
    redirect_uri: pending.redirect,
    code_verifier: pending.verifier,
  });
  keep(config, data);
  return true;
}

export function signedInAtProvider() {
  return stored() !== null;
}

// Forgets the tokens here; when they came from the provider, ends the session there too (and comes back here).
export function signOut(config) {
  const session = stored();
  window.clearTimeout(renewal);
  window.sessionStorage.removeItem(KEY);
  token.clear();
  const endpoint = config?.endpoints?.end_session_endpoint;
  if (!session || !endpoint) {
    window.location.reload();
    return;
  }
  const query = new URLSearchParams({ client_id: config.client_id, post_logout_redirect_uri: here() });
  if (session.id_token) query.set("id_token_hint", session.id_token);
  window.location.assign(`${endpoint}?${query}`);
}

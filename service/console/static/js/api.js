// The JSON API of this service, called with the bearer token kept for this browser tab (sessionStorage).

const TOKEN_KEY = "contact-lookup.token";

export const token = {
  get: () => window.sessionStorage.getItem(TOKEN_KEY),
  set: (value) => window.sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => window.sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(status, detail) {
    super(describe(detail) || `request failed (${status})`);
    this.status = status;
    this.detail = detail;
  }
}

// A `detail` is a sentence, or (FastAPI's 422) a list of {loc, msg}: either way, something to read.
export function describe(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((error) => error.msg ?? String(error)).join("; ");
  return detail ? JSON.stringify(detail) : "";
}

// `signal` (an AbortController's) cancels the request: its rejection is passed on as it is, not as a failure.
export async function api(method, path, { body, headers = {}, signal } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, signal };
  const bearer = token.get();
  if (bearer) init.headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (failure) {
    if (signal?.aborted) throw failure;
    throw new ApiError(0, "the service cannot be reached; check the connection and retry");
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new ApiError(response.status, data?.detail ?? response.statusText);
    if (response.status === 401 && path !== "/api/me") {
      window.dispatchEvent(new CustomEvent("contact-lookup:signed-out", { detail: error }));
    }
    throw error;
  }
  return data;
}

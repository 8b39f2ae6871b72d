// The hub's HTTP API, called with the console's session cookie. Every request that
// changes something carries the CSRF token from the session object.

export class ApiError extends Error {
  constructor(status, problem) {
    const p = problem && typeof problem === "object" ? problem : {};
    super(p.detail || p.title || `HTTP ${status}`);
    this.status = status;
    this.problem = p;
  }

  /** [{field, fault}] from an RFC 9457 problem document. */
  get errors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }

  /** A one-line message for a person. */
  get text() {
    if (this.status === 0) return "The hub could not be reached. Check the connection and try again.";
    const p = this.problem;
    if (p.detail && p.title && p.detail !== p.title) return `${p.title}: ${p.detail}`;
    return p.detail || p.title || `The hub answered ${this.status}.`;
  }
}

let csrfToken = null;
let onUnauthorized = null;

export function setCsrf(token) {
  csrfToken = token || null;
}

/** Called when the hub answers 401 to anything other than the session endpoint. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export const SESSION_URL = "/console/api/session";

export async function request(method, url, body, { timeoutMs = 15000 } = {}) {
  const headers = { Accept: "application/json, application/problem+json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
      cache: "no-store",
    });
  } catch (err) {
    throw new ApiError(0, { title: "The hub could not be reached", detail: String(err && err.message ? err.message : err) });
  } finally {
    clearTimeout(timer);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { title: response.statusText || "Unexpected answer", detail: text.slice(0, 300) };
    }
  }
  if (!response.ok) {
    if (response.status === 401 && url !== SESSION_URL && onUnauthorized) onUnauthorized();
    throw new ApiError(response.status, data || { title: response.statusText || `HTTP ${response.status}` });
  }
  return data;
}

export const get = (url) => request("GET", url);
export const post = (url, body) => request("POST", url, body === undefined ? {} : body);
export const del = (url) => request("DELETE", url);

const enc = encodeURIComponent;

export const Api = {
  session: () => get(SESSION_URL),
  signIn: (username, password) => request("POST", SESSION_URL, { username, password }),
  signOut: () => del(SESSION_URL),
  agencies: () => get("/v1/agencies"),
  transfers: (role, { state, limit = 200 } = {}) =>
    get(`/v1/transfers?role=${enc(role)}&limit=${limit}${state ? `&state=${enc(state)}` : ""}`),
  transfer: (id) => get(`/v1/transfers/${enc(id)}`),
  timeline: (id, after = 0) => get(`/v1/transfers/${enc(id)}/timeline?after=${after}`),
  updates: (id, after = 0, limit = 100) => get(`/v1/transfers/${enc(id)}/updates?after=${after}&limit=${limit}`),
  stats: (since) => get(`/v1/stats${since ? `?since=${Math.floor(since)}` : ""}`),
  decide: (id, decision, reason) =>
    post(`/v1/transfers/${enc(id)}/decision`, decision === "rejected" ? { decision, reason } : { decision }),
  submit: (body) => post("/v1/incidents", body),
  update: (reference, body) => post(`/v1/incidents/${enc(reference)}/updates`, body),
  closure: (reference, body) => post(`/v1/incidents/${enc(reference)}/closure`, body),
  cancellation: (reference, body) => post(`/v1/incidents/${enc(reference)}/cancellation`, body),
  preview: (recipients, incident) => post("/v1/sharing/preview", { recipients, incident }),
  agreements: () => get("/v1/agreements"),
  exportTransfer: (id) => get(`/v1/transfers/${enc(id)}/export`),
};

// The workbench API (/v1/workbench/...), called with the console's session cookie and
// CSRF token: the request function, ApiError and the session calls are the console's own
// module, imported by path so both front ends share one session state.

import { request, get, Api as ConsoleApi, setCsrf, setUnauthorizedHandler, ApiError } from "/console/api.js";

export { ApiError, setCsrf, setUnauthorizedHandler };

const enc = encodeURIComponent;
const R = "/v1/workbench/register";
const E = "/v1/workbench/estates";
const A = "/v1/workbench/assessments";

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** An SVG document from the API, as text (the caller parses it, never as HTML). */
async function svgText(url) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  const text = await response.text();
  if (!response.ok) {
    let problem = null;
    try {
      problem = JSON.parse(text);
    } catch {
      problem = { title: response.statusText };
    }
    throw new ApiError(response.status, problem);
  }
  return text;
}

export const Session = {
  current: ConsoleApi.session,
  signIn: ConsoleApi.signIn,
  signOut: ConsoleApi.signOut,
};

export const Register = {
  list: (filters) => get(`${R}/collaborations${query(filters)}`),
  get: (id) => get(`${R}/collaborations/${enc(id)}`),
  create: (body) => request("POST", `${R}/collaborations`, body),
  changeStatus: (id, body) => request("POST", `${R}/collaborations/${enc(id)}/status`, body),
  addBenefit: (id, body) => request("POST", `${R}/collaborations/${enc(id)}/benefits`, body),
  addActual: (id, benefitId, body) =>
    request("POST", `${R}/collaborations/${enc(id)}/benefits/${enc(benefitId)}/actuals`, body),
  contact: (id) => get(`${R}/collaborations/${enc(id)}/contact`),
  areas: () => get(`${R}/areas`),
  area: (name) => get(`${R}/areas/${enc(name)}`),
  workstreams: () => get(`${R}/workstreams`),
  stats: () => get(`${R}/stats`),
  board: () => get("/v1/workbench/board"),
  performance: () => get("/v1/workbench/performance"),
};

export const REPORT_HTML = "/v1/workbench/report.html";
export const REPORT_CSV = "/v1/workbench/report.csv";

export const Estates = {
  report: (dataset = "main") => get(`${E}/report${query({ dataset })}`),
  fleet: (dataset = "main") => get(`${E}/fleet${query({ dataset })}`),
  workforce: (dataset = "main") => get(`${E}/workforce${query({ dataset })}`),
  buildings: (dataset) => get(`${E}/buildings${query({ dataset })}`),
  within: (params) => get(`${E}/within${query(params)}`),
  opportunities: (params) => get(`${E}/opportunities${query(params)}`),
  places: () => get(`${E}/places`),
};

export const Assessments = {
  checklist: () => get(`${A}/statements`),
  list: (filters) => get(`${A}${query(filters)}`),
  get: (id) => get(`${A}/${enc(id)}`),
  create: (body) => request("POST", A, body),
  change: (id, body) => request("PATCH", `${A}/${enc(id)}`, body),
  submit: (id) => request("POST", `${A}/${enc(id)}/submit`),
  radar: (id) => svgText(`${A}/${enc(id)}/radar.svg`),
  years: (params) => get(`${A}/comparisons/years${query(params)}`),
  yearsRadar: (params) => svgText(`${A}/comparisons/years/radar.svg${query(params)}`),
  respondents: (params) => get(`${A}/comparisons/respondents${query(params)}`),
  respondentsRadar: (params) => svgText(`${A}/comparisons/respondents/radar.svg${query(params)}`),
};

// Words for the register's codes, and status shown as a symbol plus a word (never by
// colour alone).

import { h } from "/console/dom.js";

export const CATEGORY = {
  "co-location": "Co-location / shared estate",
  "co-responding": "Co-responding",
  "joint-control-room": "Joint control room",
  fleet: "Fleet",
  training: "Training",
  "back-office": "Back office / shared services",
  "data-sharing": "Data sharing",
  governance: "Governance",
  prevention: "Prevention / community safety",
  "demand-management": "Demand management",
  other: "Other",
};

export const STATUS = {
  idea: "Idea",
  considered: "Considered",
  rejected: "Rejected",
  planned: "Planned",
  "in-delivery": "In delivery",
  live: "Live",
  closed: "Closed",
};

const STATUS_ICON = {
  idea: "\u2727", // ✧
  considered: "\u25CC", // ◌
  rejected: "\u2716", // ✖
  planned: "\u25F7", // ◷
  "in-delivery": "\u25B6", // ▶
  live: "\u2714", // ✔
  closed: "\u25A0", // ■
};

// Where a collaboration may go next (domain/collaboration.py TRANSITIONS); the API
// checks again, this only keeps impossible choices out of the list.
export const NEXT_STATUS = {
  idea: ["considered", "planned", "rejected"],
  considered: ["idea", "planned", "rejected"],
  planned: ["considered", "in-delivery", "rejected"],
  "in-delivery": ["planned", "live", "closed"],
  live: ["closed"],
  rejected: ["idea", "considered"],
  closed: [],
};

export const SERVICE = {
  police: "Police",
  fire: "Fire and rescue",
  ambulance: "Ambulance",
  coastguard: "Coastguard",
  "search-and-rescue": "Search and rescue",
  lifeboat: "Lifeboat (RNLI)",
  "local-authority": "Local authority",
  health: "Health",
  government: "Government",
  justice: "Justice",
  voluntary: "Voluntary",
  "other-responder": "Other responder",
  other: "Other",
};

export const UNIT = {
  GBP: "£",
  "GBP/year": "£ a year",
  hours: "hours",
  "hours/year": "hours a year",
  minutes: "minutes",
  seconds: "seconds",
  people: "people",
  count: "count",
  percent: "%",
};

export const KIND = {
  saving: "Saving",
  funding: "Funding",
  cost: "Cost",
  income: "Income",
  time: "Time",
  reach: "Reach",
  activity: "Activity",
  other: "Other",
};

export const label = (table, code) => (code ? table[code] || code : "—");

export function statusPill(status) {
  return h(
    `span.pill.wb-status.wb-status-${status}`,
    { "data-testid": "status-pill", "data-status": status },
    h("span.pill-icon", { "aria-hidden": "true" }, STATUS_ICON[status] || "\u2022"),
    " ",
    label(STATUS, status),
  );
}

/** A yes/no check as a symbol and a word. */
export function okMark(ok, yes = "Yes", no = "No") {
  return h(
    `span.wb-mark.${ok ? "wb-ok" : "wb-missing"}`,
    h("span", { "aria-hidden": "true" }, ok ? "\u2714 " : "\u2716 "),
    ok ? yes : no,
  );
}

export function fmtValue(value, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const digits = Number.isInteger(value) ? 0 : Math.abs(value) < 10 ? 2 : 1;
  const n = value.toLocaleString("en-GB", { maximumFractionDigits: digits });
  if (unit === "GBP") return `£${n}`;
  if (unit === "GBP/year") return `£${n} a year`;
  if (unit === "percent") return `${n}%`;
  return unit ? `${n} ${UNIT[unit] || unit}` : n;
}

export const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-GB") : "—");
export const fmtMoney = (n) => (Number.isFinite(n) ? `£${Math.round(n).toLocaleString("en-GB")}` : "—");
export const fmtPct = (n) => (Number.isFinite(n) ? `${n.toLocaleString("en-GB", { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%` : "—");

// Small DOM and formatting helpers. Every piece of data goes into the page as text
// (textContent), never as HTML, so nothing a partner sends can inject markup.

const SVG_NS = "http://www.w3.org/2000/svg";

function append(el, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(el, c);
  } else if (child instanceof Node) {
    el.appendChild(child);
  } else {
    el.appendChild(document.createTextNode(String(child)));
  }
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.setAttribute("class", value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "value" && "value" in el && !(el instanceof SVGElement)) el.value = value;
    else if (key === "checked" || key === "selected" || key === "disabled") el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
}

/** h("tag.class#id", {attrs}, ...children) */
export function h(tag, attrs, ...children) {
  if (attrs instanceof Node || Array.isArray(attrs) || typeof attrs !== "object" || attrs === null) {
    if (attrs !== null && attrs !== undefined) children.unshift(attrs);
    attrs = {};
  }
  // "name#id.class.class" (id and classes optional, in any order after the name)
  const m = /^([a-zA-Z][a-zA-Z0-9-]*)((?:[#.][\w-]+)*)$/.exec(tag);
  if (!m) throw new Error(`bad tag ${tag}`);
  const el = document.createElement(m[1]);
  const classes = [];
  for (const [, kind, value] of m[2].matchAll(/([#.])([\w-]+)/g)) {
    if (kind === "#") el.id = value;
    else classes.push(value);
  }
  if (classes.length) el.className = classes.join(" ");
  setAttrs(el, attrs);
  if (classes.length && attrs.class) el.className = `${classes.join(" ")} ${attrs.class}`;
  append(el, children);
  return el;
}

/** The same for SVG elements. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replaceChildren(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

let idCounter = 0;
export function uid(prefix = "id") {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A v4 UUID. crypto.randomUUID exists only in secure contexts; fall back otherwise. */
export function uuid() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

// ---------------------------------------------------------------- labels

export const TYPE_LABELS = {
  "road-traffic-collision": "Road traffic collision",
  fire: "Fire",
  "concern-for-welfare": "Concern for welfare / effecting entry",
  medical: "Medical / co-responding",
  "flood-water-rescue": "Flood / water rescue",
  "hazardous-materials": "Hazardous materials",
  "police-assistance": "Police assistance",
  animal: "Animal",
  "major-incident": "Major incident",
  other: "Other",
};

export const PRIORITY_LABELS = {
  emergency: "Emergency",
  urgent: "Urgent",
  routine: "Routine",
  low: "Low",
};

export const SEVERITY_LABELS = {
  fatal: "Fatal",
  serious: "Serious",
  minor: "Minor",
  uninjured: "Uninjured",
  unknown: "Unknown",
};

export const STATE_LABELS = {
  stored: "Stored",
  delivered: "Delivered",
  accepted: "Accepted",
  rejected: "Rejected",
  cancelled: "Cancelled",
};

// A symbol per state so that status is never told by colour alone.
export const STATE_ICONS = {
  stored: "\u25F7", // ◷
  delivered: "\u2713", // ✓
  accepted: "\u2714", // ✔
  rejected: "\u2716", // ✖
  cancelled: "\u2298", // ⊘
};

export const FLAG_TEXT = {
  "uprn-unknown":
    "UPRN not found in the gazetteer. The location is exactly as the sender gave it: confirm the address before dispatching.",
  "location-inconsistent":
    "Location inconsistent: positions given for this incident are more than 250 m apart. Check which one is right before dispatching.",
};

export const FLAG_SHORT = {
  "uprn-unknown": "UPRN unknown",
  "location-inconsistent": "Location inconsistent",
};

export function typeLabel(type) {
  return TYPE_LABELS[type] || type || "—";
}

export function priorityTag(priority) {
  if (!priority) return h("span.tag", "—");
  return h(`span.tag.prio.prio-${priority}`, PRIORITY_LABELS[priority] || priority);
}

export function statePill(state, extra = {}) {
  return h(
    `span.pill.pill-${state}`,
    { "data-testid": "status-pill", "data-state": state, ...extra },
    h("span.pill-icon", { "aria-hidden": "true" }, STATE_ICONS[state] || "•"),
    " ",
    STATE_LABELS[state] || state,
  );
}

// ---------------------------------------------------------------- times

const timeFmt = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});
const dateTimeFmt = new Intl.DateTimeFormat("en-GB", {
  day: "2-digit",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});
const fullFmt = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "2-digit",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
  timeZoneName: "short",
});

export function toDate(value) {
  if (value === null || value === undefined || value === "") return null;
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value * 1000);
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** HH:MM:SS today, "23 Nov 01:14:11" otherwise. */
export function fmtTime(value) {
  const d = toDate(value);
  if (!d) return "—";
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay ? timeFmt.format(d) : dateTimeFmt.format(d);
}

export function fmtFull(value) {
  const d = toDate(value);
  return d ? fullFmt.format(d) : "—";
}

export function timeEl(value, full = false) {
  const d = toDate(value);
  if (!d) return h("span", "—");
  return h("time", { datetime: d.toISOString(), title: fullFmt.format(d) }, full ? fmtFull(d) : fmtTime(d));
}

/** 75 -> "1:15", 3725 -> "1:02:05". */
export function fmtWaited(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const sec = Math.max(0, Math.floor(seconds));
  const d = Math.floor(sec / 86400);
  const hh = Math.floor((sec % 86400) / 3600);
  const mm = Math.floor((sec % 3600) / 60);
  const ss = sec % 60;
  if (d > 0) return `${d}d ${hh}h`;
  if (hh > 0) return `${hh}:${String(mm).padStart(2, "0")}:${String(ss).padStart(2, "0")}`;
  return `${mm}:${String(ss).padStart(2, "0")}`;
}

/** A duration in seconds for people: "0.4 s", "12 s", "2 min 05 s". */
export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds === 0) return "0 s";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  const r = Math.round(seconds % 60);
  if (m < 120) return `${m} min ${String(r).padStart(2, "0")} s`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function nowS() {
  return Date.now() / 1000;
}

export function fmtNumber(n, digits = 0) {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return n.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Initials for a reference prefix: "South Wales Police" -> "SWP". */
export function initials(name, fallback) {
  const skip = new Set(["and", "of", "the", "for", "&"]);
  const parts = String(name || "")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w && !skip.has(w.toLowerCase()));
  const out = parts.map((w) => w[0].toUpperCase()).join("").slice(0, 6);
  return out || String(fallback || "INC").toUpperCase().replace(/[^A-Z0-9]/g, "").slice(0, 10) || "INC";
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Is the keyboard focus in something the user types into? */
export function isTyping(target) {
  if (!target || !(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (target.getAttribute("type") || "text").toLowerCase();
    return !["checkbox", "radio", "button", "submit", "reset"].includes(type);
  }
  return false;
}

// Data-sharing agreements in the console: plain words for what the hub withheld, and
// the small pieces every view uses to say which agreement applied. The hub decides
// what flows (domain/sharing.py); the console only reports it, never filters itself.

import { Api } from "./api.js";
import { h } from "./dom.js";
import { state, agencyName, agencyPhone } from "./store.js";

// The hub's DataClass values, in the words of domain.sharing.DATA_CLASS_LABELS.
export const CLASS_LABELS = {
  situation: "Situation: summary, notes, casualty counts, M/ETHANE report",
  caller: "Caller identity and phone",
  medical: "Medical details",
  vulnerability: "Vulnerability and safeguarding flags",
  "officer-safety": "Officer-safety and firearms markers",
  intelligence: "Criminal-intelligence notes",
};

export const CLASS_SHORT = {
  situation: "Situation",
  caller: "Caller",
  medical: "Medical",
  vulnerability: "Vulnerability",
  "officer-safety": "Officer safety",
  intelligence: "Intelligence",
};

// The dotted field names the hub reports as withheld, for a person.
const FIELD_LABELS = {
  "incident.summary": "Summary (only the incident type is passed on)",
  "incident.notes": "Notes",
  "incident.casualties": "Casualty counts",
  "incident.methane": "M/ETHANE report",
  "incident.caller": "Caller identity and phone",
  "incident.medical": "Medical details",
  "incident.vulnerability": "Vulnerability and safeguarding flags",
  "incident.officer_safety": "Officer-safety and firearms markers",
  "incident.intelligence": "Criminal-intelligence notes",
  "update.text": "Text of an update",
  "update.summary": "Changed summary in an update",
  "update.casualties": "Changed casualty counts in an update",
  "update.methane": "Changed M/ETHANE report in an update",
  "closure.text": "Closing note",
};

export const OPERATIONAL_MINIMUM = "location, type, priority, hazards and resources requested";

/** "incident.medical" -> "Medical details"; unknown names stay readable. */
export function fieldLabel(name) {
  if (FIELD_LABELS[name]) return FIELD_LABELS[name];
  const last = String(name || "").split(".").pop() || "";
  const words = last.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function withheldWords(names) {
  return (names || []).map(fieldLabel).join(", ");
}

/** The withheld fields as a list, each in plain words with the hub's name kept as data. */
export function withheldList(names, attrs = {}) {
  return h(
    "ul.withheld-list",
    attrs,
    (names || []).map((n) => h("li", { "data-field": n, title: n }, fieldLabel(n))),
  );
}

export function classChips(classes) {
  if (!classes || !classes.length) return h("span", `nothing (they receive only ${OPERATIONAL_MINIMUM})`);
  return h(
    "ul.chips.class-chips",
    classes.map((c) => h("li.chip.chip-class", { title: CLASS_LABELS[c] || c }, CLASS_SHORT[c] || c)),
  );
}

// ---------------------------------------------------------------- agreements

let loading = null;

/** This agency's agreements (every version), fetched once per session. */
export function loadAgreements({ force = false } = {}) {
  if (force) {
    loading = null;
    state.agreements = null;
  }
  if (state.agreements) return Promise.resolve(state.agreements);
  if (!loading) {
    const session = state.session;
    loading = Api.agreements()
      .then((list) => {
        if (state.session === session) state.agreements = Array.isArray(list) ? list : [];
        return state.agreements || [];
      })
      .catch((err) => {
        loading = null;
        throw err;
      });
  }
  return loading;
}

export function resetAgreements() {
  loading = null;
}

/** The stored version an {id, version} reference names, if this agency can see it. */
export function agreementFor(ref) {
  if (!ref || !state.agreements) return null;
  return state.agreements.find((a) => a.id === ref.id && a.version === ref.version) || null;
}

/** "isa-south-wales v2 (Operational response)" or the bare reference. */
export function agreementName(ref, purpose) {
  if (!ref) return "no agreement";
  const p = purpose || agreementFor(ref)?.purpose;
  return `${ref.id} v${ref.version}${p ? ` (${p})` : ""}`;
}

/** Local calendar date "YYYY-MM-DD" for comparing with an agreement's review date. */
export function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function reviewOverdue(agreement) {
  return Boolean(agreement && agreement.review_date && agreement.review_date < today());
}

/**
 * For the recipient: what was withheld from them, under which agreement, and whom to
 * phone for more. `t` is a transfer (carries sender, agreement, withheld).
 */
export function withheldNotice(t, attrs = {}) {
  const withheld = t.withheld || [];
  if (!withheld.length) return null;
  const sender = agencyName(t.sender);
  const phone = agencyPhone(t.sender);
  const why = t.agreement
    ? [
        "Your agreement with ",
        sender,
        ", ",
        h("strong", agreementName(t.agreement)),
        ", does not cover these details, so the hub withheld them from you:",
      ]
    : [
        "No data-sharing agreement covers ",
        sender,
        " and your agency, so you received only the operational minimum (",
        OPERATIONAL_MINIMUM,
        "). Withheld from you:",
      ];
  return h(
    "div.notice.withheld-notice",
    { role: "note", "data-testid": "withheld-notice", ...attrs },
    h("p.withheld-title", h("span.withheld-icon", { "aria-hidden": "true" }, "\u2298 "), h("strong", "Some details were withheld from you")),
    h("p", why),
    withheldList(withheld),
    h(
      "p.withheld-phone",
      `If you need them to respond safely, phone ${sender}`,
      phone ? [" on ", h("a", { href: `tel:${String(phone).replace(/[^0-9+]/g, "")}` }, phone)] : null,
      ".",
    ),
  );
}

/** For the sender: "Withheld from <partner>: …" for one transfer, or null. */
export function withheldFrom(t, attrs = {}) {
  const withheld = t.withheld || [];
  if (!withheld.length) return null;
  return h(
    "div.withheld",
    { "data-testid": "withheld", "data-recipient": t.recipient, ...attrs },
    h("span.withheld-icon", { "aria-hidden": "true" }, "\u2298 "),
    h("strong", `Withheld from ${agencyName(t.recipient)}: `),
    withheldWords(withheld),
  );
}

/** One line: which agreement this transfer was shared under (purpose on hover unless
 * `full`, to keep list rows short). */
export function agreementLine(t, { full = false } = {}) {
  const ref = t.agreement;
  const purpose = ref ? agreementFor(ref)?.purpose : null;
  return h(
    "span.agreement-line",
    {
      "data-testid": "agreement-applied",
      "data-agreement": ref ? ref.id : "none",
      title: !full && purpose ? purpose : null,
    },
    ref
      ? [h("span", { "aria-hidden": "true" }, "\u2714 "), `Shared under agreement ${full ? agreementName(ref) : `${ref.id} v${ref.version}`}`]
      : [h("span", { "aria-hidden": "true" }, "\u2298 "), "No agreement: operational minimum only"],
  );
}

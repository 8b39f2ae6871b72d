// Agreements (#/agreements): the data-sharing agreements this agency is party to, every
// version, so an operator can see what may flow to whom and why before phoning for more.

import { h, fmtFull, replaceChildren } from "../dom.js";
import { state, agencyName } from "../store.js";
import { CLASS_LABELS, OPERATIONAL_MINIMUM, loadAgreements, reviewOverdue } from "../sharing.js";

const dateFmt = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric" });

function fmtDate(iso) {
  // A review date is a calendar date: read it as local midnight, not UTC.
  const [y, m, d] = String(iso || "").split("-").map(Number);
  return y && m && d ? dateFmt.format(new Date(y, m - 1, d)) : iso || "\u2014";
}

function fmtRetention(days) {
  if (!Number.isFinite(days)) return "\u2014";
  if (days % 365 === 0) return `${days} days (${days / 365} year${days === 365 ? "" : "s"})`;
  return `${days} day${days === 1 ? "" : "s"}`;
}

/** In force, superseded by a later version, or withdrawn. */
function standing(a, newest) {
  if (a.withdrawn_at) return { key: "withdrawn", icon: "\u2298", text: `Withdrawn ${fmtFull(a.withdrawn_at)}` };
  if (a.version !== newest) return { key: "superseded", icon: "\u21BB", text: `Superseded by v${newest}` };
  return { key: "in-force", icon: "\u2714", text: "In force" };
}

export function mountAgreements(container) {
  const title = h("h1#view-title", { tabindex: "-1" }, "Data-sharing agreements");
  const count = h("p.view-count", { "aria-live": "polite" });
  const body = h("div.agreements-body", h("p.empty", "Loading agreements\u2026"));
  replaceChildren(
    container,
    h(
      "section.view.view-agreements",
      { "data-testid": "agreements", "aria-labelledby": "view-title" },
      h(
        "div.view-head",
        title,
        count,
        h("button.btn.btn-secondary.btn-small", { type: "button", onclick: () => load(true) }, "Refresh"),
      ),
      h(
        "p.lede",
        `Partners always receive the operational minimum (${OPERATIONAL_MINIMUM}). ` +
          "Anything more flows only where an agreement below names its class; the hub withholds the rest and tells the sender.",
      ),
      body,
    ),
  );

  let destroyed = false;

  async function load(force = false) {
    try {
      const list = await loadAgreements({ force });
      if (!destroyed) render(list);
    } catch (err) {
      if (!destroyed) replaceChildren(body, h("p.error-text", { role: "alert" }, `The agreements could not be loaded. ${err.text}`));
    }
  }

  function render(list) {
    const newest = new Map();
    for (const a of list) newest.set(a.id, Math.max(newest.get(a.id) || 0, a.version));
    const rows = [...list].sort((a, b) => a.id.localeCompare(b.id) || b.version - a.version);
    const inForce = rows.filter((a) => !a.withdrawn_at && a.version === newest.get(a.id)).length;
    count.textContent = `${inForce} in force \u00b7 ${rows.length} version${rows.length === 1 ? "" : "s"} in all`;
    if (!rows.length) {
      replaceChildren(
        body,
        h(
          "p.empty",
          { "data-testid": "agreements-empty" },
          `${state.session?.agency_name || "Your agency"} is not party to any data-sharing agreement. ` +
            `Partners receive only the operational minimum from you, and you only that from them.`,
        ),
      );
      return;
    }
    replaceChildren(
      body,
      h(
        "table.data.agreements",
        h("caption.visually-hidden", "Data-sharing agreements your agency is party to, every version"),
        h(
          "thead",
          h(
            "tr",
            ["Agreement", "Parties", "Classes of data allowed", "Lawful basis", "Review by", "Retention", "Status"].map((c) =>
              h("th", { scope: "col" }, c),
            ),
          ),
        ),
        h(
          "tbody",
          rows.map((a) => {
            const st = standing(a, newest.get(a.id));
            const overdue = st.key === "in-force" && reviewOverdue(a);
            return h(
              "tr",
              {
                "data-testid": "agreement-row",
                "data-agreement-id": a.id,
                "data-version": String(a.version),
                "data-state": st.key,
                class: st.key === "in-force" ? null : "row-inactive",
              },
              h(
                "th",
                { scope: "row" },
                h("span.agreement-id", a.id),
                h("span.agreement-version", ` v${a.version}`),
                h("div.agreement-purpose", a.purpose),
              ),
              h("td", h("ul.plain-list", a.parties.map((p) => h("li", { title: p }, agencyName(p))))),
              h(
                "td",
                a.data_classes.length
                  ? h("ul.plain-list", a.data_classes.map((c) => h("li", CLASS_LABELS[c] || c)))
                  : h("span.muted", "Operational minimum only"),
              ),
              h("td.lawful-basis", a.lawful_basis),
              h(
                "td",
                h("time", { datetime: a.review_date }, fmtDate(a.review_date)),
                overdue
                  ? h(
                      "div",
                      h("span.badge.badge-warn", { "data-testid": "review-overdue" }, h("span", { "aria-hidden": "true" }, "\u26A0 "), "Review overdue"),
                    )
                  : null,
              ),
              h("td", fmtRetention(a.retention_days)),
              h("td", h(`span.standing.standing-${st.key}`, h("span", { "aria-hidden": "true" }, `${st.icon} `), st.text)),
            );
          }),
        ),
      ),
    );
  }

  load();
  return {
    update(what) {
      if (what === "agencies" && state.agreements) render(state.agreements);
    },
    focusTarget: () => title,
    unmount() {
      destroyed = true;
    },
  };
}

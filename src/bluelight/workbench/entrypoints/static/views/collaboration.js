// One collaboration: what it is, who is in it and whom to contact, where it came from
// (document and section), its status and history, and its benefits with actuals against
// target. Status changes, new benefits and new actuals go through the API; its field
// errors are shown next to the fields. The MAIT entry also shows the hub's own figures.

import { Register } from "../api.js";
import { h, replaceChildren, uid } from "/console/dom.js";
import { field, errorSummary, showErrors, clearErrors, parseNumber } from "/console/forms.js";
import { CATEGORY, STATUS, SERVICE, KIND, UNIT, NEXT_STATUS, label, statusPill, fmtValue } from "../labels.js";
import { viewHead, section, table, loading, errorPanel, figure, options, areaHref, problemText } from "../ui.js";
import { benefitChart } from "../linechart.js";

const AT_FORMAT = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hour12: false });

function fmtAt(at) {
  return typeof at === "number" ? AT_FORMAT.format(new Date(at * 1000)) : at || "—";
}

function dl(pairs, testid) {
  return h("dl.kv", { "data-testid": testid }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== "").flatMap(([k, v]) => [h("dt", k), h("dd", v)]));
}

/** Submit a form to the API; show its problem's field errors next to the fields. */
async function submitForm(form, button, call) {
  clearErrors(form);
  button.disabled = true;
  try {
    return await call();
  } catch (err) {
    const errors = err.errors && err.errors.length ? err.errors : [{ field: "", fault: problemText(err) }];
    const target = showErrors(form, errors, { message: err.status === 409 ? problemText(err) : null });
    target?.focus?.();
    return null;
  } finally {
    button.disabled = false;
  }
}

export function mountCollaboration(container, ctx, { path }) {
  const id = path[0];
  replaceChildren(container, viewHead("Collaboration"), loading());
  let alive = true;

  async function reload(focusSelector) {
    try {
      const c = await Register.get(id);
      if (!alive) return;
      render(c);
      if (focusSelector) container.querySelector(focusSelector)?.focus();
    } catch (err) {
      if (alive) replaceChildren(container, viewHead("Collaboration not found"), errorPanel(err, `Collaboration ${id}`), h("p", h("a", { href: "#/register" }, "Back to the register")));
    }
  }

  function render(c) {
    const recorded = (c.benefits || []).filter((b) => !b.live);
    const live = (c.benefits || []).filter((b) => b.live);
    replaceChildren(
      container,
      h("p.backlink", h("a", { href: "#/register" }, "\u2190 Register")),
      viewHead(c.title),
      h(
        "div.wb-meta",
        { "data-testid": "collaboration-meta" },
        statusPill(c.status),
        h("span", "Area: ", h("a", { href: areaHref(c.area), "data-testid": "area-link" }, c.area)),
        h("span", `Category: ${label(CATEGORY, c.category)}`),
        c.workstream ? h("span", `Workstream: ${c.workstream}`) : null,
      ),
      h(
        "div.wb-columns",
        h(
          "div.wb-col",
          section("Description", { testid: "description" }, h("p.wb-description", c.description || "No description."),
            dl([["Started", c.start_date], ["Target date", c.target_date], ["Ended", c.end_date], ["Id", c.id]], "dates")),
          live.length ? liveSection(live) : null,
          benefitsSection(c, recorded),
        ),
        h(
          "div.wb-col",
          peopleSection(c),
          provenanceSection(c),
          statusSection(c),
        ),
      ),
    );
  }

  function liveSection(live) {
    const by = Object.fromEntries(live.map((b) => [b.id.replace(/^.*-live-/, ""), b]));
    const latest = (b) => (b && b.actuals && b.actuals.length ? b.actuals[b.actuals.length - 1].value : null);
    const transfers = latest(by.transfers);
    const median = latest(by["decide-median"]);
    const hours = latest(by["hours-saved"]);
    return section(
      "Live evidence from the hub",
      { testid: "live-evidence", lede: "Live from the hub, no manual entry: computed from this hub's own transfer records each time the page loads." },
      h(
        "div.wb-figures.wb-figures-3",
        figure(transfers === null ? "—" : transfers.toLocaleString("en-GB"), "Incidents transferred", "live-transfers"),
        figure(median === null ? "—" : fmtValue(median, "seconds"), `Median time to a partner's decision${median === null ? " (no transfer decided yet)" : ""}; a phone call takes ${fmtValue(by["decide-median"]?.baseline, "seconds")}`, "live-median"),
        figure(hours === null ? "—" : hours.toLocaleString("en-GB", { maximumFractionDigits: 2 }), "Control-room hours saved against phone calls", "live-hours"),
      ),
      h("ul.small.wb-evidence", live.map((b) => h("li", `${b.measure}: ${b.evidence || ""}`))),
    );
  }

  function peopleSection(c) {
    const contactSlot = h("div.wb-contact", { "data-testid": "contact-panel", "aria-live": "polite" });
    const button = h("button.btn.btn-primary", {
      type: "button",
      "data-testid": "contact-lead",
      onclick: async () => {
        button.disabled = true;
        replaceChildren(contactSlot, loading("Finding the project lead\u2026"));
        try {
          const contact = await Register.contact(c.id);
          replaceChildren(contactSlot, contactCard(contact));
          contactSlot.querySelector("h3")?.focus();
        } catch (err) {
          replaceChildren(contactSlot, errorPanel(err, "No contact"));
        } finally {
          button.disabled = false;
        }
      },
    }, "Contact the project lead");
    const people = c.people || [];
    return section(
      "Partners, leaders and contacts",
      { testid: "people" },
      h("h3", "Partners"),
      (c.partners || []).length
        ? h("ul.wb-list", { "data-testid": "partners" }, c.partners.map((p) => h("li", `${p.organisation} (${label(SERVICE, p.service)})`)))
        : h("p.muted", "No partners recorded."),
      people.length
        ? table({
            caption: "Leaders and contacts",
            testid: "people-table",
            headers: ["Name", "Role", "Organisation"],
            rows: people.map((p) => [p.name, p.role, p.organisation || "—"]),
          })
        : h("p.muted", "No leaders or contacts recorded."),
      button,
      contactSlot,
    );
  }

  function contactCard(contact) {
    const person = (p) => h(
      "li",
      h("strong", p.name), `, ${p.role}`, p.organisation ? ` (${p.organisation})` : "",
      p.email ? [" \u2013 ", h("a", { href: `mailto:${p.email}` }, p.email)] : null,
      p.phone ? [" \u2013 ", h("a", { href: `tel:${p.phone.replace(/[^+0-9]/g, "")}` }, p.phone)] : null,
    );
    return h(
      "div.wb-contact-card",
      h("h3", { tabindex: "-1" }, "Whom to contact"),
      contact.note ? h("p", contact.note) : null,
      contact.leads?.length ? [h("h4", "Project leads"), h("ul.wb-list", { "data-testid": "contact-leads" }, contact.leads.map(person))] : h("p", "No project lead is named."),
      contact.others?.length ? [h("h4", "Others involved"), h("ul.wb-list", contact.others.map(person))] : null,
      contact.via?.length ? [h("h4", "Get in touch through"), h("ul.wb-list", { "data-testid": "contact-via" }, contact.via.map(person))] : null,
    );
  }

  function provenanceSection(c) {
    const p = c.provenance;
    return section(
      "Where this comes from",
      { testid: "provenance" },
      p
        ? dl([["Document", p.title || p.document], ["Section", p.section], ["File", p.document]], "provenance-list")
        : h("p", "Entered in the workbench (not from a source document)."),
    );
  }

  function statusSection(c) {
    const next = NEXT_STATUS[c.status] || [];
    const status = field({ label: "New status", name: "status", path: "status", control: "select", testid: "status-select",
      options: next.map((s) => [s, STATUS[s]]) });
    const reason = field({ label: "Reason", name: "reason", path: "reason", control: "textarea", testid: "status-reason",
      hint: "Required when the collaboration is rejected; recorded in the history." });
    const button = h("button.btn.btn-primary", { type: "submit", "data-testid": "status-submit" }, "Change status");
    const form = h(
      "form.wb-form",
      {
        novalidate: true,
        "data-testid": "status-form",
        "aria-label": "Change the status",
        onsubmit: async (ev) => {
          ev.preventDefault();
          const body = { status: status.input.value };
          if (reason.input.value.trim()) body.reason = reason.input.value.trim();
          const done = await submitForm(form, button, () => Register.changeStatus(c.id, body));
          if (done) {
            ctx.announce(`Status changed to ${label(STATUS, done.status)}.`);
            reload("#status-heading");
          }
        },
      },
      errorSummary(),
      status,
      reason,
      button,
    );
    const history = [...(c.status_history || [])].reverse();
    const s = section(
      "Status and its history",
      { testid: "status-section" },
      h("p", "Now: ", statusPill(c.status), c.status_reason ? ` \u2013 ${c.status_reason}` : ""),
      table({
        caption: "Status history, newest first",
        testid: "status-history",
        headers: ["When", "Status", "By", "Reason"],
        rows: history.map((x) => [fmtAt(x.at), statusPill(x.status), x.by || "—", x.reason || "—"]),
      }),
      next.length ? form : h("p.muted", "A closed collaboration keeps its history; a revival is a new entry."),
    );
    s.querySelector("h2").id = "status-heading";
    s.querySelector("h2").tabIndex = -1;
    return s;
  }

  function benefitsSection(c, benefits) {
    return section(
      "Benefits",
      { testid: "benefits", lede: "Each benefit is a measure with a unit, a baseline, a target and actuals over time." },
      benefits.length ? benefits.map((b) => benefitArticle(c, b)) : h("p.muted", "No benefits recorded yet."),
      addBenefitForm(c),
    );
  }

  function benefitArticle(c, b) {
    const actuals = b.actuals || [];
    const headingId = uid("benefit");
    return h(
      "article.wb-benefit",
      { "data-testid": "benefit", "data-benefit": b.id, "aria-labelledby": headingId },
      h("h3", { id: headingId, tabindex: "-1" }, b.measure),
      dl([
        ["Kind", label(KIND, b.kind)],
        ["Unit", label(UNIT, b.unit)],
        ["Baseline", Number.isFinite(b.baseline) ? `${fmtValue(b.baseline, b.unit)}${b.baseline_date ? ` (${b.baseline_date})` : ""}` : "not set"],
        ["Target", Number.isFinite(b.target) ? `${fmtValue(b.target, b.unit)}${b.target_date ? ` by ${b.target_date}` : ""}` : "not set"],
        ["Better when", b.better ? (b.better === "higher" ? "higher" : "lower") : null],
        ["Owner", b.owner || "not named"],
      ], "benefit-facts"),
      b.evidence ? h("blockquote.wb-evidence-quote", b.evidence) : null,
      h("div.wb-benefit-body",
        benefitChart(b),
        actuals.length
          ? table({
              caption: `Actuals of ${b.measure}`,
              testid: "actuals-table",
              headers: ["Date", { text: "Value", num: true }, "Note"],
              rows: actuals.map((a) => [a.at, { value: fmtValue(a.value, b.unit), num: true }, a.note || "—"]),
            })
          : h("p.muted", "No actuals yet.")),
      addActualForm(c, b, headingId),
    );
  }

  function addActualForm(c, b, headingId) {
    const at = field({ label: "Date", name: "at", path: "at", testid: "actual-at", hint: "YYYY, YYYY-MM or YYYY-MM-DD", required: true, autocomplete: "off" });
    const value = field({ label: `Value (${label(UNIT, b.unit)})`, name: "value", path: "value", testid: "actual-value", inputmode: "decimal", required: true, autocomplete: "off" });
    const note = field({ label: "Note", name: "note", path: "note", testid: "actual-note" });
    const button = h("button.btn.btn-primary", { type: "submit", "data-testid": "actual-submit" }, "Add the actual");
    const form = h(
      "form.wb-form",
      {
        novalidate: true,
        "data-testid": "actual-form",
        onsubmit: async (ev) => {
          ev.preventDefault();
          const n = parseNumber(value.input.value);
          if (n === undefined || Number.isNaN(n)) {
            showErrors(form, [{ field: "value", fault: n === undefined ? "enter a number" : "must be a number" }]).focus?.();
            return;
          }
          const body = { at: at.input.value.trim(), value: n };
          if (note.input.value.trim()) body.note = note.input.value.trim();
          const done = await submitForm(form, button, () => Register.addActual(c.id, b.id, body));
          if (done) {
            ctx.announce(`Recorded ${fmtValue(n, b.unit)} for ${b.measure}.`);
            reload(`#${CSS.escape(headingId)}`);
          }
        },
      },
      errorSummary(),
      h("div.grid-3.wb-grid-3", at, value, note),
      button,
    );
    return h("details.wb-details", { "data-testid": "add-actual" }, h("summary", "Add an actual"), form);
  }

  function addBenefitForm(c) {
    const measure = field({ label: "Measure", name: "measure", path: "measure", testid: "benefit-measure", required: true });
    const unit = field({ label: "Unit", name: "unit", path: "unit", control: "select", testid: "benefit-unit", options: options(UNIT) });
    const kind = field({ label: "Kind", name: "kind", path: "kind", control: "select", testid: "benefit-kind", options: options(KIND), value: "saving" });
    const baseline = field({ label: "Baseline", name: "baseline", path: "baseline", testid: "benefit-baseline", inputmode: "decimal" });
    const target = field({ label: "Target", name: "target", path: "target", testid: "benefit-target", inputmode: "decimal" });
    const targetDate = field({ label: "Target date", name: "target_date", path: "target_date", testid: "benefit-target-date", hint: "YYYY, YYYY-MM or YYYY-MM-DD" });
    const owner = field({ label: "Owner", name: "owner", path: "owner", testid: "benefit-owner" });
    const button = h("button.btn.btn-primary", { type: "submit", "data-testid": "benefit-submit" }, "Add the benefit");
    const form = h(
      "form.wb-form",
      {
        novalidate: true,
        "data-testid": "benefit-form",
        onsubmit: async (ev) => {
          ev.preventDefault();
          const body = { measure: measure.input.value.trim(), unit: unit.input.value, kind: kind.input.value };
          const faults = [];
          for (const [name, f] of [["baseline", baseline], ["target", target]]) {
            const n = parseNumber(f.input.value);
            if (Number.isNaN(n)) faults.push({ field: name, fault: "must be a number" });
            else if (n !== undefined) body[name] = n;
          }
          if (faults.length) {
            showErrors(form, faults).focus?.();
            return;
          }
          if (targetDate.input.value.trim()) body.target_date = targetDate.input.value.trim();
          if (owner.input.value.trim()) body.owner = owner.input.value.trim();
          const done = await submitForm(form, button, () => Register.addBenefit(c.id, body));
          if (done) {
            ctx.announce(`Added the benefit ${done.measure}.`);
            reload(`[data-benefit="${CSS.escape(done.id)}"] h3`);
          }
        },
      },
      errorSummary(),
      h("div.grid-3.wb-grid-3", measure, unit, kind, baseline, target, targetDate, owner),
      button,
    );
    return h("details.wb-details", { "data-testid": "add-benefit" }, h("summary", "Add a benefit"), form);
  }

  reload();
  return {
    unmount() {
      alive = false;
    },
  };
}

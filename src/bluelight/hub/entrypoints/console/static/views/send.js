// Send (#/send): a new incident to one or several partner agencies. The draft survives
// moving to another view and back; it is cleared once the hub has stored the incident.

import { Api } from "../api.js";
import { h, uuid, TYPE_LABELS, PRIORITY_LABELS, SEVERITY_LABELS, initials, replaceChildren, debounce, fmtTime, nowS } from "../dom.js";
import { field, checkbox, showErrors, clearErrors, errorSummary, parseNumber, splitList } from "../forms.js";
import { state, agencyName } from "../store.js";
import { classChips, withheldList } from "../sharing.js";

const REFERENCE_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const MAX_LABELS = 20; // flags or markers per incident (domain.incident.Vulnerability)
const MAX_LABEL = 200;

let draft = null; // {el, form, ...} kept between visits

export function resetSendDraft() {
  draft = null;
}

function pad(n) {
  return String(n).padStart(2, "0");
}

export function suggestReference(session) {
  const d = new Date();
  const prefix = initials(session?.agency_name, session?.service);
  return `${prefix}-${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** One partner in the sharing preview: the agreement, what it allows, what it withholds. */
function previewCard(p) {
  const withheld = p.withheld || [];
  const name = state.agencies.has(p.recipient) ? agencyName(p.recipient) : p.recipient_name || p.recipient;
  return h(
    "article.preview-partner",
    {
      "data-testid": "preview-partner",
      "data-recipient": p.recipient,
      "data-agreement": p.agreement ? p.agreement.id : "none",
      class: withheld.length ? "has-withheld" : "all-shared",
    },
    h("h3", name),
    h(
      "p.preview-agreement",
      p.agreement
        ? [
            h("span.ok-icon", { "aria-hidden": "true" }, "\u2714 "),
            "Agreement ",
            h("strong", `${p.agreement.id} v${p.agreement.version}`),
            p.purpose ? ` \u2014 ${p.purpose}` : "",
          ]
        : [
            h("span.no-icon", { "aria-hidden": "true" }, "\u2298 "),
            h("strong", "No agreement: operational minimum only"),
          ],
    ),
    h("div.preview-classes", h("span.preview-label", "Allowed beyond the minimum: "), classChips(p.data_classes || [])),
    h(
      "div.preview-withheld",
      { "data-testid": "preview-withheld", "data-count": String(withheld.length) },
      withheld.length
        ? [
            h("p.preview-label", h("span.no-icon", { "aria-hidden": "true" }, "\u2298 "), `Would be withheld from ${name}:`),
            withheldList(withheld),
          ]
        : h("p", h("span.ok-icon", { "aria-hidden": "true" }, "\u2714 "), "Nothing withheld: they receive everything you have entered."),
    ),
    withheld.includes("incident.summary") && p.incident
      ? h("p.preview-summary", "Their summary will read: ", h("q", p.incident.summary))
      : null,
  );
}

function buildForm(ctx) {
  const session = state.session;
  let messageId = uuid();
  const partners = [...state.agencies.values()]
    .filter((a) => a.id !== session.agency)
    .sort((a, b) => a.name.localeCompare(b.name));

  // ---------------------------------------------------------------- recipients
  const recipientBoxes = partners.map((a) =>
    checkbox({
      label: h("span", h("span.agency-name", a.name), " ", h("span.muted", `(${a.service}, ${a.phone})`)),
      testid: `send-recipient-${a.id}`,
      value: a.id,
      name: "recipients",
    }),
  );
  const recipients = h(
    "fieldset.group.recipients",
    { "data-path": "recipients" },
    h("legend", "Send to", h("span.req", { "aria-hidden": "true" }, " *")),
    h("p.hint", "Tick every partner control room that should receive this incident."),
    recipientBoxes.length ? h("div.check-grid", recipientBoxes) : h("p.muted", "No partner agencies in the directory."),
  );

  // ---------------------------------------------------------------- basics
  const reference = field({
    label: "Your reference",
    testid: "send-reference",
    path: "incident.reference",
    required: true,
    maxlength: "64",
    autocomplete: "off",
    spellcheck: "false",
    value: suggestReference(session),
    hint: "Letters, digits, . _ : - (used once)",
  });
  const type = field({
    label: "Type",
    control: "select",
    testid: "send-type",
    path: "incident.type",
    required: true,
    options: [["", "Choose a type\u2026"], ...Object.entries(TYPE_LABELS)],
  });
  const priority = field({
    label: "Priority",
    control: "select",
    testid: "send-priority",
    path: "incident.priority",
    required: true,
    options: [["", "Choose\u2026"], ...Object.entries(PRIORITY_LABELS)],
  });
  const summary = field({
    label: "Summary",
    testid: "send-summary",
    path: "incident.summary",
    required: true,
    maxlength: "500",
    wide: true,
    hint: "One line the partner's operator reads first.",
  });
  const notes = field({
    label: "Notes",
    control: "textarea",
    testid: "send-notes",
    path: "incident.notes",
    maxlength: "10000",
    rows: 4,
    wide: true,
  });
  const hazards = field({
    label: "Hazards",
    testid: "send-hazards",
    path: "incident.hazards",
    wide: true,
    hint: "Separate with commas, e.g. diesel leak, fire risk",
  });

  // ---------------------------------------------------------------- location
  const uprn = field({ label: "UPRN", testid: "send-uprn", path: "incident.location.uprn", inputmode: "numeric", autocomplete: "off", maxlength: "12" });
  const address = field({ label: "Address", testid: "send-address", path: "incident.location.address", maxlength: "500", wide: true });
  const description = field({ label: "Description", testid: "send-location-description", path: "incident.location.description", maxlength: "500", wide: true, hint: "e.g. eastbound carriageway, rear of the building" });
  const easting = field({ label: "Easting (BNG, m)", testid: "send-easting", path: "incident.location.easting", inputmode: "decimal", autocomplete: "off" });
  const northing = field({ label: "Northing (BNG, m)", testid: "send-northing", path: "incident.location.northing", inputmode: "decimal", autocomplete: "off" });
  const lat = field({ label: "Latitude (WGS84)", testid: "send-lat", path: "incident.location.lat", inputmode: "decimal", autocomplete: "off" });
  const lon = field({ label: "Longitude (WGS84)", testid: "send-lon", path: "incident.location.lon", inputmode: "decimal", autocomplete: "off" });
  const location = h(
    "fieldset.group",
    { "data-path": "incident.location" },
    h("legend", "Location", h("span.req", { "aria-hidden": "true" }, " *")),
    h("p.hint", "Give at least one: a UPRN, an address, a grid reference or a latitude/longitude. The hub fills in the others."),
    h("div.grid-2", uprn, h("div")),
    h("div.grid-1", address, description),
    h("div.grid-2", easting, northing),
    h("div.grid-2", lat, lon),
  );

  // ---------------------------------------------------------------- casualties
  const casualtyInputs = Object.entries(SEVERITY_LABELS).map(([sev, label]) => {
    const f = field({ label, testid: `send-casualties-${sev}`, type: "number", min: "0", max: "100000", step: "1", inputmode: "numeric" });
    f.input.dataset.severity = sev;
    return f;
  });
  const casualties = h(
    "fieldset.group",
    { "data-path": "incident.casualties" },
    h("legend", "Casualties"),
    h("p.hint", "Number of people by severity; leave blank if none."),
    h("div.grid-5", casualtyInputs),
  );

  // ---------------------------------------------------------------- resources
  const resRows = h("div.res-rows");
  function addResourceRow() {
    const n = resRows.children.length + 1;
    const kind = field({ label: `Resource ${n}`, testid: "send-resource-kind", maxlength: "200", hint: null, placeholder: "e.g. fire appliance" });
    const count = field({ label: "How many", testid: "send-resource-count", type: "number", min: "1", max: "1000", step: "1", inputmode: "numeric" });
    const note = field({ label: "Note", testid: "send-resource-note", maxlength: "500" });
    const row = h("div.res-row", kind, count, note);
    const remove = h(
      "button.btn.btn-quiet.btn-small",
      {
        type: "button",
        "aria-label": `Remove resource ${n}`,
        onclick: () => {
          row.remove();
          if (!resRows.children.length) addResourceRow();
        },
      },
      "Remove",
    );
    row.append(h("div.res-remove", remove));
    row.kind = kind.input;
    row.count = count.input;
    row.note = note.input;
    resRows.append(row);
    return row;
  }
  addResourceRow();
  const resources = h(
    "fieldset.group",
    { "data-path": "incident.resources_requested" },
    h("legend", "Resources requested"),
    resRows,
    h("button.btn.btn-secondary.btn-small", { type: "button", onclick: () => addResourceRow().kind.focus() }, "+ Add another resource"),
  );

  // ---------------------------------------------------------------- caller
  const callerName = field({ label: "Caller name", testid: "send-caller-name", path: "incident.caller.name", maxlength: "500", autocomplete: "off" });
  const callerPhone = field({ label: "Caller phone", testid: "send-caller-phone", path: "incident.caller.phone", type: "tel", maxlength: "40", autocomplete: "off" });
  const callerNotes = field({ label: "About the caller", testid: "send-caller-notes", path: "incident.caller.notes", maxlength: "500", wide: true });
  const caller = h(
    "fieldset.group",
    { "data-path": "incident.caller" },
    h("legend", "Caller"),
    h("p.hint", "Personal data: include only where your information-sharing agreement allows."),
    h("div.grid-2", callerName, callerPhone),
    callerNotes,
  );

  // ---------------------------------------------------------------- sensitive
  // Special categories of personal data: the hub passes each only to partners whose
  // agreement covers its class, so the form says so and the preview shows who gets what.
  const medical = field({ label: "Medical details", control: "textarea", testid: "send-medical", path: "incident.medical", maxlength: "10000", rows: 3, hint: "Conditions, medication, allergies." });
  const intelligence = field({ label: "Criminal-intelligence notes", control: "textarea", testid: "send-intelligence", path: "incident.intelligence", maxlength: "10000", rows: 3, hint: "Only what responders need to know." });
  const vFlags = field({ label: "Flags", testid: "send-vulnerability-flags", path: "incident.vulnerability.flags", autocomplete: "off", hint: "Separate with commas, e.g. lives alone, child at risk" });
  const vNotes = field({ label: "Notes", testid: "send-vulnerability-notes", path: "incident.vulnerability.notes", maxlength: "500", autocomplete: "off" });
  const osMarkers = field({ label: "Markers", testid: "send-officer-safety-markers", path: "incident.officer_safety.markers", autocomplete: "off", hint: "Separate with commas, e.g. firearms licence holder, dangerous dog" });
  const osNotes = field({ label: "Notes", testid: "send-officer-safety-notes", path: "incident.officer_safety.notes", maxlength: "500", autocomplete: "off" });
  const vulnerabilityGroup = h(
    "fieldset.group.nested",
    { "data-path": "incident.vulnerability" },
    h("legend", "Vulnerability and safeguarding"),
    vFlags,
    vNotes,
  );
  const officerSafetyGroup = h(
    "fieldset.group.nested",
    { "data-path": "incident.officer_safety" },
    h("legend", "Officer safety and firearms"),
    osMarkers,
    osNotes,
  );
  const sensitiveInputs = [medical, intelligence, vFlags, vNotes, osMarkers, osNotes];
  const sensitiveCount = h("span.sensitive-count");
  const sensitive = h(
    "details.sensitive",
    { "data-testid": "send-sensitive" },
    h(
      "summary",
      { "data-testid": "send-sensitive-toggle" },
      "Sensitive details (shared only under an agreement)",
      sensitiveCount,
    ),
    h(
      "div.sensitive-body",
      h(
        "p.hint",
        "Special-category personal data. The hub passes each kind only to partners whose data-sharing agreement with you covers it; " +
          "the others receive the incident without it. Use \u201cPreview what partners receive\u201d to check before you send.",
      ),
      h("div.grid-2", medical, intelligence),
      h("div.grid-2", vulnerabilityGroup, officerSafetyGroup),
    ),
  );
  function updateSensitiveCount() {
    const n = sensitiveInputs.filter((f) => f.input.value.trim()).length;
    sensitiveCount.textContent = n ? ` \u2014 ${n} field${n === 1 ? "" : "s"} filled in` : "";
  }
  sensitive.addEventListener("input", updateSensitiveCount);

  // ---------------------------------------------------------------- M/ETHANE
  const mInclude = checkbox({ label: "Include a major incident (M/ETHANE) report", testid: "send-methane-include" });
  const mDeclared = checkbox({ label: "Major incident declared", testid: "send-methane-declared", path: "incident.methane.major_incident_declared" });
  const mFields = [
    ["E", "Exact location", "exact_location"],
    ["T", "Type of incident", "type_of_incident"],
    ["H", "Hazards (present and potential)", "hazards"],
    ["A", "Access (routes, RVP)", "access"],
    ["N", "Number of casualties (and severity)", "number_of_casualties"],
  ].map(([letter, label, key]) =>
    field({
      label: h("span", h("span.methane-letter", { "aria-hidden": "true" }, letter), ` ${label}`),
      testid: `send-methane-${key.replace(/_/g, "-")}`,
      path: `incident.methane.${key}`,
      control: "textarea",
      rows: 2,
      maxlength: "500",
      required: true,
      wide: true,
    }),
  );
  const mPresent = field({
    label: h("span", h("span.methane-letter", { "aria-hidden": "true" }, "E"), " Emergency services present"),
    testid: "send-methane-present",
    path: "incident.methane.emergency_services_present",
    hint: "Separate with commas",
  });
  const mRequired = field({
    label: h("span", h("span.methane-letter", { "aria-hidden": "true" }, "E"), " Emergency services required"),
    testid: "send-methane-required",
    path: "incident.methane.emergency_services_required",
    hint: "Separate with commas",
  });
  const methaneBody = h(
    "div.methane-fields",
    { hidden: true },
    h("div.methane-m", h("span.methane-letter", { "aria-hidden": "true" }, "M"), mDeclared),
    mFields,
    h("div.grid-2", mPresent, mRequired),
  );
  mInclude.input.addEventListener("change", () => {
    methaneBody.hidden = !mInclude.input.checked;
  });
  const methane = h(
    "fieldset.group.methane-group",
    { "data-path": "incident.methane" },
    h("legend", "Major incident (M/ETHANE)"),
    mInclude,
    methaneBody,
  );
  type.input.addEventListener("change", () => {
    if (type.input.value === "major-incident" && !mInclude.input.checked) {
      mInclude.input.checked = true;
      methaneBody.hidden = false;
    }
  });

  // ---------------------------------------------------------------- form
  const summaryBox = errorSummary();
  const status = h("p.form-status", { role: "status", "aria-live": "polite" });
  const submit = h("button.btn.btn-primary.btn-large", { type: "submit", "data-testid": "send-submit" }, "Send to partners");

  // ---------------------------------------------------------------- preview
  const previewTitle = h("h2#preview-title", { tabindex: "-1" }, "What partners would receive");
  const previewStatus = h("p.preview-status", { role: "status" });
  const previewList = h("div.preview-grid");
  const previewBox = h(
    "section#send-preview-panel.preview",
    { hidden: true, "aria-labelledby": "preview-title", "data-testid": "preview" },
    h(
      "div.preview-head",
      previewTitle,
      previewStatus,
      h("button.btn.btn-quiet.btn-small", { type: "button", onclick: () => closePreview() }, "Hide preview"),
    ),
    h("p.hint", "Worked out by the hub from the agreements in force now. Nothing has been sent."),
    previewList,
  );
  const previewBtn = h(
    "button.btn.btn-secondary",
    { type: "button", "data-testid": "send-preview", "aria-controls": "send-preview-panel", "aria-expanded": "false", onclick: () => openPreview() },
    "Preview what partners receive",
  );
  const form = h(
    "form.send-form",
    { novalidate: true, "aria-labelledby": "view-title" },
    summaryBox,
    recipients,
    h(
      "div.send-cols",
      h(
        "div.send-col",
        h("fieldset.group", h("legend", "Incident"), h("div.grid-3", reference, type, priority), summary, notes, hazards),
        casualties,
      ),
      h("div.send-col", location, resources, caller),
    ),
    sensitive,
    methane,
    previewBox,
    h(
      "div.form-actions",
      submit,
      previewBtn,
      h(
        "button.btn.btn-secondary",
        {
          type: "button",
          onclick: () => {
            draft = null;
            ctx.rerender();
          },
        },
        "Clear form",
      ),
      status,
    ),
  );

  function val(f) {
    return f.input.value.trim();
  }

  /** Build the request body; returns {body, errors} with API field paths. */
  function collect() {
    const errors = [];
    const chosen = recipientBoxes.filter((b) => b.input.checked);
    recipientBoxes.forEach((b) => b.input.removeAttribute("data-path"));
    chosen.forEach((b, i) => (b.input.dataset.path = `recipients[${i}]`));
    if (!chosen.length) errors.push({ field: "recipients", fault: "choose at least one partner agency" });

    const incident = {
      reference: val(reference),
      type: type.input.value || undefined,
      priority: priority.input.value || undefined,
      summary: val(summary),
      location: {},
      created_at: new Date().toISOString(),
    };
    if (!incident.reference) errors.push({ field: "incident.reference", fault: "give your reference for this incident" });
    if (!incident.type) errors.push({ field: "incident.type", fault: "choose the type of incident" });
    if (!incident.priority) errors.push({ field: "incident.priority", fault: "choose a priority" });
    if (!incident.summary) errors.push({ field: "incident.summary", fault: "give a one-line summary" });
    if (val(notes)) incident.notes = notes.input.value.trim();

    const loc = incident.location;
    if (val(uprn)) loc.uprn = val(uprn);
    if (val(address)) loc.address = val(address);
    if (val(description)) loc.description = val(description);
    for (const [f, key] of [[easting, "easting"], [northing, "northing"], [lat, "lat"], [lon, "lon"]]) {
      const n = parseNumber(f.input.value);
      if (Number.isNaN(n)) errors.push({ field: `incident.location.${key}`, fault: "must be a number" });
      else if (n !== undefined) loc[key] = n;
    }
    const anyPosition = loc.uprn || loc.address || "easting" in loc || "northing" in loc || "lat" in loc || "lon" in loc;
    if (!anyPosition && !errors.some((e) => e.field.startsWith("incident.location."))) {
      errors.push({ field: "incident.location", fault: "give at least one of a UPRN, an address, a grid reference or a latitude/longitude" });
    }

    const hz = splitList(hazards.input.value);
    if (hz.length) incident.hazards = hz;

    const cas = [];
    for (const f of casualtyInputs) {
      f.input.removeAttribute("data-path");
      if (f.input.validity.badInput) {
        f.input.dataset.path = `incident.casualties.${f.input.dataset.severity}`;
        errors.push({ field: f.input.dataset.path, fault: "must be a whole number" });
        continue;
      }
      const n = parseNumber(f.input.value);
      if (n === undefined || n === 0) continue;
      f.input.dataset.path = `incident.casualties[${cas.length}].count`;
      if (!Number.isInteger(n) || n < 0) {
        errors.push({ field: f.input.dataset.path, fault: "must be a whole number, 0 or more" });
        continue;
      }
      cas.push({ severity: f.input.dataset.severity, count: n });
    }
    if (cas.length) incident.casualties = cas;

    const res = [];
    for (const row of resRows.children) {
      for (const el of [row, row.kind, row.count, row.note]) el.removeAttribute("data-path");
      const kind = row.kind.value.trim();
      const countText = row.count.value.trim();
      const note = row.note.value.trim();
      if (!kind && !countText && !note) continue;
      const i = res.length;
      row.dataset.path = `incident.resources_requested[${i}]`;
      row.kind.dataset.path = `incident.resources_requested[${i}].kind`;
      row.count.dataset.path = `incident.resources_requested[${i}].count`;
      row.note.dataset.path = `incident.resources_requested[${i}].note`;
      const item = { kind };
      if (!kind) errors.push({ field: row.kind.dataset.path, fault: "say what is needed" });
      const n = parseNumber(countText);
      if (row.count.validity.badInput || Number.isNaN(n)) errors.push({ field: row.count.dataset.path, fault: "must be a whole number" });
      else if (n !== undefined) item.count = n;
      if (note) item.note = note;
      res.push(item);
    }
    if (res.length) incident.resources_requested = res;

    const callerObj = {};
    if (val(callerName)) callerObj.name = val(callerName);
    if (val(callerPhone)) callerObj.phone = val(callerPhone);
    if (val(callerNotes)) callerObj.notes = val(callerNotes);
    if (Object.keys(callerObj).length) incident.caller = callerObj;

    if (medical.input.value.trim()) incident.medical = medical.input.value.trim();
    if (intelligence.input.value.trim()) incident.intelligence = intelligence.input.value.trim();
    for (const [key, listField, listKey, notesField, what] of [
      ["vulnerability", vFlags, "flags", vNotes, "flags"],
      ["officer_safety", osMarkers, "markers", osNotes, "markers"],
    ]) {
      const items = splitList(listField.input.value);
      const note = notesField.input.value.trim();
      if (!items.length && !note) continue;
      const obj = {};
      if (items.length) obj[listKey] = items;
      if (note) obj.notes = note;
      if (items.length > MAX_LABELS) errors.push({ field: `incident.${key}.${listKey}`, fault: `at most ${MAX_LABELS} ${what}` });
      items.forEach((item, i) => {
        if (item.length > MAX_LABEL) errors.push({ field: `incident.${key}.${listKey}[${i}]`, fault: `each of the ${what} is at most ${MAX_LABEL} characters` });
      });
      incident[key] = obj;
    }

    if (mInclude.input.checked) {
      const m = { major_incident_declared: mDeclared.input.checked };
      for (const f of mFields) {
        const key = f.input.dataset.path.split(".").pop();
        m[key] = f.input.value.trim();
        if (!m[key]) errors.push({ field: f.input.dataset.path, fault: "required in a M/ETHANE report" });
      }
      m.emergency_services_present = splitList(mPresent.input.value);
      m.emergency_services_required = splitList(mRequired.input.value);
      incident.methane = m;
    }

    const body = {
      message_id: messageId,
      recipients: chosen.map((b) => b.input.value),
      incident,
    };
    return { body, errors };
  }

  // ---------------------------------------------------------------- preview
  let previewOpen = false;
  let previewSeq = 0;

  /** The form as it stands, made acceptable to the hub where only the send would care:
   * the preview is about which fields flow, not about a finished incident. */
  function previewRequest() {
    const { body } = collect();
    const inc = body.incident;
    if (!REFERENCE_RE.test(inc.reference || "")) inc.reference = "PREVIEW";
    inc.type = inc.type || "other";
    inc.priority = inc.priority || "routine";
    inc.summary = inc.summary || "(no summary yet)";
    const loc = inc.location;
    for (const key of ["easting", "northing", "lat", "lon"]) if (Number.isNaN(loc[key])) delete loc[key];
    if (!(loc.uprn || loc.address || "easting" in loc || "lat" in loc)) loc.address = "(location not given yet)";
    if (inc.resources_requested) {
      inc.resources_requested = inc.resources_requested.filter((r) => r.kind);
      if (!inc.resources_requested.length) delete inc.resources_requested;
    }
    return body;
  }

  function closePreview() {
    previewOpen = false;
    previewSeq += 1;
    previewBox.hidden = true;
    previewBtn.setAttribute("aria-expanded", "false");
    previewBtn.focus();
  }

  async function openPreview() {
    previewOpen = true;
    previewBox.hidden = false;
    previewBtn.setAttribute("aria-expanded", "true");
    await runPreview();
    previewBox.scrollIntoView({ block: "nearest" });
    previewTitle.focus({ preventScroll: true });
  }

  async function runPreview() {
    if (!previewOpen) return;
    const seq = ++previewSeq;
    const body = previewRequest();
    if (!body.recipients.length) {
      previewStatus.textContent = "";
      replaceChildren(previewList, h("p.muted", "Tick at least one partner under \u201cSend to\u201d to see what they would receive."));
      return;
    }
    previewStatus.textContent = "Asking the hub\u2026";
    try {
      const list = await Api.preview(body.recipients, body.incident);
      if (seq !== previewSeq) return;
      replaceChildren(previewList, ...(list || []).map(previewCard));
      const n = (list || []).length;
      previewStatus.textContent = `${n} partner${n === 1 ? "" : "s"} \u00b7 checked at ${fmtTime(nowS())}; follows your changes`;
    } catch (err) {
      if (seq !== previewSeq) return;
      previewStatus.textContent = "";
      const faults = err.errors.length ? err.errors.map((e) => `${e.field ? `${e.field}: ` : ""}${e.fault}`) : [err.text];
      replaceChildren(
        previewList,
        h("div.error-text", { role: "alert" }, "The preview could not be worked out. ", faults.join("; ")),
      );
    }
  }
  const refreshPreview = debounce(runPreview, 350);
  form.addEventListener("input", () => previewOpen && refreshPreview());
  form.addEventListener("change", () => previewOpen && refreshPreview());

  let sending = false;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (sending) return;
    clearErrors(form);
    status.textContent = "";
    const { body, errors } = collect();
    if (errors.length) {
      showErrors(form, errors, { message: "Nothing was sent. Correct the fields below." }).focus();
      return;
    }
    sending = true;
    submit.disabled = true;
    submit.textContent = "Sending\u2026";
    status.textContent = "Sending to the hub\u2026";
    try {
      const receipt = await Api.submit(body);
      status.textContent = "";
      previewOpen = false;
      draft = null;
      await ctx.afterSend(receipt);
    } catch (err) {
      if (err.status >= 400 && err.status < 500) {
        // Nothing was stored: the corrected message is a new one.
        messageId = uuid();
        const errs = err.errors.length ? err.errors : [{ field: "", fault: err.text }];
        showErrors(form, errs, { message: `Nothing was sent. ${err.problem.title || ""}`.trim() }).focus();
        status.textContent = "";
      } else {
        // No answer or a hub fault: resend with the same message_id is safe.
        status.textContent = "";
        showErrors(form, [{ field: "", fault: `${err.text} Nothing was stored; press Send again to retry.` }], {
          summaryTitle: "Not sent",
        }).focus();
      }
    } finally {
      sending = false;
      submit.disabled = false;
      submit.textContent = "Send to partners";
    }
  });

  return { form, focus: () => recipientBoxes[0]?.input || reference.input };
}

export function mountSend(container, ctx) {
  const title = h("h1#view-title", { tabindex: "-1" }, "Send an incident");
  const slot = h("div");
  const ctx2 = {
    ...ctx,
    rerender: () => {
      draft = buildForm(ctx2);
      replaceChildren(slot, draft.form);
      draft.focus().focus();
    },
  };
  if (!draft) draft = buildForm(ctx2);
  replaceChildren(slot, draft.form);
  replaceChildren(container, 
    h(
      "section.view.view-send",
      { "aria-labelledby": "view-title" },
      h("div.view-head", title, h("p.view-count", "Fields marked * are required.")),
      slot,
    ),
  );
  return {
    update() {},
    focusTarget: () => title,
    unmount() {},
  };
}

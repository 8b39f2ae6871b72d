// Incident view (#/transfer/<id>): everything about one transfer and its incident as it
// now stands, its update history, the M/ETHANE report, location flags, a map, the complete
// timeline, and the actions open to this agency (decide as recipient; update / close /
// cancel as sender).

import { Api } from "../api.js";
import { h, uuid, typeLabel, priorityTag, statePill, timeEl, fmtFull, fmtWaited, nowS, fmtDuration, FLAG_TEXT, FLAG_SHORT, SEVERITY_LABELS, PRIORITY_LABELS, clear, replaceChildren } from "../dom.js";
import { field, showErrors, clearErrors, errorSummary, splitList } from "../forms.js";
import { drawMap } from "../map.js";
import { state, agencyName, isPending, isOverdue } from "../store.js";
import { QUICK_REASONS } from "./queue.js";
import { agreementLine, withheldFrom, withheldNotice, withheldWords, loadAgreements } from "../sharing.js";

function dl(rows) {
  const items = rows.filter(([, v]) => v !== undefined && v !== null && v !== "");
  if (!items.length) return h("p.muted", "Not given");
  return h("dl.kv", items.flatMap(([k, v]) => [h("dt", k), h("dd", v)]));
}

function fmtCoord(v, digits) {
  return typeof v === "number" ? v.toFixed(digits) : null;
}

function methaneBlock(m) {
  const list = (xs) => (xs && xs.length ? xs.join(", ") : "None listed");
  const items = [
    ["M", "Major incident", m.major_incident_declared ? "DECLARED" : "Not declared"],
    ["E", "Exact location", m.exact_location],
    ["T", "Type of incident", m.type_of_incident],
    ["H", "Hazards", m.hazards],
    ["A", "Access", m.access],
    ["N", "Number of casualties", m.number_of_casualties],
    [
      "E",
      "Emergency services",
      h(
        "span",
        h("span.methane-sub", "Present: "),
        list(m.emergency_services_present),
        h("br"),
        h("span.methane-sub", "Required: "),
        list(m.emergency_services_required),
      ),
    ],
  ];
  return h(
    "section.methane",
    { "data-testid": "methane", "aria-labelledby": "methane-title", class: m.major_incident_declared ? "declared" : null },
    h("h2#methane-title", "M/ETHANE report", m.major_incident_declared ? h("span.badge.badge-major", "Major incident declared") : null),
    h(
      "div.methane-grid",
      items.map(([letter, label, value]) =>
        h(
          "div.methane-item",
          h("h3", h("span.methane-letter", { "aria-hidden": "true" }, letter), h("span.methane-label", label)),
          h("p", value || "\u2014"),
        ),
      ),
    ),
  );
}

function withheldLine(names) {
  if (!names || !names.length) return null;
  return h("div.tl-withheld", h("span", { "aria-hidden": "true" }, "\u2298 "), "Withheld from you: ", withheldWords(names));
}

/** A chip list of flags or markers, and the free-text notes under them. */
function labelsAndNotes(labels, notes, chipClass) {
  return [
    labels && labels.length ? h("ul.chips", labels.map((x) => h(`li.chip${chipClass}`, x))) : null,
    notes ? h("p.notes", notes) : null,
  ];
}

// Updates of the history fetched per click of "Show earlier updates": the hub answers a
// page at a time, however long the history (a major incident runs for days).
const HISTORY_PAGE = 100;
// The timeline is paged too (1,000 events a page); the view follows the pages, up to this.
const TIMELINE_PAGES = 50;

/** `history`: the update records loaded so far, by version (their texts live there). */
function describe(e, history) {
  const d = e.detail || {};
  const who = agencyName(e.actor);
  const names = (ids) => (ids || []).map(agencyName).join(", ");
  switch (e.kind) {
    case "submitted": {
      const to = d.recipients ? names(d.recipients) : d.recipient ? agencyName(d.recipient) : "";
      return [
        `Sent by ${who}${to ? ` to ${to}` : ""}`,
        d.flags && d.flags.length ? h("div.tl-warn", "\u26A0 Flagged: ", d.flags.map((f) => FLAG_SHORT[f] || f).join(", ")) : null,
      ];
    }
    case "stored":
      return `Stored by the hub${d.recipient ? ` for ${agencyName(d.recipient)}` : ""}`;
    case "delivered":
      return `Delivered to ${who}'s system`;
    case "accepted":
      return `Accepted by ${d.operator || who}${d.operator ? ` (${who})` : ""}`;
    case "rejected":
      return [`Rejected by ${d.operator || who}${d.operator ? ` (${who})` : ""}`, d.reason ? h("div.tl-text", `Reason: \u201c${d.reason}\u201d`) : null];
    case "overdue":
      return h("span.tl-overdue", d.message || `Overdue (${d.stage || "deadline"}) at ${agencyName(d.recipient)}`);
    case "update": {
      const u = d.update || {};
      const changed = Object.keys(u).filter((k) => k !== "text");
      // The event names the update's version; its text is in the update history.
      const record = d.version ? history.get(d.version) : null;
      const text = u.text || (record && record.text);
      return [
        `Update${d.version ? ` #${d.version}` : ""} from ${who}`,
        text ? h("div.tl-text", text) : null,
        changed.length ? h("div.muted", `Changed: ${changed.join(", ").replace(/_/g, " ")}`) : null,
        withheldLine(d.withheld),
      ];
    }
    case "closed": {
      const c = d.closure || d;
      return [
        `Closed by ${who}`,
        c.outcome ? h("div.tl-text", `Outcome: ${c.outcome}`) : null,
        c.text ? h("div.tl-text", c.text) : null,
        withheldLine(d.withheld),
      ];
    }
    case "cancelled": {
      const reason = d.reason || d.cancellation?.reason;
      return [`Cancelled by ${who} (sent in error)`, reason ? h("div.tl-text", `Reason: \u201c${reason}\u201d`) : null];
    }
    case "update-delivered":
      return `Update delivered to ${who}'s system`;
    case "closed-delivered":
      return `Closure delivered to ${who}'s system`;
    case "cancelled-delivered":
      return `Cancellation delivered to ${who}'s system`;
    default:
      return [`${e.kind} (${who})`, Object.keys(d).length ? h("div.muted", JSON.stringify(d)) : null];
  }
}

export function mountIncident(container, ctx, params) {
  const transferId = params.id;
  let view = null; // TransferView
  let timeline = null;
  const history = new Map(); // version -> UpdateRecord, as this agency may see it
  let historyBusy = false;
  let mapHandle = null;
  let mapKey = "";
  let actionsKey = "";
  let destroyed = false;
  let loadSeq = 0;

  const title = h("h1#view-title", { tabindex: "-1" }, "Loading\u2026");
  const headMeta = h("div.inc-meta");
  const flagsBox = h("div.flags");
  const sharingBox = h("div.sharing-slot");
  const exportStatus = h("span.row-busy", { role: "status" });
  const exportBtn = h(
    "button.btn.btn-secondary.btn-small",
    { type: "button", "data-testid": "export", onclick: () => downloadRecord() },
    "Download record (JSON)",
  );
  const actionsBox = h("div.actions-slot");
  const details = h("div.details");
  const historyBox = h("div.history-slot");
  const mapBox = h("div.map", { "data-testid": "map" });
  const timelineList = h("ol.timeline", { "data-testid": "timeline", "aria-labelledby": "timeline-title" });
  const siblings = h("div.siblings");
  const errorBox = h("div", { role: "alert" });

  replaceChildren(container, 
    h(
      "section.view.view-incident",
      { "data-testid": "incident-view", "aria-labelledby": "view-title", "data-transfer-id": transferId },
      h("p.backlink", h("a", { href: "#/queue", id: "back-link" }, "\u2190 Back")),
      h("div.inc-head", h("div.inc-title-row", title, h("div.inc-tools", exportBtn, exportStatus)), headMeta),
      errorBox,
      flagsBox,
      sharingBox,
      actionsBox,
      h(
        "div.inc-layout",
        details,
        h(
          "div.inc-side",
          h("section.panel", { "aria-labelledby": "map-title" }, h("h2#map-title", "Map"), mapBox),
          siblings,
          h("section.panel", { "aria-labelledby": "timeline-title" }, h("h2#timeline-title", "Timeline"), timelineList),
        ),
      ),
    ),
  );

  async function load() {
    const mine = ++loadSeq;
    let v;
    let tl;
    try {
      [v, tl] = await Promise.all([Api.transfer(transferId), loadTimeline()]);
    } catch (err) {
      if (destroyed || mine !== loadSeq) return;
      if (!view) title.textContent = err.status === 404 ? "Transfer not found" : "Could not load this transfer";
      replaceChildren(
        errorBox,
        h("p.error-text", err.status === 404 ? "There is no such transfer, or it is not one your agency sent or received." : err.text),
      );
      return;
    }
    if (destroyed || mine !== loadSeq) return;
    view = v;
    timeline = tl;
    for (const record of (v.updates && v.updates.latest) || []) history.set(record.version, record);
    if (v.incident) state.incidents.set(v.incident_id, v.incident);
    clear(errorBox);
    render();
  }

  /** Every page of the timeline (each answer of the hub is bounded). */
  async function loadTimeline() {
    const events = [];
    let after = 0;
    for (let page = 0; page < TIMELINE_PAGES; page++) {
      const tl = await Api.timeline(transferId, after);
      events.push(...tl.events);
      if (tl.next_after === undefined || tl.next_after === null) break;
      after = tl.next_after;
    }
    return { events };
  }

  /** The page of updates just before the oldest one shown. */
  async function loadEarlier() {
    const oldest = history.size ? Math.min(...history.keys()) : (view.updates ? view.updates.count + 1 : 1);
    const after = Math.max(0, oldest - 1 - HISTORY_PAGE);
    historyBusy = true;
    renderHistory();
    try {
      const page = await Api.updates(transferId, after, oldest - 1 - after);
      for (const record of page.updates) history.set(record.version, record);
    } catch (err) {
      ctx.toast(`Could not load earlier updates: ${err.text}`);
    } finally {
      historyBusy = false;
    }
    if (destroyed) return;
    renderHistory();
    renderTimeline();
  }

  function role() {
    if (!view || !state.session) return null;
    if (view.recipient === state.session.agency) return "recipient";
    if (view.sender === state.session.agency) return "sender";
    return null;
  }

  function render() {
    const t = view;
    const inc = t.incident || {};
    const r = role();
    const now = nowS();
    const back = container.querySelector("#back-link");
    if (back) {
      back.href = r === "sender" ? "#/outgoing" : "#/queue";
      back.textContent = r === "sender" ? "\u2190 Back to Outgoing" : "\u2190 Back to Incoming";
    }
    replaceChildren(title, 
      h("span.ref", t.reference),
      " \u2014 ",
      typeLabel(inc.type),
    );
    document.title = `${t.reference} \u2014 bluelight console`;
    const overdue = isOverdue(t, now);
    replaceChildren(headMeta, 
      priorityTag(inc.priority),
      statePill(t.state),
      overdue ? h("span.badge.badge-overdue", "! OVERDUE") : null,
      t.incident_status && t.incident_status !== "open" ? h("span.badge", `Incident ${t.incident_status}`) : h("span.badge.badge-open", "Incident open"),
      h(
        "span.inc-route",
        `From ${agencyName(t.sender)} to ${agencyName(t.recipient)} \u00b7 sent `,
        timeEl(t.submitted_at),
        isPending(t)
          ? h("span", " \u00b7 waiting ", h("span.waited", { "data-since": String(t.stored_at) }, fmtWaited(now - t.stored_at)))
          : t.decided_at
            ? ` \u00b7 decided after ${fmtDuration(t.decided_at - t.submitted_at)}${t.decided_by ? ` by ${t.decided_by}` : ""}`
            : null,
      ),
    );

    const flags = t.flags || [];
    replaceChildren(flagsBox, 
      ...flags.map((f) =>
        h(
          "div.warning",
          { role: "note", "data-testid": `flag-${f}` },
          h("strong", h("span", { "aria-hidden": "true" }, "\u26A0 "), `Warning \u2014 ${FLAG_SHORT[f] || f}: `),
          FLAG_TEXT[f] || f,
        ),
      ),
      t.state === "rejected" && t.reason
        ? h("div.notice", h("strong", `Rejected by ${t.decided_by || agencyName(t.recipient)}: `), `\u201c${t.reason}\u201d`)
        : null,
      t.state === "cancelled" ? h("div.notice", h("strong", "Cancelled: "), "the sender withdrew this incident (sent in error).") : null,
    );

    renderSharing(r);
    renderActions(r);
    renderDetails(inc);
    renderHistory();
    renderMap(inc);
    renderSiblings(r);
    renderTimeline();
  }

  function renderSharing(r) {
    const t = view;
    if (r === "recipient") {
      replaceChildren(
        sharingBox,
        withheldNotice(t) ||
          h("p.share-note", agreementLine(t, { full: true }), t.agreement ? ": nothing was withheld from you." : "."),
      );
    } else if (r === "sender") {
      replaceChildren(
        sharingBox,
        h(
          "div.share-sender",
          h("p.share-note", `To ${agencyName(t.recipient)}: `, agreementLine(t, { full: true })),
          withheldFrom(t) || h("p.share-note", h("span", { "aria-hidden": "true" }, "\u2714 "), `Nothing was withheld from ${agencyName(t.recipient)}.`),
        ),
      );
    } else {
      clear(sharingBox);
    }
  }

  function renderDetails(inc) {
    const loc = inc.location || {};
    const caller = inc.caller;
    // Only the recipient's copy can have gaps; say "withheld" there, never "not given".
    const withheld = new Set(role() === "recipient" ? view.withheld || [] : []);
    const gap = (name) =>
      withheld.has(`incident.${name}`)
        ? h(
            "p.withheld-inline",
            h("span", { "aria-hidden": "true" }, "\u2298 "),
            `Withheld: not covered by a data-sharing agreement with ${agencyName(view.sender)}.`,
          )
        : null;
    const os = inc.officer_safety;
    const vul = inc.vulnerability;
    replaceChildren(details, 
      os && ((os.markers && os.markers.length) || os.notes)
        ? h(
            "section.officer-safety",
            { "data-testid": "officer-safety", "aria-labelledby": "os-title" },
            h("h2#os-title", h("span.os-icon", { "aria-hidden": "true" }, "\u26A0"), " Officer safety"),
            labelsAndNotes(os.markers, os.notes, ".chip-danger"),
          )
        : null,
      h(
        "section.panel",
        { "aria-labelledby": "summary-title" },
        h("h2#summary-title", "Incident"),
        h("p.inc-summary-big", inc.summary || "\u2014"),
        dl([
          ["Type", typeLabel(inc.type)],
          ["Priority", PRIORITY_LABELS[inc.priority] || inc.priority],
          ["Reference", view.reference],
          ["Created", inc.created_at ? h("time", { datetime: inc.created_at }, fmtFull(inc.created_at)) : null],
          ["Transfer", view.transfer_id],
        ]),
        h("h3", "Notes (as sent)"),
        inc.notes ? h("p.notes", inc.notes) : gap("notes") || h("p.muted", "No notes"),
      ),
      historyBox,
      inc.medical
        ? h(
            "section.panel.sensitive-panel",
            { "data-testid": "medical", "aria-labelledby": "med-title" },
            h("h2#med-title", "Medical details"),
            h("p.notes", inc.medical),
          )
        : null,
      vul && ((vul.flags && vul.flags.length) || vul.notes)
        ? h(
            "section.panel.sensitive-panel",
            { "data-testid": "vulnerability", "aria-labelledby": "vul-title" },
            h("h2#vul-title", "Vulnerability and safeguarding"),
            labelsAndNotes(vul.flags, vul.notes, ".chip-vulnerable"),
          )
        : null,
      inc.intelligence
        ? h(
            "section.panel.sensitive-panel",
            { "data-testid": "intelligence", "aria-labelledby": "intel-title" },
            h("h2#intel-title", "Criminal-intelligence notes"),
            h("p.notes", inc.intelligence),
          )
        : null,
      inc.methane ? methaneBlock(inc.methane) : null,
      h(
        "section.panel",
        { "aria-labelledby": "loc-title" },
        h("h2#loc-title", "Location"),
        dl([
          ["UPRN", loc.uprn],
          ["Address", loc.address],
          ["Description", loc.description],
          ["BNG easting / northing", loc.easting !== undefined ? `${fmtCoord(loc.easting, 1)} / ${fmtCoord(loc.northing, 1)}` : null],
          ["Latitude, longitude", loc.lat !== undefined ? `${fmtCoord(loc.lat, 6)}, ${fmtCoord(loc.lon, 6)}` : null],
        ]),
      ),
      h(
        "div.panel-row",
        h(
          "section.panel",
          { "aria-labelledby": "hz-title" },
          h("h2#hz-title", "Hazards"),
          inc.hazards && inc.hazards.length
            ? h("ul.chips", inc.hazards.map((x) => h("li.chip", x)))
            : h("p.muted", "None reported"),
        ),
        h(
          "section.panel",
          { "aria-labelledby": "cas-title" },
          h("h2#cas-title", "Casualties"),
          inc.casualties && inc.casualties.length
            ? h(
                "table.data.compact",
                h("caption.visually-hidden", "Casualties by severity"),
                h("thead", h("tr", h("th", { scope: "col" }, "Severity"), h("th", { scope: "col", class: "num" }, "Count"))),
                h(
                  "tbody",
                  inc.casualties.map((c) => h("tr", h("td", SEVERITY_LABELS[c.severity] || c.severity), h("td.num", String(c.count)))),
                ),
              )
            : gap("casualties") || h("p.muted", "None reported"),
        ),
      ),
      h(
        "section.panel",
        { "aria-labelledby": "res-title" },
        h("h2#res-title", "Resources requested"),
        inc.resources_requested && inc.resources_requested.length
          ? h(
              "table.data.compact",
              h("caption.visually-hidden", "Resources requested"),
              h("thead", h("tr", h("th", { scope: "col" }, "Resource"), h("th", { scope: "col", class: "num" }, "Count"), h("th", { scope: "col" }, "Note"))),
              h(
                "tbody",
                inc.resources_requested.map((x) => h("tr", h("td", x.kind), h("td.num", String(x.count ?? 1)), h("td", x.note || ""))),
              ),
            )
          : h("p.muted", "None requested"),
      ),
      h(
        "section.panel",
        { "aria-labelledby": "caller-title" },
        h("h2#caller-title", "Caller"),
        caller ? dl([["Name", caller.name], ["Phone", caller.phone], ["Notes", caller.notes]]) : gap("caller") || h("p.muted", "Not given"),
      ),
    );
  }

  /** The update history: newest first, the latest few from the transfer view, earlier
   * ones a page at a time on request. */
  function renderHistory() {
    const summary = view.updates;
    if (!summary || !summary.count) {
      clear(historyBox);
      return;
    }
    const records = [...history.values()].sort((a, b) => b.version - a.version);
    const earlier = (records.length ? records[records.length - 1].version : summary.count + 1) - 1;
    const withheld = (summary.withheld || []).includes("update.text");
    replaceChildren(
      historyBox,
      h(
        "section.panel",
        { "data-testid": "update-history", "aria-labelledby": "history-title" },
        h("h2#history-title", `Update history (${summary.count})`),
        withheld
          ? h("p.withheld-inline", h("span", { "aria-hidden": "true" }, "\u2298 "), `Update texts withheld: not covered by a data-sharing agreement with ${agencyName(view.sender)}.`)
          : null,
        h(
          "ol.history",
          records.map((r) =>
            h(
              "li.history-item",
              { "data-testid": "update-record", "data-version": String(r.version) },
              h("div.history-head", h("strong", `#${r.version}`), " ", timeEl(r.at), ` \u00b7 ${agencyName(r.by)}`),
              r.text ? h("p.notes", r.text) : h("p.muted", withheld ? "Withheld" : "Text removed by the retention purge"),
            ),
          ),
        ),
        earlier > 0
          ? h(
              "button.btn.btn-secondary.btn-small",
              { type: "button", "data-testid": "update-history-more", disabled: historyBusy, onclick: () => loadEarlier() },
              historyBusy ? "Loading\u2026" : `Show earlier updates (${earlier} more)`,
            )
          : null,
      ),
    );
  }

  function renderMap(inc) {
    const loc = inc.location || {};
    const key = JSON.stringify(loc);
    if (key === mapKey) return;
    mapKey = key;
    mapHandle?.destroy();
    clear(mapBox);
    mapBox.classList.remove("map-empty");
    mapHandle = drawMap(mapBox, loc, { label: `${view.reference}: ${typeLabel(inc.type)}` });
  }

  function renderSiblings(r) {
    if (r !== "sender") {
      clear(siblings);
      return;
    }
    const all = state.sent.filter((x) => x.incident_id === view.incident_id);
    if (all.length < 2) {
      clear(siblings);
      return;
    }
    replaceChildren(siblings, 
      h(
        "section.panel",
        { "aria-labelledby": "sib-title" },
        h("h2#sib-title", "All recipients of this incident"),
        h(
          "ul.sibling-list",
          all.map((x) =>
            h(
              "li",
              x.transfer_id === view.transfer_id ? h("strong", agencyName(x.recipient)) : h("a", { href: `#/transfer/${encodeURIComponent(x.transfer_id)}` }, agencyName(x.recipient)),
              " ",
              statePill(x.state),
              x.reason ? h("span.muted", ` \u201c${x.reason}\u201d`) : null,
              x.withheld && x.withheld.length
                ? h("div.sib-withheld", { "data-testid": "sibling-withheld" }, h("span", { "aria-hidden": "true" }, "\u2298 "), `Withheld: ${withheldWords(x.withheld)}`)
                : null,
            ),
          ),
        ),
      ),
    );
  }

  function renderTimeline() {
    const events = (timeline && timeline.events) || [];
    replaceChildren(timelineList, 
      ...events.map((e) =>
        h(
          `li.tl-item.tl-${e.kind}`,
          { "data-kind": e.kind },
          h("div.tl-time", timeEl(e.at)),
          h("div.tl-body", h("div.tl-actor", agencyName(e.actor)), h("div.tl-desc", describe(e, history))),
        ),
      ),
    );
    if (!events.length) timelineList.append(h("li.muted", "Nothing recorded yet."));
  }

  // ------------------------------------------------------------------ actions

  function renderActions(r) {
    const key = `${r}|${view.state}|${view.incident_status}`;
    if (key === actionsKey) return;
    actionsKey = key;
    if (r === "recipient" && isPending(view)) replaceChildren(actionsBox, recipientActions());
    else if (r === "sender" && view.incident_status === "open") replaceChildren(actionsBox, senderActions());
    else clear(actionsBox);
  }

  function recipientActions() {
    const status = h("span.row-busy", { role: "status" });
    const err = h("p.field-error", { id: "inc-reject-err", hidden: true, "data-testid": "field-error", "data-field": "reason" });
    const input = h("input#inc-reject-reason", {
      type: "text",
      maxlength: "500",
      required: true,
      autocomplete: "off",
      "data-testid": "reject-reason",
      "aria-describedby": "inc-reject-err",
      onkeydown: (ev) => {
        if (ev.key === "Enter") {
          ev.preventDefault();
          doReject();
        } else if (ev.key === "Escape") {
          ev.preventDefault();
          ev.stopPropagation();
          closeReject();
        }
      },
    });
    const panel = h(
      "div.reject-panel#inc-reject",
      { hidden: true, role: "group", "aria-label": "Reject this incident" },
      h("label", { for: "inc-reject-reason" }, "Reason for rejecting (the sender sees this)", h("span.req", { "aria-hidden": "true" }, " *")),
      err,
      h(
        "div.reject-line",
        input,
        h("button.btn.btn-danger-solid", { type: "button", "data-testid": "reject-confirm", onclick: () => doReject() }, "Confirm reject"),
        h("button.btn.btn-quiet", { type: "button", onclick: () => closeReject() }, "Cancel"),
      ),
      h(
        "div.quick-reasons",
        { role: "group", "aria-label": "Quick reasons" },
        h("span.quick-label", "Quick pick:"),
        QUICK_REASONS.map((reason) =>
          h("button.btn.btn-chip", { type: "button", onclick: () => { input.value = reason; input.focus(); } }, reason),
        ),
      ),
    );
    const acceptBtn = h("button.btn.btn-accept.btn-large", { type: "button", "data-testid": "accept", onclick: () => doAccept() }, h("span", { "aria-hidden": "true" }, "\u2714 "), "Accept");
    const rejectBtn = h(
      "button.btn.btn-reject.btn-large",
      { type: "button", "data-testid": "reject", "aria-expanded": "false", "aria-controls": "inc-reject", onclick: () => openReject() },
      h("span", { "aria-hidden": "true" }, "\u2716 "),
      "Reject",
    );
    function busy(text) {
      acceptBtn.disabled = rejectBtn.disabled = Boolean(text);
      status.textContent = text || "";
    }
    function openReject() {
      panel.hidden = false;
      rejectBtn.setAttribute("aria-expanded", "true");
      input.focus();
    }
    function closeReject() {
      panel.hidden = true;
      err.hidden = true;
      rejectBtn.setAttribute("aria-expanded", "false");
      rejectBtn.focus();
    }
    async function doAccept() {
      busy("Accepting\u2026");
      const ok = await ctx.decide(view, "accepted");
      busy("");
      if (ok === true) load();
    }
    async function doReject() {
      const reason = input.value.trim();
      if (!reason) {
        err.hidden = false;
        err.textContent = "Give a reason: the sender needs to know why.";
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      busy("Rejecting\u2026");
      const result = await ctx.decide(view, "rejected", reason);
      busy("");
      if (result === true) load();
      else if (result && result.errors) {
        const fault = result.errors.find((e) => e.field === "reason");
        if (fault) {
          err.hidden = false;
          err.textContent = fault.fault;
          input.focus();
        }
      }
    }
    const box = h(
      "section.action-bar",
      { "aria-label": "Decide" },
      h("p.action-lede", `${agencyName(view.sender)} asks you to take this on.`),
      acceptBtn,
      rejectBtn,
      status,
      panel,
    );
    box.onKey = (ev) => {
      if (ev.key === "a") { doAccept(); return true; }
      if (ev.key === "r") { openReject(); return true; }
      if (ev.key === "Escape" && !panel.hidden) { closeReject(); return true; }
      return false;
    };
    return box;
  }

  function senderForm({ key, title: heading, testid, submitLabel, fields, build, send, danger }) {
    const summary = errorSummary();
    const status = h("p.form-status", { role: "status" });
    const submit = h(`button.btn.${danger ? "btn-danger-solid" : "btn-primary"}`, { type: "submit", "data-testid": `${testid}-submit` }, submitLabel);
    let messageId = uuid();
    const form = h("form.sender-form", { novalidate: true, "data-testid": `${testid}-form` }, summary, fields, h("div.form-actions", submit, status));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const { body, errors } = build();
      if (errors.length) {
        showErrors(form, errors).focus();
        return;
      }
      submit.disabled = true;
      status.textContent = "Sending\u2026";
      try {
        await send({ message_id: messageId, ...body });
        messageId = uuid();
        status.textContent = "";
        form.reset();
        form.closest("details").open = false;
        ctx.toast(`${heading}: stored by the hub and sent to every recipient.`);
        ctx.refresh();
        load();
      } catch (err) {
        status.textContent = "";
        if (err.status >= 400 && err.status < 500) messageId = uuid();
        const errs = err.errors.length ? err.errors : [{ field: "", fault: err.text }];
        showErrors(form, errs, { message: err.status === 0 || err.status >= 500 ? "Nothing was stored; try again." : null }).focus();
      } finally {
        submit.disabled = false;
      }
    });
    return h(`details.sender-action.${key}`, h("summary", heading), form);
  }

  function senderActions() {
    const ref = view.reference;
    const n = state.sent.filter((x) => x.incident_id === view.incident_id).length || 1;

    const uText = field({ label: "What has changed", control: "textarea", path: "update.text", testid: "update-text", required: true, rows: 3, maxlength: "10000", wide: true, hint: "Kept in the incident's update history; the notes stay as sent." });
    const uPriority = field({ label: "New priority", control: "select", path: "update.priority", testid: "update-priority", options: [["", "Unchanged"], ...Object.entries(PRIORITY_LABELS)] });
    const uSummary = field({ label: "New summary", path: "update.summary", testid: "update-summary", maxlength: "500", hint: "Leave blank to keep it." });
    const uHazards = field({ label: "Hazards (replace)", path: "update.hazards", testid: "update-hazards", hint: "Comma separated; blank keeps the current list." });
    const update = senderForm({
      key: "act-update",
      title: "Send an update",
      testid: "update",
      submitLabel: "Send update",
      fields: [uText, h("div.grid-3", uPriority, uSummary, uHazards)],
      build: () => {
        const errors = [];
        const u = { text: uText.input.value.trim() };
        if (!u.text) errors.push({ field: "update.text", fault: "say what has changed" });
        if (uPriority.input.value) u.priority = uPriority.input.value;
        if (uSummary.input.value.trim()) u.summary = uSummary.input.value.trim();
        const hz = splitList(uHazards.input.value);
        if (hz.length) u.hazards = hz;
        return { body: { update: u }, errors };
      },
      send: (body) => Api.update(ref, body),
    });

    const cOutcome = field({ label: "Outcome", path: "closure.outcome", testid: "closure-outcome", required: true, maxlength: "500", wide: true });
    const cText = field({ label: "Closing note", control: "textarea", path: "closure.text", testid: "closure-text", rows: 2, maxlength: "10000", wide: true });
    const closure = senderForm({
      key: "act-close",
      title: "Close the incident",
      testid: "closure",
      submitLabel: "Close incident",
      fields: [cOutcome, cText],
      build: () => {
        const errors = [];
        const c = { outcome: cOutcome.input.value.trim() };
        if (!c.outcome) errors.push({ field: "closure.outcome", fault: "give the outcome" });
        if (cText.input.value.trim()) c.text = cText.input.value.trim();
        return { body: { closure: c }, errors };
      },
      send: (body) => Api.closure(ref, body),
    });

    const xReason = field({ label: "Why it was sent in error", path: "reason", testid: "cancel-reason", required: true, maxlength: "500", wide: true, hint: `Withdraws the incident from all ${n} recipient${n === 1 ? "" : "s"}. To end a real incident, close it instead.` });
    const cancel = senderForm({
      key: "act-cancel",
      title: "Cancel (sent in error)",
      testid: "cancel",
      submitLabel: "Cancel incident",
      danger: true,
      fields: [xReason],
      build: () => {
        const reason = xReason.input.value.trim();
        return { body: { reason }, errors: reason ? [] : [{ field: "reason", fault: "give the reason" }] };
      },
      send: (body) => Api.cancellation(ref, body),
    });

    const box = h("section.action-bar.sender", { "aria-label": "Your incident" }, h("p.action-lede", "You sent this incident."), h("div.sender-actions", update, closure, cancel));
    return box;
  }

  // The id and version are on the transfer; the purpose comes with the agreement list.
  loadAgreements().then(() => {
    if (!destroyed && view) render();
  }, () => {});

  /** The export as a file for the agency's own records (the hub audits it). */
  async function downloadRecord() {
    exportBtn.disabled = true;
    exportStatus.textContent = "Preparing\u2026";
    try {
      const record = await Api.exportTransfer(transferId);
      const blob = new Blob([JSON.stringify(record, null, 2)], { type: "application/json" });
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: `${view ? view.reference : "transfer"}-${transferId}.json`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      exportStatus.textContent = "Downloaded.";
    } catch (err) {
      exportStatus.textContent = `Could not export: ${err.text}`;
    } finally {
      exportBtn.disabled = false;
    }
  }

  load();

  return {
    update(what, detail) {
      if (what === "entry" && detail && (detail.transfer_id === transferId || (view && detail.incident_id === view.incident_id))) {
        load();
      } else if (what === "agencies" && view) {
        render();
      } else if (what === "transfers" && view) {
        // Pick up state changes seen in the lists (e.g. decided elsewhere).
        const fresh = [...state.sent, ...state.received, ...state.pending].find((x) => x.transfer_id === transferId);
        if (fresh && (fresh.state !== view.state || fresh.incident_status !== view.incident_status)) load();
        else if (role() === "sender") renderSiblings("sender");
      }
    },
    tick(now) {
      if (!view) return;
      const overdue = isOverdue(view, now);
      if (overdue !== Boolean(headMeta.querySelector(".badge-overdue"))) render();
    },
    onKey(ev) {
      const bar = actionsBox.firstElementChild;
      return bar && bar.onKey ? bar.onKey(ev) : false;
    },
    focusTarget: () => title,
    unmount() {
      destroyed = true;
      mapHandle?.destroy();
    },
  };
}

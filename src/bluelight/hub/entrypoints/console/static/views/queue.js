// Incoming queue (#/queue): partners' incidents awaiting acknowledgement or decision,
// newest first, with one-click accept and reject-with-reason; recently decided below.

import { h, fmtWaited, typeLabel, priorityTag, statePill, FLAG_SHORT, timeEl, nowS, uid, replaceChildren } from "../dom.js";
import { state, agencyName, isOverdue } from "../store.js";
import { withheldWords } from "../sharing.js";

export const QUICK_REASONS = [
  "Not for this service",
  "Duplicate: already attending",
  "Outside our area",
  "No resources available: phone to discuss",
  "Not enough information: please phone",
];

/** Markers for the special-category details a partner shared, so the operator sees at
 * a glance that there is more to read (officer safety first, in the warning style). */
function sensitiveLine(inc) {
  const os = inc.officer_safety;
  const vul = inc.vulnerability;
  const hasOs = os && ((os.markers && os.markers.length) || os.notes);
  const hasVul = vul && ((vul.flags && vul.flags.length) || vul.notes);
  if (!hasOs && !hasVul && !inc.medical && !inc.intelligence) return null;
  return h(
    "div.inc-sensitive",
    hasOs
      ? h(
          "span.os-inline",
          { "data-testid": "queue-officer-safety" },
          h("span.badge.badge-danger", h("span", { "aria-hidden": "true" }, "\u26A0 "), "Officer safety"),
          os.markers && os.markers.length ? ` ${os.markers.join(", ")}` : null,
        )
      : null,
    hasVul ? h("span.badge.badge-vulnerable", "Vulnerability flags") : null,
    inc.medical ? h("span.badge.badge-info", "Medical details") : null,
    inc.intelligence ? h("span.badge.badge-info", "Intelligence notes") : null,
  );
}

export function mountQueue(container, ctx) {
  let selectedId = null;
  let firstRender = true;
  const rows = new Map(); // transfer_id -> li

  const title = h("h1#view-title", { tabindex: "-1" }, "Incoming");
  const count = h("p.view-count", { "aria-live": "polite" });
  const list = h("ol.queue-list", { "aria-labelledby": "view-title", "data-testid": "queue" });
  const empty = h(
    "p.empty",
    { hidden: true },
    "Nothing waiting. New incidents from partner control rooms appear here at once, with a chime.",
  );
  const loading = h("p.empty", "Loading the queue\u2026");
  const recentBody = h("tbody");
  const recentEmpty = h("p.empty", { hidden: true }, "No decisions yet.");
  const recentTable = h(
    "table.data.recent",
    h("caption.visually-hidden", "Incoming incidents recently decided or withdrawn"),
    h(
      "thead",
      h(
        "tr",
        ["Decided", "Reference", "Incident", "From", "Outcome", "By / reason"].map((c) => h("th", { scope: "col" }, c)),
      ),
    ),
    recentBody,
  );

  const head = h(
    "div.queue-head",
    { "aria-hidden": "true" },
    ["Waited", "Priority", "Incident", "From", "Status", "Actions"].map((c) => h("span", c)),
  );

  replaceChildren(container, 
    h(
      "section.view.view-queue",
      { "aria-labelledby": "view-title" },
      h(
        "div.view-head",
        title,
        count,
        h(
          "p.kbd-hint",
          "Keys: ",
          h("kbd", "j"),
          "/",
          h("kbd", "k"),
          " move, ",
          h("kbd", "Enter"),
          " open, ",
          h("kbd", "a"),
          " accept, ",
          h("kbd", "r"),
          " reject, ",
          h("kbd", "?"),
          " all shortcuts",
        ),
      ),
      head,
      loading,
      list,
      empty,
      h("h2.section-title", "Recently decided"),
      recentTable,
      recentEmpty,
    ),
  );

  // ------------------------------------------------------------------ rows

  function createRow(t) {
    const li = h("li.queue-row", {
      "data-testid": "queue-row",
      "data-transfer-id": t.transfer_id,
      tabindex: "-1",
    });
    li.cells = {
      waited: h("div.c-waited"),
      prio: h("div.c-prio"),
      incident: h("div.c-incident"),
      from: h("div.c-from"),
      status: h("div.c-status"),
    };
    const acceptBtn = h(
      "button.btn.btn-accept",
      { type: "button", "data-testid": "accept", onclick: () => accept(li) },
      h("span", { "aria-hidden": "true" }, "\u2714 "),
      "Accept",
    );
    const rejectBtn = h(
      "button.btn.btn-reject",
      { type: "button", "data-testid": "reject", "aria-expanded": "false", onclick: () => openReject(li) },
      h("span", { "aria-hidden": "true" }, "\u2716 "),
      "Reject",
    );
    const openLink = h("a.btn.btn-quiet", { href: `#/transfer/${encodeURIComponent(t.transfer_id)}` }, "Open");
    const busy = h("span.row-busy", { role: "status" });
    li.actions = { acceptBtn, rejectBtn, busy };
    li.reject = buildRejectPanel(li);
    rejectBtn.setAttribute("aria-controls", li.reject.id);
    li.append(
      li.cells.waited,
      li.cells.prio,
      li.cells.incident,
      li.cells.from,
      li.cells.status,
      h("div.c-actions", acceptBtn, rejectBtn, openLink, busy),
      li.reject,
    );
    li.addEventListener("click", (ev) => {
      if (ev.target.closest("button, a, input, label")) return;
      select(t.transfer_id, false);
    });
    li.addEventListener("dblclick", (ev) => {
      if (ev.target.closest("button, a, input, label, .reject-panel")) return;
      ctx.navigate(`#/transfer/${encodeURIComponent(li.dataset.transferId)}`);
    });
    li.addEventListener("focusin", () => {
      selectedId = li.dataset.transferId;
      markSelected();
    });
    return li;
  }

  function buildRejectPanel(li) {
    const id = uid("reject");
    const inputId = `${id}-reason`;
    const errId = `${id}-err`;
    const input = h("input", {
      id: inputId,
      type: "text",
      maxlength: "500",
      required: true,
      autocomplete: "off",
      "data-testid": "reject-reason",
      "data-path": "reason",
      "aria-describedby": errId,
      onkeydown: (ev) => {
        if (ev.key === "Enter") {
          ev.preventDefault();
          confirmReject(li);
        } else if (ev.key === "Escape") {
          ev.preventDefault();
          ev.stopPropagation();
          closeReject(li, true);
        }
      },
    });
    const err = h("p.field-error", { id: errId, hidden: true, "data-testid": "field-error", "data-field": "reason" });
    const panel = h(
      "div.reject-panel",
      { id, hidden: true, role: "group", "aria-label": "Reject this incident" },
      h("label", { for: inputId }, "Reason for rejecting (the sender sees this)", h("span.req", { "aria-hidden": "true" }, " *")),
      err,
      h("div.reject-line",
        input,
        h(
          "button.btn.btn-danger-solid",
          { type: "button", "data-testid": "reject-confirm", onclick: () => confirmReject(li) },
          "Confirm reject",
        ),
        h("button.btn.btn-quiet", { type: "button", onclick: () => closeReject(li, true) }, "Cancel"),
      ),
      h(
        "div.quick-reasons",
        { role: "group", "aria-label": "Quick reasons" },
        h("span.quick-label", "Quick pick:"),
        QUICK_REASONS.map((reason) =>
          h(
            "button.btn.btn-chip",
            {
              type: "button",
              onclick: () => {
                input.value = reason;
                input.focus();
              },
            },
            reason,
          ),
        ),
      ),
    );
    panel.input = input;
    panel.err = err;
    return panel;
  }

  function fillRow(li, t, now) {
    const inc = state.incidents.get(t.incident_id);
    const overdue = isOverdue(t, now);
    const arrivedAt = state.arrivals.get(t.transfer_id);
    const isNew = arrivedAt && now - arrivedAt < 10;
    li.classList.toggle("overdue", overdue);
    li.classList.toggle("is-new", Boolean(isNew));
    li.dataset.state = t.state;

    replaceChildren(li.cells.waited, 
      h("span.visually-hidden", "Waited "),
      h("span.waited", { "data-since": String(t.stored_at || t.submitted_at) }, fmtWaited(now - (t.stored_at || t.submitted_at))),
      overdue ? h("span.badge.badge-overdue", h("span", { "aria-hidden": "true" }, "! "), "OVERDUE") : null,
    );
    replaceChildren(li.cells.prio, h("span.visually-hidden", "Priority "), inc ? priorityTag(inc.priority) : h("span.muted", "\u2026"));
    const loc = inc?.location || {};
    const where = loc.address || loc.description || (loc.uprn ? `UPRN ${loc.uprn}` : loc.lat !== undefined ? `${loc.lat}, ${loc.lon}` : "");
    replaceChildren(li.cells.incident, 
      h(
        "div.inc-line1",
        h("strong.inc-type", inc ? typeLabel(inc.type) : "Loading details\u2026"),
        " ",
        h("span.ref", t.reference),
        (t.flags || []).map((f) => h("span.badge.badge-warn", h("span", { "aria-hidden": "true" }, "\u26A0 "), FLAG_SHORT[f] || f)),
        t.incident_status && t.incident_status !== "open" ? h("span.badge", `Incident ${t.incident_status}`) : null,
      ),
      inc ? h("div.inc-summary", inc.summary) : null,
      where ? h("div.inc-where", h("span.visually-hidden", "Location: "), where) : null,
      inc ? sensitiveLine(inc) : null,
      t.withheld && t.withheld.length
        ? h(
            "div.inc-withheld",
            { "data-testid": "queue-withheld" },
            h("span", { "aria-hidden": "true" }, "\u2298 "),
            "Withheld from you: ",
            withheldWords(t.withheld),
          )
        : null,
    );
    replaceChildren(li.cells.from, h("span.visually-hidden", "From "), agencyName(t.sender));
    replaceChildren(li.cells.status, 
      statePill(t.state),
      isNew ? h("span.badge.badge-new", "NEW") : null,
      overdue
        ? h("div.overdue-note", t.state === "stored" && t.ack_overdue_at ? "Not acknowledged in time" : "Decision overdue: the sender has been told to phone you")
        : null,
    );
    if (!inc) ctx.ensureIncident(t);
  }

  function render() {
    const now = nowS();
    const pending = state.pending;
    loading.hidden = state.loaded;
    const n = pending.length;
    count.textContent = state.loaded ? (n === 0 ? "Nothing waiting" : `${n} waiting for a decision`) : "";
    empty.hidden = !state.loaded || n > 0;

    const seen = new Set(pending.map((t) => t.transfer_id));
    // Drop rows that left the queue first, so that reordering never moves (and so
    // blurs) a row that stays.
    for (const [id, li] of rows) {
      if (!seen.has(id)) {
        const hadFocus = li.contains(document.activeElement);
        const next = li.nextElementSibling || li.previousElementSibling;
        li.remove();
        rows.delete(id);
        if (selectedId === id) {
          selectedId = next ? next.dataset.transferId : null;
          if (hadFocus && next) next.focus();
          else if (hadFocus) title.focus();
        }
      }
    }
    let before = list.firstChild;
    for (const t of pending) {
      let li = rows.get(t.transfer_id);
      if (!li) {
        li = createRow(t);
        rows.set(t.transfer_id, li);
      }
      li.transfer = t;
      fillRow(li, t, now);
      if (li !== before) list.insertBefore(li, before);
      else before = before.nextSibling;
    }
    if (!selectedId || !rows.has(selectedId)) selectedId = pending[0]?.transfer_id || null;
    markSelected();
    renderRecent();
    firstRender = false;
  }

  function renderRecent() {
    const recent = state.received
      .filter((t) => !(t.state === "stored" || t.state === "delivered"))
      .sort((a, b) => (b.decided_at || b.stored_at) - (a.decided_at || a.stored_at))
      .slice(0, 15);
    recentEmpty.hidden = !state.loaded || recent.length > 0;
    recentTable.hidden = recent.length === 0;
    replaceChildren(recentBody, 
      ...recent.map((t) => {
        const inc = state.incidents.get(t.incident_id);
        if (!inc) ctx.ensureIncident(t);
        return h(
          "tr",
          { "data-testid": "recent-row", "data-transfer-id": t.transfer_id, "data-state": t.state },
          h("td", timeEl(t.decided_at || t.stored_at)),
          h("td", h("a", { href: `#/transfer/${encodeURIComponent(t.transfer_id)}` }, t.reference)),
          h("td", inc ? h("span", h("strong", typeLabel(inc.type)), " \u2014 ", inc.summary) : h("span.muted", "\u2026")),
          h("td", agencyName(t.sender)),
          h("td", statePill(t.state)),
          h("td", t.decided_by || "", t.reason ? h("div.muted", t.reason) : null),
        );
      }),
    );
  }

  function markSelected() {
    for (const [id, li] of rows) {
      const sel = id === selectedId;
      li.classList.toggle("selected", sel);
      if (sel) li.setAttribute("aria-current", "true");
      else li.removeAttribute("aria-current");
    }
  }

  function select(id, focus = true) {
    if (!id || !rows.has(id)) return;
    selectedId = id;
    markSelected();
    const li = rows.get(id);
    if (focus) {
      li.focus();
      li.scrollIntoView({ block: "nearest" });
    }
  }

  function move(delta) {
    const ids = [...list.children].map((li) => li.dataset.transferId);
    if (!ids.length) return;
    let i = ids.indexOf(selectedId);
    if (i < 0) i = delta > 0 ? -1 : ids.length;
    i = Math.max(0, Math.min(ids.length - 1, i + delta));
    select(ids[i]);
  }

  // ------------------------------------------------------------- actions

  function setBusy(li, text) {
    const { acceptBtn, rejectBtn, busy } = li.actions;
    acceptBtn.disabled = Boolean(text);
    rejectBtn.disabled = Boolean(text);
    busy.textContent = text || "";
  }

  async function accept(li) {
    if (li.actions.acceptBtn.disabled) return;
    closeReject(li, false);
    setBusy(li, "Accepting\u2026");
    const ok = await ctx.decide(li.transfer, "accepted");
    if (!ok && li.isConnected) setBusy(li, "");
  }

  function openReject(li) {
    for (const other of rows.values()) if (other !== li) closeReject(other, false);
    li.reject.hidden = false;
    li.classList.add("rejecting");
    li.actions.rejectBtn.setAttribute("aria-expanded", "true");
    selectedId = li.dataset.transferId;
    markSelected();
    li.reject.input.focus();
  }

  function closeReject(li, focusRow) {
    if (li.reject.hidden) return;
    li.reject.hidden = true;
    li.classList.remove("rejecting");
    li.reject.err.hidden = true;
    li.reject.input.removeAttribute("aria-invalid");
    li.actions.rejectBtn.setAttribute("aria-expanded", "false");
    if (focusRow) li.focus();
  }

  async function confirmReject(li) {
    const reason = li.reject.input.value.trim();
    if (!reason) {
      li.reject.err.hidden = false;
      li.reject.err.textContent = "Give a reason: the sender needs to know why.";
      li.reject.input.setAttribute("aria-invalid", "true");
      li.reject.input.focus();
      return;
    }
    setBusy(li, "Rejecting\u2026");
    const result = await ctx.decide(li.transfer, "rejected", reason);
    if (result === true) return;
    if (li.isConnected) {
      setBusy(li, "");
      const fault = result && result.errors ? result.errors.find((e) => e.field === "reason") : null;
      if (fault) {
        li.reject.err.hidden = false;
        li.reject.err.textContent = fault.fault;
        li.reject.input.setAttribute("aria-invalid", "true");
        li.reject.input.focus();
      }
    }
  }

  function selectedRow() {
    return selectedId ? rows.get(selectedId) : null;
  }

  function onKey(ev) {
    const key = ev.key;
    const row = selectedRow();
    if (key === "Escape") {
      const open = [...rows.values()].find((li) => !li.reject.hidden);
      if (open) {
        closeReject(open, true);
        return true;
      }
      return false;
    }
    if (ev.target.closest && ev.target.closest(".reject-panel")) return false;
    if (key === "j" || key === "ArrowDown") {
      move(1);
      return true;
    }
    if (key === "k" || key === "ArrowUp") {
      move(-1);
      return true;
    }
    if (!row) return false;
    if (key === "Enter") {
      if (ev.target.closest && ev.target.closest("button, a")) return false;
      ctx.navigate(`#/transfer/${encodeURIComponent(row.dataset.transferId)}`);
      return true;
    }
    if (key === "a") {
      accept(row);
      return true;
    }
    if (key === "r") {
      openReject(row);
      return true;
    }
    return false;
  }

  function tick(now) {
    for (const li of rows.values()) {
      const t = li.transfer;
      const overdue = isOverdue(t, now);
      const arrivedAt = state.arrivals.get(t.transfer_id);
      const isNew = Boolean(arrivedAt && now - arrivedAt < 10);
      if (overdue !== li.classList.contains("overdue") || isNew !== li.classList.contains("is-new")) {
        fillRow(li, t, now);
      }
    }
  }

  render();
  return {
    update(what) {
      if (what === "transfers" || what === "incidents" || what === "agencies") render();
    },
    tick,
    onKey,
    focusTarget: () => (firstRender ? title : selectedRow() || title),
    unmount() {},
  };
}

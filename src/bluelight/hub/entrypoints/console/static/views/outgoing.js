// Outgoing (#/outgoing): transfers this agency sent, with live status pills
// (stored -> delivered -> accepted / rejected / cancelled) and the last receipt.

import { h, fmtWaited, typeLabel, statePill, timeEl, nowS, fmtDuration, FLAG_SHORT, fmtTime, clear, replaceChildren } from "../dom.js";
import { state, agencyName, isOverdue, isPending } from "../store.js";
import { agreementLine, withheldFrom, withheldWords, agreementName, loadAgreements } from "../sharing.js";

export function mountOutgoing(container, ctx) {
  const title = h("h1#view-title", { tabindex: "-1" }, "Outgoing");
  const count = h("p.view-count");
  const receiptBox = h("div.receipt-slot");
  const body = h("tbody");
  const loading = h("p.empty", "Loading\u2026");
  const empty = h("p.empty", { hidden: true }, "You have not sent anything yet. ", h("a", { href: "#/send" }, "Send an incident"), ".");
  const table = h(
    "table.data.outgoing",
    h("caption.visually-hidden", "Transfers you sent, newest first, with their status"),
    h(
      "thead",
      h(
        "tr",
        h("th", { scope: "col", class: "col-time" }, "Sent"),
        h("th", { scope: "col" }, "Reference"),
        h("th", { scope: "col" }, "To"),
        h("th", { scope: "col" }, "Incident"),
        h("th", { scope: "col", class: "col-status" }, "Status"),
        h("th", { scope: "col" }, "Progress"),
      ),
    ),
    body,
  );
  const prevStates = new Map();
  const changedAt = new Map();
  let first = true;

  replaceChildren(container, 
    h(
      "section.view.view-outgoing",
      { "aria-labelledby": "view-title" },
      h("div.view-head", title, count, h("a.btn.btn-primary", { href: "#/send", "data-testid": "outgoing-send" }, "+ Send an incident")),
      receiptBox,
      loading,
      table,
      empty,
    ),
  );

  function renderReceipt() {
    const r = state.lastReceipt;
    if (!r) {
      clear(receiptBox);
      return;
    }
    replaceChildren(receiptBox, 
      h(
        "section.receipt",
        { "data-testid": "receipt", "aria-labelledby": "receipt-title", tabindex: "-1" },
        h(
          "div.receipt-head",
          h("h2#receipt-title", h("span", { "aria-hidden": "true" }, "\u2714 "), `Sent ${r.reference}: stored by the hub at ${fmtTime(r.stored_at)}`),
          h(
            "button.btn.btn-quiet",
            {
              type: "button",
              onclick: () => {
                state.lastReceipt = null;
                renderReceipt();
                title.focus();
              },
            },
            "Dismiss",
          ),
        ),
        h(
          "p",
          `Receipt ${r.message_id} \u00b7 incident ${r.incident_id} \u00b7 ${r.transfers?.length || 0} transfer${r.transfers?.length === 1 ? "" : "s"}:`,
        ),
        h(
          "ul.receipt-transfers",
          (r.transfers || []).map((t) =>
            h(
              "li",
              h("a", { href: `#/transfer/${encodeURIComponent(t.transfer_id)}` }, agencyName(t.recipient)),
              " ",
              statePill(t.state, { "data-testid": "receipt-state" }),
              h("span.muted", ` \u00b7 ${t.agreement ? `under ${agreementName(t.agreement)}` : "no agreement: operational minimum only"}`),
              t.withheld && t.withheld.length
                ? h(
                    "div.withheld",
                    { "data-testid": "receipt-withheld", "data-recipient": t.recipient },
                    h("span.withheld-icon", { "aria-hidden": "true" }, "\u2298 "),
                    h("strong", `Withheld from ${agencyName(t.recipient)}: `),
                    withheldWords(t.withheld),
                  )
                : null,
            ),
          ),
        ),
        (r.flags || []).length
          ? h(
              "div.warning",
              { role: "note" },
              h("strong", "\u26A0 The hub flagged the location: "),
              r.flags.map((f) => FLAG_SHORT[f] || f).join(", "),
              ". Recipients see this warning too.",
            )
          : null,
      ),
    );
  }

  function render() {
    const now = nowS();
    loading.hidden = state.loaded;
    const sent = state.sent;
    const waiting = sent.filter(isPending).length;
    count.textContent = state.loaded ? `${sent.length} sent \u00b7 ${waiting} awaiting a decision` : "";
    empty.hidden = !state.loaded || sent.length > 0;
    table.hidden = sent.length === 0;
    for (const t of sent) {
      const prev = prevStates.get(t.transfer_id);
      if (!first && prev && prev !== t.state) changedAt.set(t.transfer_id, now);
      prevStates.set(t.transfer_id, t.state);
    }
    first = false;
    replaceChildren(body, ...sent.map((t) => row(t, now)));
  }

  function row(t, now) {
    const inc = state.incidents.get(t.incident_id);
    if (!inc) ctx.ensureIncident(t);
    const overdue = isOverdue(t, now);
    const changed = changedAt.has(t.transfer_id) && now - changedAt.get(t.transfer_id) < 4;
    let progress;
    if (isPending(t)) {
      progress = h(
        "span",
        "Waiting ",
        h("span.waited", { "data-since": String(t.stored_at) }, fmtWaited(now - t.stored_at)),
        t.state === "delivered" && t.delivered_at ? h("span.muted", ` \u00b7 delivered after ${fmtDuration(t.delivered_at - t.submitted_at)}`) : null,
      );
    } else if (t.state === "accepted" || t.state === "rejected") {
      progress = h(
        "span",
        `${t.state === "accepted" ? "Accepted" : "Rejected"} by ${t.decided_by || agencyName(t.recipient)}`,
        t.decided_at ? ` after ${fmtDuration(t.decided_at - t.submitted_at)}` : "",
        t.reason ? h("div.reason", h("span.visually-hidden", "Reason: "), `\u201c${t.reason}\u201d`) : null,
      );
    } else {
      progress = h("span.muted", "Withdrawn (sent in error)");
    }
    return h(
      "tr",
      {
        "data-testid": "outgoing-row",
        "data-transfer-id": t.transfer_id,
        "data-state": t.state,
        class: [overdue ? "overdue" : "", changed ? "changed" : ""].join(" ").trim() || null,
      },
      h("td.col-time", timeEl(t.submitted_at)),
      h("td.col-ref", h("a", { href: `#/transfer/${encodeURIComponent(t.transfer_id)}` }, t.reference),
        t.incident_status && t.incident_status !== "open" ? h("div.muted", `Incident ${t.incident_status}`) : null),
      h("td", agencyName(t.recipient)),
      h(
        "td",
        inc ? h("span", h("strong", typeLabel(inc.type)), " \u2014 ", inc.summary) : h("span.muted", "\u2026"),
        (t.flags || []).map((f) => h("span.badge.badge-warn", "\u26A0 ", FLAG_SHORT[f] || f)),
        h("div.share-info", agreementLine(t), withheldFrom(t)),
      ),
      h(
        "td.col-status",
        statePill(t.state),
        overdue ? h("span.badge.badge-overdue", h("span", { "aria-hidden": "true" }, "! "), "OVERDUE") : null,
      ),
      h("td", progress),
    );
  }

  renderReceipt();
  render();
  // Agreement purposes are shown by name once loaded; the lists work without them.
  loadAgreements().then(() => {
    render();
    renderReceipt();
  }, () => {});
  let lastOverdue = "";
  return {
    update(what) {
      if (what === "transfers" || what === "incidents" || what === "agencies") render();
      if (what === "receipt") renderReceipt();
    },
    tick(now) {
      // Re-render only when an overdue highlight or a change flash must appear/disappear.
      const key = state.sent.map((t) => (isOverdue(t, now) ? "1" : "0")).join("") +
        [...changedAt.values()].map((at) => (now - at < 4 ? "c" : "")).join("");
      if (key !== lastOverdue) {
        lastOverdue = key;
        render();
      }
    },
    focusTarget: () => (state.lastReceipt ? receiptBox.querySelector(".receipt") : title),
    unmount() {},
  };
}

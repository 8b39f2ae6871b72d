// Supervisor dashboard (#/dashboard): transfers per hour by agency pair, time to deliver
// and to decide, rejections by reason, overdue count, and hours saved against phoning.

import { Api } from "../api.js";
import { h, fmtDuration, fmtNumber, initials, fmtTime, replaceChildren } from "../dom.js";
import { stackedBars, pairedBars, horizontalBars, PALETTE } from "../charts.js";
import { state, agencyName } from "../store.js";

function shortName(id) {
  const a = state.agencies.get(id);
  return a ? initials(a.name, a.service) : id;
}

function pairLabel(sender, recipient) {
  return `${shortName(sender)} \u2192 ${shortName(recipient)}`;
}

function pairTitle(sender, recipient) {
  return `${agencyName(sender)} to ${agencyName(recipient)}`;
}

/** Transfers per hour over the last 24 h, from stats.hourly or (fallback) the lists. */
function hourlyData(stats) {
  const HOUR = 3600;
  const nowHour = Math.floor(Date.now() / 1000 / HOUR) * HOUR;
  const hours = Array.from({ length: 24 }, (_, i) => nowHour - (23 - i) * HOUR);
  let rows = Array.isArray(stats.hourly) ? stats.hourly : null;
  let derived = false;
  if (!rows) {
    derived = true;
    const all = new Map();
    for (const t of [...state.sent, ...state.received]) all.set(t.transfer_id, t);
    const counts = new Map();
    for (const t of all.values()) {
      const hr = Math.floor(t.submitted_at / HOUR) * HOUR;
      const key = `${hr}|${t.sender}|${t.recipient}`;
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    rows = [...counts].map(([k, n]) => {
      const [hour, sender, recipient] = k.split("|");
      return { hour: Number(hour), sender, recipient, transfers: n };
    });
  }
  const pairKeys = [];
  const byPair = new Map();
  for (const r of rows) {
    const hr = Math.floor(r.hour / HOUR) * HOUR;
    const i = hours.indexOf(hr);
    if (i < 0) continue;
    const key = `${r.sender}|${r.recipient}`;
    if (!byPair.has(key)) {
      byPair.set(key, new Array(24).fill(0));
      pairKeys.push(key);
    }
    byPair.get(key)[i] += r.transfers;
  }
  pairKeys.sort();
  const series = pairKeys.map((key, i) => {
    const [sender, recipient] = key.split("|");
    return { name: pairLabel(sender, recipient), title: pairTitle(sender, recipient), color: PALETTE[i % PALETTE.length], values: byPair.get(key) };
  });
  return { hours, series, derived };
}

export function mountDashboard(container, ctx) {
  const title = h("h1#view-title", { tabindex: "-1" }, "Supervisor dashboard");
  const updated = h("p.view-count", { "aria-live": "polite" });
  const body = h("div.dash-body", h("p.empty", "Loading figures\u2026"));
  replaceChildren(container, 
    h(
      "section.view.view-dashboard",
      { "data-testid": "dashboard", "aria-labelledby": "view-title" },
      h("div.view-head", title, updated, h("button.btn.btn-secondary.btn-small", { type: "button", onclick: () => load() }, "Refresh")),
      body,
    ),
  );

  let destroyed = false;
  let stats = null;
  let inflight = false;

  async function load() {
    if (inflight) return;
    inflight = true;
    try {
      stats = await Api.stats();
      if (destroyed) return;
      render();
      updated.textContent = `Figures for ${state.session?.agency_name || "your agency"}'s partnerships \u00b7 updated ${fmtTime(Date.now() / 1000)}`;
    } catch (err) {
      if (destroyed) return;
      if (!stats) replaceChildren(body, h("p.error-text", { role: "alert" }, `The figures could not be loaded. ${err.text}`));
    } finally {
      inflight = false;
    }
  }

  function kpi({ testid, label, value, unit, note, alarm }) {
    return h(
      `div.kpi${alarm ? ".kpi-alarm" : ""}`,
      { "data-testid": testid },
      h("p.kpi-label", label),
      h("p.kpi-value", value, unit ? h("span.kpi-unit", ` ${unit}`) : null),
      note ? h("p.kpi-note", note) : null,
    );
  }

  function render() {
    const st = stats;
    const pairs = st.pairs || [];
    const overdue = typeof st.overdue === "number" ? st.overdue : pairs.reduce((a, p) => a + (p.overdue || 0), 0);
    const baselineMin = Math.round((st.phone_baseline_s || 240) / 60);
    const hoursSaved = typeof st.time_saved_hours === "number" ? st.time_saved_hours : (st.time_saved_s || 0) / 3600;

    const kpis = h(
      "div.kpis",
      kpi({ testid: "kpi-transfers", label: "Transfers", value: fmtNumber(st.transfers), note: `${fmtNumber(st.decided)} decided` }),
      kpi({
        testid: "kpi-overdue",
        label: "Overdue",
        value: fmtNumber(overdue),
        note: overdue ? "transfers that raised a phone-them-now alarm" : "no transfer has raised an alarm",
        alarm: overdue > 0,
      }),
      kpi({ testid: "kpi-decide", label: "Median time to decide", value: fmtDuration(st.decide_p50_s), note: `90th percentile ${fmtDuration(st.decide_p90_s)}` }),
      kpi({
        testid: "kpi-hours-saved",
        label: "Control-room hours saved",
        value: fmtNumber(hoursSaved, hoursSaved < 10 ? 2 : 1),
        unit: "h",
        note: `Against the phone baseline: each transfer that used to be a ~${baselineMin} minute phone call (${fmtNumber(st.phone_baseline_s || 240)} s) saves the difference when decided electronically.`,
      }),
    );

    // Hourly
    const hourly = hourlyData(st);
    const hourLabels = hourly.hours.map((t) => new Date(t * 1000).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false }));
    const totalHourly = hourly.series.reduce((a, se) => a + se.values.reduce((x, y) => x + y, 0), 0);
    const hourlyChart = stackedBars({
      testid: "chart-hourly",
      title: "Transfers per hour by agency pair, last 24 hours",
      desc: `Stacked bars, one per hour from ${hourLabels[0]} to ${hourLabels[23]}. ${totalHourly} transfers in all across ${hourly.series.length} agency pairs.`,
      categories: hourLabels,
      series: hourly.series,
      xLabel: "Hour starting (local time)",
      yLabel: "Transfers",
      tickEvery: 3,
      emptyText: "No transfers in the last 24 hours",
      tableCaption: "Transfers per hour by agency pair (sender to recipient)",
      tableHeaders: ["Hour starting", ...hourly.series.map((se) => se.title)],
      tableRows: hourLabels
        .map((lab, i) => [lab, ...hourly.series.map((se) => se.values[i])])
        .filter((row) => row.slice(1).some((v) => v > 0)),
    });

    // Times
    const rows = [
      { label: "All pairs", title: "All your agency's pairs", p: st },
      ...pairs.map((p) => ({ label: pairLabel(p.sender, p.recipient), title: pairTitle(p.sender, p.recipient), p })),
    ];
    const fmtAxis = (v, axis) => (axis && v >= 120 ? `${Math.round(v / 60)} min` : fmtDuration(v));
    const timesChart = pairedBars({
      testid: "chart-times",
      title: "Time to deliver and to decide",
      desc: `Median and 90th percentile, from submission to delivery (the partner's system acknowledged) and to decision (an operator accepted or rejected). Overall: deliver median ${fmtDuration(st.deliver_p50_s)}, 90th percentile ${fmtDuration(st.deliver_p90_s)}; decide median ${fmtDuration(st.decide_p50_s)}, 90th percentile ${fmtDuration(st.decide_p90_s)}.`,
      panels: [
        { title: "To deliver (system acknowledgement)", rows: rows.map((r) => ({ label: r.label, title: r.title, a: r.p.deliver_p50_s, b: r.p.deliver_p90_s })) },
        { title: "To decide (operator accept / reject)", rows: rows.map((r) => ({ label: r.label, title: r.title, a: r.p.decide_p50_s, b: r.p.decide_p90_s })) },
      ],
      names: ["Median (50th percentile)", "90th percentile"],
      colors: ["#0b5cad", "#86b5e6"],
      format: fmtAxis,
      xLabel: "Seconds from submission",
      tableCaption: "Time to deliver and to decide, by agency pair",
      tableHeaders: ["Pair", "Deliver median", "Deliver 90th percentile", "Decide median", "Decide 90th percentile"],
      tableRows: rows.map((r) => [r.title, fmtDuration(r.p.deliver_p50_s), fmtDuration(r.p.deliver_p90_s), fmtDuration(r.p.decide_p50_s), fmtDuration(r.p.decide_p90_s)]),
    });

    // Rejections
    const rejections = Array.isArray(st.rejections)
      ? [...st.rejections].sort((a, b) => b.count - a.count).slice(0, 10).map((r) => ({ label: r.reason || "(no reason)", value: r.count }))
      : [];
    const rejTotal = rejections.reduce((a, r) => a + r.value, 0);
    const rejChart = horizontalBars({
      testid: "chart-rejections",
      title: "Rejections by reason",
      desc: rejections.length
        ? `${rejTotal} rejections. Most common: ${rejections.slice(0, 3).map((r) => `${r.label} (${r.value})`).join("; ")}.`
        : "No rejections.",
      rows: rejections,
      xLabel: "Rejections",
      emptyText: Array.isArray(st.rejections) ? "No rejections" : "This hub does not report rejection reasons",
      tableHeaders: ["Reason", "Rejections"],
    });

    // Pairs table
    const pairTable = h(
      "section.panel.pairs-panel",
      { "aria-labelledby": "pairs-title" },
      h("h2#pairs-title", "By agency pair"),
      pairs.length
        ? h(
            "table.data.compact",
            h("caption.visually-hidden", "Transfers by agency pair"),
            h(
              "thead",
              h(
                "tr",
                ["From \u2192 to", "Sent", "Accepted", "Rejected", "Overdue", "Deliver (median)", "Decide (median)"].map((c, i) =>
                  h("th", { scope: "col", class: i ? "num" : null }, c),
                ),
              ),
            ),
            h(
              "tbody",
              pairs.map((p) =>
                h(
                  "tr",
                  h(
                    "th",
                    { scope: "row", title: pairTitle(p.sender, p.recipient) },
                    h("span", { "aria-hidden": "true" }, pairLabel(p.sender, p.recipient)),
                    h("span.visually-hidden", pairTitle(p.sender, p.recipient)),
                  ),
                  h("td.num", fmtNumber(p.transfers)),
                  h("td.num", fmtNumber(p.accepted)),
                  h("td.num", fmtNumber(p.rejected)),
                  h(`td.num${p.overdue ? ".cell-alarm" : ""}`, fmtNumber(p.overdue)),
                  h("td.num", fmtDuration(p.deliver_p50_s)),
                  h("td.num", fmtDuration(p.decide_p50_s)),
                ),
              ),
            ),
          )
        : h("p.muted", "No transfers yet."),
    );

    const ids = new Set(pairs.flatMap((p) => [p.sender, p.recipient]));
    for (const r of Array.isArray(st.hourly) ? st.hourly : []) ids.add(r.sender).add(r.recipient);
    const abbreviations = [...ids]
      .filter((id) => state.agencies.has(id))
      .sort()
      .map((id) => `${shortName(id)}: ${agencyName(id)}`)
      .join(" \u00b7 ");
    replaceChildren(body, 
      kpis,
      abbreviations ? h("p.abbrev", h("strong", "Abbreviations: "), abbreviations) : null,
      h("div.dash-grid", h("div.panel.chart-panel", hourlyChart), h("div.panel.chart-panel", timesChart), h("div.panel.chart-panel", rejChart), pairTable),
      hourly.derived
        ? h("p.muted.small", "Hourly figures are counted from the transfers this console has loaded (the hub did not send an hourly breakdown).")
        : null,
    );
  }

  load();
  const timer = setInterval(load, 30000);
  let pendingReload = null;
  return {
    update(what) {
      if (what === "entry") {
        clearTimeout(pendingReload);
        pendingReload = setTimeout(load, 2000);
      } else if (what === "agencies" && stats) render();
    },
    focusTarget: () => title,
    unmount() {
      destroyed = true;
      clearInterval(timer);
      clearTimeout(pendingReload);
    },
  };
}

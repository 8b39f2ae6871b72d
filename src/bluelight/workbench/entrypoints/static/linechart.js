// A small inline-SVG line chart of a benefit's actuals over time against its target and
// baseline. Series differ by line style and marker as well as colour; a visually-hidden
// table is the text alternative (the console's chart conventions, see /console/charts.js).

import { h, s, uid } from "/console/dom.js";
import { paintSwatches } from "/console/charts.js";
import { fmtValue } from "./labels.js";

const ACTUAL = "#0072B2";
const TARGET = "#8a3200";
const BASELINE = "#4f5d6b";

/** "2014" | "2014-06" | "2014-06-30" -> ms since epoch (the start of the span). */
export function partialDateMs(text) {
  const [y, m = 1, d = 1] = String(text).split("-").map(Number);
  return Date.UTC(y, m - 1, d);
}

/** 1, 2, 2.5 or 5 times a power of ten: a step people read easily. */
function niceStep(raw) {
  if (!(raw > 0)) return 1;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

function fmtTick(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toLocaleString("en-GB", { maximumFractionDigits: 1 })}m`;
  if (a >= 1e4) return `${(v / 1e3).toLocaleString("en-GB", { maximumFractionDigits: 0 })}k`;
  return v.toLocaleString("en-GB", { maximumFractionDigits: 2 });
}

export function benefitChart(benefit, { testid = "benefit-chart" } = {}) {
  const actuals = [...(benefit.actuals || [])].sort((a, b) => partialDateMs(a.at) - partialDateMs(b.at));
  const W = 520;
  const H = 220;
  const m = { top: 14, right: 110, bottom: 34, left: 60 };
  const iw = W - m.left - m.right;
  const ih = H - m.top - m.bottom;
  const values = [...actuals.map((a) => a.value)];
  if (Number.isFinite(benefit.target)) values.push(benefit.target);
  if (Number.isFinite(benefit.baseline)) values.push(benefit.baseline);
  const lo = Math.min(0, ...values);
  const step = niceStep((Math.max(1, ...values) - lo) / 4);
  const hi = lo + step * Math.max(1, Math.ceil((Math.max(1, ...values) - lo) / step));
  const times = actuals.map((a) => partialDateMs(a.at));
  const t0 = times.length ? Math.min(...times) : 0;
  const t1 = times.length ? Math.max(...times) : 1;
  const x = (t) => (t1 === t0 ? m.left + iw / 2 : m.left + ((t - t0) / (t1 - t0)) * iw);
  const y = (v) => m.top + ih - ((v - lo) / (hi - lo)) * ih;
  const unit = benefit.unit;
  const title = `${benefit.measure}: actuals against target`;
  const desc = [
    `${actuals.length} actual value${actuals.length === 1 ? "" : "s"}`,
    Number.isFinite(benefit.target) ? `target ${fmtValue(benefit.target, unit)}` : "no target",
    Number.isFinite(benefit.baseline) ? `baseline ${fmtValue(benefit.baseline, unit)}` : "no baseline",
  ].join("; ");
  const tid = uid("lct");
  const did = uid("lcd");
  const svg = s(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${tid} ${did}`, class: "chart-svg wb-line-chart" },
    s("title", { id: tid }, title),
    s("desc", { id: did }, desc),
  );
  for (let v = lo; v <= hi + step / 2; v += step) {
    const i = Math.round((v - lo) / step);
    svg.append(
      s("line", { x1: m.left, x2: m.left + iw, y1: y(v), y2: y(v), class: i === 0 ? "axis-line" : "grid-line" }),
      s("text", { x: m.left - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, fmtTick(v)),
    );
  }
  const level = (v, color, dash, name) => {
    svg.append(
      s("line", { x1: m.left, x2: m.left + iw, y1: y(v), y2: y(v), stroke: color, "stroke-width": 2, "stroke-dasharray": dash },
        s("title", {}, `${name}: ${fmtValue(v, unit)}`)),
      s("text", { x: m.left + iw + 6, y: y(v) + 4, class: "value-label" }, `${name} ${fmtTick(v)}`),
    );
  };
  if (Number.isFinite(benefit.baseline)) level(benefit.baseline, BASELINE, "2 4", "Baseline");
  if (Number.isFinite(benefit.target)) level(benefit.target, TARGET, "8 4", "Target");
  if (actuals.length > 1) {
    svg.append(s("polyline", {
      points: actuals.map((a) => `${x(partialDateMs(a.at))},${y(a.value)}`).join(" "),
      fill: "none", stroke: ACTUAL, "stroke-width": 2.5,
    }));
  }
  for (const a of actuals) {
    svg.append(s("circle", { cx: x(partialDateMs(a.at)), cy: y(a.value), r: 4.5, fill: ACTUAL, stroke: "#fff", "stroke-width": 1.5, "data-testid": "actual-point" },
      s("title", {}, `${a.at}: ${fmtValue(a.value, unit)}`)));
  }
  const first = actuals[0];
  const last = actuals[actuals.length - 1];
  if (first) svg.append(s("text", { x: x(partialDateMs(first.at)), y: H - 12, "text-anchor": actuals.length > 1 ? "start" : "middle", class: "tick" }, first.at));
  if (last && last !== first) svg.append(s("text", { x: x(partialDateMs(last.at)), y: H - 12, "text-anchor": "end", class: "tick" }, last.at));
  if (!actuals.length) svg.append(s("text", { x: m.left + iw / 2, y: m.top + ih / 2, "text-anchor": "middle", class: "empty-label" }, "No actuals recorded yet"));

  const legend = h(
    "ul.legend",
    h("li", h("span.swatch", { "aria-hidden": "true", "data-color": ACTUAL }), "Actual (solid line, dots)"),
    Number.isFinite(benefit.target) ? h("li", h("span.swatch", { "aria-hidden": "true", "data-color": TARGET }), "Target (long dashes)") : null,
    Number.isFinite(benefit.baseline) ? h("li", h("span.swatch", { "aria-hidden": "true", "data-color": BASELINE }), "Baseline (dots)") : null,
  );
  const rows = actuals.map((a) => h("tr", h("th", { scope: "row" }, a.at), h("td", fmtValue(a.value, unit))));
  const fig = h(
    "figure.chart.wb-benefit-chart",
    { "data-testid": testid },
    h("figcaption.chart-title", title),
    svg,
    legend,
    h("div.visually-hidden", h("table", h("caption", `${title} (data)`),
      h("thead", h("tr", h("th", { scope: "col" }, "Date"), h("th", { scope: "col" }, "Actual"))),
      h("tbody", rows))),
  );
  paintSwatches(fig);
  return fig;
}

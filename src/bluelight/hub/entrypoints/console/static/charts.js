// Tiny inline-SVG charts, no library. Each chart is a <figure> with a visible title, an
// SVG (role="img", <title> and <desc>), a legend, and a visually-hidden data table as
// the text alternative.

import { h, s, uid } from "./dom.js";

// Colour-blind-safe series colours (Okabe-Ito based, no red: red means alarm here).
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#6B4C9A", "#8C7A00", "#332288", "#44AA99", "#882255"];

function niceStep(max, ticks = 5) {
  if (!(max > 0)) return 1;
  const raw = max / ticks;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * pow >= raw) return m * pow;
  }
  return 10 * pow;
}

function niceScale(max, ticks = 5, integer = false) {
  let step = niceStep(max, ticks);
  if (integer) step = Math.max(1, Math.ceil(step));
  const top = Math.max(step, Math.ceil((max || 0) / step) * step);
  const values = [];
  for (let v = 0; v <= top + 1e-9; v += step) values.push(Number(v.toFixed(6)));
  return { top, values };
}

function truncate(text, n) {
  const t = String(text);
  return t.length > n ? `${t.slice(0, n - 1)}\u2026` : t;
}

function figure({ testid, title, svg, legend, table, note }) {
  return h(
    "figure.chart",
    { "data-testid": testid },
    h("figcaption.chart-title", title),
    svg,
    legend || null,
    note ? h("p.chart-note", note) : null,
    table,
  );
}

function hiddenTable(caption, headers, rows) {
  // The wrapper is what gets hidden: a table ignores a 1px width and would widen the page.
  return h(
    "div.visually-hidden",
    h(
      "table",
      h("caption", caption),
      h("thead", h("tr", headers.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", rows.map((r) => h("tr", r.map((c, i) => (i === 0 ? h("th", { scope: "row" }, String(c)) : h("td", String(c))))))),
    ),
  );
}

function svgRoot(width, height, title, desc) {
  const tid = uid("svgt");
  const did = uid("svgd");
  return s(
    "svg",
    {
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-labelledby": `${tid} ${did}`,
      class: "chart-svg",
      preserveAspectRatio: "xMidYMid meet",
    },
    s("title", { id: tid }, title),
    s("desc", { id: did }, desc),
  );
}

function legendEl(items) {
  return h(
    "ul.legend",
    items.map(({ name, color, title }) =>
      h("li", { title: title || null }, h("span.swatch", { "aria-hidden": "true", "data-color": color }), name),
    ),
  );
}

/** Paint legend swatches (colours go through the CSSOM, not style attributes). */
export function paintSwatches(root) {
  for (const sw of root.querySelectorAll(".swatch[data-color]")) sw.style.background = sw.dataset.color;
}

/**
 * Stacked vertical bars. categories: [label]; series: [{name, title, color, values[]}].
 */
export function stackedBars({ testid, title, desc, categories, series, xLabel, yLabel, tickEvery = 1, tableCaption, tableHeaders, tableRows, emptyText }) {
  const W = 640;
  const H = 300;
  const m = { top: 16, right: 12, bottom: 56, left: 52 };
  const iw = W - m.left - m.right;
  const ih = H - m.top - m.bottom;
  const totals = categories.map((_, i) => series.reduce((acc, se) => acc + (se.values[i] || 0), 0));
  const max = Math.max(0, ...totals);
  const { top, values } = niceScale(max, 5, true);
  const svg = svgRoot(W, H, title, desc);
  const y = (v) => m.top + ih - (v / top) * ih;
  const band = iw / Math.max(1, categories.length);
  const bw = Math.max(2, band * 0.72);

  const grid = s("g", { class: "grid" });
  for (const v of values) {
    grid.append(
      s("line", { x1: m.left, x2: W - m.right, y1: y(v), y2: y(v), class: v === 0 ? "axis-line" : "grid-line" }),
      s("text", { x: m.left - 8, y: y(v) + 4, "text-anchor": "end", class: "tick" }, String(v)),
    );
  }
  svg.append(grid);

  const bars = s("g", { class: "bars" });
  categories.forEach((cat, i) => {
    let acc = 0;
    const x = m.left + i * band + (band - bw) / 2;
    for (const se of series) {
      const v = se.values[i] || 0;
      if (v <= 0) continue;
      const y0 = y(acc);
      const y1 = y(acc + v);
      bars.append(
        s("rect", { x, y: y1, width: bw, height: Math.max(0.5, y0 - y1), fill: se.color, stroke: "#ffffff", "stroke-width": 0.5 },
          s("title", {}, `${cat}: ${se.title || se.name}: ${v}`)),
      );
      acc += v;
    }
    if (i % tickEvery === 0) {
      bars.append(s("text", { x: m.left + i * band + band / 2, y: H - m.bottom + 16, "text-anchor": "middle", class: "tick" }, cat));
    }
  });
  svg.append(bars);
  svg.append(
    s("text", { x: m.left + iw / 2, y: H - 10, "text-anchor": "middle", class: "axis-label" }, xLabel),
    s("text", { x: 14, y: m.top + ih / 2, "text-anchor": "middle", class: "axis-label", transform: `rotate(-90 14 ${m.top + ih / 2})` }, yLabel),
  );
  if (max === 0 && emptyText) {
    svg.append(s("text", { x: m.left + iw / 2, y: m.top + ih / 2, "text-anchor": "middle", class: "empty-label" }, emptyText));
  }
  const fig = figure({
    testid,
    title,
    svg,
    legend: series.length ? legendEl(series) : null,
    table: hiddenTable(tableCaption || title, tableHeaders, tableRows),
  });
  paintSwatches(fig);
  return fig;
}

/**
 * Horizontal paired bars in one or more panels.
 * panels: [{title, rows: [{label, title, a, b}]}] where a = median, b = 90th percentile.
 */
export function pairedBars({ testid, title, desc, panels, names, colors, format, xLabel, tableCaption, tableHeaders, tableRows }) {
  const W = 640;
  const labelW = 150;
  const right = 74;
  const rowH = 30;
  const barH = 10;
  const panelHead = 30;
  const axisH = 26;
  const heights = panels.map((p) => panelHead + Math.max(1, p.rows.length) * rowH + axisH);
  const H = heights.reduce((a, b) => a + b, 0) + 24;
  const svg = svgRoot(W, H, title, desc);
  const iw = W - labelW - right;
  let y0 = 6;
  panels.forEach((p, pi) => {
    const max = Math.max(0, ...p.rows.flatMap((r) => [r.a || 0, r.b || 0]));
    const step = niceStep(max, 4);
    const top = Math.max(step, Math.ceil(max / step) * step);
    const x = (v) => labelW + (v / top) * iw;
    const g = s("g", { class: "panel" });
    g.append(s("text", { x: 0, y: y0 + 16, class: "panel-title" }, p.title));
    const base = y0 + panelHead;
    for (let v = 0; v <= top + 1e-9; v += step) {
      g.append(
        s("line", { x1: x(v), x2: x(v), y1: base - 4, y2: base + p.rows.length * rowH, class: v === 0 ? "axis-line" : "grid-line" }),
        s("text", { x: x(v), y: base + p.rows.length * rowH + 14, "text-anchor": "middle", class: "tick" }, format(v, true)),
      );
    }
    if (!p.rows.length) {
      g.append(s("text", { x: labelW + iw / 2, y: base + 18, "text-anchor": "middle", class: "empty-label" }, "No data yet"));
    }
    p.rows.forEach((r, i) => {
      const ry = base + i * rowH;
      g.append(s("text", { x: labelW - 8, y: ry + rowH / 2 + 4, "text-anchor": "end", class: "row-label" }, truncate(r.label, 22), s("title", {}, r.title || r.label)));
      [["a", 0], ["b", 1]].forEach(([k, j]) => {
        const v = r[k];
        const by = ry + 4 + j * (barH + 2);
        if (v === null || v === undefined) {
          g.append(s("text", { x: labelW + 4, y: by + barH - 1, class: "value-label muted" }, `${names[j]}: none yet`));
          return;
        }
        const wv = Math.max(1, x(v) - labelW);
        g.append(
          s("rect", { x: labelW, y: by, width: wv, height: barH, fill: colors[j] }, s("title", {}, `${r.title || r.label}, ${names[j]}: ${format(v)}`)),
          s("text", { x: labelW + wv + 4, y: by + barH - 1, class: "value-label" }, format(v)),
        );
      });
    });
    g.append(s("text", { x: labelW + iw / 2, y: base + p.rows.length * rowH + axisH + 2, "text-anchor": "middle", class: "axis-label" }, xLabel));
    svg.append(g);
    y0 += heights[pi];
  });
  const fig = figure({
    testid,
    title,
    svg,
    legend: legendEl(names.map((n, i) => ({ name: n, color: colors[i] }))),
    table: hiddenTable(tableCaption || title, tableHeaders, tableRows),
  });
  paintSwatches(fig);
  return fig;
}

/** Horizontal bars: rows [{label, value}]. */
export function horizontalBars({ testid, title, desc, rows, color = "#8a3200", xLabel, emptyText, tableCaption, tableHeaders }) {
  const W = 640;
  const labelW = 250;
  const right = 40;
  const rowH = 28;
  const top = 10;
  const axisH = 40;
  const n = Math.max(1, rows.length);
  const H = top + n * rowH + axisH;
  const iw = W - labelW - right;
  const svg = svgRoot(W, H, title, desc);
  const max = Math.max(0, ...rows.map((r) => r.value));
  const { top: vmax, values } = niceScale(max, 5, true);
  const x = (v) => labelW + (v / vmax) * iw;
  for (const v of values) {
    svg.append(
      s("line", { x1: x(v), x2: x(v), y1: top - 2, y2: top + n * rowH, class: v === 0 ? "axis-line" : "grid-line" }),
      s("text", { x: x(v), y: top + n * rowH + 14, "text-anchor": "middle", class: "tick" }, String(v)),
    );
  }
  rows.forEach((r, i) => {
    const ry = top + i * rowH;
    svg.append(
      s("text", { x: labelW - 8, y: ry + rowH / 2 + 4, "text-anchor": "end", class: "row-label" }, truncate(r.label, 36), s("title", {}, r.label)),
      s("rect", { x: labelW, y: ry + 6, width: Math.max(1, x(r.value) - labelW), height: rowH - 12, fill: color }, s("title", {}, `${r.label}: ${r.value}`)),
      s("text", { x: x(r.value) + 4, y: ry + rowH / 2 + 4, class: "value-label" }, String(r.value)),
    );
  });
  if (!rows.length) {
    svg.append(s("text", { x: labelW + iw / 2, y: top + rowH / 2 + 4, "text-anchor": "middle", class: "empty-label" }, emptyText || "No data"));
  }
  svg.append(s("text", { x: labelW + iw / 2, y: H - 6, "text-anchor": "middle", class: "axis-label" }, xLabel));
  return figure({
    testid,
    title,
    svg,
    table: hiddenTable(tableCaption || title, tableHeaders, rows.map((r) => [r.label, r.value])),
  });
}

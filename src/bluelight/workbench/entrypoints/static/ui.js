// Page building blocks shared by the workbench views: headings, sections, tables with
// captions, loading and error states, and safe insertion of the API's SVG charts.

import { h, replaceChildren, uid } from "/console/dom.js";

/** The page's one h1 (focused on navigation so screen readers announce the page). */
export function viewHead(title, ...extra) {
  return h("div.view-head", h("h1", { tabindex: "-1", "data-testid": "page-title" }, title), ...extra);
}

/** A titled region: <section aria-labelledby> with an h2. */
export function section(title, { testid, level = "h2", lede, cls } = {}, ...children) {
  const id = uid("sec");
  return h(
    `section.panel.wb-section${cls ? `.${cls}` : ""}`,
    { "aria-labelledby": id, "data-testid": testid },
    h(`${level}`, { id }, title),
    lede ? h("p.muted", lede) : null,
    ...children,
  );
}

/**
 * A data table. headers: [text | {text, num}]; rows: [[cell...]] where a cell is text,
 * a Node, or {value, num, header}. The first cell of a row is its row header.
 */
export function table({ caption, headers, rows, testid, rowTestid, foot, cls, captionHidden = false }) {
  const cell = (c, i, tag) => {
    const spec = c && typeof c === "object" && !(c instanceof Node) && !Array.isArray(c) ? c : { value: c };
    const attrs = { class: spec.num ? "num" : null };
    if (tag === "th") attrs.scope = "row";
    return h(tag, attrs, spec.value === null || spec.value === undefined ? "—" : spec.value);
  };
  return h(
    `div.wb-table-wrap`,
    h(
      `table.data.compact${cls ? `.${cls}` : ""}`,
      { "data-testid": testid },
      h(`caption${captionHidden ? ".visually-hidden" : ".wb-caption"}`, caption),
      h("thead", h("tr", headers.map((x) => {
        const spec = typeof x === "object" ? x : { text: x };
        return h("th", { scope: "col", class: spec.num ? "num" : null }, spec.text);
      }))),
      h("tbody", rows.map((r) => h("tr", { "data-testid": rowTestid }, r.map((c, i) => cell(c, i, i === 0 ? "th" : "td"))))),
      foot ? h("tfoot", foot.map((r) => h("tr", { "data-testid": `${testid}-total` }, r.map((c, i) => cell(c, i, i === 0 ? "th" : "td"))))) : null,
    ),
  );
}

export function loading(text = "Loading\u2026") {
  return h("p.wb-loading", { role: "status" }, text);
}

export function problemText(err) {
  if (!err) return "Something went wrong.";
  return err.text || err.message || String(err);
}

export function errorPanel(err, what) {
  return h("div.error-text", { role: "alert", "data-testid": "page-error" }, `${what}: ${problemText(err)}`);
}

/** A summary figure: big number, label underneath. */
export function figure(value, labelText, testid) {
  return h("div.wb-figure", { "data-testid": testid }, h("span.wb-figure-value", value), h("span.wb-figure-label", labelText));
}

/**
 * Put an SVG produced by the API into `container`. It is parsed as XML (never as HTML),
 * and anything that could run (script, foreignObject, on* attributes, javascript: links)
 * is dropped before it is adopted, so the chart's own <title>/<desc> stay accessible.
 */
export function insertSvg(container, text, testid) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const root = doc.documentElement;
  if (!root || root.nodeName !== "svg" || doc.querySelector("parsererror")) {
    replaceChildren(container, h("p.error-text", "The chart could not be read."));
    return null;
  }
  for (const bad of root.querySelectorAll("script, foreignObject")) bad.remove();
  for (const el of [root, ...root.querySelectorAll("*")]) {
    for (const attr of [...el.attributes]) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on") || (/href$/.test(name) && /^\s*javascript:/i.test(attr.value))) el.removeAttribute(attr.name);
    }
  }
  // Ids inside the chart (its title and desc) must stay unique when a page shows two.
  const prefix = uid("svg");
  const ids = new Map();
  for (const el of root.querySelectorAll("[id]")) {
    ids.set(el.id, `${prefix}-${el.id}`);
    el.id = `${prefix}-${el.id}`;
  }
  for (const el of [root, ...root.querySelectorAll("*")]) {
    for (const name of ["aria-labelledby", "aria-describedby"]) {
      const v = el.getAttribute(name);
      if (v) el.setAttribute(name, v.split(/\s+/).map((x) => ids.get(x) || x).join(" "));
    }
  }
  // The API's chart has fixed pixel sizes; let it scale to its box instead.
  root.removeAttribute("width");
  root.removeAttribute("height");
  root.setAttribute("class", "wb-radar");
  if (testid) root.setAttribute("data-testid", testid);
  const svg = document.importNode(root, true);
  replaceChildren(container, svg);
  return svg;
}

/** Options for a <select>: [[value, text]] with a first "any" choice. */
export function options(table, anyText) {
  const out = anyText === undefined ? [] : [["", anyText]];
  for (const [value, text] of Object.entries(table)) out.push([value, text]);
  return out;
}

export function setOptions(select, pairs, value) {
  replaceChildren(select, pairs.map(([v, t]) => h("option", { value: v }, t)));
  if (value !== undefined) select.value = value;
}

/** "#/register?q=x" -> {path: ["register"], params: URLSearchParams} */
export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#\/?/, "");
  const [pathPart, queryPart = ""] = raw.split("?");
  const path = pathPart.split("/").filter(Boolean).map((p) => decodeURIComponent(p));
  return { path, params: new URLSearchParams(queryPart) };
}

export const collabHref = (id) => `#/collaboration/${encodeURIComponent(id)}`;
export const areaHref = (area) => `#/area/${encodeURIComponent(area)}`;

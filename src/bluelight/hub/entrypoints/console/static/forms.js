// Form helpers: labelled fields, and showing the hub's field errors next to the inputs.
//
// Each input (or fieldset) carries data-path = the API field path it feeds, for example
// "incident.location.uprn" or "recipients". A problem's errors[].field is matched to the
// element with that path; failing that, to the nearest parent path ("incident.hazards[2]"
// -> "incident.hazards"). Faults that match nothing go to the form's error summary.

import { h, uid, clear, replaceChildren } from "./dom.js";

/** A labelled input. opts: {label, name, path, type, hint, testid, required, ...attrs} */
export function field(opts) {
  const { label, hint, testid, path, control = "input", options, wide, ...attrs } = opts;
  const id = attrs.id || uid("f");
  const hintId = hint ? `${id}-hint` : null;
  let input;
  const common = {
    id,
    name: attrs.name || id,
    "data-path": path,
    "data-testid": testid,
    "aria-describedby": hintId,
  };
  if (control === "select") {
    input = h(
      "select",
      { ...common, ...attrs },
      (options || []).map(([value, text]) => h("option", { value }, text)),
    );
  } else if (control === "textarea") {
    input = h("textarea", { rows: 3, ...common, ...attrs });
  } else {
    input = h("input", { type: "text", ...common, ...attrs });
  }
  if (attrs.value !== undefined && control === "select") input.value = attrs.value;
  const labelEl = h(
    "label",
    { for: id },
    label,
    attrs.required ? h("span.req", { "aria-hidden": "true" }, " *") : null,
  );
  const wrap = h(
    `div.field${wide ? ".field-wide" : ""}`,
    labelEl,
    hint ? h("p.hint", { id: hintId }, hint) : null,
    input,
  );
  wrap.input = input;
  return wrap;
}

export function checkbox({ label, testid, path, hint, ...attrs }) {
  const id = attrs.id || uid("c");
  const hintId = hint ? `${id}-hint` : null;
  const input = h("input", {
    type: "checkbox",
    id,
    "data-testid": testid,
    "data-path": path,
    "aria-describedby": hintId,
    ...attrs,
  });
  const wrap = h(
    "div.check",
    input,
    h("label", { for: id }, label),
    hint ? h("span.hint", { id: hintId }, hint) : null,
  );
  wrap.input = input;
  return wrap;
}

function normalise(path) {
  return String(path || "")
    .replace(/\.(\d+)(?=\.|$)/g, "[$1]")
    .replace(/^body\./, "");
}

function parentPath(path) {
  if (path.endsWith("]")) return path.replace(/\[\d+\]$/, "");
  const i = path.lastIndexOf(".");
  return i > 0 ? path.slice(0, i) : "";
}

function describedBy(el, id, add) {
  const ids = new Set((el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
  if (add) ids.add(id);
  else ids.delete(id);
  if (ids.size) el.setAttribute("aria-describedby", [...ids].join(" "));
  else el.removeAttribute("aria-describedby");
}

export function clearErrors(form) {
  for (const err of form.querySelectorAll(".field-error")) {
    for (const el of err._described || []) {
      describedBy(el, err.id, false);
      el.removeAttribute("aria-invalid");
    }
    err.remove();
  }
  for (const el of form.querySelectorAll(".has-error")) el.classList.remove("has-error");
  const summary = form.querySelector(".error-summary");
  if (summary) {
    summary.hidden = true;
    clear(summary);
  }
}

function findTarget(form, path) {
  const byPath = new Map();
  for (const el of form.querySelectorAll("[data-path]")) {
    if (!byPath.has(el.dataset.path)) byPath.set(el.dataset.path, el);
  }
  let p = normalise(path);
  while (p) {
    if (byPath.has(p)) return byPath.get(p);
    p = parentPath(p);
  }
  return null;
}

function focusable(el) {
  if (el.matches("input, select, textarea, button")) return el;
  return el.querySelector("input, select, textarea, button") || el;
}

/**
 * Show errors [{field, fault}] in `form`. Returns the element to focus.
 * `summaryTitle` heads the summary at the top of the form.
 */
export function showErrors(form, errors, { message, summaryTitle = "There is a problem" } = {}) {
  clearErrors(form);
  const summary = form.querySelector(".error-summary");
  const items = [];
  for (const { field: path, fault: rawFault } of errors) {
    const fault = friendly(path || "", rawFault);
    const target = findTarget(form, path || "");
    if (target) {
      revealIn(target);
      const id = uid("err");
      const isGroup = target.tagName === "FIELDSET";
      const err = h(
        "p.field-error",
        { id, "data-testid": "field-error", "data-field": path },
        h("span.err-icon", { "aria-hidden": "true" }, "\u26A0 "),
        h("span.visually-hidden", "Error: "),
        fault,
      );
      err._described = [target];
      if (isGroup) {
        const legend = target.querySelector(":scope > legend");
        if (legend) legend.after(err);
        else target.prepend(err);
        target.classList.add("has-error");
        // The group's first input points at the message too.
        const first = focusable(target);
        if (first !== target) {
          describedBy(first, id, true);
          err._described.push(first);
        }
      } else {
        const wrap = target.closest(".field, .check, .res-row") || target.parentElement;
        if (target.closest(".res-row") || wrap.classList.contains("check")) {
          wrap.after(err);
        } else {
          target.before(err);
        }
        wrap.classList.add("has-error");
      }
      describedBy(target, id, true);
      target.setAttribute("aria-invalid", "true");
      items.push({ text: `${fault}`, path, target });
    } else {
      items.push({ text: path && path !== "(body)" ? `${path}: ${fault}` : fault, path, target: null });
    }
  }
  if (summary) {
    const list = h(
      "ul",
      items.map((item) =>
        h(
          "li",
          item.target
            ? h(
                "a",
                {
                  href: "#",
                  onclick: (ev) => {
                    ev.preventDefault();
                    focusable(item.target).focus();
                  },
                },
                labelFor(form, item.target) ? `${labelFor(form, item.target)}: ${item.text}` : item.text,
              )
            : h("span", { "data-testid": "field-error", "data-field": item.path || "" }, item.text),
        ),
      ),
    );
    replaceChildren(summary, h("h2", summaryTitle), message ? h("p", message) : null, list);
    summary.hidden = false;
    return summary;
  }
  return items.find((i) => i.target)?.target || null;
}

/** Open every collapsed <details> around `el`, so a field with an error can be seen. */
function revealIn(el) {
  for (let d = el.closest("details"); d; d = d.parentElement?.closest("details")) d.open = true;
}

function labelFor(form, el) {
  let text = "";
  if (el.tagName === "FIELDSET") {
    text = el.querySelector("legend")?.textContent || "";
  } else if (el.id) {
    text = form.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent || "";
  }
  return text.replace(/\s*\*\s*$/, "").trim();
}

// Schema faults come from the hub in validator wording; say the same thing plainly where
// we know the rule. The hub's own wording is kept for everything else.
const PATTERN_RULES = [
  [/location\.uprn$/, "a UPRN is 1 to 12 digits with no leading zero"],
  [/reference$/, "use 1 to 64 letters, digits or . _ : - and start with a letter or digit"],
];

function friendly(path, fault) {
  const text = String(fault ?? "");
  if (/^Expected `str` matching regex/.test(text)) {
    for (const [re, plain] of PATTERN_RULES) if (re.test(path)) return plain;
  }
  return text;
}

export function errorSummary() {
  return h("div.error-summary", { role: "alert", tabindex: "-1", hidden: true });
}

/** Parse a decimal number typed by a person; undefined when empty, NaN when invalid. */
export function parseNumber(text) {
  const t = String(text || "").trim().replace(/,/g, "");
  if (!t) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : NaN;
}

export function splitList(text) {
  return String(text || "")
    .split(/[,\n]/)
    .map((x) => x.trim())
    .filter(Boolean);
}

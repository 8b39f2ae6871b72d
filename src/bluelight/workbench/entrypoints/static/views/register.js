// The register: search and filters (area, category, status, service, workstream), the
// counts, and the matching collaborations. The filters live in the address
// (#/register?q=...&category=...) so a filtered list can be bookmarked and shared.

import { Register } from "../api.js";
import { h, replaceChildren, debounce } from "/console/dom.js";
import { field } from "/console/forms.js";
import { CATEGORY, STATUS, SERVICE, label, statusPill } from "../labels.js";
import { viewHead, table, loading, errorPanel, options, setOptions, collabHref, areaHref } from "../ui.js";

const FILTERS = ["q", "area", "category", "status", "service", "workstream"];

export function mountRegister(container, ctx, { params }) {
  const count = h("p.view-count", { role: "status", "data-testid": "register-count" }, "");
  const q = field({ label: "Search", name: "q", type: "search", testid: "filter-q", hint: "Words in the title, description, area, partners or people" });
  const area = field({ label: "Area", name: "area", control: "select", testid: "filter-area", options: [["", "All areas"]] });
  const category = field({ label: "Category", name: "category", control: "select", testid: "filter-category", options: options(CATEGORY, "All categories") });
  const status = field({ label: "Status", name: "status", control: "select", testid: "filter-status", options: options(STATUS, "Any status") });
  const service = field({ label: "Partner service", name: "service", control: "select", testid: "filter-service", options: options(SERVICE, "Any service") });
  const workstream = field({ label: "Workstream", name: "workstream", control: "select", testid: "filter-workstream", options: [["", "Any workstream"]] });
  const inputs = { q: q.input, area: area.input, category: category.input, status: status.input, service: service.input, workstream: workstream.input };
  for (const k of FILTERS) inputs[k].value = params.get(k) || "";

  const results = h("div.wb-results", { "aria-live": "off" });
  const byStatus = h("p.wb-status-counts", { "data-testid": "register-status-counts" });
  let total = null;
  let seq = 0;

  const current = () => Object.fromEntries(FILTERS.map((k) => [k, inputs[k].value.trim()]).filter(([, v]) => v));

  async function load() {
    const filters = current();
    const qs = new URLSearchParams(filters).toString();
    history.replaceState(null, "", `#/register${qs ? `?${qs}` : ""}`);
    const mine = ++seq;
    replaceChildren(results, loading("Searching the register\u2026"));
    try {
      const list = await Register.list(filters);
      if (mine !== seq) return;
      render(list, filters);
    } catch (err) {
      if (mine === seq) replaceChildren(results, errorPanel(err, "The register could not be searched"));
    }
  }

  function render(list, filters) {
    const filtered = Object.keys(filters).length > 0;
    count.textContent = filtered && total !== null
      ? `${list.length} of ${total} collaborations match`
      : `${list.length} collaborations`;
    count.dataset.count = String(list.length);
    const statuses = {};
    for (const c of list) statuses[c.status] = (statuses[c.status] || 0) + 1;
    replaceChildren(byStatus, Object.entries(statuses).map(([s, n]) => h("span.wb-count-item", statusPill(s), ` ${n}`)));
    if (!list.length) {
      replaceChildren(results, h("p.empty", "Nothing in the register matches. Change or clear the filters."));
      ctx.announce("No collaborations match.");
      return;
    }
    replaceChildren(
      results,
      table({
        caption: filtered ? "Collaborations matching the filters" : "All collaborations in the register",
        testid: "register-table",
        rowTestid: "register-row",
        headers: ["Collaboration", "Area", "Category", "Status", "Partners"],
        rows: list.map((c) => [
          h("a", { href: collabHref(c.id) }, c.title),
          h("a", { href: areaHref(c.area) }, c.area),
          label(CATEGORY, c.category),
          statusPill(c.status),
          [...new Set((c.partners || []).map((p) => label(SERVICE, p.service)))].join(", ") || "—",
        ]),
      }),
    );
    ctx.announce(count.textContent);
  }

  const later = debounce(load, 300);
  const form = h(
    "form.wb-filters",
    {
      role: "search",
      "aria-label": "Search and filter the register",
      "data-testid": "register-filters",
      onsubmit: (ev) => {
        ev.preventDefault();
        load();
      },
    },
    h("div.wb-filter-grid", q, area, category, status, service, workstream),
    h(
      "div.wb-filter-actions",
      h("button.btn.btn-primary", { type: "submit", "data-testid": "filter-apply" }, "Search"),
      h("button.btn.btn-secondary", {
        type: "button",
        "data-testid": "filter-clear",
        onclick: () => {
          for (const k of FILTERS) inputs[k].value = "";
          load();
        },
      }, "Clear filters"),
    ),
  );
  q.input.addEventListener("input", later);
  for (const k of FILTERS.slice(1)) inputs[k].addEventListener("change", load);

  replaceChildren(
    container,
    viewHead("Register of collaborations", count, h("a.btn.btn-secondary", { href: "#/new", "data-testid": "new-collaboration" }, "Add a collaboration")),
    form,
    byStatus,
    results,
  );

  // Areas, workstreams and the total fill in the filters while the list loads.
  Promise.all([Register.areas(), Register.workstreams(), Register.stats()])
    .then(([areas, streams, stats]) => {
      total = stats.collaborations;
      setOptions(inputs.area, [["", "All areas"], ...areas.map((a) => [a.area, `${a.area} (${a.collaborations})`])], params.get("area") || "");
      setOptions(inputs.workstream, [["", "Any workstream"], ...streams.map((w) => [w.id, w.name])], params.get("workstream") || "");
    })
    .catch(() => {})
    .finally(load);
  return {};
}

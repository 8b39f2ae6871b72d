// One area's page: its collaborations, leaders, counts by status and category, and the
// documents they come from.

import { Register } from "../api.js";
import { h, replaceChildren } from "/console/dom.js";
import { CATEGORY, SERVICE, label, statusPill } from "../labels.js";
import { viewHead, section, table, loading, errorPanel, collabHref } from "../ui.js";

export function mountArea(container, ctx, { path }) {
  const name = path[0] || "";
  replaceChildren(container, viewHead(name || "Area"), loading());
  let alive = true;
  Register.area(name)
    .then((page) => {
      if (!alive) return;
      const counts = (obj, table_) => Object.entries(obj || {}).map(([k, n]) => [label(table_, k), { value: n, num: true }]);
      replaceChildren(
        container,
        h("p.backlink", h("a", { href: "#/register" }, "\u2190 Register")),
        viewHead(page.area, h("p.view-count", { "data-testid": "area-count" }, `${page.collaborations.length} collaborations, ${page.benefits} benefits`)),
        h(
          "div.wb-columns",
          h(
            "div.wb-col",
            section("Collaborations", { testid: "area-collaborations" },
              table({
                caption: `Collaborations in ${page.area}`,
                captionHidden: true,
                testid: "area-table",
                rowTestid: "area-row",
                headers: ["Collaboration", "Category", "Status"],
                rows: page.collaborations.map((c) => [h("a", { href: collabHref(c.id) }, c.title), label(CATEGORY, c.category), statusPill(c.status)]),
              })),
          ),
          h(
            "div.wb-col",
            section("Leaders", { testid: "area-leaders" },
              page.leaders?.length
                ? h("ul.wb-list", page.leaders.map((p) => h("li", h("strong", p.name), `, ${p.role}`, p.organisation ? ` (${p.organisation}${p.service ? `, ${label(SERVICE, p.service)}` : ""})` : "")))
                : h("p.muted", "The sources name no leaders for this area.")),
            section("By status", {}, table({ caption: `Collaborations in ${page.area} by status`, captionHidden: true, headers: ["Status", { text: "Collaborations", num: true }],
              rows: Object.entries(page.by_status || {}).map(([k, n]) => [statusPill(k), { value: n, num: true }]) })),
            section("By category", {}, table({ caption: `Collaborations in ${page.area} by category`, captionHidden: true, headers: ["Category", { text: "Collaborations", num: true }], rows: counts(page.by_category, CATEGORY) })),
            section("Sources", {}, h("ul.wb-list", (page.sources || []).map((s) => h("li", s)))),
          ),
        ),
      );
    })
    .catch((err) => {
      if (alive) replaceChildren(container, viewHead(`Area: ${name}`), errorPanel(err, "This area could not be shown"), h("p", h("a", { href: "#/register" }, "Back to the register")));
    });
  return {
    unmount() {
      alive = false;
    },
  };
}

// The Strategic Collaboration Board view: workstreams with their projects, a SMART check
// of each project that says in words what is missing, overdue and off-target flags, and
// the performance roll-ups (by workstream, area or category, grouped by unit), with links
// to the public HTML report and its CSV.

import { Register, REPORT_HTML, REPORT_CSV } from "../api.js";
import { h, replaceChildren } from "/console/dom.js";
import { field } from "/console/forms.js";
import { CATEGORY, KIND, UNIT, label, statusPill, okMark, fmtValue } from "../labels.js";
import { viewHead, section, table, loading, errorPanel, figure, collabHref } from "../ui.js";

const CRITERIA = {
  specific: "Specific",
  measurable: "Measurable",
  achievable: "Achievable",
  relevant: "Relevant",
  "time-bound": "Time-bound",
  owner: "Owner",
};

const ALERTS = { overdue: "Overdue", "off-target": "Off target" };

function alertBadges(flags) {
  const alerts = flags.filter((f) => ALERTS[f.code]);
  if (!alerts.length) return h("span.muted", "None");
  return h("ul.wb-flag-list", alerts.map((f) => h(
    "li",
    { "data-testid": `flag-${f.code}` },
    h("span.badge.badge-warn", h("span", { "aria-hidden": "true" }, "\u26A0 "), ALERTS[f.code]),
    " ",
    f.explanation,
  )));
}

function missing(checks) {
  const bad = checks.filter((c) => !c.ok);
  if (!bad.length) return okMark(true, "SMART: nothing missing");
  return h("ul.wb-flag-list", { "data-testid": "smart-missing" }, bad.map((c) => h(
    "li",
    h("strong", `${CRITERIA[c.criterion] || c.criterion}: `),
    c.explanation,
  )));
}

function workstreamSection(w) {
  const projects = w.projects || [];
  return section(
    w.name,
    { testid: "workstream", cls: "wb-workstream", level: "h3" },
    w.description ? h("p", w.description) : null,
    h("p.small", `${projects.length} project${projects.length === 1 ? "" : "s"}, ${w.smart_projects} SMART`, w.lead ? ` \u00b7 Lead: ${w.lead}` : ""),
    projects.length
      ? table({
          caption: `Projects of the ${w.name} workstream`,
          captionHidden: true,
          testid: "board-projects",
          rowTestid: "board-project",
          headers: ["Project", "Status", "Target date", "SMART?", "What is missing", "Overdue / off target"],
          rows: projects.map((p) => [
            h("a", { href: collabHref(p.id) }, p.title),
            statusPill(p.status),
            p.target_date || "none",
            okMark(p.smart, "SMART", "Not SMART"),
            missing(p.checks || []),
            alertBadges(p.flags || []),
          ]),
        })
      : h("p.muted", "No projects assigned to this workstream."),
  );
}

const DIMENSIONS = {
  by_workstream: "Workstream",
  by_area: "Area",
  by_category: "Category",
};

function rollupTable(report, dimension) {
  const rows = [...(report[dimension] || [])].sort((a, b) => a.unit.localeCompare(b.unit) || a.kind.localeCompare(b.kind) || a.group.localeCompare(b.group));
  const units = [...new Set(rows.map((r) => r.unit))];
  const groupName = (g) => (dimension === "by_category" ? label(CATEGORY, g) : g);
  return h(
    "div.wb-table-wrap",
    h(
      "table.data.compact",
      { "data-testid": "rollup-table" },
      h("caption.wb-caption", `Baselines, targets and latest actuals by ${DIMENSIONS[dimension].toLowerCase()}, grouped by unit (figures are only added within one kind and one unit)`),
      h("thead", h("tr", ["", "Kind", "Benefits", "Baseline", "Target", "Latest actual", "How combined"].map((t, i) =>
        h("th", { scope: "col", class: i >= 2 && i <= 5 ? "num" : null }, i === 0 ? DIMENSIONS[dimension] : t)))),
      units.map((unit) => h(
        "tbody",
        { "data-testid": "rollup-unit", "data-unit": unit },
        h("tr.wb-group-row", h("th", { scope: "colgroup", colspan: 7 }, `Unit: ${label(UNIT, unit)}`)),
        rows.filter((r) => r.unit === unit).map((r) => h(
          "tr",
          h("th", { scope: "row" }, groupName(r.group)),
          h("td", label(KIND, r.kind)),
          h("td.num", String(r.benefits)),
          h("td.num", fmtValue(r.baseline, unit)),
          h("td.num", fmtValue(r.target, unit)),
          h("td.num", fmtValue(r.actual, unit)),
          h("td", r.aggregate === "mean" ? "average" : "sum"),
        )),
      )),
    ),
  );
}

export function mountBoard(container) {
  replaceChildren(container, viewHead("Strategic Collaboration Board"), loading());
  let alive = true;
  Promise.all([Register.board(), Register.performance()])
    .then(([board, perf]) => {
      if (!alive) return;
      const dim = field({ label: "Roll up by", name: "dimension", control: "select", testid: "rollup-dimension",
        options: Object.entries(DIMENSIONS).map(([k, v]) => [k, v]) });
      const slot = h("div", rollupTable(perf, "by_workstream"));
      dim.input.addEventListener("change", () => replaceChildren(slot, rollupTable(perf, dim.input.value)));
      replaceChildren(
        container,
        viewHead("Strategic Collaboration Board",
          h("p.view-count", `Monitoring report as of ${board.as_of}`)),
        h(
          "nav.wb-links",
          { "aria-label": "Reports" },
          h("a.btn.btn-secondary", { href: REPORT_HTML, "data-testid": "monitoring-report-link" }, "Monitoring report (public HTML)"),
          h("a.btn.btn-secondary", { href: REPORT_CSV, download: "bluelight-performance.csv", "data-testid": "csv-link" }, "Download the CSV"),
        ),
        h(
          "div.wb-figures",
          { "data-testid": "board-summary" },
          figure(String(board.projects), "Projects on the board", "board-projects-count"),
          figure(String(board.smart_projects), "SMART projects", "board-smart-count"),
          figure(String(board.overdue), "Overdue", "board-overdue-count"),
          figure(String(board.off_target), "Off target", "board-off-target-count"),
        ),
        h("h2.section-title", "Workstreams and their projects"),
        (board.workstreams || []).map(workstreamSection),
        section("Performance roll-ups", { testid: "rollups",
          lede: `${perf.benefits} benefits across ${perf.collaborations} collaborations. Money, hours and counts are never added across units or kinds.` },
          dim, slot),
      );
    })
    .catch((err) => {
      if (alive) replaceChildren(container, viewHead("Strategic Collaboration Board"), errorPanel(err, "The board could not be loaded"));
    });
  return {
    unmount() {
      alive = false;
    },
  };
}

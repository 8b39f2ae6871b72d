// Estates, fleet and workforce: the Audit Wales Exhibits 3, 5 and 6 (dataset "main"),
// co-location share per organisation, and, on the clearly labelled synthetic sample
// dataset, the map, "buildings within X miles of a place" and the co-location
// opportunity finder.

import { Estates } from "../api.js";
import { h, replaceChildren } from "/console/dom.js";
import { field, errorSummary, showErrors, clearErrors, parseNumber } from "/console/forms.js";
import { horizontalBars } from "/console/charts.js";
import { SERVICE, label, fmtInt, fmtMoney, fmtPct } from "../labels.js";
import { viewHead, section, table, loading, errorPanel, figure, problemText } from "../ui.js";
import { drawEstatesMap, serviceKey, paintMarkers } from "../estatesmap.js";

const SAMPLE = "sample";
const num = (value) => ({ value, num: true });

function exhibit3(report) {
  const t = report.total;
  return section(
    "Buildings and co-location (Exhibit 3)",
    { testid: "exhibit-3", lede: "Buildings each organisation uses and how many it shares with another organisation. Source: Audit Wales, Joint Working Between Emergency Services (2022), Exhibit 3." },
    h("div.wb-columns", h("div.wb-col", table({
      caption: "Buildings, shared buildings and co-location share per organisation",
      testid: "exhibit-3-table",
      headers: ["Organisation", "Service", { text: "Buildings", num: true }, { text: "Shared", num: true }, { text: "Share co-located", num: true }],
      rows: report.organisations.map((o) => [o.organisation, label(SERVICE, o.service), num(fmtInt(o.buildings)), num(fmtInt(o.shared)), num(fmtPct(o.shared_pct))]),
      foot: [["All organisations", "", num(fmtInt(t.buildings)), num(fmtInt(t.shared)), num(fmtPct(t.shared_pct))]],
    })),
    h("div.wb-col", horizontalBars({
      testid: "chart-colocation",
      title: "Co-location share per organisation (% of its buildings shared)",
      desc: `Share of each organisation's buildings shared with another organisation; ${fmtPct(t.shared_pct)} overall.`,
      rows: report.organisations.map((o) => ({ label: o.organisation, value: o.shared_pct ?? 0 })),
      color: "#0b5cad",
      xLabel: "% of buildings shared",
      tableCaption: "Co-location share per organisation (%)",
      tableHeaders: ["Organisation", "% shared"],
    }))),
  );
}

function exhibit5(fleet) {
  const t = fleet.total;
  return section(
    "Fleet (Exhibit 5)",
    { testid: "exhibit-5", lede: "Vehicles, their yearly maintenance cost and mileage per organisation." },
    h("div.wb-columns", h("div.wb-col", table({
      caption: "Vehicles, maintenance cost and mileage per organisation",
      testid: "exhibit-5-table",
      headers: ["Organisation", { text: "Vehicles", num: true }, { text: "Maintenance cost", num: true }, { text: "Cost per vehicle", num: true }, { text: "Mileage", num: true }],
      rows: fleet.organisations.map((o) => [o.organisation, num(fmtInt(o.vehicles)), num(fmtMoney(o.maintenance_cost)), num(fmtMoney(o.cost_per_vehicle)), num(fmtInt(o.mileage))]),
      foot: [["All organisations", num(fmtInt(t.vehicles)), num(fmtMoney(t.maintenance_cost)), num(fmtMoney(t.cost_per_vehicle)), num(fmtInt(t.mileage))]],
    })),
    h("div.wb-col", horizontalBars({
      testid: "chart-fleet",
      title: "Vehicles per organisation",
      desc: `${fmtInt(t.vehicles)} vehicles in all.`,
      rows: fleet.organisations.map((o) => ({ label: o.organisation, value: o.vehicles })),
      color: "#8a3200",
      xLabel: "Vehicles",
      tableHeaders: ["Organisation", "Vehicles"],
    }))),
  );
}

function exhibit6(workforce) {
  const roles = workforce.roles;
  const t = workforce.total;
  return section(
    "Workforce (Exhibit 6)",
    { testid: "exhibit-6", lede: "Staff per organisation by role." },
    table({
      caption: "Staff per organisation by role",
      testid: "exhibit-6-table",
      headers: ["Organisation", ...roles.map((r) => ({ text: r, num: true })), { text: "Total", num: true }],
      rows: workforce.organisations.map((o) => [o.organisation, ...roles.map((r) => num(o.roles[r] === undefined ? "—" : fmtInt(o.roles[r]))), num(fmtInt(o.total))]),
      foot: [["All organisations", ...roles.map((r) => num(fmtInt(t.roles[r]))), num(fmtInt(t.total))]],
    }),
  );
}

function withinForm(places, onResult) {
  const place = field({ label: "Place", name: "place", path: "place", control: "select", testid: "within-place", options: places.map((p) => [p.name, p.name]) });
  const radius = field({ label: "Distance", name: "radius", path: "radius", testid: "within-radius", inputmode: "decimal", value: "10" });
  const unit = field({ label: "Unit", name: "unit", path: "unit", control: "select", testid: "within-unit", options: [["mi", "miles"], ["km", "kilometres"]], value: "mi" });
  const button = h("button.btn.btn-primary", { type: "submit", "data-testid": "within-submit" }, "Count buildings");
  const result = h("div", { "aria-live": "polite", "data-testid": "within-result" });
  const form = h(
    "form.wb-form",
    {
      novalidate: true,
      "aria-label": "Buildings within a distance of a place",
      onsubmit: async (ev) => {
        ev.preventDefault();
        clearErrors(form);
        const r = parseNumber(radius.input.value);
        if (r === undefined || Number.isNaN(r)) {
          showErrors(form, [{ field: "radius", fault: "enter a distance as a number" }]).focus?.();
          return;
        }
        button.disabled = true;
        try {
          const answer = await Estates.within({ place: place.input.value, radius: r, unit: unit.input.value, dataset: SAMPLE });
          const unitWord = answer.unit === "mi" ? "miles" : answer.unit === "km" ? "km" : "m";
          replaceChildren(
            result,
            h("p.wb-answer", h("strong", { "data-testid": "within-count" }, String(answer.count)),
              ` buildings of the synthetic sample are within ${answer.radius} ${unitWord} of ${answer.centre.name}`,
              Object.keys(answer.by_service || {}).length ? ` (${Object.entries(answer.by_service).map(([s, n]) => `${label(SERVICE, s)} ${n}`).join(", ")})` : "", "."),
            answer.buildings.length
              ? table({
                  caption: `Buildings within ${answer.radius} ${unitWord} of ${answer.centre.name}, nearest first`,
                  testid: "within-table",
                  headers: ["Building", "Organisation", { text: "Distance", num: true }],
                  rows: answer.buildings.map((b) => [b.building.name, b.building.organisation,
                    num(answer.unit === "mi" ? `${b.distance_mi.toFixed(2)} mi` : `${b.distance_km.toFixed(2)} km`)]),
                })
              : null,
          );
          const metres = answer.unit === "mi" ? answer.radius * 1609.344 : answer.unit === "km" ? answer.radius * 1000 : answer.radius;
          onResult(answer.centre, metres);
        } catch (err) {
          showErrors(form, err.errors?.length ? err.errors : [{ field: "", fault: problemText(err) }]).focus?.();
        } finally {
          button.disabled = false;
        }
      },
    },
    errorSummary(),
    h("div.wb-inline-fields", place, radius, unit, h("div.field.wb-field-button", button)),
  );
  return h("div", form, result);
}

function finderForm() {
  const km = field({ label: "At most this far apart (km)", name: "km", path: "km", testid: "finder-km", inputmode: "decimal", value: "2" });
  const limit = field({ label: "At most this many pairs", name: "limit", path: "limit", testid: "finder-limit", inputmode: "numeric", value: "10" });
  const button = h("button.btn.btn-primary", { type: "submit", "data-testid": "finder-submit" }, "Find opportunities");
  const result = h("div", { "aria-live": "polite", "data-testid": "finder-result" });
  const run = async () => {
    clearErrors(form);
    const d = parseNumber(km.input.value);
    const n = parseNumber(limit.input.value);
    const faults = [];
    if (d === undefined || Number.isNaN(d)) faults.push({ field: "km", fault: "enter a distance in km" });
    if (n === undefined || !Number.isInteger(n)) faults.push({ field: "limit", fault: "enter a whole number" });
    if (faults.length) {
      showErrors(form, faults).focus?.();
      return;
    }
    button.disabled = true;
    try {
      const answer = await Estates.opportunities({ km: d, limit: n, dataset: SAMPLE });
      replaceChildren(
        result,
        h("p", `${answer.count} pairs: ${answer.ranking}.`),
        answer.hint ? h("p.muted", answer.hint) : null,
        answer.opportunities.length
          ? table({
              caption: `Co-location opportunities within ${answer.km} km, nearest first (synthetic sample)`,
              testid: "finder-table",
              rowTestid: "finder-row",
              headers: [{ text: "Rank", num: true }, { text: "Distance", num: true }, "Building", "Organisation", "Nearby building", "Organisation"],
              rows: answer.opportunities.map((o) => [num(String(o.rank)), num(`${o.distance_km.toFixed(2)} km`), o.a.name,
                `${o.a.organisation} (${label(SERVICE, o.a.service)})`, o.b.name, `${o.b.organisation} (${label(SERVICE, o.b.service)})`]),
            })
          : null,
      );
    } catch (err) {
      showErrors(form, err.errors?.length ? err.errors : [{ field: "", fault: problemText(err) }]).focus?.();
    } finally {
      button.disabled = false;
    }
  };
  const form = h(
    "form.wb-form",
    { novalidate: true, "aria-label": "Co-location opportunity finder", onsubmit: (ev) => { ev.preventDefault(); run(); } },
    errorSummary(),
    h("div.wb-inline-fields", km, limit, h("div.field.wb-field-button", button)),
  );
  return { el: h("div", form, result), run };
}

export function mountEstates(container) {
  replaceChildren(container, viewHead("Estates, fleet and workforce"), loading());
  let alive = true;
  let mapHandle = null;
  Promise.all([Estates.report(), Estates.fleet(), Estates.workforce(), Estates.buildings(SAMPLE), Estates.places()])
    .then(([report, fleet, workforce, buildings, places]) => {
      if (!alive) return;
      const t = report.total;
      const mapSlot = h("div.map.wb-map");
      const finder = finderForm();
      const features = buildings.features || [];
      replaceChildren(
        container,
        viewHead("Estates, fleet and workforce", h("p.view-count", "Emergency services in Wales (Audit Wales, 2022)")),
        h(
          "div.wb-figures",
          { "data-testid": "estates-summary" },
          figure(fmtInt(t.buildings), "Buildings", "total-buildings"),
          figure(fmtInt(t.shared), "Shared buildings", "total-shared"),
          figure(fmtPct(t.shared_pct), "Co-located", "total-shared-pct"),
          figure(fmtInt(fleet.total.vehicles), "Vehicles", "total-vehicles"),
          figure(fmtMoney(fleet.total.maintenance_cost), "Yearly fleet maintenance", "total-maintenance"),
          figure(fmtInt(workforce.total.total), "Staff", "total-staff"),
        ),
        exhibit3(report),
        exhibit5(fleet),
        exhibit6(workforce),
        h(
          "div.wb-synthetic",
          { "data-testid": "synthetic-banner", role: "note" },
          h("strong", "Synthetic sample data. "),
          `The map, the distance search and the opportunity finder use ${features.length} invented buildings near the towns the report names (dataset "${buildings.dataset}"). They are not real locations of emergency service buildings.`,
        ),
        section("Map of the synthetic sample buildings", { testid: "estates-map-section" }, serviceKey(), mapSlot,
          h("details.wb-details", h("summary", "The same buildings as a table"),
            table({
              caption: "Synthetic sample buildings",
              testid: "buildings-table",
              headers: ["Building", "Organisation", "Service", "Type", "Shared with"],
              rows: features.map((f) => [f.properties.name, f.properties.organisation, label(SERVICE, f.properties.service), f.properties.type || "—",
                f.properties.shared_with?.length ? f.properties.shared_with.join(", ") : "nobody"]),
            }))),
        section("Buildings within a distance of a place", { testid: "within" }, withinForm(places, (centre, metres) => mapHandle?.showCircle(centre.lat, centre.lon, metres))),
        section("Co-location opportunity finder", { testid: "finder",
          lede: "Buildings of different services close to each other whose organisations do not already share either building." }, finder.el),
      );
      paintMarkers(container);
      mapHandle = drawEstatesMap(mapSlot, features, { caption: `Map of ${features.length} synthetic sample buildings on a schematic coastline of Wales` });
      finder.run();
    })
    .catch((err) => {
      if (alive) replaceChildren(container, viewHead("Estates, fleet and workforce"), errorPanel(err, "The estates data could not be loaded"));
    });
  return {
    unmount() {
      alive = false;
      mapHandle?.destroy();
    },
  };
}

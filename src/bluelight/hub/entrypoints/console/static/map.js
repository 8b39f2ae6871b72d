// An offline map of the incident's position, drawn with the vendored Leaflet and no tile
// server: a light grey background, a coarse hand-made outline of Great Britain (a
// schematic coastline, not for navigation), a few town names for orientation, and the
// incident as a circle marker whose popup gives UPRN, address, BNG and WGS84.

import { h } from "./dom.js";

// [lon, lat] pairs, clockwise from Land's End. Deliberately coarse: roughly one point
// every 10-30 km, more along the Bristol Channel and the Welsh coast.
const GB_RING = [
  [-5.715, 50.066], [-5.48, 50.21], [-5.08, 50.42], [-4.94, 50.55], [-4.55, 50.83],
  [-4.52, 51.02], [-4.24, 51.04], [-4.21, 51.19], [-4.12, 51.21], [-3.83, 51.23],
  [-3.47, 51.21], [-3.33, 51.18], [-3.13, 51.21], [-3.0, 51.24], [-2.98, 51.35],
  [-2.86, 51.44], [-2.77, 51.49], [-2.7, 51.51], [-2.62, 51.6], [-2.48, 51.72],
  [-2.35, 51.8], [-2.53, 51.72], [-2.67, 51.64], [-2.75, 51.58], [-2.97, 51.54],
  [-3.16, 51.46], [-3.17, 51.4], [-3.27, 51.39], [-3.4, 51.38], [-3.56, 51.4],
  [-3.64, 51.46], [-3.7, 51.48], [-3.8, 51.57], [-3.93, 51.61], [-3.98, 51.57],
  [-4.21, 51.54], [-4.33, 51.56], [-4.25, 51.65], [-4.16, 51.67], [-4.3, 51.68],
  [-4.37, 51.75], [-4.55, 51.74], [-4.69, 51.71], [-4.7, 51.67], [-4.92, 51.6],
  [-5.1, 51.68], [-5.17, 51.68], [-5.25, 51.73], [-5.12, 51.85], [-5.31, 51.9],
  [-5.07, 52.03], [-4.98, 52.01], [-4.68, 52.1], [-4.36, 52.21], [-4.26, 52.24],
  [-4.09, 52.41], [-4.05, 52.55], [-4.09, 52.58], [-4.05, 52.72], [-4.11, 52.86],
  [-4.13, 52.92], [-4.4, 52.88], [-4.5, 52.82], [-4.77, 52.8], [-4.52, 52.94],
  [-4.28, 53.14], [-4.63, 53.31], [-4.34, 53.42], [-4.09, 53.27], [-3.85, 53.34],
  [-3.72, 53.3], [-3.49, 53.32], [-3.32, 53.35], [-3.13, 53.25], [-3.18, 53.37],
  [-3.04, 53.44], [-2.99, 53.4], [-3.1, 53.56], [-3.01, 53.65], [-3.06, 53.82],
  [-3.01, 53.92], [-2.87, 54.07], [-3.23, 54.1], [-3.64, 54.51], [-3.57, 54.64],
  [-3.39, 54.87], [-3.26, 54.98], [-4.05, 54.83], [-4.86, 54.63], [-5.16, 55.01],
  [-4.63, 55.46], [-4.87, 55.79], [-5.41, 55.86], [-5.8, 55.29], [-5.47, 56.41],
  [-6.22, 56.72], [-5.71, 57.28], [-5.7, 57.73], [-5.16, 57.9], [-5.0, 58.62],
  [-3.52, 58.59], [-3.03, 58.64], [-3.09, 58.44], [-3.65, 58.12], [-4.22, 57.48],
  [-3.87, 57.59], [-3.28, 57.72], [-2.01, 57.69], [-1.78, 57.5], [-2.08, 57.15],
  [-2.46, 56.71], [-2.97, 56.46], [-2.59, 56.28], [-3.17, 55.98], [-2.52, 56.0],
  [-2.0, 55.77], [-1.59, 55.41], [-1.42, 55.02], [-1.36, 54.91], [-1.19, 54.69],
  [-0.61, 54.49], [-0.4, 54.28], [-0.07, 54.12], [0.11, 53.58], [0.34, 53.14],
  [0.49, 52.94], [1.3, 52.93], [1.73, 52.61], [1.75, 52.48], [1.35, 51.96],
  [1.16, 51.79], [0.71, 51.54], [1.45, 51.38], [1.31, 51.13], [0.98, 50.91],
  [0.57, 50.85], [0.24, 50.73], [-0.14, 50.82], [-0.79, 50.72], [-1.1, 50.78],
  [-1.4, 50.8], [-1.88, 50.72], [-2.06, 50.58], [-2.46, 50.51], [-2.93, 50.72],
  [-3.41, 50.62], [-3.64, 50.22], [-4.14, 50.36], [-5.2, 49.96], [-5.54, 50.12],
  [-5.715, 50.066],
];

export const COASTLINE = {
  type: "FeatureCollection",
  features: [
    {
      type: "Feature",
      properties: { name: "Great Britain (schematic coastline)" },
      geometry: { type: "Polygon", coordinates: [GB_RING] },
    },
  ],
};

const ZOOM = 10; // about 60 km across: the point with the nearest coast and towns

const TOWNS = [
  ["Cardiff", 51.4816, -3.1791], ["Swansea", 51.6214, -3.9436], ["Newport", 51.5842, -2.9977],
  ["Bridgend", 51.5043, -3.5769], ["Port Talbot", 51.5906, -3.7986], ["Merthyr Tydfil", 51.7487, -3.3816],
  ["Pontypridd", 51.6021, -3.342], ["Barry", 51.3993, -3.283], ["Llanelli", 51.684, -4.163],
  ["Carmarthen", 51.8566, -4.3107], ["Milford Haven", 51.7142, -5.0427], ["Bristol", 51.4545, -2.5879],
  ["Aberystwyth", 52.4153, -4.0829], ["Brecon", 51.9462, -3.3888],
];

function fmtCoord(v, digits) {
  return typeof v === "number" && Number.isFinite(v) ? v.toFixed(digits) : "—";
}

/** Popup / label content for a location, as DOM (never HTML strings). */
export function locationSummary(location) {
  const loc = location || {};
  const rows = [
    ["UPRN", loc.uprn || "—"],
    ["Address", loc.address || "—"],
    ["BNG E/N", `${fmtCoord(loc.easting, 1)} / ${fmtCoord(loc.northing, 1)}`],
    ["Lat/lon", `${fmtCoord(loc.lat, 6)}, ${fmtCoord(loc.lon, 6)}`],
  ];
  if (loc.description) rows.splice(2, 0, ["Description", loc.description]);
  return h(
    "dl.map-popup",
    rows.flatMap(([k, v]) => [h("dt", k), h("dd", v)]),
  );
}

/**
 * Draw the map into `container`. Returns a handle with destroy(). When the location has
 * no coordinates, a message takes the map's place.
 */
export function drawMap(container, location, { label } = {}) {
  const L = window.L;
  const loc = location || {};
  const hasPoint = typeof loc.lat === "number" && typeof loc.lon === "number";
  if (!L) {
    container.append(h("p.map-message", "The map could not be loaded."));
    return { destroy() {} };
  }
  if (!hasPoint) {
    container.classList.add("map-empty");
    container.append(
      h(
        "p.map-message",
        loc.uprn
          ? `No coordinates for this location: the hub's gazetteer does not know UPRN ${loc.uprn}, so it cannot be shown on the map. Use the address or phone the sender.`
          : "No coordinates for this location (address only), so it cannot be shown on the map. Use the address.",
      ),
    );
    return { destroy() {} };
  }
  const el = h("div.map-canvas", {
    role: "region",
    "aria-label": `Map: incident position at latitude ${loc.lat}, longitude ${loc.lon}, on a schematic coastline`,
  });
  container.append(el);
  const map = L.map(el, {
    zoomControl: true,
    attributionControl: true,
    scrollWheelZoom: false,
    keyboard: true,
    minZoom: 5,
    maxZoom: 17,
  });
  // The view must be set before any layer is added (permanent tooltips need it).
  map.setView([loc.lat, loc.lon], ZOOM);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Schematic coastline, not for navigation \u00b7 Leaflet");

  L.geoJSON(COASTLINE, {
    interactive: true,
    style: { color: "#7c8a99", weight: 1.5, fillColor: "#f7f5ee", fillOpacity: 1 },
  })
    .bindTooltip("schematic coastline", { sticky: true })
    .addTo(map);

  for (const [name, lat, lon] of TOWNS) {
    L.circleMarker([lat, lon], {
      radius: 2.5,
      color: "#5b6776",
      weight: 1,
      fillColor: "#5b6776",
      fillOpacity: 1,
      interactive: false,
    })
      .bindTooltip(name, { permanent: true, direction: "right", className: "town-label", offset: [4, 0] })
      .addTo(map);
  }

  const marker = L.circleMarker([loc.lat, loc.lon], {
    radius: 10,
    color: "#0b1f33",
    weight: 3,
    fillColor: "#ffb000",
    fillOpacity: 0.95,
  }).addTo(map);
  const popup = h("div", label ? h("p.map-popup-title", label) : null, locationSummary(loc));
  marker.bindPopup(popup, { autoPan: true, autoPanPadding: [16, 16], closeButton: true, maxWidth: 280 });
  marker.bindTooltip("Incident", { direction: "top", offset: [0, -10] });

  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);

  // Leaflet measures its container; make sure that happens once it is in the page.
  const ro = typeof ResizeObserver === "function" ? new ResizeObserver(() => map.invalidateSize()) : null;
  ro?.observe(el);
  requestAnimationFrame(() => {
    map.invalidateSize();
    map.setView([loc.lat, loc.lon], ZOOM);
    marker.openPopup();
  });

  return {
    map,
    destroy() {
      ro?.disconnect();
      map.remove();
    },
  };
}

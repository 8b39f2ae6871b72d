// The estates map: the vendored Leaflet over the console's offline schematic coastline
// (no tile server), one marker per building. A marker carries its service's letter as
// well as its colour, and a shared building has a double ring, so nothing is told by
// colour alone; the page also lists every building in a table.

import { h } from "/console/dom.js";
import { COASTLINE } from "/console/map.js";
import { SERVICE, label } from "./labels.js";

export const SERVICE_STYLE = {
  police: { letter: "P", color: "#0b3d91" },
  fire: { letter: "F", color: "#8a3200" },
  ambulance: { letter: "A", color: "#0b6b38" },
  coastguard: { letter: "C", color: "#4b2c7f" },
  lifeboat: { letter: "L", color: "#7a5a00" },
  "search-and-rescue": { letter: "S", color: "#005f73" },
  "local-authority": { letter: "LA", color: "#3d4852" },
  "other-responder": { letter: "O", color: "#3d4852" },
};

const styleOf = (service) => SERVICE_STYLE[service] || { letter: "?", color: "#3d4852" };

export function serviceKey() {
  return h("ul.legend.wb-map-key", { "data-testid": "map-key" },
    Object.entries(SERVICE_STYLE).slice(0, 6).map(([service, st]) => h("li",
      h("span.wb-marker.wb-marker-key", { "aria-hidden": "true", "data-color": st.color }, st.letter), label(SERVICE, service))),
    h("li", h("span.wb-marker.wb-marker-key.wb-shared", { "aria-hidden": "true", "data-color": "#3d4852" }, "2"), "Double ring: shared with another organisation"));
}

export function paintMarkers(root) {
  for (const el of root.querySelectorAll(".wb-marker[data-color]")) el.style.background = el.dataset.color;
}

/** Draw the buildings (GeoJSON features) into `container`; returns {map, showCircle, destroy}. */
export function drawEstatesMap(container, features, { caption }) {
  const L = window.L;
  if (!L) {
    container.append(h("p.map-message", "The map could not be loaded."));
    return { showCircle() {}, destroy() {} };
  }
  const located = features.filter((f) => f.geometry && Array.isArray(f.geometry.coordinates));
  const el = h("div.map-canvas.wb-map-canvas", { role: "region", "aria-label": caption, "data-testid": "estates-map" });
  container.append(el);
  const map = L.map(el, { scrollWheelZoom: false, keyboard: true, minZoom: 5, maxZoom: 16 });
  map.setView([52.3, -3.6], 7);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Schematic coastline, not for navigation \u00b7 Leaflet");
  L.geoJSON(COASTLINE, { interactive: false, style: { color: "#7c8a99", weight: 1.5, fillColor: "#f7f5ee", fillOpacity: 1 } }).addTo(map);

  const markers = [];
  for (const f of located) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    const st = styleOf(p.service);
    const icon = L.divIcon({
      className: "wb-marker-wrap",
      html: h(`span.wb-marker${p.shared ? ".wb-shared" : ""}`, { "data-color": st.color, "data-testid": "building-marker" }, st.letter),
      iconSize: [24, 24],
      iconAnchor: [12, 12],
    });
    const popup = h(
      "div",
      h("p.map-popup-title", p.name),
      h("dl.map-popup",
        h("dt", "Organisation"), h("dd", p.organisation),
        h("dt", "Service"), h("dd", label(SERVICE, p.service)),
        h("dt", "Type"), h("dd", p.type || "—"),
        h("dt", "Tenure"), h("dd", p.tenure || "—"),
        h("dt", "Shared with"), h("dd", p.shared_with?.length ? p.shared_with.join(", ") : "nobody")),
    );
    const marker = L.marker([lat, lon], { icon, title: `${p.name} (${label(SERVICE, p.service)}${p.shared ? ", shared" : ""})`, alt: p.name, keyboard: true })
      .bindPopup(popup, { maxWidth: 280 })
      .addTo(map);
    markers.push(marker);
  }
  // divIcon HTML is adopted into the map pane; colour it now that it is in the page.
  paintMarkers(el);
  if (markers.length) map.fitBounds(L.featureGroup(markers).getBounds().pad(0.15));
  L.control.scale({ imperial: true, position: "bottomleft" }).addTo(map);

  let circle = null;
  const ro = typeof ResizeObserver === "function" ? new ResizeObserver(() => map.invalidateSize()) : null;
  ro?.observe(el);
  return {
    map,
    /** Show the search radius of a "within" query (metres). */
    showCircle(lat, lon, metres) {
      circle?.remove();
      circle = L.circle([lat, lon], { radius: metres, color: "#0b1f33", weight: 2, dashArray: "6 4", fillOpacity: 0.06, interactive: false }).addTo(map);
      map.fitBounds(circle.getBounds().pad(0.1));
    },
    destroy() {
      ro?.disconnect();
      map.remove();
    },
  };
}

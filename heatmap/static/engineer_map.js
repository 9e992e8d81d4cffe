// The spot page's map: the spot, its complaints, sites and measured signal around it, over
// the gazetteer's basemap (MapView of map_view.js, Leaflet installed with the package).
// Without Leaflet the spot and its complaints are drawn as plain SVG.
"use strict";

const AROUND_DEG = 0.03;  // how far around the spot sites and coverage are asked for

function spotBox(spot, complaints) {
  const b = boundsOf([{features: [spot]}, {features: complaints}]);
  if (!b) return null;
  return [b.minLon - AROUND_DEG, b.minLat - AROUND_DEG, b.maxLon + AROUND_DEG,
    b.maxLat + AROUND_DEG].map((v) => v.toFixed(5)).join(",");
}

function complaintPoints(spot) {
  return spot.complaints.filter((c) => c.lat !== null && c.lon !== null).map((c) => ({
    type: "Feature", id: c.ticket_id, properties: c,
    geometry: {type: "Point", coordinates: [c.lon, c.lat]}}));
}

async function drawSpotMap(spot) {
  const host = $("spot-map");
  const points = complaintPoints(spot);
  const feature = {type: "Feature", id: spot.id, geometry: spot.geometry,
    properties: Object.assign({}, spot.properties, {evidence_text: spot.evidence_text})};
  if (typeof L === "undefined") {
    drawSvg(host, feature, points);
    $("map-note").textContent = "Библиотека карты не загрузилась: показан только контур пятна";
    return;
  }
  const empty = {type: "FeatureCollection", features: []};
  const box = spotBox(feature, points);
  const [sites, coverage] = await Promise.all([
    box ? api("/sites?bbox=" + box).catch(() => empty) : empty,
    box ? api("/coverage?bbox=" + box).catch(() => empty) : empty,
  ]);
  if (!spotMap) {
    const tiles = {url: document.body.dataset.tiles, attribution: document.body.dataset.attribution};
    spotMap = new MapView(host, api, () => {}, tiles);
    spotMap.onBasemap = (err) => { host.dataset.basemap = err ? "failed" : "1"; };
  }
  spotMap.map.invalidateSize();
  spotMap.draw({spots: {type: "FeatureCollection", features: [feature]}, hexes: empty, sites,
    coverage, showCoverage: true, colour: () => "#d73027",
    bounds: boundsOf([{features: [feature]}, {features: points}])});
  if (spotMap.complaints) spotMap.complaints.remove();
  spotMap.complaints = L.layerGroup(points.map((f) => L.circleMarker(
    [f.geometry.coordinates[1], f.geometry.coordinates[0]],
    {pane: "sites", radius: 4, color: "#23395d", weight: 1, fillColor: "#fff", fillOpacity: 1})
    .bindTooltip((TOPIC_RU[f.properties.topic] || "") + " " + when(f.properties.created_at))))
    .addTo(spotMap.map);
  const note = $("map-note");
  note.replaceChildren(document.createTextNode("Красное — пятно, белые точки — обращения ("
    + points.length + "), чёрные — базовые станции (" + sites.features.length + ")"));
  if (coverage.features.length) {
    note.appendChild(document.createTextNode("; шестиугольники — сигнал по замерам, дБм:"));
    const legend = el("div", "dbm");
    for (const band of SIGNAL_BANDS) {
      const item = el("span", "", band.label);
      item.style.setProperty("--c", band.colour);
      legend.appendChild(item);
    }
    note.appendChild(legend);
  }
  host.dataset.drawn = "1";
}

// How the spot's measured cells compare with the two rings around them (drive tests).
async function drawSignal(id) {
  const box = $("signal");
  delete box.dataset.done;
  const c = await api("/coverage/spots/" + encodeURIComponent(id));
  box.dataset.done = "1";
  const dbm = (v) => Number(v).toFixed(1).replace(".", ",").replace("-", "−") + " дБм";
  if (c.cells_dbm === null && c.surroundings_dbm === null) {
    box.textContent = "Замеров здесь нет (heatmap network coverage-from-drive-test)";
    return;
  }
  const parts = [];
  parts.push(c.cells_dbm === null ? "в пятне замеров нет"
    : "в пятне " + dbm(c.cells_dbm) + " (ячеек: " + c.cells_measured + ")");
  parts.push(c.surroundings_dbm === null ? "вокруг замеров нет"
    : "вокруг " + dbm(c.surroundings_dbm) + " (ячеек: " + c.surroundings_measured + ")");
  let verdict = "";
  if (c.difference_db !== null) {
    const d = Math.abs(c.difference_db).toFixed(1).replace(".", ",");
    verdict = Math.abs(c.difference_db) < 3 ? "как вокруг"
      : (c.difference_db < 0 ? "хуже окружения на " : "лучше окружения на ") + d + " дБ";
  }
  box.textContent = "Медиана " + c.metric.toUpperCase() + ": " + parts.join(", ")
    + (verdict ? " — " + verdict : "") + ".";
  box.className = c.difference_db !== null && c.difference_db <= -3 ? "late" : "";
}

// The spot's outline and complaints as SVG, scaled to the box (no library, no basemap).
function drawSvg(host, feature, points) {
  const b = boundsOf([{features: [feature]}, {features: points}]);
  host.replaceChildren();
  if (!b) return;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const w = 400, h = 300, pad = 20;
  const kx = Math.cos((b.minLat + b.maxLat) / 2 * Math.PI / 180);
  const scale = Math.min((w - 2 * pad) / Math.max((b.maxLon - b.minLon) * kx, 1e-6),
    (h - 2 * pad) / Math.max(b.maxLat - b.minLat, 1e-6));
  const xy = ([lon, lat]) => [pad + (lon - b.minLon) * kx * scale, h - pad - (lat - b.minLat) * scale];
  svg.setAttribute("viewBox", "0 0 " + w + " " + h);
  for (const ring of rings(feature.geometry)) {
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", ring.map((c, i) => (i ? "L" : "M") + xy(c).join(",")).join("") + "Z");
    path.setAttribute("fill", "#d7302766");
    path.setAttribute("stroke", "#d73027");
    svg.appendChild(path);
  }
  for (const f of points) {
    const dot = document.createElementNS(ns, "circle");
    const [x, y] = xy(f.geometry.coordinates);
    dot.setAttribute("cx", x); dot.setAttribute("cy", y); dot.setAttribute("r", 4);
    dot.setAttribute("fill", "#fff"); dot.setAttribute("stroke", "#23395d");
    svg.appendChild(dot);
  }
  host.appendChild(svg);
  host.dataset.drawn = "svg";
}

// The agents' map: Leaflet (installed with the package) over the gazetteer's basemap
// (houses, street and settlement names from /api/v1/basemap) or, when configured, tiles.
"use strict";

const HOUSE_ZOOM = 12;
// Leaflet's panes by depth: basemap, coverage, hexes, spots, labels, sites, the place.
const PANES = [["basemap", 210], ["coverage", 300], ["hexes", 350], ["spots", 400],
  ["labels", 450], ["sites", 500]];

function rings(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return geometry.coordinates;
  if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
  return [];
}

function labelIcon(cls, text, angle) {
  const span = document.createElement("span");
  span.textContent = text;
  span.style.transform = "rotate(" + (angle || 0) + "deg) translate(-50%, -50%)";
  return L.divIcon({className: cls, html: span, iconSize: [0, 0]});
}

class MapView {
  // fetchJson(path) → the API's answer; onPoint(lat, lon) when the map is clicked.
  constructor(host, fetchJson, onPoint, tiles) {
    this.fetchJson = fetchJson;
    const box = document.createElement("div");
    box.style.position = "absolute";
    box.style.inset = "0";
    host.appendChild(box);
    this.map = L.map(box, {zoomControl: true, attributionControl: Boolean(tiles.url)});
    for (const [name, z] of PANES) this.map.createPane(name).style.zIndex = z;
    this.map.getPane("basemap").style.pointerEvents = "none";
    this.map.getPane("labels").style.pointerEvents = "none";
    this.houses = L.canvas({pane: "basemap", padding: 0.2});
    this.groups = {};
    this.basemap = L.layerGroup().addTo(this.map);
    this.basemapFailed = null;
    this.onBasemap = () => {};
    this.live = false;  // the basemap is asked for once the layers are drawn (a key works)
    this.tiled = Boolean(tiles.url);
    if (tiles.url) {
      L.tileLayer(tiles.url, {maxZoom: 19, attribution: tiles.attribution, pane: "basemap"})
        .addTo(this.map);
    } else {
      let timer = null;
      this.map.on("moveend", () => {
        clearTimeout(timer);
        timer = setTimeout(() => this.loadBasemap(), 120);
      });
    }
    this.map.on("click", (e) => onPoint(e.latlng.lat, e.latlng.lng));
    this.marker = null;
    this.map.setView([55.75, 37.62], 10);
  }

  // The view's bbox, no more than 4.9° a side (the API's limit is 5°).
  viewBox() {
    const b = this.map.getBounds();
    const c = b.getCenter();
    const half = 2.45;
    const west = Math.max(b.getWest(), c.lng - half, -180);
    const east = Math.min(b.getEast(), c.lng + half, 180);
    const south = Math.max(b.getSouth(), c.lat - half, -90);
    const north = Math.min(b.getNorth(), c.lat + half, 90);
    return [west, south, east, north].map((v) => v.toFixed(5)).join(",");
  }

  async loadBasemap() {
    if (!this.live || this.tiled) return;
    const zoom = this.map.getZoom();
    const bbox = this.viewBox();
    const asked = bbox + "@" + zoom;
    this.asked = asked;
    let answer;
    try {
      answer = await this.fetchJson("/basemap?bbox=" + bbox + "&zoom=" + zoom);
    } catch (err) {
      this.basemapFailed = err;
      this.onBasemap(err);
      return;
    }
    if (this.asked !== asked) return;  // the map moved on meanwhile
    this.basemapFailed = null;
    this.drawBasemap(answer.features, zoom);
    this.onBasemap(null);
  }

  drawBasemap(features, zoom) {
    this.basemap.clearLayers();
    const radius = zoom >= 17 ? 4 : zoom >= 15 ? 3 : zoom >= 13 ? 2 : 1.5;
    let houses = 0, streets = 0, settlements = 0;
    for (const f of features) {
      const [lon, lat] = f.geometry.coordinates;
      const p = f.properties;
      if (p.kind === "house") {
        houses += 1;
        const dot = L.circleMarker([lat, lon], {renderer: this.houses, radius: radius,
          stroke: false, fillColor: "#8c96a3", fillOpacity: 0.9, interactive: false});
        this.basemap.addLayer(dot);
      } else if (p.kind === "street") {
        streets += 1;
        this.basemap.addLayer(L.marker([lat, lon], {pane: "labels", interactive: false,
          keyboard: false, icon: labelIcon("street-label", p.name, p.angle)}));
      } else if (p.kind === "settlement") {
        settlements += 1;
        this.basemap.addLayer(L.marker([lat, lon], {pane: "labels", interactive: false,
          keyboard: false, icon: labelIcon("settlement-label", p.name, 0)}));
      }
    }
    this.drawn = {houses, streets, settlements, zoom};
  }

  draw(data) {
    this.live = true;
    for (const g of Object.values(this.groups)) g.remove();
    this.groups.coverage = L.geoJSON(data.coverage, {pane: "coverage", interactive: false,
      style: (f) => ({stroke: false, fillColor: signalColour(f.properties.median_dbm),
        fillOpacity: 0.45})});
    if (data.showCoverage) this.groups.coverage.addTo(this.map);
    this.groups.hexes = L.geoJSON(data.hexes, {pane: "hexes", style: (f) => ({color: "#3182bd",
      weight: 0.5, fillColor: "#3182bd", fillOpacity: 0.1 + 0.4 * f.properties.share}),
      onEachFeature: (f, layer) => layer.bindTooltip("Жалоб: " + f.properties.complaints
        + ", абонентов: " + f.properties.complainants)}).addTo(this.map);
    this.groups.spots = L.geoJSON(data.spots, {pane: "spots", style: (f) => {
      const c = data.colour(f.properties.priority);
      return {color: c, fillColor: c, weight: 2, fillOpacity: 0.4, className: "spot"};
    }, onEachFeature: (f, layer) => {
      layer.bindTooltip(Object.assign(document.createElement("div"), {className: "lines",
        textContent: spotTitle(f.properties)}));
      layer.on("add", () => { const e = layer.getElement(); if (e) e.dataset.id = f.id; });
    }}).addTo(this.map);
    this.groups.sites = L.geoJSON(data.sites, {pointToLayer: (f, ll) => L.circleMarker(ll,
      {pane: "sites", radius: 3, color: "#111", weight: 1, fillOpacity: 0.8})
      .bindTooltip("Базовая станция " + f.id)}).addTo(this.map);
    const b = data.bounds;
    if (b) this.map.fitBounds([[b.minLat, b.minLon], [b.maxLat, b.maxLon]], {maxZoom: 16});
    this.loadBasemap();
  }

  showCoverage(on) {
    const layer = this.groups.coverage;
    if (!layer) return;
    if (on) layer.addTo(this.map); else layer.remove();
  }

  mark(lat, lon, label) {
    if (this.marker) this.marker.remove();
    this.marker = L.circleMarker([lat, lon], {radius: 8, color: "#2f6feb", weight: 3,
      fillColor: "#2f6feb", fillOpacity: 0.35}).bindTooltip(label).addTo(this.map);
    const e = this.marker.getElement();
    if (e) e.id = "place-mark";
    this.map.setView([lat, lon], Math.max(this.map.getZoom(), 16));
  }
}

function spotTitle(p) {
  return "Пятно " + p.id + " — " + (STATUS_RU[p.status] || p.status) + ", приоритет "
    + Number(p.priority).toFixed(1) + (p.address ? ", " + p.address : "")
    + (p.evidence_text ? "\n" + p.evidence_text : "")
    + (p.confirmation_text ? "\n" + p.confirmation_text : "");
}

function boundsOf(collections) {
  let b = null;
  const add = (lon, lat) => {
    if (!b) b = {minLon: lon, maxLon: lon, minLat: lat, maxLat: lat};
    b.minLon = Math.min(b.minLon, lon); b.maxLon = Math.max(b.maxLon, lon);
    b.minLat = Math.min(b.minLat, lat); b.maxLat = Math.max(b.maxLat, lat);
  };
  for (const fc of collections) {
    for (const f of fc.features) {
      if (f.geometry.type === "Point") add(...f.geometry.coordinates);
      for (const ring of rings(f.geometry)) for (const [lon, lat] of ring) add(lon, lat);
    }
  }
  return b;
}

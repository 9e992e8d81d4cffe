// The map `heatmap map` writes: everything inline, nothing from another host unless a tile
// server was named. Spots by priority with why each is one, complaint hexes, the basemap.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("map-data").textContent);
  const STATUS_RU = {new: "новое", queued: "в очереди", in_progress: "в работе",
    resolved: "решено", rejected: "отклонено", reopened: "переоткрыто", merged: "объединено"};
  const FACTOR_RU = {excess: "превышение", complainants: "жалующиеся", segment: "сегмент",
    topic: "тема", ltv: "LTV", recency: "свежесть", growth: "рост", escalation: "эскалация"};
  const TOPIC_RU = {no_coverage: "нет покрытия", weak_signal_indoor: "слабый сигнал в помещении",
    dropped_calls: "обрывы звонков", voice_quality: "плохое качество голоса",
    slow_data: "низкая скорость интернета", no_data: "нет мобильного интернета", no_4g: "нет 4G",
    sms_delivery: "не доходят SMS"};
  const STREET_ZOOM = 15;

  const map = L.map("map", {attributionControl: Boolean(data.tiles), preferCanvas: false});
  for (const [name, z] of [["basemap", 210], ["hexes", 350], ["labels", 450]]) {
    map.createPane(name).style.zIndex = z;
  }
  map.getPane("basemap").style.pointerEvents = "none";
  map.getPane("labels").style.pointerEvents = "none";
  if (data.tiles) {
    L.tileLayer(data.tiles, {maxZoom: 19, attribution: data.attribution, pane: "basemap"}).addTo(map);
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function label(cls, text, angle) {
    const span = el("span", text);
    span.style.transform = "rotate(" + (angle || 0) + "deg) translate(-50%, -50%)";
    return L.divIcon({className: cls, html: span, iconSize: [0, 0]});
  }

  // the basemap: houses always (from zoom 12), street names zoomed in, settlements out
  const streets = L.layerGroup();
  const settlements = L.layerGroup();
  if (data.basemap) {
    const renderer = L.canvas({pane: "basemap", padding: 0.3});
    const houses = L.layerGroup(data.basemap.houses.map(([lat, lon]) => L.circleMarker([lat, lon],
      {renderer: renderer, radius: 2.5, stroke: false, fillColor: "#8c96a3", fillOpacity: 0.9,
        interactive: false})));
    for (const [lat, lon, angle, name] of data.basemap.streets) {
      streets.addLayer(L.marker([lat, lon], {pane: "labels", interactive: false, keyboard: false,
        icon: label("street-label", name, angle)}));
    }
    // each settlement is named from the zoom at which its name covers no larger one's
    const named = data.basemap.settlements.map(([lat, lon, name, from]) => [from,
      L.marker([lat, lon], {pane: "labels", interactive: false, keyboard: false,
        icon: label("settlement-label", name, 0)})]);
    const zoomed = () => {
      const z = map.getZoom();
      if (z >= 12) houses.addTo(map); else houses.remove();
      if (z >= STREET_ZOOM) { streets.addTo(map); settlements.remove(); }
      else { streets.remove(); settlements.addTo(map); }
      settlements.clearLayers();
      for (const [from, marker] of named) if (from <= z) settlements.addLayer(marker);
    };
    map.on("zoomend", zoomed);
    map.whenReady(zoomed);
  }

  const most = Math.max(1, ...data.hexes.features.map((f) => f.properties.complaints));
  const hexes = L.geoJSON(data.hexes, {pane: "hexes", style: (f) => ({color: "#3182bd",
    weight: 0.5, fillColor: "#3182bd", fillOpacity: 0.1 + 0.4 * f.properties.complaints / most}),
    onEachFeature: (f, layer) => layer.bindTooltip("Жалоб: " + f.properties.complaints
      + ", жалующихся: " + f.properties.complainants)}).addTo(map);

  const priorities = data.spots.features.map((f) => f.properties.priority);
  const low = priorities.length ? Math.min(...priorities) : 0;
  const high = priorities.length ? Math.max(...priorities) : 1;
  function colour(p) {
    const t = high > low ? Math.min(1, Math.max(0, (p - low) / (high - low))) : 1;
    const stops = [[254, 224, 139], [252, 141, 89], [215, 48, 39]];
    const i = t < 0.5 ? 0 : 1;
    const u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
    return "rgb(" + stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * u)).join(",") + ")";
  }

  function popup(p) {
    const box = el("div", null, "popup");
    box.appendChild(el("strong", "Пятно " + p.id));
    box.appendChild(document.createTextNode(" (" + (STATUS_RU[p.status] || p.status) + ")"));
    const lines = [["Адрес", p.address || "—"], ["Тема", TOPIC_RU[p.dominant_topic] || "—"],
      ["Абонентов", p.subscribers + ", жалоб: " + p.complaints],
      ["Почему это пятно", p.evidence_text || "—"], ["Очередь", p.queue || "—"],
      ["Приоритет", Number(p.priority).toFixed(1)]];
    for (const [name, value] of lines) box.appendChild(el("div", name + ": " + value));
    // when detection last confirmed it and whether it still takes complaints (Moscow time)
    if (p.confirmation_text) box.appendChild(el("div", p.confirmation_text, "intake"));
    const table = el("table");
    const parts = Object.entries(p.breakdown || {}).filter(([, v]) => v !== null)
      .sort((a, b) => b[1] - a[1]);
    for (const [factor, value] of parts) {
      const row = el("tr");
      row.appendChild(el("td", FACTOR_RU[factor] || factor));
      row.appendChild(el("td", Number(value).toFixed(1), "n"));
      table.appendChild(row);
    }
    box.appendChild(table);
    return box;
  }

  const spots = L.geoJSON(data.spots, {style: (f) => {
    const c = colour(f.properties.priority);
    return {color: c, fillColor: c, weight: 2, fillOpacity: 0.45, className: "spot"};
  }, onEachFeature: (f, layer) => {
    layer.bindTooltip(f.properties.id + ": приоритет " + Number(f.properties.priority).toFixed(1));
    layer.bindPopup(() => popup(f.properties), {maxWidth: 360});
  }}).addTo(map);

  const legend = L.control({position: "bottomright"});
  legend.onAdd = () => {
    const box = el("div", null, "legend");
    box.appendChild(el("strong", "Приоритет пятна"));
    box.appendChild(el("div", null, "bar"));
    const row = el("div", null, "row");
    row.appendChild(el("span", low.toFixed(1)));
    row.appendChild(el("span", high.toFixed(1)));
    box.appendChild(row);
    box.appendChild(el("div", "Пятен: " + data.spots.features.length + "; синие шестиугольники —"
      + " жалобы (ячейки, где меньше 3 разных абонентов, не показаны)"
      + (data.basemap ? "; серые точки — дома адресного реестра" : "")));
    return box;
  };
  legend.addTo(map);
  L.control.layers(null, {"Пятна": spots, "Жалобы (гексагоны)": hexes}, {collapsed: false})
    .addTo(map);

  const bounds = spots.getBounds().isValid() ? spots.getBounds() : hexes.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, {maxZoom: 16});
  else if (data.basemap && data.basemap.houses.length) {
    map.fitBounds(data.basemap.houses.map(([lat, lon]) => [lat, lon]));
  } else map.setView([55.75, 37.62], 10);
  document.body.dataset.ready = "1";
})();

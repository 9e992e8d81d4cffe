"""The agents' map page: one self-contained HTML document (no build step, no CDN needed).

The page draws spots coloured by priority, the complaint hex layer and sites. With
Leaflet reachable (``HEATMAP_API_LEAFLET_URL``) it uses Leaflet over OpenStreetMap
tiles; otherwise — or when that URL is empty — it draws the same layers as SVG,
with drag to pan and the wheel to zoom. The address box calls the lookup API and
shows the answer with the script text; a click on the map looks up that point.
The API key comes once as ``?key=…`` (then kept in sessionStorage and removed from
the address bar) or through the login field.
"""

from __future__ import annotations

import json

_PAGE = """<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Теплокарты — карта для операторов</title>
<style>
  :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2733; }
  body { margin: 0; display: flex; flex-direction: column; height: 100vh; }
  header { display: flex; align-items: center; gap: 1rem; padding: .5rem 1rem;
           background: #23395d; color: #fff; }
  header h1 { font-size: 1.1rem; margin: 0; flex: 1; }
  header button { background: transparent; color: #fff; border: 1px solid #fff8;
                  border-radius: 4px; cursor: pointer; }
  main { flex: 1; display: flex; min-height: 0; }
  #side { width: 24rem; max-width: 45vw; overflow-y: auto; padding: .75rem 1rem;
          border-right: 1px solid #d0d7de; box-sizing: border-box; }
  #map { flex: 1; position: relative; background: #eef2f5; min-height: 300px; }
  #map svg { width: 100%; height: 100%; display: block; cursor: grab; touch-action: none; }
  #map svg.dragging { cursor: grabbing; }
  form { display: flex; flex-wrap: wrap; gap: .4rem; margin-bottom: .75rem; }
  form input, form select, form textarea { flex: 1 1 100%; padding: .45rem; font: inherit;
                                            border: 1px solid #afb8c1; border-radius: 4px; }
  form button { padding: .45rem .9rem; font: inherit; border: 0; border-radius: 4px;
                background: #2f6feb; color: #fff; cursor: pointer; }
  #search input { flex: 1 1 12rem; }
  .panel { border: 1px solid #d0d7de; border-radius: 6px; padding: .6rem .75rem;
           margin-bottom: .75rem; }
  .spot { font-weight: 600; }
  .eta { font-size: 1.15rem; font-weight: 700; color: #b42318; margin: .3rem 0; }
  blockquote.script { margin: .5rem 0; padding: .5rem .75rem; background: #fff8e1;
                      border-left: 4px solid #f0b400; }
  .muted { color: #57606a; font-size: .9rem; }
  .error { color: #b42318; }
  .ok { color: #1a7f37; }
  #legend { font-size: .85rem; }
  #legend .bar { height: .6rem; border-radius: 3px;
                 background: linear-gradient(90deg, #fee08b, #fc8d59, #d73027); }
  #legend .row { display: flex; justify-content: space-between; }
  #mode { position: absolute; right: .5rem; bottom: .3rem; font-size: .75rem; color: #57606a;
          background: #fffc; padding: 0 .3rem; border-radius: 3px; z-index: 500; }
  ul.resolved { padding-left: 1.1rem; margin: .3rem 0; }
  .lines { white-space: pre-line; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<header>
  <h1>Теплокарты — проблемы связи по адресу</h1>
  <span id="who" class="muted"></span>
  <button id="logout" type="button" hidden>Выйти</button>
</header>
<main>
  <section id="side">
    <form id="login" hidden>
      <label for="key-input">API-ключ оператора</label>
      <input id="key-input" type="password" autocomplete="off" placeholder="hm_…" required>
      <button type="submit">Войти</button>
      <div id="login-error" class="error"></div>
    </form>
    <form id="search" role="search">
      <input id="address" name="address" type="search" autocomplete="off"
             placeholder="Адрес абонента: Вологда, ул. Мира, 1" aria-label="Адрес абонента">
      <button type="submit">Найти</button>
    </form>
    <div id="result" aria-live="polite"></div>
    <form id="complaint" class="panel" hidden>
      <strong>Зарегистрировать обращение</strong>
      <input id="c-msisdn" type="tel" placeholder="Номер абонента: +7 9XX XXX-XX-XX">
      <select id="c-segment" aria-label="Сегмент">
        <option value="mass">массовый</option><option value="premium">премиум</option>
        <option value="vip">VIP</option><option value="b2b">B2B</option>
        <option value="b2g">B2G</option>
      </select>
      <select id="c-topic" aria-label="Тема">
        <option value="">тема — по описанию</option>
        <option value="no_coverage">нет покрытия</option>
        <option value="weak_signal_indoor">слабый сигнал в помещении</option>
        <option value="dropped_calls">обрывы звонков</option>
        <option value="voice_quality">плохое качество голоса</option>
        <option value="slow_data">низкая скорость интернета</option>
        <option value="no_data">нет мобильного интернета</option>
        <option value="no_4g">нет 4G</option>
        <option value="sms_delivery">не доходят SMS</option>
      </select>
      <textarea id="c-description" rows="2" placeholder="Что говорит абонент"></textarea>
      <button type="submit">Зарегистрировать</button>
      <div id="c-result"></div>
    </form>
    <div id="legend" class="panel">
      <div><strong>Пятна</strong> — цвет по приоритету</div>
      <div class="bar"></div>
      <div class="row"><span id="p-low">ниже</span><span id="p-high">выше</span></div>
      <div class="muted" id="counts"></div>
      <div class="muted">Синие шестиугольники — жалобы (ячейки, где меньше 3 разных абонентов,
        не показываются); чёрные точки — базовые станции. Щелчок по карте — проверка точки.</div>
    </div>
  </section>
  <div id="map"><span id="mode"></span></div>
</main>
<script>
"use strict";
const API = "/api/v1";
const LEAFLET = __LEAFLET_URL__;
const KEY_ITEM = "heatmap.apiKey";
const OPEN = ["new", "queued", "in_progress", "reopened"];
const STATUS_RU = {new: "новое", queued: "в очереди", in_progress: "в работе",
  resolved: "решено", rejected: "отклонено", reopened: "переоткрыто", merged: "объединено"};
const CAUSE_RU = {equipment_failure: "неисправность оборудования", power: "электропитание",
  transport_link: "канал связи", capacity: "нехватка ёмкости", coverage_gap: "нет покрытия",
  planned_works: "плановые работы", known_outage: "авария"};
const PRECISION_RU = {point: "точка на карте", house: "дом", street: "улица (приблизительно)",
  settlement: "только населённый пункт", none: "адрес не найден"};
const $ = (id) => document.getElementById(id);
let apiKey = null;
let view = null;
let lastPlace = null;

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function takeKey() {
  const params = new URLSearchParams(location.search);
  const given = params.get("key");
  if (given) {
    sessionStorage.setItem(KEY_ITEM, given);
    params.delete("key");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  }
  return sessionStorage.getItem(KEY_ITEM);
}

class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.message || body.detail)) || ("HTTP " + status));
    this.status = status;
    this.body = body;
  }
}

// A refused key has already put its own message on the login form (api() below);
// any other failure of a layer load is shown there instead.
function loginFailed(err) {
  if (!(err instanceof ApiError && err.status === 401)) showLogin(err.message);
}

async function api(path, options) {
  const opts = Object.assign({}, options || {});
  opts.headers = Object.assign({"X-API-Key": apiKey || ""}, opts.headers || {});
  const response = await fetch(API + path, opts);
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (response.status === 401) {
    showLogin("Ключ не принят: " + ((body && body.message) || "войдите снова"));
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

function showLogin(message) {
  $("login").hidden = false;
  $("login-error").textContent = message || "";
  $("logout").hidden = true;
}

function priorityColour(p, low, high) {
  const t = high > low ? Math.min(1, Math.max(0, (p - low) / (high - low))) : 1;
  const stops = [[254, 224, 139], [252, 141, 89], [215, 48, 39]];
  const i = t < 0.5 ? 0 : 1;
  const u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
  const c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * u));
  return "rgb(" + c.join(",") + ")";
}

function rings(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return geometry.coordinates;
  if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
  return [];
}

/* ---------------------------------------------------------------- SVG map (offline) */
class SvgView {
  constructor(host, onPoint) {
    this.NS = "http://www.w3.org/2000/svg";
    this.onPoint = onPoint;
    this.K = 1000;
    this.cos = 1;
    this.svg = document.createElementNS(this.NS, "svg");
    this.svg.setAttribute("id", "svgmap");
    this.svg.setAttribute("role", "img");
    this.svg.setAttribute("aria-label", "Карта пятен");
    this.layers = {};
    for (const name of ["hexes", "spots", "sites", "marks"]) {
      const g = document.createElementNS(this.NS, "g");
      g.setAttribute("id", "layer-" + name);
      this.svg.appendChild(g);
      this.layers[name] = g;
    }
    host.appendChild(this.svg);
    this.box = {x: 0, y: 0, w: 1, h: 1};
    this.listen();
  }
  xy(lon, lat) { return [lon * this.cos * this.K, -lat * this.K]; }
  lonlat(x, y) { return [x / (this.cos * this.K), -y / this.K]; }
  apply() {
    const b = this.box;
    this.svg.setAttribute("viewBox", [b.x, b.y, b.w, b.h].join(" "));
  }
  fit(bounds) {
    if (!bounds) return;
    this.cos = Math.cos((bounds.minLat + bounds.maxLat) / 2 * Math.PI / 180);
    const [x0, y1] = this.xy(bounds.minLon, bounds.minLat);
    const [x1, y0] = this.xy(bounds.maxLon, bounds.maxLat);
    const pad = 0.05 * Math.max(x1 - x0, y1 - y0, 1);
    this.box = {x: x0 - pad, y: y0 - pad, w: (x1 - x0) + 2 * pad, h: (y1 - y0) + 2 * pad};
    this.apply();
  }
  path(geometry) {
    return rings(geometry).map((ring) => ring.map(([lon, lat], i) => {
      const [x, y] = this.xy(lon, lat);
      return (i ? "L" : "M") + x.toFixed(3) + " " + y.toFixed(3);
    }).join("") + "Z").join("");
  }
  shape(layer, geometry, style, title, id) {
    const p = document.createElementNS(this.NS, "path");
    p.setAttribute("d", this.path(geometry));
    p.setAttribute("fill", style.fill);
    p.setAttribute("fill-opacity", style.opacity);
    p.setAttribute("stroke", style.stroke);
    p.setAttribute("stroke-width", style.width || 1);
    p.setAttribute("vector-effect", "non-scaling-stroke");
    p.setAttribute("fill-rule", "evenodd");
    if (id) p.dataset.id = id;
    const t = document.createElementNS(this.NS, "title");
    t.textContent = title;
    p.appendChild(t);
    this.layers[layer].appendChild(p);
  }
  dot(layer, lon, lat, radius, fill, title) {
    const [x, y] = this.xy(lon, lat);
    const c = document.createElementNS(this.NS, "circle");
    c.setAttribute("cx", x); c.setAttribute("cy", y);
    c.setAttribute("r", radius * this.box.w / Math.max(this.svg.clientWidth, 1));
    c.setAttribute("fill", fill);
    c.setAttribute("stroke", "#fff");
    c.setAttribute("vector-effect", "non-scaling-stroke");
    const t = document.createElementNS(this.NS, "title");
    t.textContent = title;
    c.appendChild(t);
    this.layers[layer].appendChild(c);
    return c;
  }
  draw(data) {
    for (const g of Object.values(this.layers)) g.replaceChildren();
    this.fit(data.bounds);
    for (const f of data.hexes.features) {
      this.shape("hexes", f.geometry, {fill: "#3182bd", opacity: 0.15 + 0.5 * f.properties.share,
        stroke: "#3182bd", width: 0.5}, "Жалоб: " + f.properties.complaints + ", абонентов: "
        + f.properties.complainants);
    }
    for (const f of data.spots.features) {
      const colour = data.colour(f.properties.priority);
      this.shape("spots", f.geometry, {fill: colour, opacity: 0.55, stroke: colour, width: 2},
        spotTitle(f.properties), f.id);
    }
    for (const f of data.sites.features) {
      const [lon, lat] = f.geometry.coordinates;
      this.dot("sites", lon, lat, 3, "#111", "Базовая станция " + f.id);
    }
  }
  mark(lat, lon, label) {
    this.layers.marks.replaceChildren();
    const [x, y] = this.xy(lon, lat);
    const b = this.box;
    if (x < b.x || x > b.x + b.w || y < b.y || y > b.y + b.h) {
      this.box = {x: x - b.w / 2, y: y - b.h / 2, w: b.w, h: b.h};
      this.apply();
    }
    const c = this.dot("marks", lon, lat, 7, "#2f6feb", label);
    c.setAttribute("stroke-width", 2);
    c.setAttribute("id", "place-mark");
  }
  listen() {
    let drag = null;
    this.svg.addEventListener("pointerdown", (e) => {
      drag = {x: e.clientX, y: e.clientY, box: Object.assign({}, this.box), moved: false};
      this.svg.setPointerCapture(e.pointerId);
    });
    this.svg.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (!drag.moved) return;
      this.svg.classList.add("dragging");
      const scale = this.box.w / Math.max(this.svg.clientWidth, 1);
      this.box = Object.assign({}, drag.box, {x: drag.box.x - dx * scale, y: drag.box.y - dy * scale});
      this.apply();
    });
    this.svg.addEventListener("pointerup", (e) => {
      this.svg.classList.remove("dragging");
      const moved = drag && drag.moved;
      drag = null;
      if (moved) return;
      const pt = this.svg.createSVGPoint();
      pt.x = e.clientX; pt.y = e.clientY;
      const matrix = this.svg.getScreenCTM();
      if (!matrix) return;
      const p = pt.matrixTransform(matrix.inverse());
      const [lon, lat] = this.lonlat(p.x, p.y);
      this.onPoint(lat, lon);
    });
    this.svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      const factor = e.deltaY > 0 ? 1.25 : 0.8;
      const rect = this.svg.getBoundingClientRect();
      const fx = (e.clientX - rect.left) / Math.max(rect.width, 1);
      const fy = (e.clientY - rect.top) / Math.max(rect.height, 1);
      const b = this.box;
      const w = b.w * factor, h = b.h * factor;
      this.box = {x: b.x + (b.w - w) * fx, y: b.y + (b.h - h) * fy, w: w, h: h};
      this.apply();
    }, {passive: false});
  }
}

/* ---------------------------------------------------------------- Leaflet map (online) */
class LeafletView {
  constructor(host, onPoint) {
    const box = el("div");
    box.style.position = "absolute";
    box.style.inset = "0";
    host.appendChild(box);
    this.map = L.map(box);
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {maxZoom: 19,
      attribution: "&copy; OpenStreetMap contributors"}).addTo(this.map);
    this.groups = {};
    this.map.on("click", (e) => onPoint(e.latlng.lat, e.latlng.lng));
    this.marker = null;
  }
  draw(data) {
    for (const g of Object.values(this.groups)) g.remove();
    this.groups.hexes = L.geoJSON(data.hexes, {style: (f) => ({color: "#3182bd", weight: 0.5,
      fillColor: "#3182bd", fillOpacity: 0.15 + 0.5 * f.properties.share})}).addTo(this.map);
    this.groups.spots = L.geoJSON(data.spots, {style: (f) => {
      const c = data.colour(f.properties.priority);
      return {color: c, fillColor: c, weight: 2, fillOpacity: 0.5};
    }, onEachFeature: (f, layer) => layer.bindTooltip(el("div", "lines", spotTitle(f.properties)))})
      .addTo(this.map);
    this.groups.sites = L.geoJSON(data.sites, {pointToLayer: (f, ll) => L.circleMarker(ll,
      {radius: 3, color: "#111"}).bindTooltip("Базовая станция " + f.id)}).addTo(this.map);
    const b = data.bounds;
    if (b) this.map.fitBounds([[b.minLat, b.minLon], [b.maxLat, b.maxLon]]);
    else this.map.setView([55.75, 37.62], 10);
  }
  mark(lat, lon, label) {
    if (this.marker) this.marker.remove();
    this.marker = L.circleMarker([lat, lon], {radius: 8, color: "#2f6feb", weight: 3})
      .bindTooltip(label).addTo(this.map);
    this.map.panTo([lat, lon]);
  }
}

function spotTitle(p) {
  return "Пятно " + p.id + " — " + (STATUS_RU[p.status] || p.status) + ", приоритет "
    + Number(p.priority).toFixed(1) + (p.address ? ", " + p.address : "")
    + (p.evidence_text ? "\n" + p.evidence_text : "");
}

function loadLeaflet() {
  if (!LEAFLET) return Promise.resolve(false);
  return new Promise((resolve) => {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = LEAFLET + "/leaflet.css";
    document.head.appendChild(css);
    const js = document.createElement("script");
    js.src = LEAFLET + "/leaflet.js";
    const timer = setTimeout(() => resolve(false), 4000);
    js.onload = () => { clearTimeout(timer); resolve(typeof L !== "undefined"); };
    js.onerror = () => { clearTimeout(timer); resolve(false); };
    document.head.appendChild(js);
  });
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

async function loadLayers() {
  const statuses = OPEN.map((s) => "status=" + s).join("&");
  const empty = {type: "FeatureCollection", features: []};
  const [spots, hexes, sites] = await Promise.all([
    api("/spots?" + statuses),
    api("/hexes?res=8").catch(() => empty),
    api("/sites").catch(() => empty),
  ]);
  const priorities = spots.features.map((f) => f.properties.priority);
  const low = priorities.length ? Math.min(...priorities) : 0;
  const high = priorities.length ? Math.max(...priorities) : 1;
  const most = Math.max(1, ...hexes.features.map((f) => f.properties.complaints));
  for (const f of hexes.features) f.properties.share = f.properties.complaints / most;
  $("p-low").textContent = low.toFixed(1);
  $("p-high").textContent = high.toFixed(1);
  $("counts").textContent = "Открытых пятен: " + spots.features.length + "; ячеек жалоб: "
    + hexes.features.length + "; станций: " + sites.features.length;
  const bounds = boundsOf([spots, hexes]) || boundsOf([sites]);
  view.draw({spots, hexes, sites, bounds, colour: (p) => priorityColour(p, low, high)});
}

function showAnswer(a, asked) {
  const box = $("result");
  box.replaceChildren();
  const panel = el("div", "panel");
  panel.id = "answer";
  box.appendChild(panel);
  const where = a.matched_address || (a.point ? a.point.lat.toFixed(5) + ", "
    + a.point.lon.toFixed(5) : asked);
  panel.appendChild(el("div", "", "Адрес: " + where));
  panel.appendChild(el("div", "muted", "Точность: " + (PRECISION_RU[a.precision] || a.precision)
    + (a.reason ? " (" + a.reason + ")" : "")));
  if (a.spot) {
    const s = a.spot;
    panel.appendChild(el("div", "spot", "Пятно " + s.id + ": " + (STATUS_RU[s.status] || s.status)
      + (s.cause ? ", причина — " + (CAUSE_RU[s.cause] || s.cause) : "")
      + (s.covers ? "" : " (рядом, " + Math.round(s.distance_m) + " м)")));
    const eta = el("div", "eta", s.eta_text ? "Решение ожидается до " + s.eta_text
      : "Срок решения уточняется");
    eta.id = "eta";
    panel.appendChild(eta);
    if (s.evidence_text) panel.appendChild(el("div", "muted", s.evidence_text));
    const script = el("blockquote", "script", s.script);
    script.id = "script";
    panel.appendChild(script);
  } else if (a.point && a.precision !== "settlement") {
    panel.appendChild(el("div", "ok", "Известных работ по этому адресу нет —"
      + " зарегистрируйте обращение."));
  } else {
    panel.appendChild(el("div", "error", "Уточните адрес: по нему нельзя проверить пятна."));
  }
  if (a.recently_resolved && a.recently_resolved.length) {
    panel.appendChild(el("div", "muted", "Недавно решено рядом:"));
    const list = el("ul", "resolved");
    for (const r of a.recently_resolved) {
      list.appendChild(el("li", "", r.id + " — " + new Date(r.resolved_at).toLocaleDateString("ru-RU")
        + ", " + Math.round(r.distance_m) + " м" + (r.cause ? ", " + (CAUSE_RU[r.cause] || r.cause) : "")));
    }
    panel.appendChild(list);
  }
  if (a.point) view.mark(a.point.lat, a.point.lon, where);
  lastPlace = a.point ? {address: a.query.address || null, lat: a.point.lat, lon: a.point.lon}
    : null;
  $("complaint").hidden = !lastPlace;
  $("c-result").replaceChildren();
}

async function lookup(params, asked) {
  const box = $("result");
  box.replaceChildren(el("div", "muted", "Ищу…"));
  try {
    const answer = await api("/lookup?" + new URLSearchParams(params));
    showAnswer(answer, asked);
  } catch (e) {
    box.replaceChildren(el("div", "error", "Не удалось проверить: " + e.message));
  }
}

async function register(e) {
  e.preventDefault();
  if (!lastPlace) return;
  const out = $("c-result");
  const body = {
    ticket_id: "WEB-" + Date.now().toString(36).toUpperCase() + "-"
      + Math.random().toString(36).slice(2, 6).toUpperCase(),
    created_at: new Date().toISOString(),
    segment: $("c-segment").value,
    channel: "call_centre",
  };
  const msisdn = $("c-msisdn").value.trim();
  if (msisdn) body.msisdn = msisdn;
  if ($("c-topic").value) body.topic = $("c-topic").value;
  const text = $("c-description").value.trim();
  if (text) body.description = text;
  if (lastPlace.address) body.address = lastPlace.address;
  else { body.lat = lastPlace.lat; body.lon = lastPlace.lon; }
  try {
    const answer = await api("/complaints", {method: "POST", body: JSON.stringify(body),
      headers: {"Content-Type": "application/json"}});
    out.replaceChildren(el("div", "ok", "Обращение " + answer.ticket_id + " зарегистрировано"
      + (answer.spot ? " и присоединено к пятну " + answer.spot.id : "") + "."));
  } catch (err) {
    const reasons = err.body && Array.isArray(err.body.detail)
      ? err.body.detail.map((d) => d.msg).join("; ") : err.message;
    out.replaceChildren(el("div", "error", "Не зарегистрировано: " + reasons));
  }
}

async function start() {
  apiKey = takeKey();
  $("login").addEventListener("submit", (e) => {
    e.preventDefault();
    apiKey = $("key-input").value.trim();
    sessionStorage.setItem(KEY_ITEM, apiKey);
    $("login").hidden = true;
    $("logout").hidden = false;
    loadLayers().catch(loginFailed);
  });
  $("logout").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_ITEM);
    apiKey = null;
    showLogin("");
  });
  $("search").addEventListener("submit", (e) => {
    e.preventDefault();
    const address = $("address").value.trim();
    if (address) lookup({address: address}, address);
  });
  $("complaint").addEventListener("submit", register);
  const onPoint = (lat, lon) => lookup({lat: lat.toFixed(6), lon: lon.toFixed(6)},
    lat.toFixed(5) + ", " + lon.toFixed(5));
  const online = await loadLeaflet();
  view = online ? new LeafletView($("map"), onPoint) : new SvgView($("map"), onPoint);
  $("mode").textContent = online ? "Leaflet + OpenStreetMap" : "схема без подложки";
  document.body.dataset.ready = "1";
  if (!apiKey) { showLogin(""); return; }
  $("logout").hidden = false;
  try { await loadLayers(); } catch (err) {
    $("result").replaceChildren(el("div", "error", "Слои не загружены: " + err.message));
  }
  document.body.dataset.layers = "1";
}

start();
</script>
</body>
</html>
"""


def map_page(leaflet_url: str) -> str:
    """The page, with the Leaflet base URL (or "" to draw the map offline) filled in."""
    url = json.dumps(leaflet_url.rstrip("/")).replace("</", "<\\/")
    return _PAGE.replace("__LEAFLET_URL__", url)

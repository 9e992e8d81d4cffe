// The agents' page: log in with a key, look up an address or a point, read the answer
// (spot, cause, ETA — flagged when overdue — and the script), register the caller.
"use strict";

let apiKey = null;
let view = null;
let lastPlace = null;

// A refused key has already put its own message on the login form (api() below);
// any other failure of a layer load is shown there instead.
function loginFailed(err) {
  if (!(err instanceof ApiError && err.status === 401)) showLogin(err.message);
}

async function api(path, options) {
  const opts = Object.assign({}, options || {});
  opts.headers = Object.assign({"X-API-Key": apiKey || ""}, opts.headers || {});
  let response;
  try { response = await fetch(API + path, opts); } catch (e) { throw new ApiError(0, null); }
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (response.status === 401) showLogin("Ключ не принят: войдите снова");
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

function drawCoverageLegend(coverage) {
  const box = $("coverage-legend");
  box.replaceChildren();
  if (!coverage.features.length) {
    box.textContent = "замеров нет";
    return;
  }
  for (const band of SIGNAL_BANDS) {
    const item = el("span", "", band.label);
    item.style.setProperty("--c", band.colour);
    box.appendChild(item);
  }
}

async function loadLayers() {
  const statuses = OPEN.map((s) => "status=" + s).join("&");
  const empty = {type: "FeatureCollection", features: []};
  const [spots, hexes, sites, coverage] = await Promise.all([
    api("/spots?" + statuses),
    api("/hexes?res=8").catch(() => empty),
    api("/sites").catch(() => empty),
    api("/coverage").catch(() => empty),
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
  drawCoverageLegend(coverage);
  const bounds = boundsOf([spots, hexes]) || boundsOf([sites]) || boundsOf([coverage]);
  view.draw({spots, hexes, sites, coverage, bounds, showCoverage: $("coverage-on").checked,
    colour: (p) => priorityColour(p, low, high)});
}

function etaLine(s) {
  const eta = el("div", "eta");
  eta.id = "eta";
  if (!s.eta_text) {
    eta.classList.add("unknown");  // no news yet: not the green of a set ETA
    eta.textContent = "Срок решения уточняется";
  } else if (s.eta_overdue) {
    eta.classList.add("overdue");
    eta.appendChild(el("span", "badge", "срок прошёл"));
    eta.appendChild(document.createTextNode("Решение ожидалось до " + s.eta_text
      + " — работы продолжаются, срок уточняется"));
  } else {
    eta.textContent = "Решение ожидается до " + s.eta_text;
  }
  return eta;
}

function causeLine(s) {
  if (!s.cause) return "причина не установлена";
  return "причина — " + (s.cause_text || CAUSE_RU[s.cause] || "иная")
    + (s.cause_confirmed === false ? " (предварительно)" : "");
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
  const precision = el("div", "muted", "Точность: " + (PRECISION_RU[a.precision] || a.precision)
    + (a.reason ? " (" + reasonRu(a.reason) + ")" : ""));
  precision.id = "precision";
  panel.appendChild(precision);
  if (a.spot) {
    const s = a.spot;
    panel.appendChild(el("div", "spot", "Пятно " + s.id + ": " + (STATUS_RU[s.status] || s.status)
      + ", " + causeLine(s) + (s.covers ? "" : " (рядом, " + Math.round(s.distance_m) + " м)")));
    panel.appendChild(etaLine(s));
    const script = el("blockquote", "script", s.script);
    script.id = "script";
    panel.appendChild(script);
    if (s.evidence_text) panel.appendChild(el("div", "muted", s.evidence_text));
    if (s.confirmation_text) {
      const intake = el("div", "muted", s.confirmation_text);
      intake.id = "intake";
      panel.appendChild(intake);
    }
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
        + ", " + Math.round(r.distance_m) + " м, " + causeLine(r)));
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
    out.replaceChildren(el("div", "error", "Не зарегистрировано: " + err.message));
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
  $("coverage-on").addEventListener("change", (e) => view && view.showCoverage(e.target.checked));
  const onPoint = (lat, lon) => lookup({lat: lat.toFixed(6), lon: lon.toFixed(6)},
    lat.toFixed(5) + ", " + lon.toFixed(5));
  if (typeof L === "undefined") {
    $("map").appendChild(el("div", "error", "Библиотека карты не загрузилась"));
  } else {
    const tiles = {url: document.body.dataset.tiles, attribution: document.body.dataset.attribution};
    view = new MapView($("map"), api, onPoint, tiles);
    view.onBasemap = (err) => {
      $("mode").textContent = err ? "подложка не загружена: " + err.message
        : (tiles.url ? "" : "подложка: адресный реестр");
      document.body.dataset.basemap = err ? "failed" : "1";
    };
    $("mode").textContent = tiles.url ? "" : "подложка: адресный реестр";
  }
  document.body.dataset.ready = "1";
  if (!apiKey) { showLogin(""); return; }
  $("logout").hidden = false;
  try { if (view) await loadLayers(); } catch (err) {
    $("result").replaceChildren(el("div", "error", "Слои не загружены: " + err.message));
  }
  document.body.dataset.layers = "1";
}

start();

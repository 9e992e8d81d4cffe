// The engineers' pages: queues → a queue's spots by priority → one spot and its actions.
// Everything comes from the REST API with the key kept for the tab (as on /map); a change
// another engineer made meanwhile (409) is said plainly, with a button to reload.
"use strict";

let apiKey = null;
let current = null;   // the spot on screen, as the API gave it
let spotMap = null;   // the MapView of the spot page (Leaflet installed with the package)
let queueTitles = {};
let keepNotice = false;  // a notice set just before moving to another view stays there

function link(href, text, id) {
  const a = el("a", "", text);
  a.href = href;
  if (id) a.dataset.id = id;
  return a;
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
  document.body.dataset.loaded = "login";
}

function row(cells, id) {
  const tr = document.createElement("tr");
  if (id) tr.dataset.id = id;
  for (const [label, value] of cells) {
    const td = document.createElement("td");
    td.dataset.label = label;
    if (value instanceof Node) td.appendChild(value); else td.textContent = value ?? "";
    tr.appendChild(td);
  }
  return tr;
}

function fill(tableId, rows, emptyText) {
  const body = $(tableId).tBodies[0] || $(tableId).appendChild(document.createElement("tbody"));
  body.replaceChildren(...rows);
  if (!rows.length && emptyText) {
    const tr = row([["", emptyText]]);
    tr.firstChild.colSpan = $(tableId).tHead ? $(tableId).tHead.rows[0].cells.length : 2;
    tr.className = "empty";
    body.appendChild(tr);
  }
}

function crumbs(parts) {
  const nav = $("crumbs");
  nav.replaceChildren();
  parts.forEach(([href, text], i) => {
    if (i) nav.appendChild(document.createTextNode(" › "));
    nav.appendChild(href ? link(href, text) : el("span", "", text));
  });
}

function notice(kind, text, withReload) {
  const box = $("notice");
  box.replaceChildren();
  if (!text) return;
  const line = el("div", "panel " + kind, text);
  line.id = kind === "conflict" ? "conflict" : "";
  if (withReload) {
    const again = el("button", "", "Обновить");
    again.type = "button";
    again.addEventListener("click", () => { notice(); route(); });
    line.appendChild(document.createTextNode(" "));
    line.appendChild(again);
  }
  box.appendChild(line);
}

// --- views -------------------------------------------------------------------------------
function show(view) {
  for (const id of ["queues-view", "queue-view", "spot-view"]) $(id).hidden = id !== view;
  $("refreshed").hidden = view === "spot-view";
  document.body.dataset.view = view.replace("-view", "");
  document.body.dataset.loaded = "";
}

function loaded(focusId) {
  document.body.dataset.loaded = "1";
  const target = $(focusId);
  if (target && !target.contains(document.activeElement)) {
    target.tabIndex = -1;
    target.focus({preventScroll: true});
  }
}

async function showQueues(quiet) {
  if (!quiet) show("queues-view");
  const queues = await api("/queues");
  if (!quiet) crumbs([[null, "Очереди"]]);
  queueTitles = Object.fromEntries(queues.map((q) => [q.name, q.title]));
  fill("queues", queues.map((q) => row([
    ["Очередь", link("#/queue/" + encodeURIComponent(q.name), q.title, q.name)],
    ["Открыто", String(q.open)],
    ["Просрочено", q.breached ? el("span", "late", String(q.breached)) : "0"],
    ["Срок сегодня", q.due_today ? el("span", "soon", String(q.due_today)) : "0"],
    ["SLA, ч", String(q.sla_hours)],
  ], q.name)), "Очередей нет");
  refreshed();
  if (!quiet) loaded("queues-view");
}

async function showQueue(name, quiet) {
  if (!quiet) show("queue-view");
  const view = await api("/queues/" + encodeURIComponent(name));
  queueTitles[name] = view.title;
  if (!quiet) crumbs([["#/", "Очереди"], [null, view.title]]);
  $("queue-title").textContent = view.title;
  const late = view.spots.filter((s) => s.breached).length;
  $("queue-note").textContent = "Открытых пятен: " + view.spots.length + ", просрочено: " + late
    + ". SLA очереди — " + view.sla_hours + " ч. Сверху — самые важные; время московское.";
  fill("queue", view.spots.map((s, i) => row([
    ["№", String(i + 1)],
    ["Пятно", link("#/spot/" + encodeURIComponent(s.id), s.id, s.id)],
    ["Статус", STATUS_RU[s.status] || s.status],
    ["Приоритет", Number(s.priority).toFixed(1)],
    ["До конца SLA", slaCell(s.sla_left_hours)],
    ["Возраст", s.age_hours === null ? "—" : span(s.age_hours)],
    ["Абонентов", String(s.subscribers)],
    ["Характер", trendCell(s.trend)],
    ["Адрес", s.address || "—"],
    ["Инженер", s.engineer || "—"],
    ["Срок решения", etaCell(s.eta, s.status)],
  ], s.id)), "В очереди нет открытых пятен");
  refreshed();
  if (!quiet) loaded("queue-title");
}

function fact(list, term, value, id) {
  list.appendChild(el("dt", "", term));
  const dd = el("dd");
  if (id) dd.id = id;
  if (value instanceof Node) dd.appendChild(value); else dd.textContent = value ?? "—";
  list.appendChild(dd);
}

function causeText(p) {
  if (p.cause) return CAUSES[p.cause] || CAUSE_RU[p.cause] || p.cause;
  if (p.suggested_cause) {
    return "не установлена (по данным сети похоже на: "
      + (CAUSES[p.suggested_cause] || CAUSE_RU[p.suggested_cause] || p.suggested_cause) + ")";
  }
  return "не установлена";
}

function drawFacts(spot) {
  const p = spot.properties;
  const list = $("facts");
  list.replaceChildren();
  fact(list, "Статус", STATUS_RU[p.status] || p.status, "f-status");
  if (p.merged_into) {
    fact(list, "Объединено с", link("#/spot/" + encodeURIComponent(p.merged_into),
      "пятном " + p.merged_into, p.merged_into));
  }
  fact(list, "Очередь", queueTitles[p.queue] || p.queue || "—");
  fact(list, "Приоритет", Number(p.priority).toFixed(1));
  fact(list, "До конца SLA", OPEN.includes(p.status) ? slaCell(spot.sla_left_hours) : "—");
  fact(list, "Инженер", p.engineer || "не назначен", "f-engineer");
  fact(list, "Причина", causeText(p), "f-cause");
  fact(list, "Срок решения", etaCell(p.eta, p.status), "f-eta");
  fact(list, "Абонентов / обращений", p.subscribers + " / " + p.complaints);
  fact(list, "Характер", trendCell(p.trend));
  fact(list, "Адрес", p.address || "—");
  fact(list, "Почему это пятно", spot.evidence_text || "—");
  if (p.kind !== "known_issue") {
    fact(list, "Подтверждено детекцией", when(spot.confirmed_at) || "—", "f-confirmed");
  }
  fact(list, "Принимает жалобы", intakeCell(spot, p), "f-intake");
  fact(list, "Жалобы с", when(p.first_complaint_at) + " по " + when(p.last_complaint_at));
  fact(list, "Оператор говорит абоненту", spot.script || "—");
}

// Whether a complaint made now joins the spot (the server's clock and the join's rule).
function intakeCell(spot, p) {
  if (p.kind === "known_issue") {
    return spot.taking_complaints ? "все жалобы внутри области (известная проблема)"
      : "нет — известная проблема закрыта";
  }
  if (!OPEN.includes(p.status)) return el("span", "muted", "нет — пятно закрыто");
  const until = spot.taking_complaints_until;
  if (spot.taking_complaints) return until ? "да, до " + when(until) : "да";
  return el("span", "late", "нет с " + when(until) + " — пока детекция не найдёт пятно снова");
}

const ACTIONS = {take: ["new", "queued", "reopened"], eta: OPEN, resolve: ["in_progress"],
  reject: OPEN, reopen: ["resolved", "rejected"]};

function drawActions(p) {
  let any = false;
  for (const [action, statuses] of Object.entries(ACTIONS)) {
    const allowed = statuses.includes(p.status);
    $(action + "-form").hidden = !allowed;
    any = any || allowed;
  }
  $("no-actions").hidden = any;
  if (!$("eta-at").value) $("eta-at").value = etaText(new Date(Date.now() + 864e5));
}

function drawBreakdown(p) {
  const parts = Object.entries(p.breakdown || {}).sort((a, b) => b[1] - a[1]);
  fill("breakdown", parts.map(([k, v]) => row([["Фактор", FACTOR_RU[k] || k],
    ["Вклад", Number(v).toFixed(1)]])), "Разбивки нет");
}

function drawNetwork(network, alarms) {
  const box = $("network");
  box.replaceChildren();
  $("alarms").hidden = true;
  if (!network) {
    box.appendChild(el("p", "muted", "Данных о сети нет (загрузите: heatmap network load)."));
    return;
  }
  const sites = network.sites || [];
  box.appendChild(el("p", "", sites.length ? "Станции в зоне обслуживания (" + sites.length
    + "): " + sites.join(", ") : "Станций в зоне обслуживания нет"));
  if (!alarms.length) {
    box.appendChild(el("p", "muted", "Аварий на этих станциях нет"));
    return;
  }
  const during = alarms.filter((a) => a.during_complaints).length;
  box.appendChild(el("p", during ? "late" : "", "Аварий на станциях: " + alarms.length
    + (during ? ", из них во время жалоб: " + during : ", во время жалоб — ни одной")
    + ". Сверху — самые тяжёлые."));
  $("alarms").hidden = false;
  fill("alarms", alarms.map((a) => row([
    ["Станция", a.site_id + " · " + Math.round(a.distance_m) + " м"],
    ["Важность", el("span", "severity severity-" + (a.severity || "none"),
      SEVERITY_RU[a.severity] || a.severity || "не указана")],
    ["Поднята", alarmTimes(a)],
    ["Текст", alarmText(a)],
  ], a.site_id)));
}

// When an alarm was raised, whether it is still on and whether it overlapped the complaints.
function alarmTimes(a) {
  const box = el("span", "", when(a.start));
  box.appendChild(a.active ? el("span", "late alarm-line", "активна")
    : el("span", "muted alarm-line", "снята " + when(a.end)));
  if (a.during_complaints) box.appendChild(el("span", "alarm-line during", "во время жалоб"));
  return box;
}

function alarmText(a) {
  const box = el("span", "", a.text || "—");
  box.appendChild(el("span", "muted alarm-line", ALARM_RU[a.kind] || a.kind || ""));
  return box;
}

function drawTables(spot) {
  $("complaints-count").textContent = "(" + spot.complaints.length + ")";
  fill("complaints", spot.complaints.map((c) => row([
    ["Время", when(c.created_at)], ["Номер", c.msisdn || "—"],
    ["Сегмент", SEGMENT_RU[c.segment] || c.segment || ""],
    ["Тема", TOPIC_RU[c.topic] || c.topic || ""],
    ["Адрес", c.matched_address || c.address || ""], ["Описание", c.description || ""],
  ], c.ticket_id)), "Обращений нет");
  fill("history", spot.history.slice().reverse().map((e) => row([
    ["Когда", when(e.at)], ["Событие", eventText(e)], ["Кто", e.actor || ""],
    ["Комментарий", e.note || ""]])), "Событий нет");
  fill("eta-history", spot.eta_history.slice().reverse().map((e) => row([
    ["Когда", when(e.at)], ["Срок", when(e.eta)], ["Кто", e.actor || ""],
    ["Комментарий", e.note || ""]])), "Срок ещё не устанавливали");
}

// An event as the API titles it (in Russian), with the statuses or the date it set.
function eventText(e) {
  if (e.kind === "transition" || e.from_status || e.to_status) {
    const from = e.from_status ? (STATUS_RU[e.from_status] || e.from_status) + " → " : "";
    return e.title + ": " + from + (STATUS_RU[e.to_status] || e.to_status || "");
  }
  if (e.kind === "eta") return e.title + ": " + when(e.eta);
  return e.title;
}

async function showSpot(id) {
  show("spot-view");
  const spot = await api("/spots/" + encodeURIComponent(id));
  current = spot;
  const p = spot.properties;
  if (p.queue && !queueTitles[p.queue]) {
    try { await showTitles(); } catch (e) { /* the titles are a nicety */ }
  }
  crumbs([["#/", "Очереди"], p.queue ? ["#/queue/" + encodeURIComponent(p.queue),
    queueTitles[p.queue] || p.queue] : [null, "без очереди"], [null, "Пятно " + p.id]]);
  $("spot-title").textContent = "Пятно " + p.id + " — " + (STATUS_RU[p.status] || p.status);
  drawFacts(spot);
  drawActions(p);
  drawBreakdown(p);
  drawNetwork(spot.network, spot.alarms || []);
  drawTables(spot);
  document.body.dataset.spot = p.id;
  document.body.dataset.status = p.status;
  loaded("spot-title");
  drawSpotMap(spot).catch((err) => { $("map-note").textContent = "Карта: " + err.message; });
  drawSignal(p.id).catch((err) => { $("signal").textContent = "Замеры не загружены: " + err.message; });
}

async function showTitles() {
  const queues = await api("/queues");
  queueTitles = Object.fromEntries(queues.map((q) => [q.name, q.title]));
}

// --- routing -----------------------------------------------------------------------------
async function route() {
  if (!apiKey) { showLogin(""); return; }
  const m = (location.hash || "#/").match(/^#\/(queue|spot)\/(.+)$/);
  try {
    if (!m) await showQueues();
    else if (m[1] === "queue") await showQueue(decodeURIComponent(m[2]));
    else await showSpot(decodeURIComponent(m[2]));
  } catch (err) {
    if (err.status === 401) return;
    if (err.status === 403) {
      showLogin("Этому ключу страницы инженеров недоступны: нужен ключ инженера или администратора");
      return;
    }
    notice("error", err.status === 404 ? "Не найдено: возможно, пятно объединено с другим"
      : "Не загружено: " + err.message);
    document.body.dataset.loaded = "error";
  }
}

function start() {
  apiKey = takeKey();
  $("login").addEventListener("submit", (e) => {
    e.preventDefault();
    apiKey = $("key-input").value.trim();
    sessionStorage.setItem(KEY_ITEM, apiKey);
    $("login").hidden = true;
    $("logout").hidden = false;
    route();
  });
  $("logout").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_ITEM);
    apiKey = null;
    showLogin("");
  });
  wire();
  window.addEventListener("hashchange", () => {
    if (!keepNotice) notice();
    keepNotice = false;
    route();
  });
  $("logout").hidden = !apiKey;
  route();
  setInterval(refreshQueues, REFRESH_MS);
}

start();

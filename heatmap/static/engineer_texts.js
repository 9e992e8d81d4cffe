// Words of the engineers' pages beyond those the agents' page shares (texts_ru.js).
"use strict";

// The policy's causes, as the page lists them for resolving (rendered into the select).
const CAUSES = Object.fromEntries(Array.from(document.querySelectorAll("#resolve-cause option"))
  .filter((o) => o.value).map((o) => [o.value, o.textContent.trim()]));

const TREND_RU = {new: "острое: новое", intensifying: "острое: растёт",
  persistent: "хроническое", diminishing: "затухает"};

const TOPIC_RU = {no_coverage: "нет покрытия", weak_signal_indoor: "слабый сигнал в помещении",
  dropped_calls: "обрывы звонков", voice_quality: "качество голоса",
  slow_data: "низкая скорость интернета", no_data: "нет мобильного интернета", no_4g: "нет 4G",
  sms_delivery: "не доходят SMS"};

const SEGMENT_RU = {mass: "массовый", premium: "премиум", vip: "VIP", b2b: "B2B", b2g: "B2G"};

const FACTOR_RU = {excess: "жалоб больше ожидаемого", complainants: "число жалующихся",
  segment: "сегменты абонентов", topic: "тяжесть темы", ltv: "ценность абонентов (LTV)",
  recency: "свежесть жалоб", growth: "рост за сутки", escalation: "эскалация (быстрый рост)"};

const SEVERITY_RU = {critical: "критическая", major: "крупная", minor: "незначительная",
  warning: "предупреждение"};

const ALARM_RU = {power: "электропитание", equipment: "оборудование",
  transport_link: "канал связи", capacity: "ёмкость"};

// Times are shown in Moscow time, as dates are given.
const MOSCOW = new Intl.DateTimeFormat("ru-RU", {timeZone: "Europe/Moscow", day: "2-digit",
  month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit"});
const MOSCOW_DAY = new Intl.DateTimeFormat("en-CA", {timeZone: "Europe/Moscow",
  year: "numeric", month: "2-digit", day: "2-digit"});
const MOSCOW_CLOCK = new Intl.DateTimeFormat("en-GB", {timeZone: "Europe/Moscow",
  hour: "2-digit", minute: "2-digit", hourCycle: "h23"});

function when(iso) { return iso ? MOSCOW.format(new Date(iso)) : ""; }

function span(hoursValue) {
  const h = Math.abs(hoursValue);
  if (h < 1) return Math.round(h * 60) + " мин";
  if (h < 48) return Math.round(h) + " ч";
  return Math.floor(h / 24) + " д " + Math.round(h % 24) + " ч";
}

function slaCell(hoursLeft) {
  if (hoursLeft === null || hoursLeft === undefined) return el("span", "muted", "—");
  if (hoursLeft < 0) return el("span", "late", "просрочено на " + span(hoursLeft));
  return el("span", hoursLeft < 4 ? "soon" : "", span(hoursLeft));
}

function trendCell(trend) {
  const label = TREND_RU[trend];
  if (!label) return el("span", "muted", "—");
  return el("span", "trend trend-" + trend, label);
}

// The ETA, flagged when it has passed on an open spot.
function etaCell(iso, status) {
  if (!iso) return el("span", "muted", "не установлен");
  const overdue = OPEN.includes(status) && new Date(iso) < new Date();
  return el("span", overdue ? "late" : "", when(iso) + (overdue ? " — срок прошёл" : ""));
}

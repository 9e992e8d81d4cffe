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

const EVENT_RU = {created: "создано", transition: "статус", eta: "срок", joined: "новые обращения",
  merged: "объединено", absorbed: "присоединило соседнее пятно", split: "выделено из другого",
  grown: "выросло", lineage: "изменение границ",
  routed: "направлено в очередь", reopened: "переоткрыто"};

const SEVERITY_RU = {critical: "критическая", major: "крупная", minor: "незначительная",
  warning: "предупреждение"};

const ALARM_RU = {power: "электропитание", equipment: "оборудование",
  transport_link: "канал связи", capacity: "ёмкость"};

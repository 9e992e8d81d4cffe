// Every word the agents' page shows, in Russian: the API speaks English codes and reasons.
"use strict";

const STATUS_RU = {new: "новое", queued: "в очереди", in_progress: "в работе",
  resolved: "решено", rejected: "отклонено", reopened: "переоткрыто", merged: "объединено"};

const CAUSE_RU = {equipment_failure: "неисправность оборудования", power: "электропитание",
  transport_link: "канал связи", capacity: "нехватка ёмкости", coverage_gap: "нет покрытия",
  planned_works: "плановые работы", known_outage: "авария", radio_tuning: "настройка радиосети",
  interference: "помехи", no_fault_found: "неисправность не найдена",
  not_a_network_problem: "не проблема сети", device_or_sim: "телефон или SIM-карта абонента",
  duplicate: "дубликат"};

const PRECISION_RU = {point: "точка на карте", house: "дом", street: "улица (приблизительно)",
  settlement: "только населённый пункт", none: "адрес не найден"};

const FIELD_RU = {ticket_id: "номер обращения", created_at: "время", msisdn: "номер абонента",
  segment: "сегмент", topic: "тема", description: "описание", address: "адрес",
  lat: "широта", lon: "долгота", channel: "канал"};

// The geocoder's reasons (heatmap/geocode) as the page says them.
const REASONS_RU = [
  [/^empty address$/, () => "адрес пустой"],
  [/^not a Russian address/, () => "адрес не на русском языке"],
  [/^no address parts recognised$/, () => "не удалось разобрать адрес"],
  [/^region '(.*)' is not in the gazetteer$/, (m) => "регион «" + m[1] + "» не найден в справочнике"],
  [/^settlement '(.*)' is not in the gazetteer$/,
    (m) => "населённый пункт «" + m[1] + "» не найден в справочнике"],
  [/^settlement not in the gazetteer/,
    () => "населённый пункт не найден в справочнике (или не в указанном регионе)"],
  [/^street '(.*)' is in several settlements/,
    (m) => "улица «" + m[1] + "» есть в нескольких населённых пунктах — укажите город"],
  [/^street '(.*)' not found \(no settlement given\)$/,
    (m) => "улица «" + m[1] + "» не найдена (город не указан)"],
  [/^street '(.*)' not found/, (m) => "улица «" + m[1] + "» не найдена"],
  [/^no settlement recognised$/, () => "населённый пункт не распознан"],
  [/^settlement '(.*)' is ambiguous \((\d+) places\)$/,
    (m) => "«" + m[1] + "» — таких населённых пунктов " + m[2] + ", уточните регион"],
  [/^not found by (.*)$/, (m) => "не найден сервисом " + m[1]],
  [/^provider error/, () => "сервис геокодирования не ответил"],
  [/answer too coarse/, () => "сервис геокодирования нашёл только примерное место"],
  [/^internal error/, () => "внутренняя ошибка геокодера"],
];

function reasonRu(reason) {
  if (!reason) return "";
  for (const [pattern, say] of REASONS_RU) {
    const m = String(reason).match(pattern);
    if (m) return say(m);
  }
  // a geocoder that already speaks Russian is passed through; anything else is not shown
  return /[А-Яа-яЁё]/.test(reason) && !/[A-Za-z]{3,}/.test(reason) ? String(reason)
    : "адрес не распознан";
}

// What a failed call means to an agent; the server's English message is not shown.
function failureRu(status, body) {
  if (status === 0) return "нет связи с сервером";
  if (status === 401) return "ключ не принят — войдите снова";
  if (status === 403) return "у этого ключа нет доступа";
  if (status === 503) {
    const text = (body && (body.message || body.detail)) || "";
    if (/gazetteer/i.test(String(text))) return "поиск по адресу не настроен: нет справочника адресов";
    return "сервис временно недоступен";
  }
  if (status === 422 || status === 400) {
    const detail = body && body.detail;
    if (Array.isArray(detail) && detail.length) {
      const fields = detail.map((d) => {
        const name = Array.isArray(d.loc) ? d.loc[d.loc.length - 1] : "";
        return FIELD_RU[name] || name;
      }).filter(Boolean);
      if (fields.length) return "проверьте поля: " + Array.from(new Set(fields)).join(", ");
    }
    return "запрос не принят: проверьте введённые данные";
  }
  if (status === 409) return "данные изменились — обновите страницу";
  if (status === 429) return "слишком много запросов, повторите через минуту";
  return "ошибка сервера (код " + status + ")";
}

// Median signal levels of drive tests (dBm): colour by the usual RSRP bands.
const SIGNAL_BANDS = [
  {from: -80, colour: "#1a9850", label: "≥ −80"},
  {from: -90, colour: "#91cf60", label: "−90…−80"},
  {from: -100, colour: "#fee08b", label: "−100…−90"},
  {from: -110, colour: "#fc8d59", label: "−110…−100"},
  {from: -Infinity, colour: "#d73027", label: "< −110"},
];

function signalColour(dbm) {
  for (const band of SIGNAL_BANDS) if (dbm >= band.from) return band.colour;
  return SIGNAL_BANDS[SIGNAL_BANDS.length - 1].colour;
}

// The engineers' spot actions: take, ETA, resolve, reject, reopen. Each is sent with the
// spot's updated_at as If-Match, so a change made meanwhile is a 409, shown plainly.
"use strict";

const RULES_RU = [
  [/already passed/, "Этот срок уже прошёл — укажите более поздние дату и время"],
  [/needs a cause|unknown cause/, "Выберите причину из списка"],
  [/needs a reason/, "Укажите, почему пятно отклоняется"],
  [/must be a date/, "Срок не распознан: укажите дату и время"],
];

// "ДД.ММ.ГГГГ ЧЧ:ММ" in Moscow time → {eta: "ГГГГ-ММ-ДДTЧЧ:ММ"} as the API reads a time
// without a zone (Moscow time), or {error} said in Russian. Typed in any browser locale.
function readEta(text, now) {
  const m = text.trim().match(/^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[\s,]+(\d{1,2})[:.](\d{2}))?$/);
  const example = etaText(new Date(now.getTime() + 864e5));
  if (!m) return {error: "Срок не распознан: введите дату и время как ДД.ММ.ГГГГ ЧЧ:ММ, например " + example};
  if (m[4] === undefined) return {error: "Укажите и время: ДД.ММ.ГГГГ ЧЧ:ММ, например " + example};
  const [day, month, year, hour, minute] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) {
    return {error: "Такой даты нет: " + m[1] + "." + m[2] + "." + m[3]};
  }
  if (hour > 23 || minute > 59) return {error: "Такого времени нет: " + m[4] + ":" + m[5]};
  const pad = (n) => String(n).padStart(2, "0");
  const eta = year + "-" + pad(month) + "-" + pad(day) + "T" + pad(hour) + ":" + pad(minute);
  const moscowNow = MOSCOW_DAY.format(now) + "T" + MOSCOW_CLOCK.format(now);
  if (eta <= moscowNow) return {error: "Этот срок уже прошёл — укажите более поздние дату и время"};
  return {eta};
}

// A day as the ETA field takes it, 18:00 Moscow time: "25.12.2026 18:00".
function etaText(day) {
  const [year, month, date] = MOSCOW_DAY.format(day).split("-");
  return date + "." + month + "." + year + " 18:00";
}

async function act(action, body, done) {
  const p = current.properties;
  const out = $("action-result");
  out.replaceChildren();
  notice();
  try {
    await api("/spots/" + encodeURIComponent(p.id) + "/" + action, {method: "POST",
      body: JSON.stringify(body || {}),
      headers: {"Content-Type": "application/json", "If-Match": p.updated_at}});
  } catch (err) {
    if (err.status === 409) {
      notice("conflict", "Кто-то уже изменил это пятно, пока вы его смотрели. Обновите страницу,"
        + " чтобы увидеть его текущее состояние.", true);
      $("notice").focus();
      return;
    }
    if (err.status === 403) {
      out.appendChild(el("div", "error", "Менять пятна может только инженер или администратор"));
      return;
    }
    const said = String((err.body && err.body.message) || "");
    const rule = RULES_RU.find(([pattern]) => pattern.test(said));
    out.appendChild(el("div", "error", rule ? rule[1] : "Не выполнено: " + err.message));
    return;
  }
  done(p);
}

function wire() {
  $("take-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const note = $("take-note").value.trim();
    act("take", note ? {note} : {}, () => { notice("ok", "Пятно взято в работу"); route(); });
  });
  $("eta-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const read = readEta($("eta-at").value, new Date());
    $("eta-error").textContent = read.error || "";
    $("eta-at").setAttribute("aria-invalid", read.error ? "true" : "false");
    if (read.error) { $("eta-at").focus(); return; }
    const note = $("eta-note").value.trim();
    const body = {eta: read.eta};
    if (note) body.note = note;
    act("eta", body, () => { notice("ok", "Срок решения установлен"); route(); });
  });
  $("resolve-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const note = $("resolve-note").value.trim();
    const body = {cause: $("resolve-cause").value};
    if (note) body.note = note;
    act("resolve", body, (p) => {
      notice("ok", "Пятно " + p.id + " решено: абонентам уйдут SMS");
      keepNotice = true;
      location.hash = p.queue ? "#/queue/" + encodeURIComponent(p.queue) : "#/";
    });
  });
  $("reject-form").addEventListener("submit", (e) => {
    e.preventDefault();
    act("reject", {reason: $("reject-reason").value.trim()}, (p) => {
      notice("ok", "Пятно " + p.id + " отклонено");
      keepNotice = true;
      location.hash = p.queue ? "#/queue/" + encodeURIComponent(p.queue) : "#/";
    });
  });
  $("reopen-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const note = $("reopen-note").value.trim();
    act("reopen", note ? {note} : {}, () => { notice("ok", "Пятно открыто снова"); route(); });
  });
  $("reload").addEventListener("click", () => { notice(); route(); });
  // arrows move between the rows of a list; Escape goes one level up
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !e.target.closest("form")) {
      const up = $("crumbs").querySelectorAll("a");
      if (up.length) { up[up.length - 1].click(); e.preventDefault(); }
      return;
    }
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const table = e.target.closest("table.grid");
    if (!table || e.target.tagName !== "A") return;
    const links = Array.from(table.querySelectorAll("tbody a"));
    const next = links[links.indexOf(e.target) + (e.key === "ArrowDown" ? 1 : -1)];
    if (next) { next.focus(); e.preventDefault(); }
  });
}

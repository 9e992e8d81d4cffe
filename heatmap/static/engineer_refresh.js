// The queue pages refresh by themselves every minute, keeping the engineer's scroll position
// and focused row, and wait while a form or dialog is in use. Loaded before engineer.js,
// whose showQueues/showQueue it calls.
"use strict";

const REFRESH_MS = 60_000;

// "обновлено ЧЧ:ММ" (Moscow time) under the crumbs of a queue page.
function refreshed(failed) {
  const now = MOSCOW_CLOCK.format(new Date());
  const line = $("refreshed");
  if (failed) {
    line.textContent = "не обновлено в " + now + " (" + failed + "); данные на " + line.dataset.at;
    line.className = "muted error";
    return;
  }
  line.dataset.at = now;
  line.textContent = "обновлено " + now + " · само обновляется раз в минуту";
  line.className = "muted";
  document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
}

// Someone typing or choosing: a form, a dialog or the login is open, or the tab is hidden.
function busy() {
  const active = document.activeElement;
  return document.hidden || !$("login").hidden || document.querySelector("dialog[open]") !== null
    || Boolean(active && active.closest("form, dialog, [role=dialog]"));
}

// The list of a queue page again, keeping the scroll position and the focused row.
async function refreshQueues() {
  const view = document.body.dataset.view;
  if (!apiKey || busy() || document.body.dataset.loaded !== "1") return;
  if (view !== "queues" && view !== "queue") return;
  const focused = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.id : undefined;
  const scroll = $("page").scrollTop;
  const m = (location.hash || "").match(/^#\/queue\/(.+)$/);
  try {
    if (view === "queue" && m) await showQueue(decodeURIComponent(m[1]), true);
    else if (view === "queues") await showQueues(true);
  } catch (err) {
    refreshed(err.message);
    return;
  }
  $("page").scrollTop = scroll;
  const table = $(view === "queue" ? "queue" : "queues");
  const again = focused && Array.from(table.querySelectorAll("tbody a"))
    .find((a) => a.dataset.id === focused);
  if (again) again.focus({preventScroll: true});
}


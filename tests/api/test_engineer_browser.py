"""The engineers' pages in headless Chromium against a real ``heatmap serve`` over the demo
store, with every request to another host blocked (an operator's intranet).

An engineer opens ``/engineer?key=…``: queues → a queue → a spot → take → ETA → resolve
with a cause → the spot is gone from the queue. When another engineer changes the spot
meanwhile, the page says so (the API's 409) instead of acting on what it showed. The pages
work from the keyboard and at a phone's width (390 px) without scrolling sideways.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from heatmap.api.keys import create_key
from heatmap.store import open_store

from .browser_support import LAPTOP, PHONE, WAIT_MS, chromium, offline_page
from .engineer_support import (
    ALARM_TEXTS,
    Served,
    alarms_around,
    call_api,
    confirm_spot,
    measure_around,
    moscow,
    moscow_day,
    no_sideways_scroll,
    wait_view,
)
from .test_serve import running_server

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(demo_copy: Callable[[str], Path]) -> Iterator[Served]:
    folder = demo_copy("engineer")
    db = f"sqlite:///{folder / 'heatmap.db'}"
    store = open_store(db)
    try:
        untaken = store.load_spots(statuses=["new", "queued", "reopened"])
        in_work = store.load_spots(statuses=["in_progress"])
        closed = store.load_spots(statuses=["resolved", "rejected"])
        now = datetime.now(UTC)
        keys = [
            create_key(store, role=role, now=now, name=name)
            for role, name in (
                ("engineer", "engineer.ivanova"),
                ("engineer", "engineer.petrov"),
                ("agent", "agent.olga"),
                ("analyst", "analyst.kim"),
            )
        ]
    finally:
        store.close()
    assert len(untaken) and len(in_work), "the demo leaves spots in a queue and in work"
    assert closed["queue"].notna().any(), "and closes some"
    first = untaken.sort_values(["priority", "id"], ascending=[False, True]).iloc[0]
    spare = closed[closed["queue"].notna()].sort_values("id").iloc[0]
    worked = in_work.sort_values(["priority", "id"], ascending=[False, True]).iloc[0]
    measure_around(db, worked)
    alarms_around(db, worked)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HEATMAP_DB": db,
        "HEATMAP_GAZETTEER": str(folder / "gazetteer.parquet"),
        "HEATMAP_CITY": "Вологда",
        "HEATMAP_API_INDEX_CHECK_MS": "100",
    }
    env.pop("HEATMAP_TILES_URL", None)
    env.pop("HEATMAP_API_LEAFLET_URL", None)
    with running_server(env) as url:
        yield Served(
            url=url,
            key=keys[0],
            other_key=keys[1],
            agent_key=keys[2],
            analyst_key=keys[3],
            db=db,
            queue=str(first["queue"]),
            spot=str(first["id"]),
            worked=str(worked["id"]),
            spare=str(spare["id"]),
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_queue_spot_take_eta_resolve_and_gone(served: Served, browser: Any) -> None:
    spot = served.spot
    with offline_page(browser, served, viewport=LAPTOP) as page:
        page.goto(f"{served.url}/engineer?key={served.key}")
        wait_view(page, "queues")
        assert "key=" not in page.url, "the key leaves the address bar"
        row = page.locator(f"#queues tr[data-id='{served.queue}']")
        assert int(row.locator("td[data-label='Открыто']").inner_text()) >= 1
        row.locator("a").click()

        wait_view(page, "queue")
        rows = page.locator("#queue tbody tr")
        ranks = [float(t) for t in rows.locator("td[data-label='Приоритет']").all_inner_texts()]
        assert ranks == sorted(ranks, reverse=True), "highest priority first"
        first = page.locator(f"#queue tr[data-id='{spot}']")
        assert first.locator("td[data-label='До конца SLA']").inner_text().strip()
        assert first.locator("td[data-label='Характер']").inner_text().strip()
        first.locator("a").click()

        wait_view(page, "spot")
        assert page.get_attribute("body", "data-spot") == spot
        page.wait_for_selector("#spot-map[data-drawn='1']", timeout=WAIT_MS)
        page.wait_for_selector("#signal[data-done='1']", timeout=WAIT_MS)
        assert page.locator("#spot-map .leaflet-spots-pane path").count() == 1
        assert page.locator("#complaints tbody tr").count() >= 1
        assert page.locator("#breakdown tbody tr").count() >= 1
        assert "+7" in page.inner_text("#complaints"), "an engineer sees the full number"
        assert page.is_hidden("#resolve-form"), "a queued spot is taken before it is resolved"

        page.click("#take")
        page.wait_for_selector("body[data-status='in_progress'][data-loaded='1']", timeout=WAIT_MS)
        assert page.inner_text("#f-engineer") == "engineer.ivanova"

        assert page.get_attribute("html", "lang") == "ru"
        etas_before = page.locator("#eta-history tbody tr").count()
        field = page.locator("#eta-at")
        assert field.get_attribute("type") == "text", "not the browser's own (English) date box"
        assert field.get_attribute("placeholder") == "ДД.ММ.ГГГГ ЧЧ:ММ"
        assert field.input_value() == f"{moscow_day(1)} 18:00", "tomorrow at six by default"
        for typed, said in (
            ("12/25/2030 18:00", "введите дату и время как ДД.ММ.ГГГГ ЧЧ:ММ"),
            ("31.02.2030 18:00", "Такой даты нет: 31.02.2030"),
            ("25.12.2030 24:10", "Такого времени нет: 24:10"),
            ("25.12.2030", "Укажите и время"),
            (f"{moscow_day()} 00:00", "Этот срок уже прошёл"),  # today, but already behind us
        ):
            page.fill("#eta-at", typed)
            page.click("#set-eta")
            assert said in page.inner_text("#eta-error"), typed
            assert field.get_attribute("aria-invalid") == "true"
        assert page.locator("#eta-history tbody tr").count() == etas_before, "nothing was sent"
        day = moscow_day(1)
        page.fill("#eta-at", f"{day} 9:05")
        page.fill("#eta-note", "ждём запчасти")
        page.click("#set-eta")
        page.wait_for_selector(f"#f-eta:has-text('{day}, 09:05')", timeout=WAIT_MS)
        assert page.inner_text("#eta-error") == ""
        assert "ждём запчасти" in page.inner_text("#eta-history")

        page.click("#resolve")  # no cause chosen: the browser asks for one, nothing is sent
        assert page.get_attribute("body", "data-status") == "in_progress"
        page.select_option("#resolve-cause", "equipment_failure")
        page.fill("#resolve-note", "заменён блок питания")
        page.click("#resolve")
        wait_view(page, "queue")
        assert f"Пятно {spot} решено" in page.inner_text("#notice")
        assert page.locator(f"#queue tr[data-id='{spot}']").count() == 0, "gone from the queue"

    store = open_store(served.db)
    try:
        resolved = store.load_spots(ids=[spot]).iloc[0]
        assert (resolved["status"], resolved["cause"]) == ("resolved", "equipment_failure")
    finally:
        store.close()


def test_a_change_made_meanwhile_is_shown_as_a_conflict(served: Served, browser: Any) -> None:
    spot = served.worked
    with offline_page(browser, served, viewport=LAPTOP) as page:
        page.goto(f"{served.url}/engineer?key={served.key}#/spot/{spot}")
        wait_view(page, "spot")
        assert page.get_attribute("body", "data-status") == "in_progress"
        page.wait_for_selector("#signal:has-text('хуже окружения на 25,0 дБ')", timeout=WAIT_MS)
        page.wait_for_selector("#spot-map[data-drawn='1']", timeout=WAIT_MS)
        assert page.locator("#spot-map .leaflet-coverage-pane path").count() > 0
        assert "сигнал по замерам, дБм" in page.inner_text("#map-note")
        # another engineer moves the ETA after the page showed the spot
        tomorrow = "-".join(reversed(moscow_day(1).split(".")))
        call_api(served, f"/spots/{spot}/eta", {"eta": f"{tomorrow}T12:00", "note": "перенос"})
        page.select_option("#resolve-cause", "power")
        page.click("#resolve")
        page.wait_for_selector("#conflict", timeout=WAIT_MS)
        assert "Кто-то уже изменил это пятно" in page.inner_text("#conflict")
        assert page.get_attribute("body", "data-status") == "in_progress", "nothing acted on"
        page.click("#conflict button")
        page.wait_for_selector("#eta-history:has-text('перенос')", timeout=WAIT_MS)
        assert page.locator("#conflict").count() == 0

        # and a status changed meanwhile: the other engineer resolves it first
        call_api(served, f"/spots/{spot}/resolve", {"cause": "power"})
        page.fill("#eta-at", f"{moscow_day(1)} 18:00")
        page.click("#set-eta")
        page.wait_for_selector("#conflict", timeout=WAIT_MS)
        page.click("#conflict button")
        page.wait_for_selector("body[data-status='resolved'][data-loaded='1']", timeout=WAIT_MS)
        assert page.is_visible("#reopen-form") and page.is_hidden("#resolve-form")


def test_keyboard_only_and_a_phone_width(served: Served, browser: Any) -> None:
    with offline_page(browser, served, viewport=PHONE) as page:
        page.goto(f"{served.url}/engineer?key={served.key}")
        wait_view(page, "queues")
        no_sideways_scroll(page)
        page.focus(f"#queues a[data-id='{served.queue}']")
        page.keyboard.press("Enter")
        wait_view(page, "queue")
        no_sideways_scroll(page)
        links = page.locator("#queue tbody a")
        page.focus("#queue tbody a")
        if links.count() > 1:
            page.keyboard.press("ArrowDown")
            focused = page.evaluate("document.activeElement.dataset.id")
            assert focused == links.nth(1).get_attribute("data-id")
        page.keyboard.press("Enter")
        wait_view(page, "spot")
        page.wait_for_selector("#spot-map[data-drawn='1']", timeout=WAIT_MS)
        no_sideways_scroll(page)
        assert page.is_visible("#actions") and page.is_visible("#spot-map")
        page.keyboard.press("Escape")
        wait_view(page, "queue")


def test_an_agent_key_is_turned_away_in_russian(served: Served, browser: Any) -> None:
    with offline_page(browser, served, viewport=LAPTOP) as page:
        page.goto(f"{served.url}/engineer?key={served.agent_key}")
        page.wait_for_selector("#login:not([hidden])", timeout=WAIT_MS)
        assert "нужен ключ инженера" in page.inner_text("#login-error")
        page.fill("#key-input", served.key)
        page.click("#login button[type=submit]")
        wait_view(page, "queues")


def test_an_analyst_reads_masked_numbers_and_cannot_act(served: Served, browser: Any) -> None:
    with offline_page(browser, served, viewport=LAPTOP) as page:
        page.goto(f"{served.url}/engineer?key={served.analyst_key}#/spot/{served.worked}")
        wait_view(page, "spot")
        numbers = page.locator("#complaints td[data-label='Номер']").all_inner_texts()
        shown = [n for n in numbers if n != "—"]
        assert shown and all("*" in n for n in shown), "numbers masked for an analyst"
        button = "#reopen" if page.is_visible("#reopen-form") else "#take"  # whichever applies
        page.click(button)
        page.wait_for_selector("#action-result .error", timeout=WAIT_MS)
        assert "только инженер" in page.inner_text("#action-result")
        assert page.is_hidden("#login"), "the analyst stays on the page"


def test_the_spot_lists_every_alarm_of_its_sites_worst_first(served: Served, browser: Any) -> None:
    with offline_page(browser, served, viewport=LAPTOP) as page:
        page.goto(f"{served.url}/engineer?key={served.key}#/spot/{served.worked}")
        wait_view(page, "spot")
        rows = page.locator("#alarms tbody tr")
        assert rows.count() == 3
        assert [t.split("\n")[0] for t in rows.locator("td[data-label='Текст']").all_inner_texts()] == list(
            ALARM_TEXTS
        ), "every alarm, worst first, its text as written (not markup)"
        assert rows.locator("td[data-label='Важность']").all_inner_texts() == [
            "критическая",
            "крупная",
            "незначительная",
        ]
        assert [t.split(" · ")[0] for t in rows.locator("td[data-label='Станция']").all_inner_texts()] == [
            "VLG-0101",
            "VLG-0102",
            "VLG-0102",
        ]
        raised = rows.locator("td[data-label='Поднята']").all_inner_texts()
        assert "активна" in raised[0] and "во время жалоб" in raised[0]
        assert all("снята" in t and "во время жалоб" not in t for t in raised[1:])
        assert all(re.match(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d", t) for t in raised), raised
        assert "питание" in rows.nth(0).inner_text(), "the kind read from the text, in Russian"
        assert "Аварий на станциях: 3, из них во время жалоб: 1" in page.inner_text("#network")
    with offline_page(browser, served, viewport=PHONE) as page:
        page.goto(f"{served.url}/engineer?key={served.key}#/spot/{served.worked}")
        wait_view(page, "spot")
        assert page.locator("#alarms tbody tr").count() == 3
        no_sideways_scroll(page)


def test_the_queue_page_refreshes_by_itself(served: Served, browser: Any) -> None:
    """A spot reopened by another engineer appears within a minute, without a reload; the
    focused row keeps the focus and the list its scroll; the last refresh's time is shown."""
    store = open_store(served.db)
    try:
        queue = str(store.load_spots(ids=[served.spare]).iloc[0]["queue"])
    finally:
        store.close()
    spare = f"#queue tr[data-id='{served.spare}']"
    with offline_page(browser, served, viewport=PHONE, clock=True) as page:
        page.goto(f"{served.url}/engineer?key={served.key}#/queue/{queue}")
        wait_view(page, "queue")
        assert page.locator(spare).count() == 0
        assert re.fullmatch(r"обновлено \d\d:\d\d · .*", page.inner_text("#refreshed")), "when, visibly"
        call_api(served, f"/spots/{served.spare}/reopen", {"note": "жалобы продолжаются"})
        page.clock.run_for(30_000)
        assert page.locator(spare).count() == 0, "not before the minute"
        page.clock.run_for(31_000)
        page.wait_for_selector(spare, timeout=WAIT_MS)
        assert page.get_attribute("body", "data-refreshed") == "2"
        assert "key=" not in page.url and page.url.endswith(f"#/queue/{queue}"), "no reload"

        page.focus(f"{spare} a")
        page.evaluate("document.getElementById('page').scrollTop = 40")
        scrolled = page.evaluate("document.getElementById('page').scrollTop")
        page.clock.run_for(61_000)
        page.wait_for_selector("body[data-refreshed='3']", timeout=WAIT_MS)
        assert page.evaluate("document.activeElement.dataset.id") == served.spare, "the focus stays"
        assert page.evaluate("document.getElementById('page').scrollTop") == scrolled, "and the scroll"

        # a spot page with a form in use is left alone
        page.keyboard.press("Enter")
        wait_view(page, "spot")
        page.fill("#eta-note", "пишу комментарий")
        page.clock.run_for(61_000)
        assert page.get_attribute("body", "data-refreshed") == "3"
        assert page.input_value("#eta-note") == "пишу комментарий"
        assert page.is_hidden("#refreshed")


def test_the_spot_says_when_detection_confirmed_it_and_whether_it_takes_complaints(
    served: Served, browser: Any
) -> None:
    """The join takes complaints for ``policy.join.active_hours`` (24 h) after detection last
    found the spot; the page says until when, or since when it no longer does."""
    found = datetime.now(UTC) - timedelta(hours=1)
    spot = confirm_spot(served.db, found)
    with offline_page(browser, served, viewport=LAPTOP) as page:
        page.goto(f"{served.url}/engineer?key={served.key}#/spot/{spot}")
        wait_view(page, "spot")
        assert page.inner_text("#f-confirmed") == moscow(found)
        assert page.inner_text("#f-intake") == "да, до " + moscow(found + timedelta(hours=24))
        lapsed = found - timedelta(hours=30)
        confirm_spot(served.db, lapsed, spot)
        page.click("#reload")
        page.wait_for_selector(f"#f-confirmed:has-text('{moscow(lapsed)}')", timeout=WAIT_MS)
        assert page.inner_text("#f-intake") == (
            f"нет с {moscow(lapsed + timedelta(hours=24))} — пока детекция не найдёт пятно снова"
        )
        assert page.locator("#f-intake .late").count() == 1

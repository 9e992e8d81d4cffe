"""The engineers' pages in headless Chromium against a real ``heatmap serve`` over the demo
store, with every request to another host blocked (an operator's intranet).

An engineer opens ``/engineer?key=…``: queues → a queue → a spot → take → ETA → resolve
with a cause → the spot is gone from the queue. When another engineer changes the spot
meanwhile, the page says so (the API's 409) instead of acting on what it showed. The pages
work from the keyboard and at a phone's width (390 px) without scrolling sideways.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from heatmap.store import open_store

from .test_serve import running_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
WAIT_MS = 20_000

pytestmark = pytest.mark.browser


def heatmap(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "heatmap", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@dataclass
class Served:
    url: str
    key: str  # engineer.ivanova, who uses the page
    other_key: str  # engineer.petrov, who changes spots meanwhile through the API
    agent_key: str
    analyst_key: str
    db: str
    queue: str  # the queue of the spot not yet taken with the highest priority
    spot: str  # that spot
    worked: str  # a spot in work
    blocked: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    from heatmap.devtools.demo import run_demo

    folder = tmp_path_factory.mktemp("engineer")
    run_demo(folder)
    db = f"sqlite:///{folder / 'heatmap.db'}"
    store = open_store(db)
    untaken = store.load_spots(statuses=["new", "queued", "reopened"])
    in_work = store.load_spots(statuses=["in_progress"])
    store.close()
    assert len(untaken) and len(in_work), "the demo leaves spots in a queue and in work"
    first = untaken.sort_values(["priority", "id"], ascending=[False, True]).iloc[0]
    worked = in_work.sort_values(["priority", "id"], ascending=[False, True]).iloc[0]
    measure_around(db, worked)
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
    keys = []
    for role, name in (
        ("engineer", "engineer.ivanova"),
        ("engineer", "engineer.petrov"),
        ("agent", "agent.olga"),
        ("analyst", "analyst.kim"),
    ):
        made = heatmap("keys", "create", "--role", role, "--name", name, env=env)
        assert made.returncode == 0, made.stderr
        keys.append(made.stdout.split()[-1])
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
        )


def measure_around(db: str, spot: Any) -> None:
    """A drive-test layer where the spot's cells are 25 dB weaker than the two rings around."""
    import h3
    import pandas as pd

    from heatmap.core.coverage import cells_of_area

    inside = set(cells_of_area(spot["geometry"], (spot["centroid_lat"], spot["centroid_lon"]), 9))
    around = {n for c in inside for n in h3.grid_disk(c, 2)} - inside
    rows = [(c, 9, -110.0 if c in inside else -85.0, 12, None, 0) for c in sorted(inside | around)]
    store = open_store(db)
    try:
        store.replace_coverage(
            pd.DataFrame(
                rows, columns=["h3_cell", "res", "rsrp_median", "rsrp_samples", "rssi_median", "rssi_samples"]
            )
        )
    finally:
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@contextmanager
def offline_page(browser: Any, served: Served, viewport: dict[str, int]) -> Iterator[Any]:
    """A page whose requests to any host but the server are refused (and recorded)."""
    page = browser.new_page(viewport=viewport)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    def only_the_server(route: Any) -> None:
        if route.request.url.startswith(served.url + "/"):
            route.continue_()
        else:
            served.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_server)
    try:
        yield page
        assert not problems, problems
        assert not served.blocked, f"the page asked other hosts: {served.blocked}"
    finally:
        page.close()


def wait_view(page: Any, view: str) -> None:
    page.wait_for_selector(f"body[data-view='{view}'][data-loaded='1']", timeout=WAIT_MS)


def call_api(served: Served, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """What the other engineer does meanwhile, through the REST API."""
    request = urllib.request.Request(
        f"{served.url}/api/v1{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"X-API-Key": served.other_key, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as answer:
        return dict(json.loads(answer.read()))


def today_in_moscow() -> str:
    return datetime.now(UTC).astimezone(ZoneInfo("Europe/Moscow")).date().isoformat()


def tomorrow_in_moscow() -> str:
    return (datetime.now(UTC).astimezone(ZoneInfo("Europe/Moscow")) + timedelta(days=1)).date().isoformat()


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


def test_queue_spot_take_eta_resolve_and_gone(served: Served, browser: Any) -> None:
    spot = served.spot
    with offline_page(browser, served, LAPTOP) as page:
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

        page.fill("#eta-date", "2020-01-01")
        page.click("#set-eta")  # before the field's minimum: the browser does not send it
        assert page.evaluate("document.getElementById('eta-date').validity.valid") is False
        page.fill("#eta-date", today_in_moscow())
        page.fill("#eta-time", "00:00")  # today, but already behind us: the server refuses
        page.click("#set-eta")
        page.wait_for_selector("#action-result .error", timeout=WAIT_MS)
        assert "уже прошёл" in page.inner_text("#action-result"), "a past ETA is refused"
        day = tomorrow_in_moscow()
        page.fill("#eta-date", day)
        page.fill("#eta-time", "18:00")
        page.fill("#eta-note", "ждём запчасти")
        page.click("#set-eta")
        year, month, date = day.split("-")
        page.wait_for_selector(f"#f-eta:has-text('{date}.{month}.{year}, 18:00')", timeout=WAIT_MS)
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
    with offline_page(browser, served, LAPTOP) as page:
        page.goto(f"{served.url}/engineer?key={served.key}#/spot/{spot}")
        wait_view(page, "spot")
        assert page.get_attribute("body", "data-status") == "in_progress"
        page.wait_for_selector("#signal:has-text('хуже окружения на 25,0 дБ')", timeout=WAIT_MS)
        page.wait_for_selector("#spot-map[data-drawn='1']", timeout=WAIT_MS)
        assert page.locator("#spot-map .leaflet-coverage-pane path").count() > 0
        assert "сигнал по замерам, дБм" in page.inner_text("#map-note")
        # another engineer moves the ETA after the page showed the spot
        call_api(served, f"/spots/{spot}/eta", {"eta": f"{tomorrow_in_moscow()}T12:00", "note": "перенос"})
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
        page.fill("#eta-date", tomorrow_in_moscow())
        page.click("#set-eta")
        page.wait_for_selector("#conflict", timeout=WAIT_MS)
        page.click("#conflict button")
        page.wait_for_selector("body[data-status='resolved'][data-loaded='1']", timeout=WAIT_MS)
        assert page.is_visible("#reopen-form") and page.is_hidden("#resolve-form")


def test_keyboard_only_and_a_phone_width(served: Served, browser: Any) -> None:
    with offline_page(browser, served, PHONE) as page:
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
    with offline_page(browser, served, LAPTOP) as page:
        page.goto(f"{served.url}/engineer?key={served.agent_key}")
        page.wait_for_selector("#login:not([hidden])", timeout=WAIT_MS)
        assert "нужен ключ инженера" in page.inner_text("#login-error")
        page.fill("#key-input", served.key)
        page.click("#login button[type=submit]")
        wait_view(page, "queues")


def test_an_analyst_reads_masked_numbers_and_cannot_act(served: Served, browser: Any) -> None:
    with offline_page(browser, served, LAPTOP) as page:
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

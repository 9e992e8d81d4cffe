"""The agents' map page in headless Chromium against a real ``heatmap serve`` over the demo
store, with every request to another host blocked (an operator's intranet).

An agent opens ``/map?key=…``, types an address inside a spot whose ETA is set and reads
it; looks up a spot whose ETA has passed and sees it flagged, with the late-fix script;
registers the caller's complaint. The basemap drawn from the gazetteer is checked in the
screenshot's pixels, not only in the DOM.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from heatmap.core.script import russian_date
from heatmap.domain import OPEN_STATUSES
from heatmap.service import workflow
from heatmap.store import SpotChanges, Store, open_store
from heatmap.store.base import EVENT_COLUMNS

from .browser_support import chromium, offline_page
from .test_serve import running_server

ROOT = Path(__file__).resolve().parents[2]
#: The overdue spot's ETA passes this many seconds after the server starts.
LATE_AFTER_S = 6

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
    key: str
    address: str  # inside a spot whose ETA is days ahead
    spot_id: str
    late_address: str  # inside a spot whose ETA passes LATE_AFTER_S after start
    late_spot_id: str
    late_at: datetime
    eta_text: str  # the first spot's ETA as the page says it
    blocked: list[str] = field(default_factory=list)


def found_now(store: Store, spot_id: str, now: datetime) -> None:
    """As if detection had just found the spot: the demo detected at its samples' time, and
    a complaint registered at the wall clock's time joins only a spot found within
    ``policy.join.active_hours`` of it."""
    spot = store.load_spots(ids=[spot_id]).assign(found_at=pd.Timestamp(now))
    store.apply_spot_changes(
        SpotChanges(
            at=now,
            spots=spot,
            members=pd.DataFrame(columns=["ticket_id", "spot_id"]),
            events=pd.DataFrame(columns=list(EVENT_COLUMNS)),
            expected={spot_id: str(spot["status"].iloc[0])},
        )
    )


@pytest.fixture(scope="module")
def served(demo_copy: Callable[[str], Path]) -> Iterator[Served]:
    folder = demo_copy("served")
    db = f"sqlite:///{folder / 'heatmap.db'}"
    store = open_store(db)
    spots = store.load_spots(statuses=sorted(OPEN_STATUSES))
    placed = spots[spots["address"].notna() & (spots["kind"] == "detected")]
    assert len(placed) >= 2, "the demo has two detected spots with an address"
    ahead, late = placed.iloc[0], placed.iloc[1]
    now = datetime.now(UTC)
    eta = now + timedelta(days=3)
    workflow.set_eta(store, str(ahead["id"]), eta, actor="engineer.test", now=now)
    late_at = now + timedelta(seconds=LATE_AFTER_S)
    workflow.set_eta(store, str(late["id"]), late_at, actor="engineer.test", now=now)
    found_now(store, str(ahead["id"]), now)
    store.close()
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
    made = heatmap("keys", "create", "--role", "agent", "--name", "agent.olga", env=env)
    assert made.returncode == 0, made.stderr
    drive = drive_test(folder / "drive.csv", float(ahead["centroid_lat"]), float(ahead["centroid_lon"]))
    loaded = heatmap("network", "coverage-from-drive-test", str(drive), env=env)
    assert loaded.returncode == 0, loaded.stderr
    with running_server(env) as url:
        yield Served(
            url=url,
            key=made.stdout.split()[-1],
            address=str(ahead["address"]),
            spot_id=str(ahead["id"]),
            late_address=str(late["address"]),
            late_spot_id=str(late["id"]),
            late_at=late_at,
            eta_text=russian_date(eta),
        )


def drive_test(path: Path, lat: float, lon: float) -> Path:
    """A G-NetTrack log of a car crossing the spot: weak there (−116 dBm), good around."""
    lines = ["Timestamp,Longitude,Latitude,NetworkMode,RSRP,RSSI,NODEHEX"]
    for i in range(-20, 21):
        for j in range(-2, 3):
            dlat, dlon = i * 0.0005, j * 0.001
            level = -116 if abs(i) <= 2 and abs(j) <= 1 else -84
            lines += [
                f"t,{lon + dlon:.6f},{lat + dlat:.6f},LTE,{level + k},{level + 20},A1" for k in range(3)
            ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def open_map(page: Any, served: Served) -> None:
    page.goto(f"{served.url}/map?key={served.key}")
    page.wait_for_selector("body[data-layers='1']", timeout=20_000)
    page.wait_for_selector("body[data-basemap='1']", timeout=20_000)


def look_up(page: Any, address: str) -> None:
    page.fill("#address", address.split("г. Вологда, ")[-1])  # as an agent types it
    page.press("#address", "Enter")
    page.wait_for_selector("#eta", timeout=20_000)


def pixels(page: Any) -> Any:
    from PIL import Image

    return Image.open(io.BytesIO(page.locator("#map").screenshot())).convert("RGB")


def test_an_agent_looks_up_reads_the_eta_and_registers(served: Served, browser: Any) -> None:
    with offline_page(browser, served) as page:
        open_map(page, served)
        assert "key=" not in page.url, "the key leaves the address bar"
        assert page.evaluate("sessionStorage.getItem('heatmap.apiKey')") == served.key
        spot = page.locator(f".leaflet-spots-pane path[data-id='{served.spot_id}']")
        assert spot.count() == 1
        assert page.evaluate("typeof L.version") == "string", "Leaflet came from the server"

        look_up(page, served.address)
        assert page.inner_text("#eta") == "Решение ожидается до " + served.eta_text
        assert "overdue" not in (page.get_attribute("#eta", "class") or "")
        assert "Решение ожидается до" in page.inner_text("#script")
        answer = page.inner_text("#answer")
        # the demo's spots span the month: their evidence is the whole window's
        assert served.spot_id in answer and "Жалующихся за последние 30 дней: " in answer
        assert "причина" in answer
        intake = page.inner_text("#intake")  # found by detection just now (found_now)
        assert intake.startswith("Подтверждено детекцией: ") and "; принимает жалобы до " in intake
        assert page.locator("#place-mark").count() == 1

        page.fill("#c-msisdn", "+7 916 555-44-33")
        page.select_option("#c-topic", "no_coverage")
        page.click("#complaint button[type=submit]")
        page.wait_for_selector("#c-result .ok", timeout=20_000)
        assert f"присоединено к пятну {served.spot_id}" in page.inner_text("#c-result")


def test_a_passed_eta_is_flagged_and_the_script_says_works_go_on(served: Served, browser: Any) -> None:
    wait = (served.late_at - datetime.now(UTC)).total_seconds() + 0.5
    if wait > 0:
        time.sleep(wait)
    with offline_page(browser, served) as page:
        open_map(page, served)
        look_up(page, served.late_address)
        assert "overdue" in (page.get_attribute("#eta", "class") or "")
        assert page.inner_text("#eta .badge") == "срок прошёл"
        assert "работы продолжаются, срок уточняется" in page.inner_text("#eta")
        script = page.inner_text("#script")
        assert "Работы продолжаются, срок уточняется; мы сообщим по SMS" in script
        assert "Решение ожидается" not in script
        assert served.late_spot_id in page.inner_text("#answer")
        assert "; жалобы не принимает с " in page.inner_text("#intake"), "found at the samples' time"


#: Reasons the geocoders give (heatmap/geocode), as the API passes them on.
REASONS = [
    "empty address",
    "not a Russian address (no Cyrillic text)",
    "no address parts recognised",
    "region 'тверская' is not in the gazetteer",
    "settlement 'кийно' is not in the gazetteer",
    "settlement not in the gazetteer (or not in the region given)",
    "street 'мира' is in several settlements: give a city",
    "street 'мира' not found (no settlement given)",
    "no settlement recognised",
    "settlement 'никольское' is ambiguous (4 places)",
    "not found by nominatim",
    "provider error: TimeoutError",
    "nominatim answer too coarse: Россия",
    "internal error: KeyError",
]


def test_every_reason_the_page_shows_is_russian(served: Served, browser: Any) -> None:
    with offline_page(browser, served) as page:
        open_map(page, served)
        page.fill("#address", "hello")
        page.press("#address", "Enter")
        page.wait_for_selector("#answer", timeout=20_000)
        shown = page.inner_text("#precision")
        assert shown.startswith("Точность: адрес не найден (") and re.search("[а-я]{4}", shown)
        assert not re.search("[A-Za-z]", shown), shown
        said = page.evaluate("(reasons) => reasons.map(reasonRu)", REASONS)
        for english, russian in zip(REASONS, said, strict=True):
            assert re.fullmatch(r"[^A-Za-z]+", russian.replace("nominatim", "")), (english, russian)
        assert said[6] == "улица «мира» есть в нескольких населённых пунктах — укажите город"
        assert page.evaluate("reasonRu('улица «мира» не найдена')") == "улица «мира» не найдена"
        assert page.evaluate("reasonRu('something new')") == "адрес не распознан"


def test_the_offline_basemap_is_drawn(served: Served, browser: Any) -> None:
    with offline_page(browser, served, viewport={"width": 1366, "height": 768}) as page:
        open_map(page, served)
        look_up(page, served.address)  # street zoom around the caller
        page.wait_for_function("view.drawn && view.drawn.zoom >= 15", timeout=20_000)
        page.wait_for_selector("body[data-basemap='1']", timeout=20_000)
        page.wait_for_timeout(300)
        assert page.locator(".street-label span").count() >= 1
        drawn = pixels(page)
        houses = page.evaluate("""() => {
          const size = view.map.getSize();
          const out = [];
          view.basemap.eachLayer((layer) => {
            if (!layer.getRadius) return;
            const p = view.map.latLngToContainerPoint(layer.getLatLng());
            if (p.x > 6 && p.y > 6 && p.x < size.x - 6 && p.y < size.y - 6) out.push([p.x, p.y]);
          });
          return out;
        }""")
        assert len(houses) >= 3, "houses around the caller"
        for pane in ("basemap", "labels"):
            page.evaluate(f"view.map.getPane('{pane}').style.visibility = 'hidden'")
        page.wait_for_timeout(200)
        bare = pixels(page)
        changed = sum(
            1
            for xy in ((x, y) for x in range(0, drawn.width, 2) for y in range(0, drawn.height, 2))
            if drawn.getpixel(xy) != bare.getpixel(xy)
        )
        assert changed > 100, "the basemap put houses and names on the screen"
        scale = drawn.width / page.evaluate("view.map.getSize().x")
        at_houses = [
            drawn.getpixel((round(x * scale), round(y * scale)))
            != bare.getpixel((round(x * scale), round(y * scale)))
            for x, y in houses
        ]
        assert sum(at_houses) >= 0.9 * len(at_houses), "a dot where each house is"

        page.evaluate("view.map.getPane('basemap').style.visibility = ''")
        page.evaluate("view.map.getPane('labels').style.visibility = ''")
        page.evaluate("view.map.setZoom(11)")
        page.wait_for_function("view.drawn && view.drawn.zoom === 11", timeout=20_000)
        names = page.locator(".settlement-label span").all_inner_texts()
        assert "г. Вологда" in names, names


def test_coverage_is_drawn_under_the_spots_with_a_legend_in_dbm(served: Served, browser: Any) -> None:
    with offline_page(browser, served, viewport={"width": 1366, "height": 768}) as page:
        open_map(page, served)
        look_up(page, served.address)
        assert page.locator(".leaflet-coverage-pane path").count() > 10
        legend = page.inner_text("#coverage-legend")
        assert "−110" in legend and "−80" in legend
        pane_order = page.evaluate("""['coverage', 'spots'].map(
            (name) => Number(view.map.getPane(name).style.zIndex))""")
        assert pane_order[0] < pane_order[1], "coverage lies under the spots"
        drawn = pixels(page)
        page.uncheck("#coverage-on")
        assert page.locator(".leaflet-coverage-pane path").count() == 0
        page.wait_for_timeout(200)
        bare = pixels(page)
        changed = sum(
            1
            for x in range(0, drawn.width, 3)
            for y in range(0, drawn.height, 3)
            if drawn.getpixel((x, y)) != bare.getpixel((x, y))
        )
        assert changed > 1000, "the measured cells colour the map"


def test_at_phone_width_nothing_is_cut(served: Served, browser: Any) -> None:
    with offline_page(browser, served, viewport={"width": 390, "height": 844}) as page:
        open_map(page, served)
        look_up(page, served.address)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
        for selector in ("#address", "#search button", "#eta", "#script", "#map"):
            box = page.locator(selector).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, selector
        assert page.locator("#map").bounding_box()["height"] >= 200


def test_without_a_key_the_page_asks_for_one(served: Served, browser: Any) -> None:
    with offline_page(browser, served) as page:
        page.goto(f"{served.url}/map")
        page.wait_for_selector("#login:not([hidden])", timeout=20_000)
        page.fill("#key-input", "hm_000000000000_wrong")
        page.click("#login button[type=submit]")
        page.wait_for_selector("#login-error:has-text('Ключ не принят')", timeout=20_000)
        page.fill("#key-input", served.key)
        page.click("#login button[type=submit]")
        page.wait_for_selector(".leaflet-spots-pane path[data-id]", timeout=20_000)


def test_an_eta_not_yet_known_is_not_shown_as_good_news(served: Served, browser: Any) -> None:
    """'Срок решения уточняется' was green, the colour of a set ETA; it reads as the page's
    other plain facts now."""
    with offline_page(browser, served) as page:

        def without_eta(route: Any) -> None:
            answer = route.fetch()
            body = answer.json()
            body["spot"].update(eta=None, eta_text=None, eta_overdue=False)
            route.fulfill(response=answer, json=body)

        page.route("**/api/v1/lookup?*", without_eta)
        open_map(page, served)
        look_up(page, served.address)
        assert page.inner_text("#eta") == "Срок решения уточняется"
        colour = "(selector) => getComputedStyle(document.querySelector(selector)).color"
        unknown, plain = page.evaluate(colour, "#eta"), page.evaluate(colour, "#precision")
        assert unknown == plain != "rgb(26, 127, 55)", f"{unknown}, not the plain facts' {plain}"

"""The map page in headless Chromium against a real ``heatmap serve`` over the demo store.

An agent opens ``/map?key=…``, types an address inside a spot whose ETA is set and
reads the ETA and the script on the page; then registers the caller's complaint.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from heatmap.domain import OPEN_STATUSES
from heatmap.service import workflow
from heatmap.store import open_store

from .test_serve import running_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ETA = datetime(2026, 11, 25, 12, tzinfo=UTC)

pytestmark = pytest.mark.browser


def heatmap(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "heatmap", *args], capture_output=True,
                          text=True, env=env, timeout=300, check=False)


@dataclass
class Served:
    url: str
    key: str
    address: str
    spot_id: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    from heatmap.demo import run_demo

    folder = tmp_path_factory.mktemp("served")
    run_demo(folder)
    db = f"sqlite:///{folder / 'heatmap.db'}"
    store = open_store(db)
    spots = store.load_spots(statuses=sorted(OPEN_STATUSES))
    spot = spots[spots["address"].notna() & (spots["kind"] == "detected")].iloc[0]
    workflow.set_eta(store, str(spot["id"]), ETA, actor="engineer.test",
                     now=datetime.now(UTC))
    store.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HEATMAP_DB": db,
           "HEATMAP_GAZETTEER": str(folder / "gazetteer.parquet"), "HEATMAP_CITY": "Вологда",
           "HEATMAP_API_LEAFLET_URL": "", "HEATMAP_API_INDEX_CHECK_MS": "100"}
    made = heatmap("keys", "create", "--role", "agent", "--name", "agent.olga", env=env)
    assert made.returncode == 0, made.stderr
    key = made.stdout.split()[-1]
    with running_server(env) as url:
        yield Served(url=url, key=key, address=str(spot["address"]), spot_id=str(spot["id"]))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_an_agent_types_an_address_and_reads_the_eta(served: Served, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(f"{served.url}/map?key={served.key}")
        page.wait_for_selector("body[data-layers='1']", timeout=20_000)
        assert "key=" not in page.url, "the key leaves the address bar"
        assert page.evaluate("sessionStorage.getItem('heatmap.apiKey')") == served.key
        assert page.locator(f"#layer-spots path[data-id='{served.spot_id}']").count() == 1
        title = page.locator(f"#layer-spots path[data-id='{served.spot_id}'] title").text_content()
        assert title and "\nЖалующихся за последние 7 дней: " in title, "the spot says why it is one"
        assert page.locator("#layer-hexes path").count() > 0

        # how an agent would type it: short form, the city implied
        typed = served.address.split("г. Вологда, ")[-1]
        page.fill("#address", typed)
        page.press("#address", "Enter")
        page.wait_for_selector("#eta", timeout=20_000)
        assert page.inner_text("#eta") == "Решение ожидается до 25 ноября"
        assert "Решение ожидается до 25 ноября" in page.inner_text("#script")
        assert served.spot_id in page.inner_text("#answer")
        assert "Жалующихся за последние 7 дней: " in page.inner_text("#answer")
        assert page.locator("#place-mark").count() == 1

        page.fill("#c-msisdn", "+7 916 555-44-33")
        page.select_option("#c-topic", "no_coverage")
        page.click("#complaint button[type=submit]")
        page.wait_for_selector("#c-result .ok", timeout=20_000)
        assert f"присоединено к пятну {served.spot_id}" in page.inner_text("#c-result")
        assert not problems, problems
    finally:
        page.close()


def test_without_a_key_the_page_asks_for_one(served: Served, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(f"{served.url}/map")
        page.wait_for_selector("#login:not([hidden])", timeout=20_000)
        page.fill("#key-input", "hm_000000000000_wrong")
        page.click("#login button[type=submit]")
        page.wait_for_selector("#login-error:has-text('Ключ не принят')", timeout=20_000)
        page.fill("#key-input", served.key)
        page.click("#login button[type=submit]")
        page.wait_for_selector("#layer-spots path", timeout=20_000)
    finally:
        page.close()

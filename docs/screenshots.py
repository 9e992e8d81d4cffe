"""Screenshots of the agents' map page for the README (``make screenshots``).

Runs the demo into a temporary folder, serves it with ``heatmap serve`` on a free loopback
port and opens the page in headless Chromium with every request to another host refused
(as on an operator's intranet). An agent looks up an address inside a spot whose ETA has
passed; the page is shot at 1366×768 and at 390 px (a phone held upright).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
#: (file name, viewport width, height)
SHOTS = [("agent-1366.png", 1366, 768), ("agent-390.png", 390, 844)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(folder: Path) -> tuple[dict[str, str], str]:
    """The demo store with one spot's ETA about to pass; the server's environment; an address."""
    from heatmap.devtools.demo import run_demo
    from heatmap.domain import OPEN_STATUSES
    from heatmap.service import workflow
    from heatmap.store import open_store

    run_demo(folder)
    db = f"sqlite:///{folder / 'heatmap.db'}"
    store = open_store(db)
    try:
        spots = store.load_spots(statuses=sorted(OPEN_STATUSES))
        spot = spots[spots["address"].notna() & (spots["kind"] == "detected")].iloc[0]
        now = datetime.now(UTC)
        workflow.set_eta(store, str(spot["id"]), now + timedelta(seconds=2), actor="engineer.demo",
                         now=now)
    finally:
        store.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HEATMAP_DB": db,
           "HEATMAP_GAZETTEER": str(folder / "gazetteer.parquet"), "HEATMAP_CITY": "Вологда"}
    env.pop("HEATMAP_TILES_URL", None)
    return env, str(spot["address"]).split("г. Вологда, ")[-1]


def shoot(url: str, key: str, address: str, out: Path) -> None:
    from playwright.sync_api import Route, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless", "--no-sandbox"])
        for name, width, height in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": height})

            def only_the_server(route: Route) -> None:
                if route.request.url.startswith(url + "/"):
                    route.continue_()
                else:
                    route.abort()

            page.route("**/*", only_the_server)
            page.goto(f"{url}/map?key={key}")
            page.wait_for_selector("body[data-layers='1']", timeout=30_000)
            page.fill("#address", address)
            page.press("#address", "Enter")
            page.wait_for_selector("#eta", timeout=30_000)
            page.wait_for_selector("body[data-basemap='1']", timeout=30_000)
            page.wait_for_timeout(800)
            page.screenshot(path=str(out / name))
            print(f"wrote {out / name}")
            page.close()
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env, address = prepare(Path(tmp))
        made = subprocess.run([sys.executable, "-m", "heatmap", "keys", "create", "--role",
                               "agent", "--name", "agent.screenshots"], env=env,
                              capture_output=True, text=True, check=True)
        key = made.stdout.split()[-1]
        port = free_port()
        server: Any = subprocess.Popen(
            [sys.executable, "-m", "heatmap", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(url + "/healthz", timeout=2):
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        print("heatmap serve did not come up", file=sys.stderr)
                        return 1
                    time.sleep(0.3)
            time.sleep(2)  # the spot's ETA passes: the page shows it flagged
            shoot(url, key, address, args.out)
            from engineer_screenshots import shoot_engineer  # beside this file

            engineer = subprocess.run([sys.executable, "-m", "heatmap", "keys", "create", "--role",
                                       "engineer", "--name", "engineer.screenshots"], env=env,
                                      capture_output=True, text=True, check=True)
            shoot_engineer(url, engineer.stdout.split()[-1], args.out)
        finally:
            server.terminate()
            server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())

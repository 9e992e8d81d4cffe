"""Screenshots of the engineers' pages for the README (called by ``make screenshots``).

:func:`shoot_engineer` opens ``/engineer`` on a running server with an engineer's key, in
headless Chromium with every request to another host refused, and shoots the highest-priority
queue and its first spot at 1366×768 and at 390 px. Run alone, it serves the demo itself.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
#: (suffix, viewport width, height)
WIDTHS = [("1366", 1366, 768), ("390", 390, 844)]


def _first_spot(url: str, key: str) -> tuple[str, str]:
    """The queue with the most open spots and its highest-priority spot."""
    def get(path: str) -> object:
        request = urllib.request.Request(url + "/api/v1" + path, headers={"X-API-Key": key})
        with urllib.request.urlopen(request, timeout=20) as answer:
            return json.loads(answer.read())

    queues = get("/queues")
    assert isinstance(queues, list)
    busiest = max(queues, key=lambda q: (q["open"], q["breached"]))
    spots = get(f"/queues/{busiest['name']}")
    assert isinstance(spots, dict) and spots["spots"], "no open spot to show"
    return str(busiest["name"]), str(spots["spots"][0]["id"])


def shoot_engineer(url: str, key: str, out: Path) -> list[Path]:
    """``engineer-queue-*.png`` and ``engineer-spot-*.png`` at both widths into ``out``."""
    from playwright.sync_api import Route, sync_playwright

    queue, spot = _first_spot(url, key)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless", "--no-sandbox"])
        for suffix, width, height in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": height})

            def only_the_server(route: Route) -> None:
                if route.request.url.startswith(url + "/"):
                    route.continue_()
                else:
                    route.abort()

            page.route("**/*", only_the_server)
            page.goto(f"{url}/engineer?key={key}#/queue/{queue}")
            page.wait_for_selector("body[data-view='queue'][data-loaded='1']", timeout=30_000)
            written.append(out / f"engineer-queue-{suffix}.png")
            page.screenshot(path=str(written[-1]))
            page.goto(f"{url}/engineer#/spot/{spot}")
            page.wait_for_selector("body[data-view='spot'][data-loaded='1']", timeout=30_000)
            page.wait_for_selector("#spot-map[data-drawn]", timeout=30_000)
            page.wait_for_timeout(800)  # the basemap's houses and street names
            written.append(out / f"engineer-spot-{suffix}.png")
            page.screenshot(path=str(written[-1]))
            page.close()
        browser.close()
    for path in written:
        print(f"wrote {path}")
    return written


def main(argv: list[str] | None = None) -> int:
    """Serve the demo and shoot the engineers' pages into ``--out`` (default ``docs``)."""
    import argparse
    import os
    import subprocess
    import tempfile

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    from heatmap.devtools.demo import run_demo
    from tests.api.test_serve import running_server

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=root / "docs")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        run_demo(folder)
        env = {**os.environ, "PYTHONPATH": str(root),
               "HEATMAP_DB": f"sqlite:///{folder / 'heatmap.db'}",
               "HEATMAP_GAZETTEER": str(folder / "gazetteer.parquet"), "HEATMAP_CITY": "Вологда"}
        env.pop("HEATMAP_TILES_URL", None)
        made = subprocess.run([sys.executable, "-m", "heatmap", "keys", "create", "--role",
                               "engineer", "--name", "engineer.screenshots"], env=env,
                              capture_output=True, text=True, check=True)
        with running_server(env) as url:
            shoot_engineer(url, made.stdout.split()[-1], args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

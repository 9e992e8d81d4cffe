"""API throughput with wrk on loopback: point lookups beside a trivial FastAPI endpoint.

Runs ``heatmap serve`` (one uvicorn worker by default) over the demo store and
measures, in the same run and with the same wrk settings:

- ``GET /livez``: a trivial FastAPI endpoint (no key, no store): the ceiling;
- ``GET /api/v1/lookup?lat=&lon=`` with an agent key, rotating through points
  inside spots, near them and in between: the hot path of the agents' map;
- ``GET /api/v1/lookup?address=`` over the sample registry's houses, reported
  apart (it geocodes; answers are cached per address by the geocoder).

Targets (issue 7): point lookups reach ≥ 80 % of the trivial endpoint's requests/s,
p99 ≤ 25 ms at 32 connections. Run: ``make bench-api`` (``--check`` exits 1 when a
target is missed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RATIO_TARGET = 0.80
P99_TARGET_MS = 25.0


@dataclass
class Run:
    name: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(name: str, output: str) -> Run:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (rate and total and p50 and p99):
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)
    return Run(name=name, requests_per_s=float(rate.group(1)), p50_ms=_ms(p50.group(1)),
               p99_ms=_ms(p99.group(1)), requests=int(total.group(1)),
               non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
               socket_errors=sum(int(g) for g in errors.groups()) if errors else 0)


def lua_rotation(paths: list[str], key: str | None) -> str:
    """A wrk script sending ``paths`` in turn (with the API key header when given)."""
    quoted = ",\n".join(json.dumps(p) for p in paths)
    header = f'wrk.headers["X-API-Key"] = {json.dumps(key)}\n' if key else ""
    return (f"{header}local paths = {{\n{quoted}\n}}\nlocal i = 0\n"
            "request = function()\n  i = i % #paths + 1\n"
            "  return wrk.format(\"GET\", paths[i])\nend\n")


def wrk(name: str, url: str, script: Path | None, *, duration: int, connections: int,
        threads: int) -> Run:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
               "--timeout", "5s"]
    if script is not None:
        command += ["-s", str(script)]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True,
                          timeout=duration + 60)
    return parse_wrk(name, done.stdout)


def prepare(folder: Path) -> tuple[str, list[str], list[str], str]:
    """The demo store, an agent key, point paths and address paths to look up."""
    from heatmap.api.keys import create_key
    from heatmap.demo import run_demo
    from heatmap.domain import OPEN_STATUSES
    from heatmap.geocode import load_gazetteer
    from heatmap.store import open_store

    with open(os.devnull, "w") as quiet, redirect_stdout(quiet), redirect_stderr(quiet):
        run_demo(folder)
    db = f"sqlite:///{folder / 'heatmap.db'}"
    store = open_store(db)
    try:
        key = create_key(store, role="agent", now=datetime.now(UTC), name="bench")
        spots = store.load_spots(statuses=sorted(OPEN_STATUSES))
    finally:
        store.close()
    rng = random.Random(7)
    points: list[tuple[float, float]] = []
    for row in spots.itertuples():
        points.append((row.centroid_lat, row.centroid_lon))  # inside (or at) a spot
        points.append((row.centroid_lat + 0.0012, row.centroid_lon))  # ~130 m north
    lat0, lat1 = spots["centroid_lat"].min() - 0.02, spots["centroid_lat"].max() + 0.02
    lon0, lon1 = spots["centroid_lon"].min() - 0.03, spots["centroid_lon"].max() + 0.03
    points += [(rng.uniform(lat0, lat1), rng.uniform(lon0, lon1)) for _ in range(200)]
    rng.shuffle(points)
    point_paths = [f"/api/v1/lookup?lat={lat:.6f}&lon={lon:.6f}" for lat, lon in points]
    entries = load_gazetteer(folder / "gazetteer.parquet")
    short = [a.split("г. Вологда, ")[-1] for a in entries["address"].tolist()]
    rng.shuffle(short)
    address_paths = ["/api/v1/lookup?" + urllib.parse.urlencode({"address": a})
                     for a in short[:1000]]
    return db, point_paths, address_paths, key


def serve(db: str, folder: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HEATMAP_DB": db,
           "HEATMAP_GAZETTEER": str(folder / "gazetteer.parquet"), "HEATMAP_CITY": "Вологда",
           "HEATMAP_API_LEAFLET_URL": ""}
    server = subprocess.Popen(
        [sys.executable, "-m", "heatmap", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--no-access-log", "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("heatmap serve did not come up")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (1)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternate trivial/point runs this many times; the best of each")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        folder = Path(tmp)
        db, point_paths, address_paths, key = prepare(folder)
        points_lua, addresses_lua = folder / "points.lua", folder / "addresses.lua"
        points_lua.write_text(lua_rotation(point_paths, key), encoding="utf-8")
        addresses_lua.write_text(lua_rotation(address_paths, key), encoding="utf-8")
        port = free_port()
        server = serve(db, folder, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        settings = {"duration": args.duration, "connections": args.connections,
                    "threads": args.threads}
        try:
            warm = {**settings, "duration": 2}
            wrk("warm-up", base + "/livez", None, **warm)
            wrk("warm-up", base, points_lua, **warm)
            trivial: list[Run] = []
            points: list[Run] = []
            for _ in range(args.rounds):
                trivial.append(wrk("trivial GET /livez", base + "/livez", None, **settings))
                points.append(wrk("point lookup", base, points_lua, **settings))
            addresses = wrk("address lookup", base, addresses_lua, **settings)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()

    best_trivial = max(trivial, key=lambda r: r.requests_per_s)
    best_point = max(points, key=lambda r: r.requests_per_s)
    ratio = best_point.requests_per_s / best_trivial.requests_per_s
    ok_ratio = ratio >= RATIO_TARGET
    ok_p99 = best_point.p99_ms <= P99_TARGET_MS
    ok_answers = all(r.non_2xx == 0 for r in [*points, addresses])
    if args.json:
        print(json.dumps({"settings": {**settings, "workers": args.workers},
                          "runs": [asdict(r) for r in [*trivial, *points, addresses]],
                          "ratio": round(ratio, 3), "targets_met": ok_ratio and ok_p99}))
    else:
        print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s on loopback,"
              f" heatmap serve with {args.workers} worker(s), demo store (SQLite)")
        print(f"{'endpoint':<22}{'requests/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}")
        for run in [*trivial, *points, addresses]:
            print(f"{run.name:<22}{run.requests_per_s:>12.0f}{run.p50_ms:>9.2f}"
                  f"{run.p99_ms:>9.2f}{run.non_2xx:>9}")
        print(f"point / trivial requests/s: {ratio:.0%} (target ≥ {RATIO_TARGET:.0%}:"
              f" {'met' if ok_ratio else 'MISSED'}); point p99 {best_point.p99_ms:.2f} ms"
              f" (target ≤ {P99_TARGET_MS:g} ms: {'met' if ok_p99 else 'MISSED'})")
        if not ok_answers:
            print("some lookups were not answered 2xx: see non-2xx", file=sys.stderr)
    return 1 if args.check and not (ok_ratio and ok_p99 and ok_answers) else 0


if __name__ == "__main__":
    sys.exit(main())

"""API throughput with wrk on loopback: point lookups beside a trivial FastAPI endpoint.

Runs ``heatmap serve`` (one uvicorn worker by default) over the demo store and
measures, in the same run and with the same wrk settings:

- ``GET /livez``: a trivial FastAPI endpoint (no key, no store): the ceiling;
- ``GET /api/v1/lookup?lat=&lon=`` with an agent key, rotating through points
  inside spots, near them and in between: the hot path of the agents' map;
- ``GET /api/v1/lookup?address=`` over the sample registry's houses, reported
  apart (it geocodes; answers are cached per address by the geocoder).

Targets: point lookups reach ≥ 80 % of the trivial endpoint's requests/s, p99 ≤ 25 ms
at 32 connections (issue 7); address lookups ≥ 1,500 requests/s, p99 ≤ 30 ms on one
worker (issue 19). Every endpoint runs once per round, taking turns, over ``--rounds``
(3) rounds; the targets are judged on the medians, and not at all ("noisy") when one
endpoint's requests/s spread more than 30 % across rounds. Run: ``make bench-api``
(``--check`` exits 1 when a target is missed on a quiet machine).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
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
sys.path.insert(0, str(ROOT))

from benchmarks.timing import NOISY_SPREAD, busy, machine_load  # noqa: E402

RATIO_TARGET = 0.80
P99_TARGET_MS = 25.0
#: address lookups on one worker (issue 19)
ADDRESS_RPS_TARGET = 1500
ADDRESS_P99_MS = 30.0


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
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return Run(
        name=name,
        requests_per_s=float(rate.group(1)),
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(g) for g in errors.groups()) if errors else 0,
    )


def lua_rotation(paths: list[str], key: str | None) -> str:
    """A wrk script sending ``paths`` in turn (with the API key header when given)."""
    quoted = ",\n".join(json.dumps(p) for p in paths)
    header = f'wrk.headers["X-API-Key"] = {json.dumps(key)}\n' if key else ""
    return (
        f"{header}local paths = {{\n{quoted}\n}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\nend\n'
    )


def wrk(name: str, url: str, script: Path | None, *, duration: int, connections: int, threads: int) -> Run:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    if script is not None:
        command += ["-s", str(script)]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True, timeout=duration + 60)
    return parse_wrk(name, done.stdout)


def prepare(folder: Path) -> tuple[str, list[str], list[str], str]:
    """The demo store, an agent key, point paths and address paths to look up."""
    from heatmap.api.keys import create_key
    from heatmap.devtools.demo import run_demo
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
    address_paths = ["/api/v1/lookup?" + urllib.parse.urlencode({"address": a}) for a in short[:1000]]
    return db, point_paths, address_paths, key


def serve(db: str, folder: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HEATMAP_DB": db,
        "HEATMAP_GAZETTEER": str(folder / "gazetteer.parquet"),
        "HEATMAP_CITY": "Вологда",
        "HEATMAP_API_LEAFLET_URL": "",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "heatmap",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
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


def _median_run(name: str, runs: list[Run]) -> tuple[Run, float]:
    """The median of each figure over the rounds, and the spread of requests/s."""
    rates = [r.requests_per_s for r in runs]
    middle = statistics.median(rates)
    run = Run(
        name=name,
        requests_per_s=middle,
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        requests=sum(r.requests for r in runs),
        non_2xx=sum(r.non_2xx for r in runs),
        socket_errors=sum(r.socket_errors for r in runs),
    )
    return run, (max(rates) - min(rates)) / middle if middle else 0.0


def _rounds(
    base: str, scripts: dict[str, Path | None], rounds: int, settings: dict[str, int]
) -> dict[str, list[Run]]:
    """Every endpoint once per round, taking turns, so a passing load hits all alike."""
    runs: dict[str, list[Run]] = {name: [] for name in scripts}
    for _ in range(rounds):
        for name, script in scripts.items():
            url = base + "/livez" if script is None else base
            runs[name].append(wrk(name, url, script, **settings))
    return runs


def _judge(medians: dict[str, tuple[Run, float]]) -> list[tuple[str, bool]]:
    trivial, point, address = (
        medians[k][0] for k in ("trivial GET /livez", "point lookup", "address lookup")
    )
    ratio = point.requests_per_s / trivial.requests_per_s
    return [
        (f"point / trivial requests/s {ratio:.0%} (target >= {RATIO_TARGET:.0%})", ratio >= RATIO_TARGET),
        (f"point p99 {point.p99_ms:.2f} ms (target <= {P99_TARGET_MS:g} ms)", point.p99_ms <= P99_TARGET_MS),
        (
            f"address {address.requests_per_s:.0f} requests/s (target >= {ADDRESS_RPS_TARGET})",
            address.requests_per_s >= ADDRESS_RPS_TARGET,
        ),
        (
            f"address p99 {address.p99_ms:.2f} ms (target <= {ADDRESS_P99_MS:g} ms)",
            address.p99_ms <= ADDRESS_P99_MS,
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (1)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of trivial/point/address runs (3); judged on medians"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    print(f"# {machine_load()}", file=sys.stderr if args.json else sys.stdout, flush=True)
    crowded = busy()
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        folder = Path(tmp)
        db, point_paths, address_paths, key = prepare(folder)
        points_lua, addresses_lua = folder / "points.lua", folder / "addresses.lua"
        points_lua.write_text(lua_rotation(point_paths, key), encoding="utf-8")
        addresses_lua.write_text(lua_rotation(address_paths, key), encoding="utf-8")
        port = free_port()
        server = serve(db, folder, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        settings = {"duration": args.duration, "connections": args.connections, "threads": args.threads}
        scripts = {"trivial GET /livez": None, "point lookup": points_lua, "address lookup": addresses_lua}
        try:
            for script in scripts.values():
                wrk(
                    "warm-up",
                    base + "/livez" if script is None else base,
                    script,
                    **{**settings, "duration": 2},
                )
            runs = _rounds(base, scripts, args.rounds, settings)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    return _report(args, settings, runs, crowded)


def _report(
    args: argparse.Namespace, settings: dict[str, int], runs: dict[str, list[Run]], crowded: bool
) -> int:
    medians = {name: _median_run(name, taken) for name, taken in runs.items()}
    noisy = crowded or any(spread > NOISY_SPREAD for _, spread in medians.values())
    judged = _judge(medians)
    ok_answers = all(r.non_2xx == 0 for taken in runs.values() for r in taken)
    met = all(ok for _, ok in judged)
    if args.json:
        print(
            json.dumps(
                {
                    "settings": {**settings, "workers": args.workers, "rounds": args.rounds},
                    "runs": {k: [asdict(r) for r in v] for k, v in runs.items()},
                    "medians": {k: asdict(r) for k, (r, _) in medians.items()},
                    "noisy": noisy,
                    "targets_met": met,
                }
            )
        )
    else:
        print(
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s on loopback,"
            f" heatmap serve with {args.workers} worker(s), demo store (SQLite),"
            f" medians of {args.rounds} rounds"
        )
        print(f"{'endpoint':<22}{'requests/s':>12}{'spread':>8}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}")
        for run, spread in medians.values():
            print(
                f"{run.name:<22}{run.requests_per_s:>12.0f}{spread:>8.0%}{run.p50_ms:>9.2f}"
                f"{run.p99_ms:>9.2f}{run.non_2xx:>9}"
            )
        for text, ok in judged:
            print(f"{text}: {'noisy' if noisy else 'met' if ok else 'MISSED'}")
        print(f"# after: {machine_load()}")
        if not ok_answers:
            print("some lookups were not answered 2xx: see non-2xx", file=sys.stderr)
    return 1 if args.check and not noisy and not (met and ok_answers) else 0


if __name__ == "__main__":
    sys.exit(main())

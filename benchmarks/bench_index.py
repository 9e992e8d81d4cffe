"""The agents' spot index: building it over N stored spots, and one point lookup.

    python benchmarks/bench_index.py [--spots 2000] [--repeat 9] [--json]

Writes N open spots (most found by detection at varied times, a third with an ETA, a
cause and evidence, some known issues) and a tenth as many resolved lately into a
temporary SQLite store, then times ``SpotIndex.refresh(store, force=True)`` (the store's
``load_spots`` plus the build) and ``store.load_spots`` alone, least of ``--repeat``; the
build is their difference. Lookups are timed at every spot's centre, five rounds after
the last rebuild: the first round (each spot's first lookup since the rebuild, which
makes what the build leaves to it) and the least round, per call. Times are CPU seconds
of the process (``time.process_time``): the machine is shared. It uses the ``heatmap``
package first on ``sys.path``: with ``PYTHONPATH=<another tree>`` it times that code on
the same spots (interleave the runs).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from inspect import signature
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from heatmap.api.index import SpotIndex
from heatmap.core.script import load_templates
from heatmap.domain import OPEN_STATUSES
from heatmap.domain.columns import EVENT_COLUMNS, SPOT_COLUMNS
from heatmap.store import open_store
from heatmap.store.base import SpotChanges, Store

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
CAUSES = ("power_outage", "fiber_cut", "equipment_failure", None)
TRENDS = ("new", "intensifying", "persistent", "diminishing", None)


def spots_frame(n_open: int, seed: int = 7) -> pd.DataFrame:
    """``n_open`` open spots around Saint Petersburg and ``n_open // 10`` resolved ones."""
    rng = np.random.default_rng(seed)
    n = n_open + n_open // 10
    lat = 59.93 + rng.normal(0, 0.08, n)
    lon = 30.31 + rng.normal(0, 0.15, n)
    radius = rng.uniform(60, 400, n) / 111_320
    found = [NOW - timedelta(hours=float(h)) for h in rng.uniform(0, 72, n)]
    rows = []
    for i in range(n):
        has_eta, known = i % 3 == 0, i % 17 == 5
        rows.append(
            {
                "id": f"SP{i:05d}",
                "status": "resolved" if i >= n_open else ("in_progress" if has_eta else "queued"),
                "method": "h3",
                "geometry": shapely.Point(lon[i], lat[i]).buffer(radius[i], quad_segs=8),
                "centroid_lat": lat[i],
                "centroid_lon": lon[i],
                "region": "Санкт-Петербург",
                "address": f"Санкт-Петербург, ул. Тестовая, д. {i}",
                "complaints": 3 + i % 40,
                "subscribers": 3 + i % 30,
                "first_complaint_at": found[i] - timedelta(days=2),
                "last_complaint_at": found[i],
                "dominant_topic": "no_signal",
                "priority": float(rng.uniform(0, 100)),
                "breakdown": {"complaints": 3 + i % 40},
                "queue": "radio",
                "sla_hours": 48.0,
                "due_at": found[i] + timedelta(days=2),
                "eta": found[i] + timedelta(days=1) if has_eta else None,
                "cause": CAUSES[i % 4] if has_eta else None,
                "suggested_cause": CAUSES[(i + 1) % 4],
                "created_at": found[i] - timedelta(days=1),
                "updated_at": NOW - timedelta(days=1),
                "kind": "known_issue" if known else "detected",
                "escalated": False,
                "observed": None if known else 3.0 + i % 40,
                "expected": None if known else 0.7,
                "excess": None if known else 2.3 + i % 40,
                "relative_risk": None if known else 4.3,
                "p_value": None if known else 1e-4,
                "scan_days": None if known else 7.0,
                "trend": None if known else TRENDS[i % 5],
                "found_at": None if known else found[i],
            }
        )
    return pd.DataFrame(rows).reindex(columns=list(SPOT_COLUMNS))


def stored(folder: Path, n_open: int) -> Store:
    store = open_store(f"sqlite:///{folder / 'index.db'}")
    store.upgrade()
    store.apply_spot_changes(
        SpotChanges(
            at=NOW,
            spots=spots_frame(n_open),
            members=pd.DataFrame(columns=["ticket_id", "spot_id"]),
            events=pd.DataFrame(columns=list(EVENT_COLUMNS)),
        )
    )
    return store


def least(seconds: list[float]) -> float:
    return min(seconds) if seconds else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spots", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = stored(Path(tmp), args.spots)
        index = SpotIndex(
            templates=load_templates(),
            reach_m=100,
            recent_days=14,
            recent_reach_m=500,
            check_interval_s=3600,
            clock=lambda: NOW,
            join_reach_m=100,
            **({"active_hours": 24} if "active_hours" in signature(SpotIndex).parameters else {}),
        )
        refresh, load = [], []
        for _ in range(args.repeat):
            start = time.process_time()
            index.refresh(store, force=True)
            refresh.append(time.process_time() - start)
            start = time.process_time()
            store.load_spots(statuses=sorted({*OPEN_STATUSES, "resolved"}))
            load.append(time.process_time() - start)
        frame = spots_frame(args.spots)
        points = list(zip(frame["centroid_lat"].tolist(), frame["centroid_lon"].tolist(), strict=True))
        per_call = []
        for _ in range(5):
            start = time.process_time()
            for lat, lon in points:
                index.lookup(lat, lon)
            per_call.append((time.process_time() - start) / len(points))
        store.close()
    result = {
        "spots": args.spots,
        "refresh_ms": least(refresh) * 1e3,
        "load_spots_ms": least(load) * 1e3,
        "build_ms": (least(refresh) - least(load)) * 1e3,
        "lookup_us": least(per_call) * 1e6,
        "first_lookup_us": per_call[0] * 1e6,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{args.spots} open spots: refresh {result['refresh_ms']:.0f} ms (load_spots "
        f"{result['load_spots_ms']:.0f} ms, build {result['build_ms']:.0f} ms), "
        f"lookup {result['lookup_us']:.1f} µs, the first after a rebuild "
        f"{result['first_lookup_us']:.1f} µs (CPU, least of {args.repeat})"
    )


if __name__ == "__main__":
    main()

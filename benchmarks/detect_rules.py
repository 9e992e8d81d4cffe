"""The detection rules side by side, for ``bench_detect.py``: the old fixed count and the
expected rule (the default), through ``heatmap.detect.run`` on the benchmark's points.

Methods (each in its own child process, like every other method of the benchmark)
  count_h3, count_db     label_points(rule="count"), method h3 / dbscan
  expect_h3, expect_db   label_points(rule="expected"), same points, with an exposure
  detect_h3, detect_db   heatmap.detect.run.detect with the expected rule, end to end:
                         evidence, trend labels, identities, priorities, routing
  detcnt_h3, detcnt_db   the same with rule="count", the end-to-end baseline

The points are the benchmark's (``points.py``: spread over 30 days) with precision
"house"; the exposure is the address density of the distinct house positions the
generator snaps to (``address_layer`` then ``layer_points``), written once per size
beside the points.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: method -> (entry point, detection method, rule)
RULE_METHODS: dict[str, tuple[str, str, str]] = {
    "count_h3": ("label", "h3", "count"),
    "expect_h3": ("label", "h3", "expected"),
    "count_db": ("label", "dbscan", "count"),
    "expect_db": ("label", "dbscan", "expected"),
    "detcnt_h3": ("detect", "h3", "count"),
    "detect_h3": ("detect", "h3", "expected"),
    "detcnt_db": ("detect", "dbscan", "count"),
    "detect_db": ("detect", "dbscan", "expected"),
}
#: each expected-rule method and the count-rule method it is measured against
BASELINE: dict[str, str] = {
    "expect_h3": "count_h3",
    "expect_db": "count_db",
    "detect_h3": "detcnt_h3",
    "detect_db": "detcnt_db",
}
#: the house grid of ``points.py`` (degrees of latitude, longitude)
_SNAP = (0.0002, 0.0003)


def exposure_path(points: Path) -> Path:
    return points.with_name(points.name.replace("points_", "exposure_"))


def write_inputs(frame: pd.DataFrame, points: Path) -> None:
    """The points (lat, lon, subscriber_id, created_at) and their exposure points."""
    from heatmap.detect.exposure import address_layer, layer_points

    frame[["lat", "lon", "subscriber_id", "created_at"]].to_parquet(points)
    houses = pd.DataFrame(
        {
            "lat": np.round(frame["lat"].to_numpy(float) / _SNAP[0]) * _SNAP[0],
            "lon": np.round(frame["lon"].to_numpy(float) / _SNAP[1]) * _SNAP[1],
        }
    )
    houses = houses.drop_duplicates()
    layer = address_layer(houses["lat"].to_numpy(float), houses["lon"].to_numpy(float))
    layer_points(layer).to_parquet(exposure_path(points))


def prepare(
    method: str, data: pd.DataFrame, points: Path, args: argparse.Namespace
) -> Callable[[], np.ndarray]:
    """Set up outside the timed region; return the call to time (labels per point)."""
    from heatmap.detect.run import DetectParams, detect, label_points

    entry, how, rule = RULE_METHODS[method]
    params = DetectParams(
        method=how, rule=rule, eps_m=args.eps_m, h3_res=args.h3_res, min_subscribers=args.min_subscribers
    )
    exposure = pd.read_parquet(exposure_path(points))
    frame = data.assign(precision="house")
    now = pd.Timestamp(frame["created_at"].max())
    if entry == "label":
        return lambda: label_points(frame, params, exposure=exposure, now=now)
    from heatmap.core.policy import load_policy
    from heatmap.store.base import SPOT_COLUMNS

    complaints = frame.assign(
        ticket_id=[f"T{i:09d}" for i in range(len(frame))],
        segment="mass",
        ltv=None,
        topic="no_coverage",
        region="R",
        address=None,
        spot_id=None,
    )
    spots = pd.DataFrame({c: pd.Series(dtype=object) for c in SPOT_COLUMNS})
    policy = load_policy()

    def run_detect() -> np.ndarray:
        found = detect(complaints, spots, params=params, policy=policy, now=now, exposure=exposure)
        labels = np.full(len(complaints), -1, dtype=np.int64)
        members = found.members
        rows = pd.Index(complaints["ticket_id"]).get_indexer(members["ticket_id"])
        labels[rows] = pd.factorize(members["spot_id"])[0]
        return labels

    return run_detect


def note(method: str, labels: np.ndarray) -> str:
    clusters = int(labels.max(initial=-1)) + 1
    return f"{clusters} spots, {np.mean(labels >= 0):.1%} of points"


def add_ratios(batch: list[dict[str, Any]]) -> None:
    """Each expected-rule row gets ``x count``: its seconds over its count-rule row's."""
    seconds = {r["method"]: r["seconds"] for r in batch if "seconds" in r}
    for row in batch:
        base = BASELINE.get(row["method"])
        if base in seconds and "seconds" in row:
            row["x_count"] = row["seconds"] / seconds[base]
            row["agreement"] = f"{row['x_count']:.2f}x {base} (target ≤ 2); " + row.get("agreement", "")

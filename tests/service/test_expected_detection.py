"""The expected rule through the store, on every store kind: exposure from the store,
history from the store, evidence and trend kept, routing by trend, same answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from heatmap.core.policy import load_policy
from heatmap.detect.exposure import address_layer
from heatmap.detect.run import DetectParams
from heatmap.service import detect_spots, ingest
from heatmap.store import Store

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
HEADER = "ticket_id,created_at,msisdn,segment,topic,lat,lon,region\n"
CHRONIC = (59.2300, 39.9300)
BURST = (59.1700, 39.8500)


def houses(seed: int = 7, n: int = 2500) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    r = 6_000 * np.sqrt(rng.uniform(0, 1, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    return (
        59.2 + r * np.cos(angle) / 111_320,
        39.9 + r * np.sin(angle) / (111_320 * np.cos(np.radians(59.2))),
    )


def export(tmp_path: Path) -> Path:
    """180 days of background on the houses, a place that complains every week of them,
    and a burst of 14 people in the last two days."""
    rng = np.random.default_rng(11)
    lat, lon = houses()
    rows = []
    n = int(len(lat) / 7 * 6)  # one per 7 houses a month, six months
    pick = rng.integers(0, len(lat), n)
    for i, (k, age) in enumerate(zip(pick, rng.uniform(0, 180, n), strict=True)):
        rows.append((f"B{i:05d}", age, lat[k], lon[k], "slow_data"))
    for week in range(26):
        for j in range(3):
            rows.append(
                (
                    f"C{week:02d}{j}",
                    week * 7 + j + 0.5,
                    CHRONIC[0] + j * 1e-4,
                    CHRONIC[1],
                    "weak_signal_indoor",
                )
            )
    for j in range(14):
        rows.append((f"N{j:02d}", 0.1 + j / 10, BURST[0] + j * 5e-5, BURST[1], "no_data"))
    lines = [
        f"{t},{(NOW - timedelta(days=age)).isoformat()},8916{i:07d},mass,{topic},{a:.6f},{b:.6f},R"
        for i, (t, age, a, b, topic) in enumerate(rows)
    ]
    path = tmp_path / "history.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_expected_rule_on_the_store(store: Store, tmp_path: Path) -> None:
    policy = load_policy()
    ingest(store, [export(tmp_path)], now=NOW, policy=policy)
    lat, lon = houses()
    store.replace_exposure("addresses", address_layer(lat, lon))
    report = detect_spots(store, params=DetectParams(), policy=policy, now=NOW)
    assert (report.rule, report.exposure) == ("expected", "addresses")
    spots = store.load_spots()
    assert len(spots) == 2, spots[["centroid_lat", "centroid_lon", "subscribers"]]
    by_place = {round(float(s["centroid_lat"]), 2): s for _, s in spots.iterrows()}
    chronic, burst = by_place[round(CHRONIC[0], 2)], by_place[round(BURST[0], 2)]
    assert chronic["trend"] == "persistent"
    assert chronic["queue"] == "construction_planning"
    assert burst["trend"] == "new"
    assert burst["scan_days"] in (1.0, 3.0)
    for spot in (chronic, burst):
        assert spot["p_value"] < 1e-6
        assert spot["excess"] == spot["observed"] - spot["expected"]
        assert spot["breakdown"]["excess"] > 0


def test_without_a_layer_detection_says_the_exposure_was_uniform(store: Store, tmp_path: Path) -> None:
    ingest(store, [export(tmp_path)], now=NOW, policy=load_policy())
    report = detect_spots(store, params=DetectParams(), policy=load_policy(), now=NOW)
    assert report.exposure == "uniform"
    burst = store.load_spots().loc[lambda f: (f["centroid_lat"] - BURST[0]).abs() < 0.01]
    assert len(burst) == 1, "a burst stands out even against a uniform expectation"
    counted = detect_spots(
        store, params=DetectParams(rule="count"), policy=load_policy(), now=NOW + timedelta(minutes=1)
    )
    assert counted.rule == "count" and counted.spots > report.spots
    assert pd.isna(store.load_spots()["expected"]).any()

"""The history factor: learnt per district, without the places whose past was an excess."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import h3
import numpy as np
import pandas as pd
import pytest

from heatmap.core.cells import cells_of
from heatmap.core.policy import load_policy
from heatmap.detect import history as history_module
from heatmap.detect.exposure import address_layer, layer_points
from heatmap.detect.history import HISTORY_PRIOR, history_factor
from heatmap.detect.run import DetectParams, detect, label_points
from heatmap.devtools.samples_planted import PlantSpec, distance_m, generate_history, generate_planted
from heatmap.devtools.samples_planted import synthetic_town as town
from heatmap.store.base import SPOT_COLUMNS

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
COLUMNS = ["lat", "lon", "subscriber_id", "precision", "created_at"]


def _past(where: list[tuple[float, float]], counts: list[int]) -> pd.DataFrame:
    rows = [
        (lat, lon, f"s{k}-{i}", NOW - timedelta(days=40 + i * 37 % 140))
        for k, ((lat, lon), n) in enumerate(zip(where, counts, strict=True))
        for i in range(n)
    ]
    return pd.DataFrame(rows, columns=["lat", "lon", "subscriber_id", "created_at"])


def test_a_past_excess_does_not_raise_its_districts_expectation() -> None:
    """Cells A and B in one res-7 district, C in another; exposure 1, 1, 2; past 40, 5,
    10. Kept all, the rate is 55 / 4 and A's district factor (45 + κ) / (27.5 + κ); A's
    40 against 21 expected is an excess (tail < 1e-3), so it is left out: the rate is
    then 15 / 3 = 5 and both districts' past equals their prediction — every factor 1.
    Learnt per cell, A's factor would be (40 + κ) / (13.75 + κ) = 2.4."""
    district = h3.latlng_to_cell(59.2, 39.9, 7)
    a, b = sorted(h3.cell_to_children(district, 9))[:2]
    c = h3.latlng_to_cell(59.5, 40.3, 9)
    where = [h3.cell_to_latlng(x) for x in (a, b, c)]
    index = pd.Index(np.array([h3.str_to_int(x) for x in (a, b, c)], dtype=np.uint64))
    past = _past(where, [40, 5, 10])
    factor = history_factor(past, index, np.array([1.0, 1.0, 2.0]), res=9, window_days=30)
    assert factor == pytest.approx([1.0, 1.0, 1.0])
    calm = _past(where, [10, 5, 10])  # no excess: the district's own rate, shrunk
    rate = 25 / 4
    shrunk = [
        (15 + HISTORY_PRIOR) / (2 * rate + HISTORY_PRIOR),
        (10 + HISTORY_PRIOR) / (2 * rate + HISTORY_PRIOR),
    ]
    factor = history_factor(calm, index, np.array([1.0, 1.0, 2.0]), res=9, window_days=30)
    assert factor == pytest.approx([shrunk[0], shrunk[0], shrunk[1]])
    assert cells_of(np.array([where[0][0]]), np.array([where[0][1]]), 9)[0] == index[0]


def _found(lat: np.ndarray, lon: np.ndarray, seed: int, method: str) -> bool:
    spec = PlantSpec(recent_days=30.0, planted=1, min_complainants=25, max_complainants=25)
    export = generate_planted(lat, lon, now=NOW, seed=seed, spec=spec)
    past = generate_history(lat, lon, now=NOW, seed=seed, spec=spec, chronic=True)
    points = export.complaints[COLUMNS]
    exposure = layer_points(address_layer(lat, lon))
    params = DetectParams(method=method)
    labels = label_points(points, params, exposure=exposure, now=NOW, history=past[COLUMNS])
    centre = export.centres.iloc[0]
    for k in np.unique(labels[labels >= 0]):
        members = points[labels == k]
        if distance_m(members["lat"].mean(), members["lon"].mean(), centre["lat"], centre["lon"]) <= 300:
            return True
    return False


@pytest.mark.parametrize("method", ["h3", "dbscan"])
def test_a_chronic_place_the_store_has_seen_is_still_a_spot(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """25 complainants a month at one place for seven months: with six months of that in
    the history, this month's are still a spot in 7 or 8 seeds of 8. Learnt per cell
    with no place left out (the rule before), the place was its own normal: 4 of 8."""
    lat, lon = town(5)
    found = sum(_found(lat, lon, seed, method) for seed in range(1, 9))
    assert found >= 7
    monkeypatch.setattr(history_module, "HISTORY_RES", 9)
    monkeypatch.setattr(history_module, "HISTORY_EXCESS_P", 0.0)
    assert sum(_found(lat, lon, seed, method) for seed in range(1, 9)) <= 5, "the per-cell rule absorbs it"


def test_the_chronic_place_is_labelled_persistent() -> None:
    """Seven months of the same place: the spot found now says so, and the default
    policy sends a persistent spot to construction planning."""
    lat, lon = town(5)
    spec = PlantSpec(recent_days=30.0, planted=1, min_complainants=25, max_complainants=25)
    export = generate_planted(lat, lon, now=NOW, seed=2, spec=spec)
    past = generate_history(lat, lon, now=NOW, seed=2, spec=spec, chronic=True)
    frame = pd.concat([export.complaints, past], ignore_index=True).assign(
        segment="mass", ltv=None, topic="no_coverage", region="R", address=None, spot_id=None
    )
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in SPOT_COLUMNS})
    exposure = layer_points(address_layer(lat, lon))
    spots = detect(
        frame, empty, params=DetectParams(), policy=load_policy(), now=NOW, exposure=exposure
    ).spots
    centre = export.centres.iloc[0]
    near = distance_m(spots["centroid_lat"], spots["centroid_lon"], centre["lat"], centre["lon"]) <= 300
    assert near.sum() == 1
    chronic = spots[near].iloc[0]
    assert chronic["trend"] == "persistent"
    assert chronic["queue"] == "construction_planning"

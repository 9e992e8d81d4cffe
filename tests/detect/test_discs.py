"""The expected rule's DBSCAN parts: exposure cells, the reach of core cells, a spot's
area as the union of its core points' discs, and the Palm-corrected core test."""

from __future__ import annotations

from functools import partial

import h3
import numpy as np
import pandas as pd
import pytest

from heatmap.core.cells import cells_of
from heatmap.detect import expected as expected_rule
from heatmap.detect import neighbours
from heatmap.detect.disc_grid import disc_cells
from heatmap.detect.discs import (
    DbscanSteps,
    Discs,
    _local_label,
    _reach_rings,
    label_dbscan_expected,
)
from heatmap.detect.expected import Complaints, Expectation, build_cells
from heatmap.detect.exposure import address_layer, layer_points
from heatmap.detect.stats import poisson_upper_tail
from heatmap.devtools.samples_planted import distance_m

NOW = pd.Timestamp("2026-11-20 12:00", tz="UTC")


@pytest.mark.parametrize("res", [8, 10, 11, 12])
def test_exposure_points_find_their_res10_cells_as_located(res: int) -> None:
    rng = np.random.default_rng(res)
    lat = 59.9 + rng.uniform(-0.05, 0.05, 3000)
    lon = 30.3 + rng.uniform(-0.1, 0.1, 3000)
    points = layer_points(address_layer(lat, lon, res=res))
    located = cells_of(points["lat"].to_numpy(), points["lon"].to_numpy(), 10)
    assert (disc_cells(points) == located).all()
    assert (disc_cells(points.drop(columns="cell")) == located).all()


def _offset(lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    d = metres / 6_371_008.8
    la, lo, b = np.radians(lat), np.radians(lon), np.radians(bearing)
    la2 = np.arcsin(np.sin(la) * np.cos(d) + np.cos(la) * np.sin(d) * np.cos(b))
    lo2 = lo + np.arctan2(np.sin(b) * np.sin(d) * np.cos(la), np.cos(d) - np.sin(la) * np.sin(la2))
    return float(np.degrees(la2)), float(np.degrees(lo2))


@pytest.mark.parametrize(("lat0", "lon0"), [(59.9, 30.3), (0.0, 0.0), (-33.9, 151.2), (70.0, -150.0)])
def test_every_point_within_eps_lies_within_the_reach_rings(lat0: float, lon0: float) -> None:
    rng = np.random.default_rng(abs(int(lat0 * 10 + lon0)))
    for eps_m, res in [(250.0, 9), (100.0, 9), (500.0, 9), (250.0, 8)]:
        starts = [_offset(lat0, lon0, rng.uniform(0, 50_000), rng.uniform(0, 360)) for _ in range(300)]
        cells = cells_of(np.array([s[0] for s in starts]), np.array([s[1] for s in starts]), res)
        rings = _reach_rings(np.unique(cells), eps_m)
        for (lat, lon), cell in zip(starts, cells.tolist(), strict=True):
            other = _offset(lat, lon, eps_m * rng.uniform(0.9, 1.0), rng.uniform(0, 360))
            far = h3.latlng_to_cell(other[0], other[1], res)
            assert h3.grid_distance(h3.int_to_str(cell), far) <= rings
    assert _reach_rings(np.unique(cells_of(np.array([59.9]), np.array([30.3]), 9)), 250.0) == 3


def _one_place(complainants: int) -> tuple[Complaints, np.ndarray, float, Expectation]:
    """A town of houses with a thin background and ``complainants`` at one house."""
    rng = np.random.default_rng(complainants)
    houses = pd.DataFrame({"lat": 59.2 + rng.uniform(0, 0.05, 2000), "lon": 39.9 + rng.uniform(0, 0.1, 2000)})
    background = houses.sample(200, random_state=1)
    lat = np.concatenate([background["lat"].to_numpy(), np.full(complainants, 59.225)])
    lon = np.concatenate([background["lon"].to_numpy(), np.full(complainants, 39.95)])
    ages = np.concatenate([rng.uniform(0.1, 29, len(background)), np.full(complainants, 0.5)])
    times = NOW - pd.to_timedelta(ages, unit="D")
    points = pd.DataFrame(
        {"lat": lat, "lon": lon, "subscriber_id": [f"s{i}" for i in range(len(lat))], "created_at": times}
    ).assign(precision="house")
    return _tested(points, houses, q=0.01)


def _tested(
    points: pd.DataFrame, houses: pd.DataFrame, *, q: float
) -> tuple[Complaints, np.ndarray, float, Expectation]:
    """The complaints, their cells' positions, the cells' threshold and the expectation,
    against the address density of ``houses``."""
    exposure = layer_points(address_layer(houses["lat"].to_numpy(), houses["lon"].to_numpy()))
    complaints = Complaints.of(points, 9)
    cells = build_cells(points, exposure, res=9, history=None, window_days=30.0, complaints=complaints)
    expectation, tests = expected_rule.test_cells(
        points,
        cells,
        windows=(1.0, 3.0, 7.0, 30.0),
        now=NOW,
        q=q,
        min_subscribers=3,
        complaints=complaints,
    )
    return complaints, cells.position(complaints.cells), tests.cutoff, expectation


@pytest.mark.parametrize("complainants", [3, 4, 5, 6, 8])
def test_a_core_counts_the_complainants_besides_the_one_it_is_centred_on(complainants: int) -> None:
    complaints, place, cutoff, expectation = _one_place(complainants)
    found = label_dbscan_expected(
        complaints,
        place,
        eps_m=250.0,
        min_subscribers=3,
        expectation=expectation,
        now=NOW,
        cutoff=cutoff,
        steps=DbscanSteps(),
    )
    at = np.flatnonzero((complaints.lat == 59.225) & (complaints.lon == 39.95))
    discs = Discs.around(np.array([59.225]), np.array([39.95]), 250.0, expectation, place[at[:1]])
    near = distance_m(complaints.lat, complaints.lon, 59.225, 39.95) <= 250.0
    recent = complaints.in_window(NOW, 1.0)
    others = float((near & recent).sum()) - 1.0
    expected = expectation.expected(discs.adjusted, 1.0)
    palm = poisson_upper_tail(np.array([others]), expected)[0]
    naive = poisson_upper_tail(np.array([others + 1.0]), expected)[0]
    assert (found.labels[at] >= 0).all() == bool(cutoff > 0 and palm <= cutoff)
    if complainants == 3:  # counting the centre too would have made it a core
        assert naive <= cutoff < palm


def _bursts(seed: int) -> tuple[Complaints, np.ndarray, float, Expectation]:
    """A town's background and a few bursts at nearby houses, some complainants
    repeating at other houses, some located to a street only, some without an id."""
    rng = np.random.default_rng(seed)
    houses = pd.DataFrame(
        {"lat": 59.2 + rng.uniform(0, 0.04, 1500), "lon": 39.9 + rng.uniform(0, 0.08, 1500)}
    )
    at = rng.integers(0, len(houses), 400)
    lat, lon = houses["lat"].to_numpy()[at], houses["lon"].to_numpy()[at]
    ages = rng.uniform(0.1, 29.9, len(at))
    for centre in rng.integers(0, len(houses), 5):  # bursts over a few nearby houses
        size = int(rng.integers(4, 12))
        lat = np.concatenate([lat, houses["lat"].to_numpy()[centre] + rng.normal(0, 4e-4, size).round(4)])
        lon = np.concatenate([lon, houses["lon"].to_numpy()[centre] + rng.normal(0, 8e-4, size).round(4)])
        ages = np.concatenate([ages, rng.uniform(0.05, 2.5, size)])
    who = np.array([f"s{i}" for i in rng.integers(0, int(0.8 * len(lat)), len(lat))], dtype=object)
    who[rng.random(len(lat)) < 0.05] = None
    precision = np.where(rng.random(len(lat)) < 0.15, "street", "house")
    precision[rng.random(len(lat)) < 0.05] = "city"
    points = pd.DataFrame(
        {
            "lat": lat,
            "lon": lon,
            "subscriber_id": who,
            "created_at": NOW - pd.to_timedelta(ages, unit="D"),
            "precision": precision,
        }
    )
    return _tested(points, houses, q=0.05)


@pytest.mark.parametrize("block", [64, 8192])
@pytest.mark.parametrize("seed", range(6))
def test_clustering_over_the_strengths_search_equals_clustering_the_points_near_cores(
    seed: int, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(neighbours, "_BLOCK", block)  # small blocks: pairs across blocks too
    complaints, place, cutoff, expectation = _bursts(seed)
    run = {"eps_m": 250.0, "min_subscribers": 3, "expectation": expectation, "now": NOW, "cutoff": cutoff}
    shared = label_dbscan_expected(complaints, place, steps=DbscanSteps(), **run)
    near = label_dbscan_expected(
        complaints,
        place,
        steps=DbscanSteps(label=partial(_local_label)),  # not the local step itself: near cores only
        **run,
    )
    assert (shared.labels >= 0).sum() > 0
    np.testing.assert_array_equal(shared.labels, near.labels)
    pd.testing.assert_series_equal(shared.adjusted, near.adjusted)

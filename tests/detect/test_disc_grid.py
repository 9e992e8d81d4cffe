"""The discs' exposure cells found through H3 rings: the same pairs as a radius search
over every exposure cell, and inner rings whose cells all lie within eps."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from heatmap.core.cells import cells_of, centres_of
from heatmap.detect import disc_cores, discs
from heatmap.detect.disc_grid import (
    DISC_RES,
    ExposureGrid,
    _disks,
    _unit,
    pairs_within,
    ring_reach,
    ring_sums,
)
from heatmap.detect.kdtree import kd_tree
from heatmap.detect.neighbours import EARTH_RADIUS_M

PLACES = [(59.9, 30.3), (55.75, 37.62), (0.0, 0.0), (-33.9, 151.2), (70.0, -150.0), (43.1, 131.9)]


def _grid_near(lat0: float, lon0: float, seed: int) -> tuple[ExposureGrid, np.ndarray]:
    """Exposure points over a few kilometres (some cells empty), and disc cells there."""
    rng = np.random.default_rng(seed)
    span = 0.01
    lat = lat0 + rng.uniform(-span, span, 4000)
    lon = lon0 + rng.uniform(-span, span, 4000) / max(np.cos(np.radians(lat0)), 0.2)
    points = pd.DataFrame({"lat": lat, "lon": lon, "weight": rng.choice([0.5, 1.0, 3.0], len(lat))})
    mine = cells_of(lat0 + rng.uniform(-span, span, 300), lon0 + rng.uniform(-span, span, 300), DISC_RES)
    return ExposureGrid.of(points), np.unique(mine)


def _searched(grid: ExposureGrid, cells: np.ndarray, eps_m: float) -> set[tuple[int, int]]:
    """The pairs a k-d tree radius search over every exposure cell finds."""
    chord = 2.0 * np.sin(0.5 * eps_m / EARTH_RADIUS_M)
    tree = kd_tree()
    mine = tree(_unit(centres_of(cells)))
    theirs = tree(_unit(centres_of(grid.cells)))
    found = mine.sparse_distance_matrix(theirs, chord, output_type="ndarray")
    return set(zip(found["i"].tolist(), found["j"].tolist(), strict=True))


@pytest.mark.parametrize(("lat0", "lon0"), PLACES)
@pytest.mark.parametrize("eps_m", [100.0, 250.0, 500.0])
def test_ring_pairs_are_the_radius_search_pairs(lat0: float, lon0: float, eps_m: float) -> None:
    grid, cells = _grid_near(lat0, lon0, int(eps_m) + int(abs(lat0)))
    inner, outer = ring_reach(cells, eps_m)
    i, j = pairs_within(grid, cells, eps_m, outer)
    expected = _searched(grid, cells, eps_m)
    assert len(expected) > (2 * len(cells) if eps_m > 100.0 else 0)  # ring pairs, not own cells only
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == expected
    assert len(i) == len(expected)  # each pair once
    assert inner <= outer


@pytest.mark.parametrize(("lat0", "lon0"), PLACES)
@pytest.mark.parametrize("eps_m", [100.0, 250.0, 500.0])
def test_inner_rings_lie_within_eps_and_bound_the_disc(lat0: float, lon0: float, eps_m: float) -> None:
    grid, cells = _grid_near(lat0, lon0, 7 + int(eps_m))
    inner, outer = ring_reach(cells, eps_m)
    assert inner >= (1 if eps_m >= 250.0 else 0)  # at 250 m a cell's neighbours are in its disc
    near, offsets = _disks(cells, inner)
    owner = np.repeat(np.arange(len(cells)), np.diff(offsets))
    chord = np.linalg.norm(_unit(centres_of(near)) - _unit(centres_of(cells))[owner], axis=1)
    assert (chord <= 2.0 * np.sin(0.5 * eps_m / EARTH_RADIUS_M)).all()
    i, j = pairs_within(grid, cells, eps_m, outer)
    disc = np.bincount(i, weights=grid.weight[j], minlength=len(cells))
    lower = ring_sums(grid, cells, inner)
    assert (lower <= disc + 1e-9).all() and (lower > 0).any()


def test_locations_left_out_by_the_inner_rings_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.detect.test_discs import NOW, _bursts

    kept: list[tuple[int, int]] = []  # (locations that may pass, candidates) per run

    def every(found: disc_cores.Strengths, candidate: np.ndarray, *args: Any, **kw: Any) -> np.ndarray:
        may = disc_cores.may_pass(found, candidate, *args, **kw)
        kept.append((int(np.count_nonzero(may)), candidate.size))
        return np.ones(candidate.size, dtype=bool)

    run = {"eps_m": 250.0, "min_subscribers": 3, "now": NOW, "steps": discs.DbscanSteps()}
    for seed in range(4):
        complaints, place, cutoff, expectation = _bursts(seed)
        pruned = discs.label_dbscan_expected(complaints, place, expectation=expectation, cutoff=cutoff, **run)
        with monkeypatch.context() as patched:
            patched.setattr(discs, "may_pass", every)
            whole = discs.label_dbscan_expected(
                complaints, place, expectation=expectation, cutoff=cutoff, **run
            )
        np.testing.assert_array_equal(pruned.labels, whole.labels)
        pd.testing.assert_series_equal(pruned.adjusted, whole.adjusted)
        assert (pruned.labels >= 0).any()
    assert any(may < candidates for may, candidates in kept)  # some were left out


def test_no_cells_no_pairs() -> None:
    grid, _ = _grid_near(59.9, 30.3, 1)
    none = np.zeros(0, dtype=np.uint64)
    assert ring_reach(none, 250.0) == (0, 0)
    i, j = pairs_within(grid, none, 250.0, 2)
    assert i.size == 0 and j.size == 0 and ring_sums(grid, none, 1).size == 0
    empty = ExposureGrid.of(pd.DataFrame({"lat": [], "lon": [], "weight": []}))
    cells = cells_of(np.array([59.9]), np.array([30.3]), DISC_RES)
    assert empty.positions(cells).tolist() == [-1] and ring_sums(empty, cells, 1).tolist() == [0.0]

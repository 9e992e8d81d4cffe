from typing import Any

import h3
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatmap.detect.h3 import label_h3
from heatmap.errors import DetectionError


def cell_points(cell: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    lat, lon = h3.cell_to_latlng(cell)
    return np.full(k, lat), np.full(k, lon)


def test_a_cell_is_hot_with_enough_distinct_complainants() -> None:
    lat, lon = cell_points(h3.latlng_to_cell(59.22, 39.88, 9), 3)
    labels = label_h3(lat, lon, np.array(["a", "b", "c"]), res=9, min_subscribers=3)
    assert labels.tolist() == [0, 0, 0]


def test_one_subscriber_calling_five_times_counts_once() -> None:
    lat, lon = cell_points(h3.latlng_to_cell(59.22, 39.88, 9), 6)
    labels = label_h3(lat, lon, np.array(["a"] * 5 + ["b"]), res=9, min_subscribers=3)
    assert (labels == -1).all()


def test_adjacent_hot_cells_form_one_spot_and_distant_ones_another() -> None:
    home = h3.latlng_to_cell(59.22, 39.88, 9)
    neighbour = next(iter(h3.grid_ring(home, 1)))
    far = h3.latlng_to_cell(59.30, 40.00, 9)
    lats, lons, subs = [], [], []
    for i, cell in enumerate([home, neighbour, far]):
        lat, lon = cell_points(cell, 3)
        lats.append(lat)
        lons.append(lon)
        subs += [f"{i}-{j}" for j in range(3)]
    labels = label_h3(np.concatenate(lats), np.concatenate(lons), np.array(subs), res=9, min_subscribers=3)
    assert labels.tolist() == [0] * 6 + [1] * 3


def test_low_weight_points_count_less_and_zero_never() -> None:
    lat, lon = cell_points(h3.latlng_to_cell(59.22, 39.88, 9), 4)
    subs = np.array(["a", "b", "c", "d"])
    weak = label_h3(lat, lon, subs, min_subscribers=3, weight=np.array([1, 1, 0.5, 0.0]))
    assert (weak == -1).all()
    strong = label_h3(lat, lon, subs, min_subscribers=3, weight=np.array([1, 1, 0.5, 0.5]))
    assert strong.tolist() == [0, 0, 0, 0]


def test_labels_follow_first_appearance() -> None:
    a, b = h3.latlng_to_cell(59.22, 39.88, 9), h3.latlng_to_cell(59.40, 40.10, 9)
    la, lo_a = cell_points(a, 3)
    lb, lo_b = cell_points(b, 3)
    labels = label_h3(np.r_[lb, la], np.r_[lo_b, lo_a], np.arange(6), min_subscribers=3)
    assert labels.tolist() == [0, 0, 0, 1, 1, 1]


@pytest.mark.parametrize(
    ("lat", "lon", "kwargs"),
    [
        ([np.nan], [30.0], {}),
        ([95.0], [30.0], {}),
        ([59.0], [30.0], {"res": 16}),
        ([59.0], [30.0], {"min_subscribers": 0}),
    ],
)
def test_bad_input_is_a_detection_error(lat: list[float], lon: list[float], kwargs: dict[str, Any]) -> None:
    with pytest.raises(DetectionError):
        label_h3(np.array(lat), np.array(lon), **kwargs)


def _reference(
    lat: np.ndarray, lon: np.ndarray, subs: np.ndarray, weight: np.ndarray, res: int, k: int
) -> list[frozenset[int]]:
    """Spots as sets of point indices, the slow obvious way."""
    cells = [h3.latlng_to_cell(a, b, res) for a, b in zip(lat, lon, strict=True)]
    best: dict[tuple[str, str], float] = {}
    for cell, s, w in zip(cells, subs, weight, strict=True):
        if w > 0:
            best[(cell, s)] = max(best.get((cell, s), 0.0), w)
    strength: dict[str, float] = {}
    for (cell, _), w in best.items():
        strength[cell] = strength.get(cell, 0.0) + w
    hot = {c for c, v in strength.items() if v >= k - 1e-9}
    groups: list[set[str]] = []
    for cell in hot:
        touching = [g for g in groups if any(h3.are_neighbor_cells(cell, o) for o in g)]
        merged = {cell}.union(*touching)
        groups = [g for g in groups if g not in touching] + [merged]
    return sorted(
        (frozenset(i for i, c in enumerate(cells) if c in g and weight[i] > 0) for g in groups), key=min
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31), st.integers(8, 120), st.integers(1, 4))
def test_label_h3_matches_the_obvious_implementation(seed: int, n: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    lat = 59.22 + rng.normal(0, 0.004, n)
    lon = 39.88 + rng.normal(0, 0.008, n)
    subs = rng.integers(0, max(2, n // 2), n).astype(str)
    weight = rng.choice([0.0, 0.5, 1.0], n, p=[0.1, 0.2, 0.7])
    labels = label_h3(lat, lon, subs, res=9, min_subscribers=k, weight=weight)
    found = sorted(
        (frozenset(np.flatnonzero(labels == v).tolist()) for v in range(labels.max() + 1)), key=min
    )
    assert found == _reference(lat, lon, subs, weight, 9, k)
    firsts = [min(g) for g in found]
    assert firsts == sorted(firsts), "spots are numbered by their first point"

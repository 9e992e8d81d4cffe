"""The fast DBSCAN engine against scikit-learn and a brute-force reference."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.cluster import DBSCAN

import heatmap.detect.keyed as keyed
import heatmap.detect.neighbours as search
from heatmap.detect.dbscan import EARTH_RADIUS_M, dbscan_parts, label_dbscan
from heatmap.errors import DetectionError

M_PER_DEG = np.pi * EARTH_RADIUS_M / 180.0


# ---------------------------------------------------------------- helpers


def sklearn_labels(
    lat: np.ndarray,
    lon: np.ndarray,
    eps_m: float,
    k: int,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    model = DBSCAN(eps=eps_m / EARTH_RADIUS_M, min_samples=k, metric="haversine")
    labels: np.ndarray = model.fit_predict(
        np.radians(np.column_stack([lat, lon])), sample_weight=sample_weight
    )
    return labels


def reference_core(
    lat: np.ndarray,
    lon: np.ndarray,
    subscriber: np.ndarray | None,
    eps_m: float,
    k: int,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    return _reference(lat, lon, subscriber, eps_m, k, weight)[1]


def reference_labels(
    lat: np.ndarray,
    lon: np.ndarray,
    subscriber: np.ndarray | None,
    eps_m: float,
    k: int,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """Brute force, O(n²): the documented semantics spelled out plainly, clusters
    expanded in index order like scikit-learn."""
    near, core = _reference(lat, lon, subscriber, eps_m, k, weight)
    labels = np.full(len(core), -1, dtype=np.int64)
    cluster = 0
    for i in range(len(core)):
        if labels[i] != -1 or not core[i]:
            continue
        stack = [i]
        labels[i] = cluster
        while stack:
            p = stack.pop()
            if not core[p]:
                continue
            for q in np.flatnonzero(near[p]):
                if labels[q] == -1:
                    labels[q] = cluster
                    stack.append(int(q))
        cluster += 1
    return labels


def _reference(
    lat: np.ndarray,
    lon: np.ndarray,
    subscriber: np.ndarray | None,
    eps_m: float,
    k: int,
    weight: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    n = len(lat)
    la = np.radians(np.asarray(lat, dtype=float))
    lo = np.radians(np.asarray(lon, dtype=float))
    s0 = np.sin(0.5 * (la[:, None] - la[None, :]))
    s1 = np.sin(0.5 * (lo[:, None] - lo[None, :]))
    rdist = s0 * s0 + np.cos(la)[:, None] * np.cos(la)[None, :] * s1 * s1
    near = rdist <= np.sin(0.5 * eps_m / EARTH_RADIUS_M) ** 2
    w = np.ones(n) if weight is None else np.asarray(weight, dtype=float)
    subs = list(range(n)) if subscriber is None else list(subscriber)
    valid = w > 0
    near &= valid[:, None] & valid[None, :]
    core = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(valid):
        best: dict[object, float] = {}
        for j in np.flatnonzero(near[i]):
            best[subs[j]] = max(best.get(subs[j], 0.0), w[j])
        core[i] = sum(best.values()) >= k - 1e-9
    return near, core


def assert_same_clustering(ours: np.ndarray, theirs: np.ndarray) -> None:
    """Same noise points and the same partition of the others (labels may differ)."""
    assert ours.dtype == np.int64
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours == -1, theirs == -1)
    pairs = {(int(a), int(b)) for a, b in zip(ours, theirs, strict=True) if a != -1}
    assert len({a for a, _ in pairs}) == len(pairs) == len({b for _, b in pairs})


def assert_numbered_by_first_point(labels: np.ndarray) -> None:
    clustered = labels[labels >= 0]
    if clustered.size == 0:
        return
    _, first = np.unique(clustered, return_index=True)
    np.testing.assert_array_equal(np.sort(clustered[np.sort(first)]), np.arange(first.size))
    np.testing.assert_array_equal(clustered[np.sort(first)], np.arange(first.size))


def blobs(
    rng: np.random.Generator,
    n: int,
    centre: tuple[float, float],
    spread_m: float,
    n_blobs: int = 8,
) -> tuple[np.ndarray, np.ndarray]:
    """Points in Gaussian blobs around ``centre``; lon wrapped into -180..180."""
    c_lat = centre[0] + rng.normal(0, 3 * spread_m, n_blobs) / M_PER_DEG
    c_lon = centre[1] + rng.normal(0, 3 * spread_m, n_blobs) / M_PER_DEG
    which = rng.integers(0, n_blobs, n)
    lat = np.clip(c_lat[which] + rng.normal(0, spread_m, n) / M_PER_DEG, -90, 90)
    coslat = np.maximum(np.cos(np.radians(lat)), 1e-3)
    lon = c_lon[which] + rng.normal(0, spread_m, n) / (M_PER_DEG * coslat)
    return lat, (lon + 180.0) % 360.0 - 180.0


# ---------------------------------------------------------------- equal to scikit-learn


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("eps_m", [30.0, 250.0, 1_000.0])
@pytest.mark.parametrize("k", [1, 3, 6])
def test_equals_sklearn_on_random_blobs(seed: int, eps_m: float, k: int) -> None:
    rng = np.random.default_rng(seed)
    lat, lon = blobs(rng, 600, (55.75, 37.62), spread_m=eps_m)
    ours = label_dbscan(lat, lon, eps_m=eps_m, min_subscribers=k)
    theirs = sklearn_labels(lat, lon, eps_m, k)
    np.testing.assert_array_equal(ours, _renumber_by_first(theirs))
    assert_numbered_by_first_point(ours)


@pytest.mark.parametrize(
    "centre",
    [(0.0, 179.9995), (64.7, -179.9998), (89.9995, 12.0), (-89.9995, -150.0), (0.0, 0.0)],
    ids=["antimeridian-equator", "antimeridian-chukotka", "north-pole", "south-pole", "null"],
)
def test_equals_sklearn_across_antimeridian_and_poles(centre: tuple[float, float]) -> None:
    rng = np.random.default_rng(7)
    lat, lon = blobs(rng, 500, centre, spread_m=40.0, n_blobs=4)
    if abs(centre[0]) > 89:
        lat[:5] = np.sign(centre[0]) * 90.0  # exactly at the pole, any longitude
    ours = label_dbscan(lat, lon, eps_m=60.0, min_subscribers=4)
    theirs = sklearn_labels(lat, lon, 60.0, 4)
    np.testing.assert_array_equal(ours, _renumber_by_first(theirs))
    if abs(centre[1]) > 179:
        crossing = {int(x) for x in ours[(ours >= 0) & (lon > 0)]}
        assert crossing & {int(x) for x in ours[(ours >= 0) & (lon < 0)]}


def test_points_exactly_at_eps() -> None:
    """Pairs at exactly eps (by scikit-learn's own haversine) are neighbours, pairs a
    hair further are not — decided like scikit-learn at the boundary."""
    rng = np.random.default_rng(11)
    # a far-flung background keeps scikit-learn's ball tree from taking whole nodes
    bg_lat = rng.uniform(-60, 70, 300)
    bg_lon = rng.uniform(-180, 180, 300)
    base_lat = rng.uniform(-70, 70, 40)
    base_lon = rng.uniform(-180, 180, 40)
    eps_m = 250.0
    eps_rad = eps_m / EARTH_RADIUS_M
    # three points in a row along a meridian or a parallel, spaced exactly eps apart in
    # radians of latitude, or by the longitude step giving eps at that latitude
    lat_rows, lon_rows = [], []
    for i, (la, lo) in enumerate(zip(base_lat, base_lon, strict=True)):
        if i % 2:
            step = np.degrees(eps_rad)
            lat_rows.append([la, la + step, la + 2 * step])
            lon_rows.append([lo, lo, lo])
        else:
            half = np.arcsin(np.sin(0.5 * eps_rad) / np.cos(np.radians(la)))
            step = np.degrees(2 * half)
            lat_rows.append([la, la, la])
            lon_rows.append([lo, lo + step, lo + 2 * step])
    lat = np.concatenate([bg_lat, np.ravel(lat_rows)])
    lon = np.concatenate([bg_lon, np.ravel(lon_rows)])
    for k in (2, 3):
        ours = label_dbscan(lat, lon, eps_m=eps_m, min_subscribers=k)
        theirs = sklearn_labels(lat, lon, eps_m, k)
        np.testing.assert_array_equal(ours, _renumber_by_first(theirs))
        np.testing.assert_array_equal(ours, _renumber_by_first(reference_labels(lat, lon, None, eps_m, k)))
    # the middle point of every row has both others within eps, up to float rounding:
    # whatever the rounding, ours decides every pair exactly as the haversine formula
    ours = label_dbscan(lat, lon, eps_m=eps_m * (1 + 1e-9), min_subscribers=3)
    assert (ours[300:].reshape(-1, 3) >= 0).all()
    ours = label_dbscan(lat, lon, eps_m=eps_m * (1 - 1e-9), min_subscribers=2)
    assert (ours[300:] == -1).all()


def test_equals_sklearn_with_sample_weights() -> None:
    """Without subscribers, weights are scikit-learn's ``sample_weight``."""
    rng = np.random.default_rng(5)
    lat, lon = blobs(rng, 800, (59.94, 30.31), spread_m=150.0)
    w = rng.choice([0.25, 0.5, 1.0], size=lat.size)
    ours = label_dbscan(lat, lon, eps_m=200.0, min_subscribers=3, weight=w)
    theirs = sklearn_labels(lat, lon, 200.0, 3, sample_weight=w)
    np.testing.assert_array_equal(ours, _renumber_by_first(theirs))


def test_many_blocks_and_batches_equal_sklearn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny blocks and expansion batches exercise the cross-block and batching paths."""
    monkeypatch.setattr(search, "_BLOCK", 97)
    monkeypatch.setattr(search, "_EXPAND_LIMIT", 500)
    rng = np.random.default_rng(3)
    lat, lon = blobs(rng, 3_000, (56.84, 60.60), spread_m=120.0, n_blobs=20)
    lat[::7] = lat[1::7][: lat[::7].size]  # duplicated coordinates
    lon[::7] = lon[1::7][: lon[::7].size]
    ours = label_dbscan(lat, lon, eps_m=100.0, min_subscribers=4)
    np.testing.assert_array_equal(ours, _renumber_by_first(sklearn_labels(lat, lon, 100.0, 4)))
    subs = rng.integers(0, 900, lat.size)
    w = rng.choice([0.0, 0.5, 1.0], size=lat.size, p=[0.1, 0.3, 0.6])
    ours = label_dbscan(lat, lon, subs, eps_m=100.0, min_subscribers=4, weight=w)
    expected = reference_labels(lat, lon, subs, 100.0, 4, w)
    np.testing.assert_array_equal(ours, _renumber_by_first(expected))


def make_points(n: int, seed: int) -> pd.DataFrame:
    """The benchmark's synthetic country (benchmarks/ sits beside the package)."""
    root = str(Path(__file__).resolve().parents[2])
    if root not in sys.path:
        sys.path.insert(0, root)
    from benchmarks.points import make_points as make

    return make(n, seed)


@pytest.mark.slow
def test_equals_sklearn_on_synthetic_country() -> None:
    points = make_points(150_000, seed=3)
    lat = points["lat"].to_numpy()
    lon = points["lon"].to_numpy()
    ours = label_dbscan(lat, lon)
    np.testing.assert_array_equal(ours, _renumber_by_first(sklearn_labels(lat, lon, 250.0, 3)))


def _renumber_by_first(labels: np.ndarray) -> np.ndarray:
    out = np.full(labels.shape, -1, dtype=np.int64)
    clustered = labels >= 0
    _, first, inverse = np.unique(labels[clustered], return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first)] = np.arange(first.size)
    out[clustered] = rank[inverse]
    return out


# ---------------------------------------------------------------- subscribers and weights


def _spot(
    n: int, lat: float = 55.0, lon: float = 37.0, metres: float = 20.0
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(n)
    return (
        lat + rng.uniform(-metres, metres, n) / M_PER_DEG,
        lon + rng.uniform(-metres, metres, n) / M_PER_DEG / np.cos(np.radians(lat)),
    )


def test_one_subscriber_calling_five_times_counts_once() -> None:
    lat, lon = _spot(5)
    assert (label_dbscan(lat, lon, np.array(["a"] * 5)) == -1).all()
    assert (label_dbscan(lat, lon) == 0).all()  # five distinct callers would make a spot
    lat2, lon2 = _spot(7)
    two_more = np.array(["a"] * 5 + ["b", "c"])
    assert (label_dbscan(lat2, lon2, two_more) == 0).all()
    only_two = np.array(["a"] * 5 + ["b", "b"])
    assert (label_dbscan(lat2, lon2, only_two) == -1).all()


def test_missing_subscribers_count_as_distinct() -> None:
    lat, lon = _spot(3)
    subs = np.array([None, None, "x"], dtype=object)
    assert (label_dbscan(lat, lon, subs) == 0).all()
    assert (label_dbscan(lat, lon, np.array([np.nan, np.nan, 1.0])) == 0).all()


def test_weights() -> None:
    lat, lon = _spot(4)
    subs = np.array(["a", "b", "c", "d"])
    # 1 + 1 + 0.5 = 2.5 < 3, with the fourth 0.5 it is 3.0
    assert (label_dbscan(lat[:3], lon[:3], subs[:3], weight=np.array([1, 1, 0.5])) == -1).all()
    assert (label_dbscan(lat, lon, subs, weight=np.array([1, 1, 0.5, 0.5])) == 0).all()
    # a weight-0 point is never counted and is labelled noise
    labels = label_dbscan(lat, lon, subs, weight=np.array([1, 1, 1, 0]))
    np.testing.assert_array_equal(labels, [0, 0, 0, -1])
    assert (label_dbscan(lat, lon, subs, weight=np.array([1, 1, 0, 0])) == -1).all()
    # a subscriber counts with the largest weight of its points in the neighbourhood
    same = np.array(["a", "a", "b", "c"])
    assert (label_dbscan(lat, lon, same, weight=np.array([0.5, 1, 1, 1])) == 0).all()
    assert (label_dbscan(lat, lon, same, weight=np.array([0.5, 0.5, 1, 1])) == -1).all()
    # weights that sum to the threshold only up to float rounding still make a core
    tenths = np.full(30, 0.1)
    lat30, lon30 = _spot(30)
    assert (label_dbscan(lat30, lon30, weight=tenths) == 0).all()
    assert (label_dbscan(lat, lon, weight=np.zeros(4)) == -1).all()
    # once a weight-0 point is dropped, its subscriber's absence must not make the two
    # points of one subscriber look like two subscribers (found by hypothesis in CI)
    lat3, lon3 = _spot(3)
    labels = label_dbscan(
        lat3, lon3, np.array(["b", "a", "a"]), min_subscribers=1, weight=np.array([0.0, 0.5, 0.5])
    )
    np.testing.assert_array_equal(labels, [-1, -1, -1])


@pytest.mark.parametrize("seed", range(6))
def test_subscribers_and_weights_equal_reference(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    lat, lon = blobs(rng, 400, (54.99, 73.37), spread_m=80.0, n_blobs=6)
    repeat = rng.random(lat.size) < 0.3  # some callers again, at the same spot
    src = rng.integers(0, lat.size, lat.size)
    lat[repeat], lon[repeat] = lat[src[repeat]], lon[src[repeat]]
    subs = rng.integers(0, 150, lat.size).astype(str)
    w = rng.choice([0.0, 0.25, 0.5, 1.0], size=lat.size) if seed % 2 else None
    k = int(rng.integers(2, 6))
    ours = label_dbscan(lat, lon, subs, eps_m=90.0, min_subscribers=k, weight=w)
    expected = reference_labels(lat, lon, subs, 90.0, k, w)
    np.testing.assert_array_equal(ours, _renumber_by_first(expected))


coords = st.tuples(
    st.floats(-120.0, 120.0, allow_nan=False),  # metres north of the centre
    st.floats(-120.0, 120.0, allow_nan=False),  # metres east
    st.integers(0, 8),  # subscriber
    st.sampled_from([0.0, 0.5, 1.0]),  # weight
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(coords, min_size=0, max_size=60),
    eps_m=st.sampled_from([10.0, 35.0, 80.0]),
    k=st.integers(1, 4),
    weighted=st.booleans(),
    centre=st.sampled_from([(55.75, 37.62), (0.0, 180.0), (89.9995, 0.0), (-33.9, -70.6)]),
)
def test_property_equals_reference(
    rows: list[tuple[float, float, int, float]],
    eps_m: float,
    k: int,
    weighted: bool,
    centre: tuple[float, float],
) -> None:
    north = np.array([r[0] for r in rows])
    east = np.array([r[1] for r in rows])
    lat = np.clip(centre[0] + north / M_PER_DEG, -90, 90)
    lon = centre[1] + east / (M_PER_DEG * max(np.cos(np.radians(centre[0])), 1e-3))
    subs = np.array([r[2] for r in rows])
    w = np.array([r[3] for r in rows]) if weighted else None
    ours = label_dbscan(lat, lon, subs, eps_m=eps_m, min_subscribers=k, weight=w)
    expected = reference_labels(lat, lon, subs, eps_m, k, w)
    np.testing.assert_array_equal(ours, _renumber_by_first(expected))
    assert_numbered_by_first_point(ours)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_property_input_order_changes_only_border_choices(seed: int) -> None:
    rng = np.random.default_rng(seed)
    lat, lon = blobs(rng, 120, (43.12, 131.88), spread_m=60.0, n_blobs=3)
    subs = rng.integers(0, 60, lat.size)
    perm = rng.permutation(lat.size)
    a = label_dbscan(lat, lon, subs, eps_m=70.0)
    b = np.empty_like(a)
    b[perm] = label_dbscan(lat[perm], lon[perm], subs[perm], eps_m=70.0)
    np.testing.assert_array_equal(a == -1, b == -1)
    core = reference_core(lat, lon, subs, 70.0, 3)
    assert_same_clustering(a[core], b[core])


# ---------------------------------------------------------------- parts


def test_parts_describe_the_labels() -> None:
    rng = np.random.default_rng(21)
    lat, lon = blobs(rng, 700, (55.03, 82.92), spread_m=90.0, n_blobs=10)
    subs = rng.integers(0, 300, lat.size)
    w = rng.choice([0.0, 0.5, 1.0], size=lat.size, p=[0.1, 0.2, 0.7])
    labels = label_dbscan(lat, lon, subs, eps_m=80.0, weight=w)
    parts = dbscan_parts(lat, lon, subs, eps_m=80.0, weight=w)
    core = parts.core
    assert core.any() and parts.border_point.size
    assert (labels[core] >= 0).all()
    assert_same_clustering(parts.component[core], labels[core])
    np.testing.assert_array_equal(parts.component[~core], -1)
    # border pairs: non-core points, each labelled with one of the clusters it reaches
    assert not core[parts.border_point].any()
    label_of = dict(zip(parts.component[core].tolist(), labels[core].tolist(), strict=True))
    reach: dict[int, set[int]] = {}
    for p, c in zip(parts.border_point.tolist(), parts.border_component.tolist(), strict=True):
        reach.setdefault(p, set()).add(label_of[c])
    clustered_border = np.flatnonzero((labels >= 0) & ~core)
    assert sorted(reach) == clustered_border.tolist()
    assert all(labels[p] in reached for p, reached in reach.items())
    # the same flags given back reproduce the parts without counting
    again = dbscan_parts(lat, lon, subs, eps_m=80.0, weight=w, core=core)
    np.testing.assert_array_equal(again.core, core)
    assert_same_clustering(again.component[core], parts.component[core])
    np.testing.assert_array_equal(again.border_point, parts.border_point)
    with pytest.raises(DetectionError, match="booleans"):
        dbscan_parts(lat, lon, core=np.ones(lat.size, dtype=int))
    nothing = dbscan_parts(lat[:3], lon[:3], weight=np.zeros(3))
    assert not nothing.core.any() and (nothing.component == -1).all()
    assert nothing.border_point.size == 0


# ---------------------------------------------------------------- edges and validation


def test_empty_and_single() -> None:
    empty = label_dbscan(np.array([]), np.array([]))
    assert empty.dtype == np.int64 and empty.shape == (0,)
    np.testing.assert_array_equal(label_dbscan([55.0], [37.0]), [-1])  # type: ignore[arg-type]
    np.testing.assert_array_equal(label_dbscan([55.0], [37.0], min_subscribers=1), [0])  # type: ignore[arg-type]


def test_accepts_lists_and_pandas() -> None:
    lat, lon = _spot(4)
    frame = pd.DataFrame({"lat": lat, "lon": lon, "sub": ["a", "b", "c", "d"]})
    labels = label_dbscan(frame["lat"], frame["lon"], frame["sub"])
    np.testing.assert_array_equal(labels, [0, 0, 0, 0])
    np.testing.assert_array_equal(label_dbscan(list(lat), list(lon)), labels)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lat", "lon", "kwargs", "message"),
    [
        ([55.0, np.nan], [37.0, 37.0], {}, "NaN or infinite"),
        ([55.0, 55.0], [37.0, np.inf], {}, "NaN or infinite"),
        ([90.5, 55.0], [37.0, 37.0], {}, "latitude outside"),
        ([-91.0], [37.0], {}, "latitude outside"),
        ([55.0], [37.0, 38.0], {}, "differ in length"),
        ([[55.0]], [[37.0]], {}, "one-dimensional"),
        (["a"], ["b"], {}, "numeric"),
        ([55.0], [37.0], {"eps_m": 0.0}, "positive"),
        ([55.0], [37.0], {"eps_m": -5.0}, "positive"),
        ([55.0], [37.0], {"eps_m": float("nan")}, "positive"),
        ([55.0], [37.0], {"eps_m": 3e7}, "circumference"),
        ([55.0], [37.0], {"min_subscribers": 0}, "at least 1"),
        ([55.0], [37.0], {"min_subscribers": 2.5}, "integer"),
        ([55.0], [37.0], {"min_subscribers": True}, "integer"),
        ([55.0], [37.0], {"weight": np.array([1.5])}, "within 0..1"),
        ([55.0], [37.0], {"weight": np.array([np.nan])}, "within 0..1"),
        ([55.0], [37.0], {"weight": np.array([1.0, 1.0])}, "one value per point"),
        ([55.0], [37.0], {"subscriber": np.array(["a", "b"])}, "one value per point"),
    ],
)
def test_validation(lat: list[float], lon: list[float], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(DetectionError, match=message):
        label_dbscan(np.asarray(lat), np.asarray(lon), **kwargs)


def test_longitude_outside_range_is_periodic() -> None:
    lat, lon = _spot(4, lon=179.9999)
    np.testing.assert_array_equal(
        label_dbscan(lat, lon), label_dbscan(lat, np.where(lon > 180, lon - 360, lon))
    )


@pytest.mark.parametrize("seed", range(4))
def test_strength_with_reach_is_exact_where_it_may_reach(seed: int) -> None:
    from heatmap.detect.dbscan import neighbourhood_strength

    rng = np.random.default_rng(300 + seed)
    lat, lon = blobs(rng, 600, (54.99, 73.37), spread_m=120.0, n_blobs=8)
    subs = rng.integers(0, 200, lat.size).astype(str)
    w = rng.choice([0.0, 0.5, 1.0], size=lat.size)
    exact = neighbourhood_strength(lat, lon, subs, eps_m=60.0, weight=w)
    reach = 4.0 - 1e-9
    bounded = neighbourhood_strength(lat, lon, subs, eps_m=60.0, weight=w, reach=reach)
    high = exact >= reach
    assert high.any() and (~high).any()
    np.testing.assert_array_equal(bounded[high], exact[high])
    assert (bounded[~high] <= exact[~high]).all()


@pytest.mark.parametrize("n_levels", [1, 2, 5])
def test_largest_weight_per_key_by_sorted_levels_equals_group_max(n_levels: int) -> None:
    rng = np.random.default_rng(n_levels)
    levels = rng.uniform(0.1, 1.0, n_levels)
    weight = rng.choice(levels, 5000)
    key = rng.integers(0, 700, 5000).astype(np.int64)
    found_levels, rank = keyed._levels(weight)
    assert found_levels is not None and rank is not None
    assert (found_levels[rank] == weight).all() and (np.diff(found_levels) < 0).all()
    keys, best = keyed._level_max(key, rank, found_levels)
    ref_keys, ref_best = keyed._group_max(key, weight)
    np.testing.assert_array_equal(keys, ref_keys)
    np.testing.assert_array_equal(best, ref_best)
    assert keyed._levels(rng.uniform(0, 1, keyed._LEVELS + 1)) == (None, None)

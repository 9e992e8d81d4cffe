"""The Dask engine gives exactly the local engine's labels."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from heatmap.detect.dask_engine import label_dbscan_dask  # noqa: E402
from heatmap.detect.dbscan import EARTH_RADIUS_M, label_dbscan  # noqa: E402
from heatmap.errors import DetectionError  # noqa: E402

M_PER_DEG = np.pi * EARTH_RADIUS_M / 180.0


def town(seed: int, n: int, centre: tuple[float, float], spread_m: float) -> pd.DataFrame:
    """Blobs over a few km: with a fine parent_res many clusters straddle cell edges."""
    rng = np.random.default_rng(seed)
    k = 25
    c_lat = centre[0] + rng.normal(0, spread_m, k) / M_PER_DEG
    c_lon = centre[1] + rng.normal(0, spread_m, k) / M_PER_DEG / np.cos(np.radians(centre[0]))
    which = rng.integers(0, k, n)
    lat = c_lat[which] + rng.normal(0, 60, n) / M_PER_DEG
    lon = c_lon[which] + rng.normal(0, 60, n) / M_PER_DEG / np.cos(np.radians(centre[0]))
    lon = (lon + 180.0) % 360.0 - 180.0
    subs = rng.integers(0, n // 2, n).astype(str)
    weight = rng.choice([0.0, 0.5, 1.0], size=n, p=[0.05, 0.25, 0.7])
    return pd.DataFrame({"lat": lat, "lon": lon, "subscriber_id": subs, "weight": weight})


def local(points: pd.DataFrame, eps_m: float, k: int, *, weighted: bool = True) -> np.ndarray:
    return label_dbscan(
        points["lat"].to_numpy(),
        points["lon"].to_numpy(),
        points["subscriber_id"].to_numpy() if "subscriber_id" in points else None,
        eps_m=eps_m,
        min_subscribers=k,
        weight=points["weight"].to_numpy() if weighted and "weight" in points else None,
    )


@pytest.fixture
def sync_scheduler() -> Iterator[None]:
    # shuffles by tasks: a distributed Client alive in this process (the module's own,
    # when a run orders the slow tests first) would otherwise take them as P2P shuffles
    with dask.config.set({"scheduler": "sync", "dataframe.shuffle.method": "tasks"}):
        yield


@pytest.mark.usefixtures("sync_scheduler")
@pytest.mark.parametrize(
    ("centre", "parent_res", "eps_m"),
    [((59.94, 30.31), 7, 100.0), ((64.73, 179.995), 7, 100.0), ((55.75, 37.62), 6, 250.0)],
    ids=["spb-res7", "antimeridian-res7", "moscow-res6"],
)
def test_equals_local_engine_across_cell_edges(
    centre: tuple[float, float], parent_res: int, eps_m: float
) -> None:
    points = town(1, 4_000, centre, spread_m=2_500.0)
    ours = label_dbscan_dask(points, eps_m=eps_m, min_subscribers=3, parent_res=parent_res)
    expected = local(points, eps_m, 3)
    assert expected.max() > 10  # clusters to get right
    np.testing.assert_array_equal(ours, expected)


@pytest.mark.usefixtures("sync_scheduler")
def test_dask_dataframe_input_and_plain_points() -> None:
    points = town(2, 3_000, (56.84, 60.60), spread_m=2_000.0)[["lat", "lon"]]
    frame = dd.from_pandas(points, npartitions=3)
    ours = label_dbscan_dask(frame, eps_m=120.0, min_subscribers=4, parent_res=7)
    np.testing.assert_array_equal(ours, local(points, 120.0, 4))


@pytest.mark.usefixtures("sync_scheduler")
def test_empty_and_validation() -> None:
    empty = pd.DataFrame({"lat": pd.Series(dtype=float), "lon": pd.Series(dtype=float)})
    assert label_dbscan_dask(empty).shape == (0,)
    points = town(3, 50, (55.0, 37.0), spread_m=500.0)
    with pytest.raises(DetectionError, match="too large for parent_res"):
        label_dbscan_dask(points, eps_m=5_000.0, parent_res=7)
    with pytest.raises(DetectionError, match="lack column"):
        label_dbscan_dask(points.drop(columns="lon"))
    with pytest.raises(DetectionError, match="positive"):
        label_dbscan_dask(points, eps_m=0.0)
    with pytest.raises(DetectionError, match="parent_res"):
        label_dbscan_dask(points, parent_res=16)
    bad = points.copy()
    bad.loc[3, "lat"] = np.nan
    with pytest.raises(DetectionError, match="NaN"):
        label_dbscan_dask(bad)


# ---------------------------------------------------------------- the expected rule on Dask


def edge_town(seed: int, parent_res: int) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """A few thousand points over several parent cells, a quarter of them piled near the
    cells' corners and edge midpoints (neighbourhoods across two and three cells), with
    repeated subscribers, weights 1, 0.5 and 0, and nested scan-window masks."""
    import h3

    points = town(seed, 3_000, (59.94, 30.31), spread_m=2_500.0)
    rng = np.random.default_rng(seed)
    cells = {h3.latlng_to_cell(a, b, parent_res) for a, b in zip(points["lat"], points["lon"], strict=True)}
    corners = np.array([c for cell in sorted(cells) for c in h3.cell_to_boundary(cell)])
    middles = (corners + np.roll(corners, 1, axis=0)) / 2
    spots = np.concatenate([corners, middles])
    near = rng.integers(0, len(spots), 1_000)
    lat = spots[near, 0] + rng.normal(0, 40, near.size) / M_PER_DEG
    lon = spots[near, 1] + rng.normal(0, 40, near.size) / M_PER_DEG / np.cos(np.radians(lat))
    edge = pd.DataFrame(
        {
            "lat": lat,
            "lon": lon,
            "subscriber_id": rng.integers(0, 400, near.size).astype(str),
            "weight": rng.choice([0.0, 0.5, 1.0], size=near.size, p=[0.1, 0.3, 0.6]),
        }
    )
    both = pd.concat([points, edge], ignore_index=True)
    both["subscriber_id"] = pd.factorize(both["subscriber_id"])[0]
    age = rng.uniform(0, 30, len(both))
    weighed = both["weight"].to_numpy() > 0
    masks = [(age <= days) & weighed for days in (1.0, 3.0, 7.0, 30.0)]
    masks.append(np.ones(len(both), dtype=bool))  # weight-0 points too
    return both, masks


def local_strengths(points: pd.DataFrame, masks: list[np.ndarray], eps_m: float) -> list[np.ndarray]:
    from heatmap.detect.discs import _window_strengths

    return _window_strengths(
        points["lat"].to_numpy(),
        points["lon"].to_numpy(),
        points["subscriber_id"].to_numpy(np.int64),
        points["weight"].to_numpy(),
        masks,
        eps_m=eps_m,
    )


def assert_same_strengths(ours: list[np.ndarray], expected: list[np.ndarray]) -> None:
    assert len(ours) == len(expected)
    assert max(float(e.max()) for e in expected) >= 5  # neighbourhoods worth counting
    for got, want in zip(ours, expected, strict=True):
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, want)  # float for float


@pytest.mark.usefixtures("sync_scheduler")
@pytest.mark.parametrize(("parent_res", "eps_m"), [(7, 120.0), (6, 250.0)])
def test_window_strengths_equal_local_across_cell_edges(parent_res: int, eps_m: float) -> None:
    from heatmap.detect.dask_expected import window_strengths_dask

    points, masks = edge_town(6, parent_res)
    ours = window_strengths_dask(points, masks, eps_m=eps_m, client=None, parent_res=parent_res)
    assert_same_strengths(ours, local_strengths(points, masks, eps_m))
    frame = dd.from_pandas(points, npartitions=3)
    again = window_strengths_dask(frame, masks, eps_m=eps_m, client=None, parent_res=parent_res)
    assert_same_strengths(again, local_strengths(points, masks, eps_m))


@pytest.mark.usefixtures("sync_scheduler")
def test_window_strengths_edge_cases() -> None:
    from heatmap.detect.dask_expected import window_strengths_dask

    points, masks = edge_town(7, 7)
    none = [np.zeros(len(points), dtype=bool)] * 2
    assert all(
        (s == 0).all() for s in window_strengths_dask(points, none, eps_m=100.0, client=None, parent_res=7)
    )
    empty = points.iloc[:0]
    assert window_strengths_dask(empty, [np.zeros(0, bool)], eps_m=100.0, client=None)[0].shape == (0,)
    with pytest.raises(DetectionError, match="mask 0"):
        window_strengths_dask(points, [masks[0][:-1]], eps_m=100.0, client=None, parent_res=7)


@pytest.mark.usefixtures("sync_scheduler")
def test_given_core_flags_equal_local() -> None:
    points, _ = edge_town(8, 7)
    rng = np.random.default_rng(8)
    packed = pd.factorize(points["lat"].astype(str) + "," + points["lon"].astype(str))[0]
    core = rng.random(int(packed.max()) + 1)[packed] < 0.3
    ours = label_dbscan_dask(points, eps_m=120.0, min_subscribers=3, parent_res=7, core=core)
    expected = label_dbscan(
        points["lat"].to_numpy(),
        points["lon"].to_numpy(),
        points["subscriber_id"].to_numpy(),
        eps_m=120.0,
        min_subscribers=3,
        weight=points["weight"].to_numpy(),
        core=core,
    )
    assert expected.max() > 10
    np.testing.assert_array_equal(ours, expected)
    with pytest.raises(DetectionError, match="core must be"):
        label_dbscan_dask(points, eps_m=120.0, parent_res=7, core=core[:-1])


def planted(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, Any]:
    from datetime import UTC, datetime

    from heatmap.detect.exposure import address_layer, layer_points
    from heatmap.devtools.samples_planted import PlantSpec, generate_planted
    from heatmap.devtools.samples_planted import synthetic_town as houses

    now = datetime(2026, 11, 30, tzinfo=UTC)
    lat, lon = houses(seed)
    export = generate_planted(lat, lon, now=now, seed=seed, spec=PlantSpec(planted=4))
    return export.complaints, layer_points(address_layer(lat, lon)), now


def assert_expected_rule_equal(seed: int, client: Any) -> None:
    from heatmap.detect.dask_expected import dask_steps
    from heatmap.detect.run import DetectParams, label_points

    frame, exposure, now = planted(seed)
    params = DetectParams(method="dbscan")
    expected = label_points(frame, params, exposure=exposure, now=now)
    ours = label_points(frame, params, exposure=exposure, now=now, dbscan=dask_steps(client, parent_res=6))
    assert expected.max() >= 2  # planted spots found
    np.testing.assert_array_equal(ours, expected)


@pytest.mark.usefixtures("sync_scheduler")
def test_expected_rule_on_dask_equals_local() -> None:
    assert_expected_rule_equal(1, None)


# ---------------------------------------------------------------- on a local cluster
# (the sync-scheduler tests above shuffle by tasks, so this live Client cannot take them)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as c:
        yield c


@pytest.mark.slow
def test_equals_local_engine_on_local_cluster(client: Any) -> None:
    root = str(Path(__file__).resolve().parents[2])
    if root not in sys.path:
        sys.path.insert(0, root)
    from benchmarks.points import make_points

    points = make_points(40_000, seed=4)
    frame = dd.from_pandas(points, npartitions=4)
    ours = label_dbscan_dask(frame, eps_m=250.0, min_subscribers=3, client=client)
    np.testing.assert_array_equal(ours, local(points, 250.0, 3))


@pytest.mark.slow
def test_fine_cells_on_local_cluster(client: Any) -> None:
    points = town(5, 6_000, (43.12, 131.88), spread_m=3_000.0)
    ours = label_dbscan_dask(points, eps_m=100.0, min_subscribers=3, client=client, parent_res=7)
    np.testing.assert_array_equal(ours, local(points, 100.0, 3))


@pytest.mark.slow
def test_strengths_and_expected_rule_on_local_cluster(client: Any) -> None:
    from heatmap.detect.dask_expected import window_strengths_dask

    points, masks = edge_town(9, 7)
    ours = window_strengths_dask(points, masks, eps_m=120.0, client=client, parent_res=7)
    assert_same_strengths(ours, local_strengths(points, masks, 120.0))
    assert_expected_rule_equal(2, client)

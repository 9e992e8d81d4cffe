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
    with dask.config.set(scheduler="sync"):
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

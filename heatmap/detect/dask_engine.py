"""DBSCAN over Dask: coarse H3 cells with a halo, merged into the local engine's labels.

:func:`label_dbscan_dask` gives exactly what :func:`heatmap.detect.dbscan.label_dbscan`
gives on the same points — same labels, not only the same partition — but spreads the
work over a Dask cluster:

1. every point is keyed by its H3 cell at ``parent_res`` (its *own* cell) and copied,
   as a *halo* point, into each edge-neighbour cell whose shared edge lies within eps
   (plus a margin) of it; so every cell's group holds the whole eps-neighbourhood of
   each of its own points;
2. the groups are shuffled so that each sits in one partition; each group decides the
   core flag of its own points (their neighbourhoods are complete there);
3. with every point's flag known, each group finds its core components — an edge
   between two core points, own or halo, is seen in the group of either — and the
   components its own border points reach;
4. the driver joins components sharing a core point across groups and numbers the
   clusters as the local engine does (seed = lowest core point, border points to the
   reachable cluster with the lowest seed, numbering by first point).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise
from typing import Any

import h3
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from heatmap.core.cells import cells_of
from heatmap.detect.dbscan import EARTH_RADIUS_M, dbscan_parts
from heatmap.detect.dbscan_checks import _coordinates, _core_flags, _eps_radians, _threshold
from heatmap.detect.forest import _number_by_first_location
from heatmap.errors import DetectionError

__all__ = ["label_dbscan_dask"]

_HALO_MARGIN_M = 25.0  # halo reaches this much (and 2 %) beyond eps: cell edges are
_HALO_MARGIN_REL = 0.02  # great circles only up to H3's own float arithmetic
_MAX_EPS_SHARE = 0.1  # eps at most this share of a parent cell's mean edge length
_COLUMNS = ["pid", "cell", "own", "lat", "lon", "subscriber", "weight"]


def label_dbscan_dask(
    points: Any,
    *,
    eps_m: float = 250.0,
    min_subscribers: int = 3,
    client: Any = None,
    parent_res: int = 4,
    core: np.ndarray | None = None,
) -> np.ndarray:
    """Labels of :func:`~heatmap.detect.dbscan.label_dbscan`, computed on Dask.

    ``points`` is a pandas or Dask DataFrame with ``lat`` and ``lon`` and optionally
    ``subscriber_id`` and ``weight``. Returns int64 labels in row order (for a Dask
    DataFrame: its partitions one after another). ``client`` is a
    ``distributed.Client`` (else Dask's current scheduler runs the graph).

    ``eps_m`` may be at most a tenth of the mean edge of a ``parent_res`` cell (res 4:
    ~26 km edges, so up to 2.6 km). The input is read twice (row counts, then the
    keyed rows); the keyed rows, halo copies included, are held by the cluster.

    With ``core`` (one flag per row, equal for rows at equal coordinates) the core
    points are given instead of counted, as by ``label_dbscan(core=...)``.
    """
    threshold = _threshold(min_subscribers)
    groups, n = halo_groups(points, eps_m=eps_m, client=client, parent_res=parent_res)
    given = _core_flags(core, n)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if given is None:
        flags = groups.map_partitions(_core_of_own, eps_m, threshold, meta=_core_meta())
        core_rows = _compute(client, [flags])[0]
        given = np.zeros(n, dtype=bool)
        given[core_rows["pid"].to_numpy(np.int64)] = core_rows["core"].to_numpy(bool)
    shared = client.scatter(given, broadcast=True) if client is not None else given
    found = groups.map_partitions(_components, shared, eps_m, threshold, meta=_parts_meta())
    rows = _compute(client, [found])[0]
    return _merge(rows, given, n)


def halo_groups(points: Any, *, eps_m: float, client: Any, parent_res: int) -> tuple[Any, int]:
    """The input's rows keyed by their own ``parent_res`` cell plus halo copies, shuffled
    so that each cell's group sits in one partition and persisted (a Dask DataFrame of
    ``pid, cell, own, lat, lon, subscriber, weight``; ``pid`` = row number), and the
    number of input rows. Every own point's eps-neighbourhood lies within its partition.
    With no rows the groups are None."""
    import dask
    import dask.dataframe as dd

    _eps_radians(eps_m)  # validates
    if not isinstance(parent_res, int) or not 0 <= parent_res <= 15:
        raise DetectionError(f"parent_res must be an H3 resolution 0..15, got {parent_res!r}")
    edge_m = h3.average_hexagon_edge_length(parent_res, "m")
    if eps_m > _MAX_EPS_SHARE * edge_m:
        raise DetectionError(
            f"eps_m={eps_m} is too large for parent_res={parent_res} (cells of ~{edge_m:.0f} m"
            f" edges); use a coarser parent_res"
        )
    missing = {"lat", "lon"} - set(points.columns)
    if missing:
        raise DetectionError(f"points lack column(s): {', '.join(sorted(missing))}")

    ddf = (
        points
        if isinstance(points, dd.DataFrame)
        else dd.from_pandas(points, npartitions=_parts(len(points)))
    )
    pieces = ddf.to_delayed()
    lengths = _compute(client, [dask.delayed(len)(p) for p in pieces])
    n = int(sum(lengths))
    if n == 0:
        return None, 0
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).tolist()
    halo_m = eps_m * (1 + _HALO_MARGIN_REL) + _HALO_MARGIN_M
    keyed = dd.from_delayed(
        [
            dask.delayed(_keyed)(p, int(off), parent_res, halo_m / EARTH_RADIUS_M)
            for p, off in zip(pieces, offsets, strict=True)
        ],
        meta=_keyed_meta(),
        verify_meta=False,
    )
    shuffled = keyed.shuffle(on="cell", npartitions=max(2, ddf.npartitions))
    groups = client.persist(shuffled) if client is not None else shuffled.persist()
    return groups, n


def _compute(client: Any, things: list[Any]) -> list[Any]:
    import dask

    if client is not None:
        return list(client.gather(client.compute(things)))
    return list(dask.compute(*things))


def _parts(n: int) -> int:
    return max(2, min(64, n // 50_000))


# ---------------------------------------------------------------- keys and halo


def _keyed_meta() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pid": pd.Series(dtype="int64"),
            "cell": pd.Series(dtype="uint64"),
            "own": pd.Series(dtype="bool"),
            "lat": pd.Series(dtype="float64"),
            "lon": pd.Series(dtype="float64"),
            "subscriber": pd.Series(dtype="object"),
            "weight": pd.Series(dtype="float64"),
        }
    )[_COLUMNS]


def _keyed(frame: pd.DataFrame, offset: int, res: int, halo_rad: float) -> pd.DataFrame:
    """Rows of one input partition keyed by own cell, plus their halo copies."""
    lat, lon = _coordinates(frame["lat"].to_numpy(), frame["lon"].to_numpy())
    m = lat.shape[0]
    pid = np.arange(offset, offset + m, dtype=np.int64)
    if "subscriber_id" in frame.columns:
        subscriber = frame["subscriber_id"].to_numpy(dtype=object)
    else:
        subscriber = pid.astype(object)  # every point its own subscriber
    weight = frame["weight"].to_numpy(np.float64) if "weight" in frame.columns else np.ones(m)
    cells = cells_of(lat, lon, res)
    near_point, near_cell = _halo(cells, _unit(lat, lon), halo_rad)
    rows_pid = [np.arange(m), near_point]
    rows_cell = [cells, near_cell]
    index = np.concatenate(rows_pid)
    out = pd.DataFrame(
        {
            "pid": pid[index],
            "cell": np.concatenate(rows_cell).astype(np.uint64),
            "own": np.arange(index.size) < m,
            "lat": lat[index],
            "lon": lon[index],
            "subscriber": pd.Series(subscriber[index], dtype=object),
            "weight": weight[index],
        }
    )
    return out[_COLUMNS]


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la = np.radians(lat)
    lo = np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _halo(cells: np.ndarray, xyz: np.ndarray, halo_rad: float) -> tuple[np.ndarray, np.ndarray]:
    """``(point, cell)`` for every point within ``halo_rad`` of an edge of its cell and
    the edge-neighbour cell across that edge (distance to the edge's great circle:
    ``asin |p · n|``)."""
    uniq, which = np.unique(cells, return_inverse=True)
    segments = [_segments(int(c)) for c in uniq.tolist()]
    lens = np.array([len(seg[1]) for seg in segments], dtype=np.int64)
    normals = np.concatenate([seg[0] for seg in segments])
    across = np.concatenate([seg[1] for seg in segments])
    start = np.cumsum(lens) - lens
    count = lens[which]
    point = np.repeat(np.arange(cells.shape[0]), count)
    seg = np.repeat(start[which] - (np.cumsum(count) - count), count) + np.arange(point.size)
    near = np.abs(np.einsum("ij,ij->i", xyz[point], normals[seg])) <= np.sin(halo_rad)
    pairs = pd.DataFrame({"point": point[near], "cell": across[seg[near]]}).drop_duplicates()
    return pairs["point"].to_numpy(np.int64), pairs["cell"].to_numpy(np.uint64)


@lru_cache(maxsize=65_536)
def _segments(cell: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit normals of the great circles through a cell's edge segments, and the
    edge-neighbour cell across each."""
    a_lat: list[float] = []
    a_lon: list[float] = []
    b_lat: list[float] = []
    b_lon: list[float] = []
    across: list[int] = []
    for edge in h3.origin_to_directed_edges(h3.int_to_str(cell)):
        other = h3.str_to_int(h3.get_directed_edge_destination(edge))
        corners = h3.directed_edge_to_boundary(edge)
        for (la1, lo1), (la2, lo2) in pairwise(corners):
            a_lat.append(la1)
            a_lon.append(lo1)
            b_lat.append(la2)
            b_lon.append(lo2)
            across.append(other)
    normal = np.cross(_unit(np.array(a_lat), np.array(a_lon)), _unit(np.array(b_lat), np.array(b_lon)))
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    return normal, np.array(across, dtype=np.uint64)


# ---------------------------------------------------------------- per-cell work


def _distinct_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The partition's points once each (a point may sit in several of its cell groups),
    and whether each is an own point of some group here."""
    pid = frame["pid"].to_numpy(np.int64)
    uniq, first, inverse = np.unique(pid, return_index=True, return_inverse=True)
    own = np.zeros(uniq.size, dtype=bool)
    np.logical_or.at(own, inverse, frame["own"].to_numpy(bool))
    return frame.iloc[first], own


def _parts_of(rows: pd.DataFrame, eps_m: float, k: int, core: np.ndarray | None) -> Any:
    return dbscan_parts(
        rows["lat"].to_numpy(np.float64),
        rows["lon"].to_numpy(np.float64),
        rows["subscriber"].to_numpy(),
        eps_m=eps_m,
        min_subscribers=k,
        weight=rows["weight"].to_numpy(np.float64),
        core=core,
    )


def _core_meta() -> pd.DataFrame:
    return pd.DataFrame({"pid": pd.Series(dtype="int64"), "core": pd.Series(dtype="bool")})


def _core_of_own(frame: pd.DataFrame, eps_m: float, k: int) -> pd.DataFrame:
    """Core flags of the partition's own points: the cell groups here hold their whole
    neighbourhoods (a halo point's flag here may fall short: it is not kept)."""
    if frame.empty:
        return _core_meta()
    rows, own = _distinct_rows(frame)
    parts = _parts_of(rows, eps_m, k, None)
    return pd.DataFrame({"pid": rows["pid"].to_numpy(np.int64)[own], "core": parts.core[own]})


def _parts_meta() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pid": pd.Series(dtype="int64"),
            "component": pd.Series(dtype="int64"),
            "border": pd.Series(dtype="bool"),
        }
    )


def _components(frame: pd.DataFrame, core: np.ndarray, eps_m: float, k: int) -> pd.DataFrame:
    """The component of every core point here (own or halo), and the components each
    own border point reaches; an edge between two core points is seen in the
    partition of either. A component is named by its least point id: components of
    two partitions with the same name share that core point, so are one cluster."""
    if frame.empty:
        return _parts_meta()
    rows, own = _distinct_rows(frame)
    pid = rows["pid"].to_numpy(np.int64)
    parts = _parts_of(rows, eps_m, k, core[pid])
    is_core = parts.core
    name = np.full(int(parts.component.max(initial=-1)) + 1, np.iinfo(np.int64).max)
    np.minimum.at(name, parts.component[is_core], pid[is_core])
    on_own = own[parts.border_point]
    n_core = int(is_core.sum())
    n_border = int(on_own.sum())
    return pd.DataFrame(
        {
            "pid": np.concatenate([pid[is_core], pid[parts.border_point[on_own]]]),
            "component": name[np.concatenate([parts.component[is_core], parts.border_component[on_own]])],
            "border": np.arange(n_core + n_border) >= n_core,
        }
    ).astype(_parts_meta().dtypes.to_dict())


# ---------------------------------------------------------------- merge


def _merge(rows: pd.DataFrame, core: np.ndarray, n: int) -> np.ndarray:
    """Global clusters from per-group components, numbered like the local engine."""
    seed = np.full(n, -1, dtype=np.int64)
    if rows.empty:
        return _number_by_first_location(seed)
    node = pd.factorize(rows["component"])[0].astype(np.int64)
    pid = rows["pid"].to_numpy(np.int64)
    border = rows["border"].to_numpy(bool)
    # one core point seen in several groups joins its components there
    core_pid = pid[~border]
    core_node = node[~border]
    order = np.argsort(core_pid, kind="stable")
    cp, cn = core_pid[order], core_node[order]
    same = np.flatnonzero(cp[1:] == cp[:-1])
    n_node = int(node.max()) + 1
    graph = coo_matrix((np.ones(same.size, dtype=np.int8), (cn[same], cn[same + 1])), shape=(n_node, n_node))
    _, cluster = connected_components(graph, directed=False)
    # a cluster's seed is its lowest core point; border points take the lowest seed
    cluster_seed = np.full(int(cluster.max()) + 1, n, dtype=np.int64)
    np.minimum.at(cluster_seed, cluster[core_node], core_pid)
    seed[core_pid] = cluster_seed[cluster[core_node]]
    best = np.full(n, n, dtype=np.int64)
    np.minimum.at(best, pid[border], cluster_seed[cluster[node[border]]])
    reached = (best < n) & ~core
    seed[reached] = best[reached]
    return _number_by_first_location(seed)

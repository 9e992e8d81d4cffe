"""H3 spot detection: hot cells by distinct complainants, adjacent hot cells joined."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from heatmap.core.cells import cells_of

try:  # h3ronpy finds neighbours of many cells in native code
    from h3ronpy import grid_disk as _native_disk
except ImportError:  # pragma: no cover - exercised only without h3ronpy
    _native_disk = None
from heatmap.core.arrow_numpy import codes_of, to_arrow, to_numpy
from heatmap.errors import DetectionError


def label_h3(
    lat: np.ndarray,
    lon: np.ndarray,
    subscriber: np.ndarray | pa.Array | pa.ChunkedArray | None = None,
    *,
    res: int = 9,
    min_subscribers: int = 3,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """Spot label per point (-1 where the point's cell is not hot).

    A cell is hot when the distinct subscribers in it, each counted once with
    the largest weight of its points there, sum to at least ``min_subscribers``.
    Hot cells that share an edge form one spot. Labels are numbered in the
    order of each spot's first point. ``subscriber`` may be an Arrow array (text as
    read from a file): only the points of cells that can be hot are then encoded.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    n = len(lat)
    _check(lat, lon, res, min_subscribers)
    labels = np.full(n, -1, dtype=np.int64)
    weights = None if weight is None else np.asarray(weight, dtype=np.float64)
    index = np.arange(n) if weights is None else np.flatnonzero(weights > 0)
    if len(index) == 0:
        return labels
    every = weights is None  # all rows: no copies of the positions
    cell_code, cell_values = _factorize(
        cells_of(lat, lon, res) if every else cells_of(lat[index], lon[index], res)
    )
    # A cell with fewer points than the threshold cannot be hot (weights are ≤ 1):
    # only points of the other cells need their subscribers counted.
    candidate = np.bincount(cell_code)[cell_code] >= min_subscribers
    if not candidate.any():
        return labels
    index, cell_code = index[candidate], cell_code[candidate]
    who = np.arange(len(index)) if subscriber is None else _subscriber_codes(subscriber, index)
    w = None if weights is None else weights[index]
    strength = _strength(cell_code, who, w, len(cell_values))
    is_hot = strength >= min_subscribers - 1e-9
    if not is_hot.any():
        return labels
    component = np.full(len(cell_values), -1, dtype=np.int64)
    component[is_hot] = _components(np.asarray(cell_values, dtype=np.uint64)[is_hot])
    point_component = component[cell_code]
    in_spot = point_component >= 0
    # Number spots by their first point: factorize keeps first-appearance order.
    labels[index[in_spot]] = _factorize(point_component[in_spot])[0]
    return labels


def _strength(cell_code: np.ndarray, who: np.ndarray, weight: np.ndarray | None, cells: int) -> np.ndarray:
    """Per cell, its distinct subscribers, each counted once with the largest weight of
    their points there."""
    stride = int(who.max()) + 1
    pair = cell_code.astype(np.int64) * stride + who  # one key per (cell, subscriber)
    if weight is None:  # distinct pairs, in any order: only their cells are counted
        distinct = to_numpy(pc.unique(to_arrow(pair)))
        return np.bincount(distinct // stride, minlength=cells).astype(np.float64)
    order = np.lexsort((-weight, pair))  # by pair, the largest weight first
    first = order[_run_starts(pair[order])]
    return np.bincount(cell_code[first], weights=weight[first], minlength=cells)


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes ``0, 1, …`` in order of first appearance (equal values, equal codes) and the
    distinct values in that order; hashed by Arrow in native code."""
    codes, distinct = codes_of(to_arrow(values))
    return codes, to_numpy(distinct)


def _run_starts(ordered: np.ndarray) -> np.ndarray:
    """Positions where a run of equal values of sorted ``ordered`` begins."""
    starts = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return np.flatnonzero(starts)


def _subscriber_codes(subscriber: np.ndarray | pa.Array | pa.ChunkedArray, rows: np.ndarray) -> np.ndarray:
    """Dense codes of the subscribers of ``rows``, equal where the subscribers are."""
    if isinstance(subscriber, pa.Array | pa.ChunkedArray):  # Arrow hashes the text: no Python strings
        return codes_of(subscriber.take(to_arrow(rows)))[0]
    import pandas as pd  # text in Python objects: pandas hashes them fastest

    return np.asarray(pd.factorize(np.asarray(subscriber)[rows], sort=False)[0])


def _components(hot: np.ndarray) -> np.ndarray:
    """Connected components of hot cells under edge adjacency."""
    rows, neighbours = _neighbour_pairs(hot)
    order = np.argsort(hot)
    at = np.searchsorted(hot[order], neighbours)
    at = np.clip(at, 0, len(hot) - 1)
    found = hot[order][at] == neighbours
    return _union(len(hot), rows[found], order[at[found]])


def _union(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Component of each of ``n`` nodes joined by the edges ``a[i]–b[i]``: every node
    takes the smallest id reachable (min-label propagation with pointer jumping, so
    rounds grow with the log of a component's diameter). No scipy: the CLI would pay
    a quarter second to import its sparse graphs for a few thousand hot cells."""
    root = np.arange(n, dtype=np.int64)
    while True:
        low = np.minimum(root[a], root[b])
        before = root.copy()
        np.minimum.at(root, a, low)
        np.minimum.at(root, b, low)
        root = root[root]  # jump: a node points at its root's root
        if np.array_equal(root, before):
            return root


def grid_disks(cells: np.ndarray, k: int) -> np.ndarray:
    """The distinct cells (uint64) within grid distance ``k`` of any of ``cells``."""
    if len(cells) == 0:
        return np.zeros(0, dtype=np.uint64)
    if _native_disk is not None:
        disks = pa.array(_native_disk(np.asarray(cells, dtype=np.uint64), k, flatten=False))
        return np.unique(to_numpy(disks.flatten()).astype(np.uint64))
    import h3  # without h3ronpy: cell by cell

    names = {n for c in cells.tolist() for n in h3.grid_disk(h3.int_to_str(int(c)), k)}
    return np.unique(np.array([h3.str_to_int(n) for n in names], dtype=np.uint64))


def _neighbour_pairs(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index of a cell, one of its edge neighbours) for every cell, vectorised when possible."""
    if _native_disk is not None:
        disks = pa.array(_native_disk(cells, 1, flatten=False))
        lengths = np.diff(to_numpy(disks.offsets))
        return (np.repeat(np.arange(len(cells)), lengths), to_numpy(disks.flatten()).astype(np.uint64))
    import h3  # without h3ronpy: cell by cell

    rows: list[int] = []
    values: list[int] = []
    for i, cell in enumerate(cells.tolist()):
        for neighbour in h3.grid_ring(h3.int_to_str(cell), 1):
            rows.append(i)
            values.append(h3.str_to_int(neighbour))
    return np.asarray(rows, dtype=np.int64), np.asarray(values, dtype=np.uint64)


def _check(lat: np.ndarray, lon: np.ndarray, res: int, min_subscribers: int) -> None:
    if len(lat) != len(lon):
        raise DetectionError("lat and lon differ in length")
    if not 0 <= res <= 15:
        raise DetectionError(f"H3 resolution must be 0..15, got {res}")
    if min_subscribers < 1:
        raise DetectionError("min_subscribers must be at least 1")
    if np.isnan(lat).any() or np.isnan(lon).any():
        raise DetectionError("points without coordinates cannot be clustered")
    if (np.abs(lat) > 90).any() or (np.abs(lon) > 180).any():
        raise DetectionError("coordinates out of range")

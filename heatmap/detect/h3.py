"""H3 spot detection: hot cells by distinct complainants, adjacent hot cells joined."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from heatmap.detect.cells import cells_of
from heatmap.errors import DetectionError


def label_h3(
    lat: np.ndarray,
    lon: np.ndarray,
    subscriber: np.ndarray | None = None,
    *,
    res: int = 9,
    min_subscribers: int = 3,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """Spot label per point (-1 where the point's cell is not hot).

    A cell is hot when the distinct subscribers in it, each counted once with
    the largest weight of its points there, sum to at least ``min_subscribers``.
    Hot cells that share an edge form one spot. Labels are numbered in the
    order of each spot's first point.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    n = len(lat)
    _check(lat, lon, res, min_subscribers)
    weights = np.ones(n) if weight is None else np.asarray(weight, dtype=np.float64)
    subscribers = np.arange(n) if subscriber is None else np.asarray(subscriber)
    labels = np.full(n, -1, dtype=np.int64)
    counted = weights > 0
    if not counted.any():
        return labels
    index = np.flatnonzero(counted)
    cells = cells_of(lat[index], lon[index], res)
    frame = pd.DataFrame({"cell": cells, "subscriber": subscribers[index], "w": weights[index]})
    per_subscriber = frame.groupby(["cell", "subscriber"], sort=False)["w"].max()
    strength = per_subscriber.groupby(level="cell", sort=False).sum()
    hot = strength.index[strength.to_numpy() >= min_subscribers - 1e-9].to_numpy(np.uint64)
    if len(hot) == 0:
        return labels
    component = _components(hot)
    point_component = pd.Series(component, index=hot).reindex(cells).to_numpy()
    in_spot = ~np.isnan(point_component)
    # Renumber components by first appearance among the points.
    raw = point_component[in_spot].astype(np.int64)
    _, first = np.unique(raw, return_index=True)
    order = np.argsort(np.argsort(first))
    renumber = dict(zip(np.unique(raw).tolist(), order.tolist(), strict=True))
    labels[index[in_spot]] = np.fromiter((renumber[r] for r in raw.tolist()), dtype=np.int64)
    return labels


def _components(hot: np.ndarray) -> np.ndarray:
    """Connected components of hot cells under edge adjacency."""
    position = {int(c): i for i, c in enumerate(hot.tolist())}
    rows: list[int] = []
    cols: list[int] = []
    for cell, i in position.items():
        for neighbour in h3.grid_ring(h3.int_to_str(cell), 1):
            j = position.get(h3.str_to_int(neighbour))
            if j is not None:
                rows.append(i)
                cols.append(j)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(hot), len(hot)))
    _, component = connected_components(graph, directed=False)
    return np.asarray(component, dtype=np.float64)


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

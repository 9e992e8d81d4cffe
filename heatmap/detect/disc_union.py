"""The exposure of a DBSCAN spot's area: the union of the discs of radius eps around its
core points, where they are.

A core location's own test takes the exposure of the disc around its res-10 cell's
centre (:mod:`heatmap.detect.disc_grid`): within ~35 m of the right place, and cheap for
the hundreds of thousands of locations tested. A spot's own test cannot: its members
are every complaint within eps of one of its core points *where they are*, and ten cores
in one res-10 cell cover up to 1.6 times the area of one disc around that cell's
centre. Counting the members of the larger area against the exposure of the smaller
made chance clusters of the background pass as spots wherever exposure is dense (a
quarter of blocks of flats: 92 complainants against the 48 expected in one disc around
the cell's centre, a disc that held only 73 of them). So the spot's exposure is summed
here over the exposure points within eps of any of its core points (a k-d tree over the
exposure points near the cores), as the spot's members were gathered.

Pure: arrays in, a series out; no I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatmap.detect.kdtree import kd_tree
from heatmap.detect.neighbours import EARTH_RADIUS_M, _unit_vectors

#: Per exposure point (:func:`_owners`): no spot's core is in a square next to it…
_NONE = -1
#: …or the cores of several spots are (else: the one spot's position).
_SEVERAL = -2
#: A nearest core this close to eps (relative) is decided as every pair is (by the tree's
#: own radius search), not by the nearest distance.
_BAND = 1e-9


def union_exposure(
    core_lat: np.ndarray,
    core_lon: np.ndarray,
    core_spot: np.ndarray,
    exposure: pd.DataFrame,
    *,
    eps_m: float,
) -> pd.Series:
    """Per spot (index): the exposure weight within ``eps_m`` of any of its core points
    (``core_spot``: each core's spot). ``exposure``: ``lat, lon, weight`` points. Each
    exposure point counts once per spot, however many of its discs hold it.

    A point next to the cores of one spot only (:func:`_owners`) is in its area when its
    nearest core is within eps: one nearest-neighbour query, not every core around it
    (a 1M-complaint city's 74k cores found 2.6 million pairs with 32k points). The
    others near a core, and any whose nearest core lies within a hair of eps, take
    every core within eps (the tree's radius search, as before)."""
    spots = np.unique(core_spot)
    if exposure.empty or core_spot.size == 0:
        return pd.Series(0.0, index=pd.Index(spots), dtype=np.float64)
    core_lat = np.asarray(core_lat, np.float64)
    core_lon = np.asarray(core_lon, np.float64)
    lat, lon = exposure["lat"].to_numpy(np.float64), exposure["lon"].to_numpy(np.float64)
    position = np.searchsorted(spots, core_spot).astype(np.int64)  # each core's spot's
    owner = _owners(lat, lon, core_lat, core_lon, position, eps_m)
    chord = 2 * np.sin(eps_m / (2 * EARTH_RADIUS_M))  # on the unit sphere
    tree = kd_tree()
    cores = tree(_unit_vectors(core_lat, core_lon))
    alone = np.flatnonzero(owner >= 0)
    nearest = cores.query(
        _unit_vectors(lat[alone], lon[alone]), k=1, distance_upper_bound=chord * (1 + _BAND)
    )[0]
    sure = nearest <= chord * (1 - _BAND)
    shared = np.sort(np.concatenate([np.flatnonzero(owner == _SEVERAL), alone[np.isfinite(nearest) & ~sure]]))
    found = cores.sparse_distance_matrix(
        tree(_unit_vectors(lat[shared], lon[shared])), chord, output_type="ndarray"
    )
    # each exposure point once per spot: (spot's position, point's position) as one key;
    # sorted, each spot's weights are summed in the points' order, as ever
    width = len(lat)
    held = alone[sure]
    key = np.unique(
        np.concatenate([owner[held] * width + held, position[found["i"]] * width + shared[found["j"]]])
    )
    weight = exposure["weight"].to_numpy(np.float64)[key % width]
    summed = np.bincount(key // width, weights=weight, minlength=len(spots))
    return pd.Series(summed, index=pd.Index(spots), dtype=np.float64)


def _owners(
    lat: np.ndarray,
    lon: np.ndarray,
    core_lat: np.ndarray,
    core_lon: np.ndarray,
    position: np.ndarray,
    eps_m: float,
) -> np.ndarray:
    """Per point: the one spot (``position``: each core's) with cores in a grid square
    next to (or at) the point's, :data:`_NONE` or :data:`_SEVERAL`. Squares have sides
    of at least ``eps_m``, so a core within eps of a point is in one of the 9 squares
    around it. Columns divide the circle evenly and wrap at ±180° (179.99° E is next to
    179.99° W); near a pole, where eps spans most longitudes, every point has several."""
    dlat = eps_m / 111_000.0
    reach = float(np.max(np.abs(core_lat))) + dlat  # the highest latitude a point near a core has
    columns = int(np.floor(360.0 * np.cos(np.radians(reach)) / dlat)) if reach < 90.0 else 0
    if columns < 3:
        return np.full(len(lat), _SEVERAL, dtype=np.int64)
    dlon = 360.0 / columns  # at least dlat / cos(reach): a side of at least eps_m there
    wide = np.int64(1 << 31)

    def square(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        row = np.floor(a / dlat).astype(np.int64)
        return row * wide + np.floor((b + 180.0) / dlon).astype(np.int64) % columns

    square_of, spot_of = _distinct_pairs(square(core_lat, core_lon), position)
    row = square_of // wide
    col = square_of - row * wide
    shifts = np.array([(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1)], dtype=np.int64)
    around = (row[:, None] + shifts[:, 0]) * wide + (col[:, None] + shifts[:, 1]) % columns
    square_of, spot_of = _distinct_pairs(around.ravel(), np.repeat(spot_of, len(shifts)))
    starts = np.flatnonzero(np.concatenate([[True], square_of[1:] != square_of[:-1]]))
    squares = square_of[starts]
    alone = np.diff(np.append(starts, len(square_of))) == 1
    owner = np.where(alone, spot_of[starts], _SEVERAL)
    key = square(lat, lon)
    at = np.minimum(np.searchsorted(squares, key), len(squares) - 1)  # squares are sorted
    return np.where(squares[at] == key, owner[at], _NONE).astype(np.int64)


def _distinct_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(a, b)`` pairs, sorted by ``a`` then ``b``."""
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    first = np.concatenate([[True], (a[1:] != a[:-1]) | (b[1:] != b[:-1])])
    return a[first], b[first]


def spot_areas(
    spot_of: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    history: np.ndarray,
    *,
    floor: float,
    exposure: pd.DataFrame,
    eps_m: float,
) -> pd.Series:
    """Per spot: the adjusted exposure of its area — :func:`union_exposure` of its core
    locations (``spot_of``: each location's spot, −1 none; ``lat, lon``: where they are),
    at least ``floor`` (a disc's), scaled by its cores' mean history factor."""
    mine = spot_of >= 0
    if not mine.any():
        return pd.Series(dtype=np.float64)
    summed = union_exposure(lat[mine], lon[mine], spot_of[mine], exposure, eps_m=eps_m)
    factor = pd.Series(history[mine]).groupby(spot_of[mine]).mean()
    return (summed.reindex(factor.index).clip(lower=floor) * factor).astype(np.float64)

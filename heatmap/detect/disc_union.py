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
    exposure point counts once per spot, however many of its discs hold it."""
    spots = np.unique(core_spot)
    if exposure.empty or core_spot.size == 0:
        return pd.Series(0.0, index=pd.Index(spots), dtype=np.float64)
    core_lat = np.asarray(core_lat, np.float64)
    core_lon = np.asarray(core_lon, np.float64)
    lat, lon = exposure["lat"].to_numpy(np.float64), exposure["lon"].to_numpy(np.float64)
    near = np.flatnonzero(_near_some(lat, lon, core_lat, core_lon, eps_m))
    chord = 2 * np.sin(eps_m / (2 * EARTH_RADIUS_M))  # on the unit sphere
    tree = kd_tree()
    found = tree(_unit_vectors(core_lat, core_lon)).sparse_distance_matrix(
        tree(_unit_vectors(lat[near], lon[near])), chord, output_type="ndarray"
    )
    # each exposure point once per spot: (spot's position, point's position among `near`)
    # as one key, narrowed to 32 bits where it fits (a sort of half the width)
    width = max(len(near), 1)
    narrow = len(spots) * width < 2**31
    position = np.searchsorted(spots, core_spot).astype(np.int64)  # each core's spot's
    key = position[found["i"]] * width + found["j"]
    key = np.unique(key.astype(np.int32) if narrow else key).astype(np.int64)
    weight = exposure["weight"].to_numpy(np.float64)[near[key % width]]
    summed = np.bincount(key // width, weights=weight, minlength=len(spots))
    return pd.Series(summed, index=pd.Index(spots), dtype=np.float64)


def _near_some(
    lat: np.ndarray, lon: np.ndarray, core_lat: np.ndarray, core_lon: np.ndarray, eps_m: float
) -> np.ndarray:
    """Mask of the points in a grid square of side at least ``eps_m`` next to (or in)
    some core's square, so the tree holds only the exposure near the spots. Columns
    divide the circle evenly and wrap at ±180° (179.99° E is next to 179.99° W); near a
    pole, where eps spans most longitudes, every point is kept."""
    dlat = eps_m / 111_000.0
    reach = float(np.max(np.abs(core_lat))) + dlat  # the highest latitude a point near a core has
    columns = int(np.floor(360.0 * np.cos(np.radians(reach)) / dlat)) if reach < 90.0 else 0
    if columns < 3:
        return np.ones(len(lat), dtype=bool)
    dlon = 360.0 / columns  # at least dlat / cos(reach): a side of at least eps_m there

    def square(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.floor(a / dlat).astype(np.int64), np.floor((b + 180.0) / dlon).astype(np.int64) % columns

    core_row, core_col = square(core_lat, core_lon)
    shifts = np.array([(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1)], dtype=np.int64)
    wide = np.int64(1 << 31)
    squares = np.unique(
        ((core_row[:, None] + shifts[:, 0]) * wide + (core_col[:, None] + shifts[:, 1]) % columns).ravel()
    )
    row, col = square(lat, lon)
    key = row * wide + col
    at = np.minimum(np.searchsorted(squares, key), len(squares) - 1)  # squares are sorted
    return np.asarray(squares[at] == key)


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

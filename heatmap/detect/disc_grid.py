"""The exposure around the expected rule's DBSCAN locations (:mod:`heatmap.detect.discs`)
on res-10 cells: the exposure cells, and for each disc cell the exposure cells whose
centres lie within eps of its own, found through its H3 rings rather than by a radius
search over every exposure cell of the city.

* **Rings.** Every cell whose centre lies within eps of a cell's centre lies within
  ``outer`` rings of it, and every cell within ``inner`` rings has its centre within eps
  (:func:`ring_reach`). Sizes come from the cells' areas as regular hexagons' edges ``e``,
  with the margins of :func:`~heatmap.detect.discs._reach_rings`: neighbours' centres lie
  at most two circumradii apart (at most 1.15 e each), and ring-k centres at least
  k·(√3/2) neighbour spacings away (at least 0.88·√3·e).
* **A lower bound first.** The exposure of the cells within ``inner`` rings is part of
  every disc's: the locations that fail their test even with that little exposure need
  no disc (:func:`ring_sums`), and only the others' pairs are decided by their centres'
  distance (:func:`pairs_within`), as a k-d tree search would decide them.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from heatmap.core.cells import centres_of, parents_of
from heatmap.detect.exposure import exposure_cells
from heatmap.detect.neighbours import EARTH_RADIUS_M

#: The resolution of the discs' cells (~76 m edge).
DISC_RES = 10
#: Cell areas are read at this many resolutions coarser (ancestors: far fewer to read).
_AREA_STEP = 3


@dataclass(frozen=True)
class ExposureGrid:
    """The exposure points summed on their res-10 cells (sorted)."""

    cells: np.ndarray
    weight: np.ndarray

    @classmethod
    def of(cls, points: pd.DataFrame) -> ExposureGrid:
        cells, at = np.unique(disc_cells(points), return_inverse=True)
        weight = np.bincount(at, weights=points["weight"].to_numpy(float), minlength=len(cells))
        return cls(cells, weight.astype(np.float64))

    def positions(self, cells: np.ndarray) -> np.ndarray:
        """Each cell's position among the exposure cells (−1: none there), by binary
        search: the cells asked for come in runs of neighbours, so it beats hashing them."""
        if not len(self.cells):
            return np.full(len(cells), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.cells, cells), len(self.cells) - 1)
        return np.where(self.cells[at] == cells, at, -1).astype(np.int64)


def disc_cells(points: pd.DataFrame) -> np.ndarray:
    """The res-10 cell of each exposure point (:func:`~heatmap.detect.exposure.exposure_cells`:
    the parent of the cell it is the centre of where that surely holds it)."""
    return exposure_cells(points, DISC_RES)


def ring_reach(cells: np.ndarray, eps_m: float) -> tuple[int, int]:
    """``(inner, outer)`` for res-10 ``cells`` (module docstring): every cell within
    ``inner`` rings of one of them has its centre within ``eps_m`` of its centre, and
    every cell whose centre does lies within ``outer`` rings. Areas are read from the
    cells' ancestors a few resolutions up, divided among their descendants: sizes
    change far less over a few kilometres than the margins allow."""
    from h3ronpy import cells_area_m2

    if not len(cells):
        return 0, 0
    ancestors = np.unique(parents_of(cells, DISC_RES - _AREA_STEP))
    area = np.asarray(cells_area_m2(ancestors), dtype=np.float64) / 7.0**_AREA_STEP
    edge = np.sqrt(2.0 * area / (3.0 * np.sqrt(3.0)))
    inner = int(np.floor(eps_m / (2.0 * 1.15 * float(edge.max()))))
    spacing = 0.88 * np.sqrt(3.0) * float(edge.min())
    outer = int(np.floor(eps_m / (np.sqrt(3.0) / 2.0 * spacing)))
    return inner, outer


def _disks(cells: np.ndarray, rings: int) -> tuple[np.ndarray, np.ndarray]:
    """The cells within ``rings`` rings of each cell, one after another, and where each
    one's start (offsets, one more than ``cells``)."""
    import pyarrow as pa
    from h3ronpy import grid_disk

    if rings == 0 or not len(cells):
        return np.asarray(cells, dtype=np.uint64), np.arange(len(cells) + 1, dtype=np.int64)
    found = pa.array(grid_disk(np.ascontiguousarray(cells, dtype=np.uint64), rings, flatten=False))
    values = np.asarray(found.values.to_numpy(zero_copy_only=False), dtype=np.uint64)
    return values, np.asarray(found.offsets.to_numpy(), dtype=np.int64)


def ring_sums(grid: ExposureGrid, cells: np.ndarray, rings: int) -> np.ndarray:
    """Per cell: the exposure of the cells within ``rings`` rings of it."""
    near, offsets = _disks(cells, rings)
    weight = np.append(grid.weight, 0.0)[grid.positions(near)]  # −1, no exposure there: the 0 appended
    summed = np.concatenate([[0.0], np.cumsum(weight)])
    return np.asarray(summed[offsets[1:]] - summed[offsets[:-1]], dtype=np.float64)


def pairs_within(
    grid: ExposureGrid, cells: np.ndarray, eps_m: float, rings: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(i, j)``: each pair of a cell ``cells[i]`` and an exposure cell ``grid.cells[j]``
    whose centres lie within ``eps_m``, the second within ``rings`` rings of the first.
    Decided as a k-d tree search over unit vectors decides it: the squared chord, summed
    over x, y, z in turn, at most the squared radius."""
    near, offsets = _disks(cells, rings)
    j = grid.positions(near)
    i = np.repeat(np.arange(len(cells), dtype=np.int64), np.diff(offsets))
    kept = j >= 0
    i, j = i[kept], j[kept]
    if not i.size:
        return i, j
    needed = np.zeros(len(grid.cells), dtype=bool)
    needed[j] = True
    rank = np.cumsum(needed) - 1  # a needed exposure cell's position among the needed
    theirs = _unit(centres_of(grid.cells[needed]))[rank[j]]
    mine = _unit(centres_of(cells))[i]
    diff = mine - theirs
    squared = diff[:, 0] * diff[:, 0] + diff[:, 1] * diff[:, 1] + diff[:, 2] * diff[:, 2]
    chord = 2.0 * np.sin(0.5 * eps_m / EARTH_RADIUS_M)
    inside = squared <= chord * chord
    return i[inside], j[inside]


def _unit(latlng: np.ndarray) -> np.ndarray:
    if not len(latlng):
        return np.zeros((0, 3))
    ll = np.radians(np.asarray(latlng, dtype=float))
    cos_lat = np.cos(ll[:, 0])
    return np.column_stack([cos_lat * np.cos(ll[:, 1]), cos_lat * np.sin(ll[:, 1]), np.sin(ll[:, 0])])

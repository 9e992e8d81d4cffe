"""Discs of H3 cells for the expected rule: a cell and its six edge neighbours, tested
as one place.

A concentration of a dozen complainants within 200 m falls across two to four res-9
cells (~0.1 km² each). In a dense district none of them may stand out alone while
together they plainly do, and the one that does carries only part of the concentration
into its spot. So every cell with a complainant is also tested as the centre of its
**disc** (itself and its six neighbours, ~0.7 km² at res 9), in every scan window,
against the same ``λ_d`` times the disc's adjusted exposure:

* a disc **passes** when its p-value is at or below the threshold the cells'
  Benjamini–Hochberg procedure ended on and it holds at least ``min_subscribers``
  complainants. Discs overlap, so one concentration would add a dozen discoveries to a
  procedure of their own and loosen it for everyone; they take the cells' cutoff, as
  DBSCAN's discs do;
* a passing disc does **not** make its cells a spot: it admits those of its cells that
  are themselves in *local* excess in that window (Poisson tail at most
  :data:`LOCAL_P` with at least :data:`LOCAL_MIN` complainants). A spot still grows
  only through cells in excess; the ordinary cells around a concentration stay out
  (though complaints that later fall in an admitted cell join the spot, like any).

A disc's count is the sum of its cells' distinct complainants (a subscriber who
complained from two of its cells counts twice there; rare, and only in this test).

Pure: arrays in, a mask out; no I/O, no clock.
"""

from __future__ import annotations

import numpy as np

from heatmap.detect.expected import Cells, Expectation
from heatmap.detect.h3 import _neighbour_pairs
from heatmap.detect.stats import poisson_upper_tail

#: A cell admitted by a passing disc is in local excess: its own Poisson tail at most this…
LOCAL_P = 0.01
#: …with at least this many distinct complainants in the disc's window.
LOCAL_MIN = 2.0


def disc_members(
    expectation: Expectation,
    observed: dict[float, np.ndarray],
    p_value: dict[float, np.ndarray],
    *,
    cutoff: float,
    min_subscribers: int,
) -> np.ndarray:
    """Mask over ``expectation.cells``: the cells some passing disc admits.

    ``observed`` and ``p_value`` are the cells' own per window (as the cell tests
    computed them); ``cutoff`` is the cells' Benjamini–Hochberg threshold (0.0: nothing
    was rejected, so no disc can pass). Only the discs that hold a cell in local excess
    in some window can admit one, so only those are tested.
    """
    size = len(expectation.cells.index)
    admitted = np.zeros(size, dtype=bool)
    local = {days: (p_value[days] <= LOCAL_P) & (o >= LOCAL_MIN - 1e-9) for days, o in observed.items()}
    seeds = np.flatnonzero(np.logical_or.reduce(list(local.values())))
    if cutoff <= 0 or seeds.size == 0:
        return admitted
    centres = _with_neighbours(expectation.cells, seeds)
    centres = centres[observed[max(observed)][centres] > 0]  # a disc is centred on a complainant
    slot, other = _disc_pairs(expectation.cells, centres)
    adjusted = expectation.cells.adjusted
    exposure = adjusted[centres] + np.bincount(slot, weights=adjusted[other], minlength=centres.size)
    for days, o in observed.items():
        count = o[centres] + np.bincount(slot, weights=o[other], minlength=centres.size)
        p = poisson_upper_tail(count, expectation.expected(exposure, days))
        passing = (p <= cutoff) & (count >= min_subscribers - 1e-9)
        if passing.any():
            cells = np.concatenate([centres[passing], other[passing[slot]]])
            admitted[cells[local[days][cells]]] = True
    return admitted


def _with_neighbours(cells: Cells, seeds: np.ndarray) -> np.ndarray:
    """Positions of the ``seeds`` and of their neighbours among ``cells``."""
    ids = np.asarray(cells.index, dtype=np.uint64)
    _, neighbours = _neighbour_pairs(ids[seeds])
    near = cells.position(neighbours)
    return np.unique(np.concatenate([seeds, near[near >= 0]]))


def _disc_pairs(cells: Cells, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(slot of the centre in ``centres``, position of one of its other disc cells) for
    every neighbour of every centre that is among ``cells`` (a cell not among them has no
    complainant and no exposure)."""
    ids = np.asarray(cells.index, dtype=np.uint64)
    rows, neighbours = _neighbour_pairs(ids[centres])
    position = cells.position(neighbours)
    keep = (position >= 0) & (neighbours != ids[centres][rows])  # the native disc holds its centre
    return np.asarray(rows[keep], dtype=np.int64), position[keep]

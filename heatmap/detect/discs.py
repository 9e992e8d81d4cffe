"""The expected rule's DBSCAN: core points by a Poisson test of each location's
neighbourhood against the exposure within eps of it, clusters as DBSCAN builds them,
and each spot's expected count over the area its core points cover.

* **Cores.** A location is core when the distinct complainants within eps of it, in some
  scan window, exceed λ_d times the exposure within eps (summed on res-10 cells, floored
  and scaled by the location's history factor) with a p-value at or below the cells'
  Benjamini–Hochberg threshold, and number at least ``min_subscribers``. The disc is
  centred on a complainant, who is in it by construction, so the test counts the others
  (the Palm correction: P(X ≥ s − 1), X ~ Poisson(λ_d·E)); without it, discs placed on
  the data find chance clusters of the background.
* **Clusters** are DBSCAN's: connected cores and their border points
  (:func:`~heatmap.detect.dbscan.label_dbscan` with the core flags given).
* **A spot's area** is the union of the discs of radius eps around its core points, where
  they are — the area DBSCAN gathered its members from (every member lies within eps of
  a core). Its expected count is the exposure of that union
  (:mod:`heatmap.detect.disc_union`), so the spot's own test compares like with like;
  the res-9 cells its members touch would reach up to a cell further out, and discs
  around the cores' res-10 cell centres cover less than the members came from.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from heatmap.core.cells import cells_of
from heatmap.detect.dbscan import label_dbscan, label_searched
from heatmap.detect.disc_cores import Strengths, disc_floor, least_strengths, may_pass, passing
from heatmap.detect.disc_grid import DISC_RES, ExposureGrid, pairs_within, ring_reach, ring_sums
from heatmap.detect.disc_union import spot_areas
from heatmap.detect.expected import Complaints, Expectation
from heatmap.detect.h3 import grid_disks
from heatmap.detect.neighbours import _distinct_locations
from heatmap.detect.window_search import Locations, Search, strengths_at
from heatmap.detect.window_search import _window_strengths as _window_strengths  # re-exported

#: ``(lat, lon, who, weight, masks, eps_m)`` → per mask, each point's neighbourhood
#: strength among that mask's points (:func:`_window_strengths`).
StrengthsStep = Callable[
    [np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[np.ndarray], float], list[np.ndarray]
]
#: ``(lat, lon, who, weight, eps_m, min_subscribers, core)`` → DBSCAN labels with the
#: core points given (``label_dbscan(..., core=core)``).
LabelStep = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, int, np.ndarray], np.ndarray]


def _local_label(
    lat: np.ndarray,
    lon: np.ndarray,
    who: np.ndarray,
    weight: np.ndarray,
    eps_m: float,
    min_subscribers: int,
    core: np.ndarray,
) -> np.ndarray:
    return label_dbscan(lat, lon, who, eps_m=eps_m, min_subscribers=min_subscribers, weight=weight, core=core)


@dataclass(frozen=True)
class DbscanSteps:
    """Where the expected rule's two DBSCAN phases run: the neighbourhood strengths per
    scan window, then the clustering with the core points the test decided. The
    default is this process; :func:`heatmap.detect.dask_expected.dask_steps` runs both
    on a Dask cluster with the same results."""

    strengths: StrengthsStep = field(default=_window_strengths)
    label: LabelStep = field(default=_local_label)


@dataclass(frozen=True)
class DbscanSpots:
    """What the expected rule's DBSCAN found: a label per point (−1: none) and each
    spot's adjusted exposure over the union of its core points' discs (by label)."""

    labels: np.ndarray
    adjusted: pd.Series


def label_dbscan_expected(
    complaints: Complaints,
    place: np.ndarray,
    *,
    eps_m: float,
    min_subscribers: int,
    expectation: Expectation,
    now: pd.Timestamp,
    cutoff: float,
    steps: DbscanSteps,
) -> DbscanSpots:
    """DBSCAN with cores decided by the Poisson test (module docstring); ``place``: each
    complaint's position among the expectation's cells."""
    lat, lon, weight = complaints.lat, complaints.lon, complaints.weight
    who = _distinct_codes(complaints.who)
    locations = _distinct_locations(lat, lon)
    loc, lat_loc, lon_loc = locations
    first = np.empty(len(lat_loc), dtype=np.int64)  # a point of each location
    first[loc[::-1]] = np.arange(len(loc) - 1, -1, -1)
    least = least_strengths(expectation, cutoff, eps_m=eps_m, min_subscribers=min_subscribers)
    found = _strengths(
        complaints, who, locations, least, eps_m=eps_m, now=now, expectation=expectation, steps=steps
    )
    # only a location whose strength may reach the least a core needs in some window can
    # be core, and of those only one that may pass with the exposure of its disc's inner
    # rings (part of every disc's: :mod:`~heatmap.detect.disc_grid`) needs its whole disc
    candidate = np.flatnonzero(found.may_reach(least))  # columns of ``found``
    if candidate.size == 0:
        return DbscanSpots(np.full(len(lat), -1, dtype=np.int64), pd.Series(dtype=np.float64))
    grid = ExposureGrid.of(expectation.cells.points)
    at_loc = found.location[candidate]
    cells = cells_of(lat_loc[at_loc], lon_loc[at_loc], DISC_RES)
    history = _history(expectation, place[first[at_loc]])
    disc_cells, at = np.unique(cells, return_inverse=True)
    inner, outer = ring_reach(disc_cells, eps_m)
    floor = disc_floor(expectation.cells, eps_m)
    least_exposure = np.maximum(ring_sums(grid, disc_cells, inner)[at], floor) * history
    may = may_pass(found, candidate, least_exposure, least, expectation=expectation, cutoff=cutoff)
    candidate, at_loc = candidate[may], at_loc[may]
    discs = Discs.at(cells[may], grid, eps_m, expectation, history[may], rings=outer)
    core_loc = np.zeros(len(lat_loc), dtype=bool)
    core_loc[
        at_loc[passing(found, candidate, discs.adjusted, least, expectation=expectation, cutoff=cutoff)]
    ] = True
    core = core_loc[loc] & (weight > 0)
    labels = _cluster(
        complaints,
        who,
        core,
        found.search,
        eps_m=eps_m,
        min_subscribers=min_subscribers,
        steps=steps,
    )
    # each core location's spot, by its position among the candidates
    of_candidate = np.full(len(lat_loc), -1, dtype=np.int64)
    of_candidate[at_loc] = np.arange(len(at_loc))
    spot_of = np.full(len(at_loc), -1, dtype=np.int64)
    cores = np.flatnonzero(core)
    spot_of[of_candidate[loc[cores]]] = labels[cores]
    area = spot_areas(
        spot_of,
        lat_loc[at_loc],
        lon_loc[at_loc],
        discs.history,
        floor=discs.floor,
        exposure=expectation.cells.points,
        eps_m=eps_m,
    )
    return DbscanSpots(labels, area)


def _strengths(
    complaints: Complaints,
    who: np.ndarray,
    locations: Locations,
    least: np.ndarray,
    *,
    eps_m: float,
    now: pd.Timestamp,
    expectation: Expectation,
    steps: DbscanSteps,
) -> Strengths:
    """Each location's strength per scan window, by ``steps`` (exact), or in this process
    bounded in the whole window and counted only as far as ``least`` in the others."""
    lat, lon, weight = complaints.lat, complaints.lon, complaints.weight
    masks = [complaints.in_window(now, days) & (weight > 0) for days in expectation.windows]
    loc = locations[0]
    if steps.strengths is _window_strengths and steps.label is _local_label:
        # in this process the clustering reuses the strengths' radius search
        lower, ceiling, search = strengths_at(
            lat, lon, who, weight, masks, eps_m, reach=least.tolist(), locations=locations
        )
        if search is None:
            return Strengths(lower, ceiling, -1, None, np.zeros(0, dtype=np.int64))
        return Strengths(lower, ceiling, search.bounded_mask, search, search.location[search.loc_of_slot])
    found = steps.strengths(lat, lon, who, weight, masks, eps_m)
    lower = np.zeros((len(masks), len(locations[1])))
    for k, (inside, strength) in enumerate(zip(masks, found, strict=True)):
        lower[k, loc[inside]] = strength[inside]
    return Strengths(lower, lower[0], -1, None, np.arange(len(locations[1])))


def _cluster(
    complaints: Complaints,
    who: np.ndarray,
    core: np.ndarray,
    search: Search | None,
    *,
    eps_m: float,
    min_subscribers: int,
    steps: DbscanSteps,
) -> np.ndarray:
    """DBSCAN's labels with the core points given: over the strengths' own search when
    it holds every point of weight > 0, else by ``steps.label`` over the points near a
    core point (:func:`_near_cores`)."""
    lat, lon, weight = complaints.lat, complaints.lon, complaints.weight
    if search is not None and search.kept.size == int(np.count_nonzero(weight > 0)):
        core_slot = np.zeros(search.loc_of_slot.shape[0], dtype=bool)
        core_slot[search.slot[core[search.kept]]] = True
        return label_searched(
            len(lat), search.kept, search.loc_of_point, search.loc_of_slot, core_slot, search.blocks
        )
    labels = np.full(len(lat), -1, dtype=np.int64)
    near = _near_cores(complaints.cells, core, eps_m, complaints.res)
    if near.size:
        labels[near] = steps.label(
            lat[near], lon[near], who[near], weight[near], eps_m, min_subscribers, core[near]
        )
    return labels


def _near_cores(cells: np.ndarray, core: np.ndarray, eps_m: float, res: int) -> np.ndarray:
    """Positions, in order, of the points whose cell lies within reach of a core point's
    cell: every point within ``eps_m`` of a core point is among them. Clustering them alone
    gives the same labels — the others are noise, and neither the numbering (by first
    point) nor a border point's choice (by lowest core point) depends on noise."""
    if not core.any():
        return np.zeros(0, dtype=np.int64)
    hot = np.unique(cells[core])
    reach = grid_disks(hot, _reach_rings(hot, eps_m))
    return np.flatnonzero(np.isin(cells, reach))


def _reach_rings(cells: np.ndarray, eps_m: float) -> int:
    """Rings of H3 cells around ``cells`` that hold every point within ``eps_m`` of a
    point in them. Such a point's cell has its centre within eps + 2 circumradii of the
    other's; on a hexagonal grid, centres k rings apart are at least k·(√3/2) neighbour
    spacings apart. Sizes come from these cells' areas as regular hexagons' edges
    ``e``: over 20,000 random cells of the globe, circumradii were at most 1.10 e and
    neighbour spacings at least 0.92·√3·e; 1.15 and 0.88 are used. Cells within a few
    kilometres differ in size by far less than those margins."""
    from h3ronpy import cells_area_m2

    area = np.asarray(cells_area_m2(np.ascontiguousarray(cells, dtype=np.uint64)), dtype=np.float64)
    edge = np.sqrt(2.0 * area / (3.0 * np.sqrt(3.0)))
    circumradius = 1.15 * float(edge.max())
    spacing = 0.88 * np.sqrt(3.0) * float(edge.min())
    return int(np.ceil((eps_m + 2.0 * circumradius) / (np.sqrt(3.0) / 2.0 * spacing)))


def _distinct_codes(who: np.ndarray) -> np.ndarray:
    """Complainant codes where each missing one (−1) is a complainant of its own."""
    missing = who < 0
    if not missing.any():
        return who
    out = who.copy()
    out[missing] = int(who.max(initial=-1)) + 1 + np.arange(int(missing.sum()))
    return out


@dataclass(frozen=True)
class Discs:
    """The exposure within eps of some locations, on res-10 cells: each location's
    adjusted exposure (its disc's, summed, floored like a cell's, scaled by the
    location's history factor), the floor and the history factors."""

    history: np.ndarray  # per location: its history factor (1 where none)
    floor: float  # the least exposure of a disc
    adjusted: np.ndarray  # per location

    @classmethod
    def around(
        cls, lat: np.ndarray, lon: np.ndarray, eps_m: float, expectation: Expectation, place: np.ndarray
    ) -> Discs:
        """Discs of radius ``eps_m`` around locations (``place``: each location's position
        among the expectation's cells)."""
        cells = cells_of(lat, lon, DISC_RES)
        rings = ring_reach(np.unique(cells), eps_m)[1]
        grid = ExposureGrid.of(expectation.cells.points)
        return cls.at(cells, grid, eps_m, expectation, _history(expectation, place), rings=rings)

    @classmethod
    def at(
        cls,
        cells: np.ndarray,
        grid: ExposureGrid,
        eps_m: float,
        expectation: Expectation,
        history: np.ndarray,
        *,
        rings: int,
    ) -> Discs:
        """Discs around locations given by their res-10 ``cells`` and history factors, over
        the exposure ``grid`` (``rings``: the outer rings of :func:`ring_reach`)."""
        my_cells, my_at = np.unique(cells, return_inverse=True)
        i, j = pairs_within(grid, my_cells, eps_m, rings)
        disc = np.bincount(i, weights=grid.weight[j], minlength=len(my_cells)).astype(np.float64)
        floor = disc_floor(expectation.cells, eps_m)
        adjusted = np.maximum(disc[my_at], floor) * history
        return cls(history, floor, np.asarray(adjusted, dtype=np.float64))


def _history(expectation: Expectation, place: np.ndarray) -> np.ndarray:
    """The history factor of each location's cell (``place``: its position; 1 where none)."""
    history = expectation.cells.history[place] if len(place) else np.zeros(0)
    return np.where(history > 0, history, 1.0)

"""DBSCAN on the sphere, counting distinct subscribers: the fast local engine.

:func:`label_dbscan` gives the result of scikit-learn's
``DBSCAN(eps=eps_m / 6371008.8, min_samples=k, metric="haversine")`` on radians
``(lat, lon)`` — same noise points, same clusters, border points in the cluster
scikit-learn puts them in (of the clusters a border point reaches, the one whose
lowest-index core point comes first) — but counts a neighbourhood by distinct
subscribers, optionally weighted, and runs several times faster in bounded memory.

How:

* identical coordinates are merged into one location first (geocoded complaints pile
  up on house centroids);
* locations become unit vectors, where the great-circle distance ``d`` and the chord
  ``2 sin(d / 2)`` grow together, so a k-d tree radius search on chords finds exactly
  the haversine neighbours; pairs whose chord lies within float error of the radius
  are decided again with scikit-learn's own haversine formula;
* a coarse k-d tree (median splits) cuts the locations into blocks, boxes of space,
  and renumbers them block after block; each block's pairs are found inside it (a
  fine k-d tree per block) and against the few blocks within reach, every pair once;
* a block's neighbourhoods are counted as soon as its pairs are known; a pair is
  settled — joined in a union–find forest when both ends are core, or noted as a
  border candidate when one is — once both ends are counted, and then dropped.

Memory stays in proportion to the number of locations plus one block's pairs (so it
grows with density: a block of thousands of distinct locations all within eps of each
other would hold millions of pairs — complaints do not pile up like that once equal
coordinates are merged).
Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatmap.detect.dbscan_checks import (
    _coordinates,
    _core_flags,
    _eps_radians,
    _subscriber_codes,
    _threshold,
    _weights,
)
from heatmap.detect.forest import _Forest, _number_by_first_location
from heatmap.detect.neighbours import EARTH_RADIUS_M, IntArray, _Block, _Counter, _locations

__all__ = [
    "EARTH_RADIUS_M",
    "DbscanParts",
    "dbscan_parts",
    "label_dbscan",
    "label_searched",
    "neighbourhood_strength",
]

_WEIGHT_TOL = 1e-9  # weighted sums this close below the threshold still make a core


def label_dbscan(
    lat: np.ndarray,
    lon: np.ndarray,
    subscriber: np.ndarray | None = None,
    *,
    eps_m: float = 250.0,
    min_subscribers: int = 3,
    weight: np.ndarray | None = None,
    core: np.ndarray | None = None,
) -> np.ndarray:
    """Cluster points (WGS 84 degrees) with DBSCAN on great-circle metres.

    A point's neighbourhood is every point within ``eps_m`` metres (itself included,
    the boundary included) on a sphere of radius :data:`EARTH_RADIUS_M`. A point is a
    core point when its neighbourhood holds at least ``min_subscribers`` distinct
    subscribers; with ``weight`` (0..1 per point) each distinct subscriber counts with
    the largest weight of its points in the neighbourhood (a weighted sum within 1e-9
    below the threshold still counts), and points of weight 0 never count and are
    labelled noise. Without ``subscriber`` every point is its own subscriber; missing
    subscriber values (None/NaN) count as distinct subscribers too.

    Returns int64 labels: ``-1`` for noise, clusters ``0..k-1`` numbered in order of
    the first input point that belongs to them. A border point (not core, a core point
    within eps) reaching several clusters joins the one whose lowest-index core point
    comes first — scikit-learn's choice, so without subscribers and weights the labels
    are scikit-learn's up to numbering.

    With ``core`` (one flag per point, equal for points at equal coordinates) the core
    points are given instead of counted — the significance rule decides them.

    Raises :class:`~heatmap.errors.DetectionError` on NaN or infinite coordinates,
    latitudes outside −90..90, weights outside 0..1, mismatched lengths or bad
    parameters.
    """
    return _run(lat, lon, subscriber, eps_m, min_subscribers, weight, core).labels()


def neighbourhood_strength(
    lat: np.ndarray,
    lon: np.ndarray,
    subscriber: np.ndarray | None = None,
    *,
    eps_m: float = 250.0,
    weight: np.ndarray | None = None,
    reach: float | None = None,
) -> np.ndarray:
    """Per point, the distinct subscribers within ``eps_m`` (each with its largest weight
    there) — what :func:`label_dbscan` compares with ``min_subscribers``; 0 for points of
    weight 0. With ``reach``, a strength below ``reach`` may be given as any lower value
    (it is counted exactly only where it may reach ``reach``)."""
    lat_d, lon_d = _coordinates(lat, lon)
    n = lat_d.shape[0]
    w = _weights(weight, n)
    subs = _subscriber_codes(subscriber, n)
    out = np.zeros(n, dtype=np.float64)
    kept = np.arange(n) if w is None else np.flatnonzero(w > 0.0)
    if kept.size == 0:
        return out
    if w is not None:
        w = w[kept]
    _, space, slot_of_point = _locations(lat_d[kept], lon_d[kept], _eps_radians(eps_m))
    counter = _Counter.build(slot_of_point, subs[kept], w, space.loc.shape[0])
    strength = np.zeros(space.loc.shape[0], dtype=np.float64)
    for block in space.blocks():
        strength[block.start : block.stop] = counter.count(block, reach=reach)
    out[kept] = strength[slot_of_point]
    return out


@dataclass(frozen=True)
class DbscanParts:
    """DBSCAN's clusters before numbering, as partitions of a distributed run share them.

    ``core`` and ``component`` have one value per input point: whether it is a core
    point, and for core points an id shared exactly by the core points of one cluster
    (``-1`` otherwise). ``border_point`` and ``border_component`` list, once each, every
    (non-core point, component of a core neighbour) pair.
    """

    core: np.ndarray
    component: np.ndarray
    border_point: np.ndarray
    border_component: np.ndarray


def dbscan_parts(
    lat: np.ndarray,
    lon: np.ndarray,
    subscriber: np.ndarray | None = None,
    *,
    eps_m: float = 250.0,
    min_subscribers: int = 3,
    weight: np.ndarray | None = None,
    core: np.ndarray | None = None,
) -> DbscanParts:
    """The parts :func:`label_dbscan` numbers: core points, their components, and the
    components each border point reaches.

    With ``core`` (one flag per point, equal for points at equal coordinates) the
    neighbourhoods are not counted: the flags are taken as they are — a partition of a
    distributed run passes the flags its neighbours computed for its halo points.
    """
    return _run(lat, lon, subscriber, eps_m, min_subscribers, weight, core).parts()


@dataclass(frozen=True)
class _Run:
    """One clustering, per location in search order ("slots")."""

    n: int  # input points
    kept: IntArray  # input positions of the points of weight > 0
    loc_of_point: IntArray  # location id of each kept point (ids in order of appearance)
    loc_of_slot: IntArray
    core: np.ndarray  # per slot
    root: IntArray  # per slot: least slot of its core component (valid on core slots)
    border_x: IntArray  # non-core slot ...
    border_c: IntArray  # ... and a core neighbour slot

    def labels(self) -> IntArray:
        """Numbered clusters, with border points placed as scikit-learn places them."""
        labels = np.full(self.n, -1, dtype=np.int64)
        n_loc = self.loc_of_slot.shape[0]
        if n_loc == 0:
            return labels
        # a cluster's seed is the lowest location id among its core locations; a border
        # location joins, among the clusters of its core neighbours, the one with the
        # lowest seed — the cluster scikit-learn's expansion in index order reaches first
        core_slots = np.flatnonzero(self.core)
        root = self.root
        cluster_seed = np.full(n_loc, n_loc, dtype=np.int64)
        np.minimum.at(cluster_seed, root[core_slots], self.loc_of_slot[core_slots])
        seed = np.full(n_loc, -1, dtype=np.int64)
        seed[core_slots] = cluster_seed[root[core_slots]]
        best = np.full(n_loc, n_loc, dtype=np.int64)
        np.minimum.at(best, self.border_x, cluster_seed[root[self.border_c]])
        reached = best < n_loc
        seed[reached] = best[reached]
        seed_of_loc = np.empty(n_loc, dtype=np.int64)
        seed_of_loc[self.loc_of_slot] = seed
        labels[self.kept] = _number_by_first_location(seed_of_loc)[self.loc_of_point]
        return labels

    def parts(self) -> DbscanParts:
        import pandas as pd

        slot_of_loc = np.empty_like(self.loc_of_slot)
        slot_of_loc[self.loc_of_slot] = np.arange(self.loc_of_slot.shape[0])
        slot = slot_of_loc[self.loc_of_point]  # per kept point
        core = np.zeros(self.n, dtype=bool)
        core[self.kept] = self.core[slot]
        component = np.full(self.n, -1, dtype=np.int64)
        component[self.kept] = np.where(self.core[slot], self.root[slot], -1)
        pairs = pd.DataFrame({"slot": self.border_x, "component": self.root[self.border_c]}).drop_duplicates()
        points = pd.DataFrame({"point": self.kept, "slot": slot})
        joined = points.merge(pairs, on="slot", how="inner").sort_values(["point", "component"])
        return DbscanParts(
            core=core,
            component=component,
            border_point=joined["point"].to_numpy(np.int64),
            border_component=joined["component"].to_numpy(np.int64),
        )


def _run(
    lat: np.ndarray,
    lon: np.ndarray,
    subscriber: np.ndarray | None,
    eps_m: float,
    min_subscribers: int,
    weight: np.ndarray | None,
    given_core: np.ndarray | None,
) -> _Run:
    lat_d, lon_d = _coordinates(lat, lon)
    n = lat_d.shape[0]
    eps_rad = _eps_radians(eps_m)
    threshold = _threshold(min_subscribers)
    w = _weights(weight, n)
    subs = _subscriber_codes(subscriber, n)
    flags = _core_flags(given_core, n)

    none = np.zeros(0, dtype=np.int64)
    if w is not None and not w.all():
        kept = np.flatnonzero(w > 0.0)
        lat_d, lon_d, subs, w = lat_d[kept], lon_d[kept], subs[kept], w[kept]
        flags = None if flags is None else flags[kept]
    else:
        kept = np.arange(n)
    if kept.size == 0:
        return _Run(n, none, none, none, np.zeros(0, dtype=bool), none, none, none)

    # identical coordinates share a neighbourhood: merge them into locations, numbered
    # in order of first appearance (a lower location id means an earlier point); from
    # here on locations are numbered in search order ("slots")
    loc_of_point, space, slot_of_point = _locations(lat_d, lon_d, eps_rad)
    n_loc = space.loc.shape[0]
    if flags is None:
        counter = _Counter.build(slot_of_point, subs, w, n_loc)
        floor = threshold - (_WEIGHT_TOL if counter.weighted else 0.0)
    else:
        given = np.zeros(n_loc, dtype=bool)
        given[slot_of_point[flags]] = True

    core = np.zeros(n_loc, dtype=bool)
    forest = _Forest(n_loc)
    border_x: list[IntArray] = [none]
    border_c: list[IntArray] = [none]
    for block in space.blocks():
        lo, hi = block.start, block.stop
        if flags is None:
            core[lo:hi] = counter.count(block, decide_at=floor) >= floor
        else:
            core[lo:hi] = given[lo:hi]
        _settle(block, core, forest, border_x, border_c)
    return _Run(
        n=n,
        kept=kept,
        loc_of_point=loc_of_point,
        loc_of_slot=space.loc,
        core=core,
        root=forest.roots(),
        border_x=np.concatenate(border_x).astype(np.int64, copy=False),
        border_c=np.concatenate(border_c).astype(np.int64, copy=False),
    )


def label_searched(
    n: int,
    kept: IntArray,
    loc_of_point: IntArray,
    loc_of_slot: IntArray,
    core: np.ndarray,
    blocks: list[_Block],
) -> IntArray:
    """:func:`label_dbscan`'s labels with the core points given, from a radius search
    already made: ``kept`` the positions of the ``n`` points of weight > 0, each one's
    location id (in order of first appearance) and the slot order of the locations,
    as :func:`~heatmap.detect.neighbours._locations` gave them; ``core`` per slot;
    ``blocks`` every block of that search, in order (``later`` pairs not needed)."""
    n_loc = loc_of_slot.shape[0]
    forest = _Forest(n_loc)
    border_x: list[IntArray] = [np.zeros(0, dtype=np.int64)]
    border_c: list[IntArray] = [np.zeros(0, dtype=np.int64)]
    for block in blocks:
        _settle(block, core, forest, border_x, border_c)
    return _Run(
        n=n,
        kept=kept,
        loc_of_point=loc_of_point,
        loc_of_slot=loc_of_slot,
        core=core,
        root=forest.roots(),
        border_x=np.concatenate(border_x).astype(np.int64, copy=False),
        border_c=np.concatenate(border_c).astype(np.int64, copy=False),
    ).labels()


def _settle(
    block: _Block, core: np.ndarray, forest: _Forest, border_x: list[IntArray], border_c: list[IntArray]
) -> None:
    """Settle the pairs of a block whose both ends are now counted: join core pairs in
    the forest, note (non-core, core) pairs as border candidates."""
    lo, hi = block.start, block.stop
    # inside the block (none of its pairs matters without a core point) ... (local
    # numbers may be kept narrow: widened once picked)
    u_all, v_all = block.u, block.v
    block_core = core[lo:hi]
    if block_core.any():
        u_core = np.take(block_core, u_all)  # faster than indexing by narrow numbers
        v_core = np.take(block_core, v_all)
        both = np.flatnonzero(u_core & v_core)
        wide = np.int64
        forest.attach_block(
            lo, block_core, u_all[both].astype(wide, copy=False), v_all[both].astype(wide, copy=False)
        )
        one = np.flatnonzero(u_core != v_core)
        u1 = u_all[one].astype(wide, copy=False) + lo
        v1 = v_all[one].astype(wide, copy=False) + lo
        u1_core = u_core[one]
        border_x.append(np.where(u1_core, v1, u1))
        border_c.append(np.where(u1_core, u1, v1))
    # ... and with earlier blocks
    for i_local, j in block.earlier:
        x = i_local.astype(np.int64) + lo
        x_core = core[x]
        y_core = core[j]
        both = x_core & y_core
        forest.union(x[both], j[both])
        one = x_core != y_core
        border_x.append(np.where(x_core, j, x)[one])
        border_c.append(np.where(x_core, x, j)[one])

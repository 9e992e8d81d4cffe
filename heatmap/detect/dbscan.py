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

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from heatmap.errors import DetectionError

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

__all__ = ["EARTH_RADIUS_M", "DbscanParts", "dbscan_parts", "label_dbscan", "neighbourhood_strength"]

#: Mean Earth radius (IUGG), the sphere all distances are measured on.
EARTH_RADIUS_M = 6_371_008.8

_BLOCK = 8_192  # at most this many locations per block
_LEAF = 32  # k-d tree leaf size
_EXPAND_LIMIT = 4_000_000  # (location, subscriber) rows sorted at once
_WEIGHT_TOL = 1e-9  # weighted sums this close below the threshold still make a core
_REL_SLACK = 1e-8  # chord band re-decided with the haversine formula ...
_ABS_SLACK = 1e-14  # ... relative and absolute half-widths (unit sphere)

IntArray = np.ndarray
FloatArray = np.ndarray


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
) -> np.ndarray:
    """Per point, the distinct subscribers within ``eps_m`` (each with its largest weight
    there) — what :func:`label_dbscan` compares with ``min_subscribers``; 0 for points of
    weight 0."""
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
        strength[block.start : block.stop] = counter.count(block)
    out[kept] = strength[slot_of_point]
    return out


def _locations(lat_d: FloatArray, lon_d: FloatArray, eps_rad: float) -> tuple[IntArray, _Space, IntArray]:
    """Identical coordinates merged into locations (ids in order of first appearance),
    the search space over them, and each point's slot (location in search order)."""
    packed = np.ascontiguousarray(np.column_stack([lat_d, lon_d])).view(np.complex128)
    loc_of_point, uniq = pd.factorize(packed.ravel())
    loc_of_point = loc_of_point.astype(np.int64, copy=False)
    n_loc = uniq.shape[0]
    space = _Space(np.ascontiguousarray(uniq.real), np.ascontiguousarray(uniq.imag), eps_rad)
    slot_of_loc = np.empty(n_loc, dtype=np.int64)
    slot_of_loc[space.loc] = np.arange(n_loc)
    return loc_of_point, space, slot_of_loc[loc_of_point]


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
            core[lo:hi] = counter.count(block) >= floor
        else:
            core[lo:hi] = given[lo:hi]
        # settle the pairs whose both ends are now counted: inside the block ...
        block_core = core[lo:hi]
        u_core = block_core[block.u]
        v_core = block_core[block.v]
        both = u_core & v_core
        forest.attach_block(lo, block_core, block.u[both], block.v[both])
        one = np.flatnonzero(u_core != v_core)
        u1 = block.u[one] + lo
        v1 = block.v[one] + lo
        u1_core = u_core[one]
        border_x.append(np.where(u1_core, v1, u1))
        border_c.append(np.where(u1_core, u1, v1))
        # ... and with earlier blocks
        for i_local, j in block.earlier:
            x = i_local + lo
            x_core = core[x]
            y_core = core[j]
            both = x_core & y_core
            forest.union(x[both], j[both])
            one = x_core != y_core
            border_x.append(np.where(x_core, j, x)[one])
            border_c.append(np.where(x_core, x, j)[one])
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


# ---------------------------------------------------------------- validation


def _coordinates(lat: np.ndarray, lon: np.ndarray) -> tuple[FloatArray, FloatArray]:
    try:
        lat_d = np.asarray(lat, dtype=np.float64)
        lon_d = np.asarray(lon, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DetectionError(f"lat and lon must be numeric arrays: {exc}") from exc
    if lat_d.ndim != 1 or lon_d.ndim != 1:
        raise DetectionError("lat and lon must be one-dimensional arrays")
    if lat_d.shape != lon_d.shape:
        raise DetectionError(f"lat and lon differ in length ({lat_d.shape[0]} and {lon_d.shape[0]})")
    bad = ~(np.isfinite(lat_d) & np.isfinite(lon_d))
    if bad.any():
        rows = np.flatnonzero(bad)
        raise DetectionError(f"{rows.size} point(s) have NaN or infinite coordinates, e.g. rows {_few(rows)}")
    out = np.abs(lat_d) > 90.0
    if out.any():
        rows = np.flatnonzero(out)
        raise DetectionError(f"{rows.size} point(s) have a latitude outside -90..90, e.g. rows {_few(rows)}")
    return lat_d, lon_d


def _eps_radians(eps_m: float) -> float:
    try:
        eps = float(eps_m)
    except (TypeError, ValueError) as exc:
        raise DetectionError(f"eps_m must be a number of metres, got {eps_m!r}") from exc
    if not np.isfinite(eps) or eps <= 0.0:
        raise DetectionError(f"eps_m must be a positive number of metres, got {eps_m!r}")
    if eps > np.pi * EARTH_RADIUS_M:
        raise DetectionError("eps_m must not exceed half the Earth's circumference")
    return eps / EARTH_RADIUS_M


def _threshold(min_subscribers: int) -> int:
    if isinstance(min_subscribers, bool) or not isinstance(min_subscribers, int | np.integer):
        raise DetectionError(f"min_subscribers must be an integer, got {min_subscribers!r}")
    if min_subscribers < 1:
        raise DetectionError(f"min_subscribers must be at least 1, got {min_subscribers}")
    return int(min_subscribers)


def _weights(weight: np.ndarray | None, n: int) -> FloatArray | None:
    if weight is None:
        return None
    try:
        w = np.asarray(weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DetectionError(f"weight must be a numeric array: {exc}") from exc
    if w.shape != (n,):
        raise DetectionError(f"weight must have one value per point ({n}), got shape {w.shape}")
    bad = ~((w >= 0.0) & (w <= 1.0))  # NaN fails both
    if bad.any():
        rows = np.flatnonzero(bad)
        raise DetectionError(f"{rows.size} weight(s) are not within 0..1, e.g. rows {_few(rows)}")
    return w


def _subscriber_codes(subscriber: np.ndarray | None, n: int) -> IntArray:
    """Dense codes 0..s-1; points without a subscriber get codes of their own."""
    if subscriber is None:
        return np.arange(n, dtype=np.int64)
    values = subscriber if isinstance(subscriber, pd.Series) else np.asarray(subscriber)
    if values.ndim != 1 or values.shape[0] != n:
        raise DetectionError(f"subscriber must have one value per point ({n}), got shape {values.shape}")
    codes, _ = pd.factorize(values)
    codes = codes.astype(np.int64, copy=False)
    missing = codes < 0
    if missing.any():
        codes = codes.copy()
        codes[missing] = codes.max(initial=-1) + 1 + np.arange(int(missing.sum()))
    return cast(IntArray, codes)


def _core_flags(core: np.ndarray | None, n: int) -> np.ndarray | None:
    if core is None:
        return None
    flags = np.asarray(core)
    if flags.shape != (n,) or flags.dtype != np.bool_:
        raise DetectionError(f"core must be {n} booleans, got {flags.dtype} of shape {flags.shape}")
    return flags


def _few(rows: np.ndarray) -> str:
    shown = ", ".join(str(int(r)) for r in rows[:5])
    return shown + (", …" if rows.size > 5 else "")


# ---------------------------------------------------------------- neighbours


@dataclass
class _Block:
    """Locations ``start..stop`` (slots) and their neighbour pairs.

    ``u < v`` are pairs inside the block (local numbers); ``later`` and ``earlier`` hold
    ``(i_local, j)`` pairs with slots ``j`` of later and earlier blocks.
    """

    start: int
    stop: int
    u: IntArray
    v: IntArray
    later: list[tuple[IntArray, IntArray]] = field(default_factory=list)
    earlier: list[tuple[IntArray, IntArray]] = field(default_factory=list)

    def directed(self) -> Iterator[tuple[IntArray, IntArray]]:
        """Every ``(i_local, j)`` neighbour pair of the block's locations, self excluded."""
        yield self.u, self.v + self.start
        yield self.v, self.u + self.start
        yield from self.later
        yield from self.earlier


def _unit_vectors(lat_deg: FloatArray, lon_deg: FloatArray) -> FloatArray:
    lat_r = np.radians(lat_deg)
    lon_r = np.radians(lon_deg)
    xyz = np.empty((lat_r.shape[0], 3), dtype=np.float64)
    cos_lat = np.cos(lat_r)
    xyz[:, 2] = np.sin(lat_r)
    del lat_r
    xyz[:, 0] = cos_lat * np.cos(lon_r)
    xyz[:, 1] = cos_lat * np.sin(lon_r)
    return xyz


def _leaf_ranges(root: Any) -> list[tuple[int, int]]:
    """``(start, stop)`` slot ranges of a k-d tree's leaves, in order."""
    out: list[tuple[int, int]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.lesser is None:
            out.append((int(node.start_idx), int(node.end_idx)))
        else:
            stack.append(node.greater)
            stack.append(node.lesser)
    return out


class _Space:
    """Distinct locations in search order, and the radius search over them."""

    def __init__(self, lat_deg: FloatArray, lon_deg: FloatArray, eps_rad: float) -> None:
        from scipy.spatial import cKDTree  # imported here: H3 detection never needs it

        xyz = _unit_vectors(lat_deg, lon_deg)
        # a coarse tree whose leaves are the blocks: boxes that split space by medians
        tree = cKDTree(xyz, leafsize=_BLOCK, balanced_tree=True, compact_nodes=False)
        #: location id of each slot (leaf order of the tree: compact in space)
        self.loc: IntArray = tree.indices.astype(np.int64)
        self._bounds = _leaf_ranges(tree.tree)
        del tree
        self._x = xyz[self.loc, 0]
        self._y = xyz[self.loc, 1]
        self._z = xyz[self.loc, 2]
        del xyz
        self._lat_r = np.radians(lat_deg[self.loc])
        self._lon_r = np.radians(lon_deg[self.loc])
        self._cos_lat = np.cos(self._lat_r)
        chord = 2.0 * np.sin(0.5 * eps_rad)
        slack = chord * _REL_SLACK + _ABS_SLACK
        self._r_lo = chord - slack
        self._r_hi = chord + slack
        self._rdist_max = float(np.sin(0.5 * eps_rad) ** 2)

    def blocks(self) -> Iterator[_Block]:
        """Blocks in order; each pair of locations within eps appears in exactly one
        block's ``u, v`` or in one block's ``later`` and a later block's ``earlier``."""
        bounds = self._bounds
        boxes = np.array([self._box(a, b) for a, b in bounds])  # (block, lo/hi, xyz)
        trees: dict[int, cKDTree] = {}
        pending: dict[int, list[tuple[IntArray, IntArray]]] = {}
        for k, (a, b) in enumerate(bounds):
            tree = trees.pop(k, None) or self._tree(a, b)
            pairs = tree.query_pairs(self._r_hi, output_type="ndarray")
            u, v = self._inside_block(a, b, pairs[:, 0].copy(), pairs[:, 1].copy())
            del pairs
            block = _Block(a, b, u, v, earlier=pending.pop(k, []))
            lo, hi = boxes[k]
            gap = np.maximum(0.0, np.maximum(boxes[k + 1 :, 0] - hi, lo - boxes[k + 1 :, 1]))
            for step in np.flatnonzero(np.einsum("ij,ij->i", gap, gap) <= self._r_hi**2):
                m = k + 1 + int(step)
                start_m = bounds[m][0]
                if m not in trees:
                    trees[m] = self._tree(*bounds[m])
                found = tree.sparse_distance_matrix(trees[m], self._r_hi, output_type="ndarray")
                i_local = found["i"]
                j_local = found["j"]
                keep = self._inside(i_local + a, j_local + start_m, found["v"])
                del found
                if keep is not None:
                    i_local, j_local = i_local[keep], j_local[keep]
                if i_local.size:
                    block.later.append((i_local, j_local + start_m))
                    pending.setdefault(m, []).append((j_local, i_local + a))
            del tree
            yield block

    def _box(self, a: int, b: int) -> list[list[float]]:
        parts = (self._x[a:b], self._y[a:b], self._z[a:b])
        return [[float(p.min()) for p in parts], [float(p.max()) for p in parts]]

    def _tree(self, a: int, b: int) -> cKDTree:
        from scipy.spatial import cKDTree

        xyz = np.column_stack((self._x[a:b], self._y[a:b], self._z[a:b]))
        return cKDTree(xyz, leafsize=_LEAF, balanced_tree=False, compact_nodes=False)

    def _inside_block(self, a: int, b: int, u: IntArray, v: IntArray) -> tuple[IntArray, IntArray]:
        x, y, z = self._x[a:b], self._y[a:b], self._z[a:b]
        d2 = x[u]
        d2 -= x[v]
        d2 *= d2
        t = y[u]
        t -= y[v]
        t *= t
        d2 += t
        t = z[u]
        t -= z[v]
        t *= t
        d2 += t
        keep = self._inside(u + a, v + a, d2, squared=True)
        if keep is None:
            return u, v
        return u[keep], v[keep]

    def _inside(
        self, i: IntArray, j: IntArray, chord: FloatArray, *, squared: bool = False
    ) -> np.ndarray | None:
        """Mask of the pairs within eps (``None``: all are), re-deciding the ones whose
        chord (or squared chord) is within float error of the radius with scikit-learn's
        haversine test:
        reduced distance ``sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) <= sin²(eps/2)``."""
        near = np.flatnonzero(chord > (self._r_lo**2 if squared else self._r_lo))
        if near.size == 0:
            return None
        i = i[near]
        j = j[near]
        s0 = np.sin(0.5 * (self._lat_r[i] - self._lat_r[j]))
        s1 = np.sin(0.5 * (self._lon_r[i] - self._lon_r[j]))
        t = self._cos_lat[i] * self._cos_lat[j]
        t = t * s1
        t = t * s1
        outside = near[~(s0 * s0 + t <= self._rdist_max)]
        if outside.size == 0:
            return None
        keep = np.ones(chord.shape[0], dtype=bool)
        keep[outside] = False
        return keep


# ---------------------------------------------------------------- counting


@dataclass(frozen=True)
class _Counter:
    """Counts distinct (weighted) subscribers in neighbourhoods of locations (slots).

    A subscriber seen at one location only can never be counted twice, so its
    (location, subscriber) entry is summed per location up front; only subscribers seen
    at several locations need the per-neighbourhood de-duplication.
    """

    weighted: bool
    per_location: FloatArray  # summed entries of single-location subscribers
    ent_ptr: IntArray  # CSR: location -> entries of multi-location subscribers
    ent_sub: IntArray
    ent_w: FloatArray | None
    n_sub: int

    @classmethod
    def build(cls, loc: IntArray, subs: IntArray, w: FloatArray | None, n_loc: int) -> _Counter:
        n_sub = int(subs.max()) + 1
        # Every point its own subscriber (codes need not be dense: weight-0 points are gone).
        if np.bincount(subs, minlength=n_sub).max() <= 1:
            per_loc = np.bincount(loc, weights=w, minlength=n_loc).astype(np.float64)
            no_ptr = np.zeros(n_loc + 1, dtype=np.int64)
            return cls(w is not None, per_loc, no_ptr, np.zeros(0, np.int64), None, n_sub)
        # one entry per (location, subscriber), with the largest weight there
        key = loc * n_sub + subs
        if w is None:
            ukey, ent_w = _sorted_distinct(key), None
        else:
            ukey, ent_w = _group_max(key, w)
        ent_loc = ukey // n_sub
        ent_sub = ukey % n_sub
        multi = np.bincount(ent_sub, minlength=n_sub)[ent_sub] > 1
        single = ~multi
        per_loc = np.bincount(
            ent_loc[single], weights=None if ent_w is None else ent_w[single], minlength=n_loc
        ).astype(np.float64)
        ptr = np.zeros(n_loc + 1, dtype=np.int64)
        np.cumsum(np.bincount(ent_loc[multi], minlength=n_loc), out=ptr[1:])
        return cls(
            w is not None,
            per_loc,
            ptr,
            ent_sub[multi],
            None if ent_w is None else ent_w[multi],
            n_sub,
        )

    def count(self, block: _Block) -> FloatArray:
        """Neighbourhood strength of the block's locations."""
        lo, hi = block.start, block.stop
        size = hi - lo
        own = self.per_location[lo:hi]
        out = own.copy()
        out += np.bincount(block.u, weights=own[block.v], minlength=size)
        out += np.bincount(block.v, weights=own[block.u], minlength=size)
        for i_local, j in (*block.later, *block.earlier):
            out += np.bincount(i_local, weights=self.per_location[j], minlength=size)
        if self.ent_sub.size == 0:
            return out
        # subscribers seen at several locations: list them per neighbourhood, de-duplicate
        parts_i: list[IntArray] = []
        parts_j: list[IntArray] = []
        for i_local, j in ((np.arange(size), np.arange(lo, hi)), *block.directed()):
            has = np.flatnonzero(self.ent_ptr[j + 1] != self.ent_ptr[j])
            parts_i.append(i_local[has])
            parts_j.append(j[has])
        i_all = np.concatenate(parts_i)
        j_all = np.concatenate(parts_j)
        lens = self.ent_ptr[j_all + 1] - self.ent_ptr[j_all]
        total = int(lens.sum())
        if total <= _EXPAND_LIMIT:
            return cast(FloatArray, out + self._count_batch(i_all, j_all, lens, size))
        order = np.argsort(i_all, kind="stable")
        i_all, j_all, lens = i_all[order], j_all[order], lens[order]
        per_i = np.cumsum(np.bincount(i_all, weights=lens, minlength=size))
        cuts = np.searchsorted(per_i, np.arange(_EXPAND_LIMIT, total, _EXPAND_LIMIT))
        bounds = np.unique(np.concatenate([[0], cuts + 1, [size]]).clip(0, size))
        pos = np.searchsorted(i_all, bounds)
        for a, b in pairwise(pos):
            if b > a:
                out += self._count_batch(i_all[a:b], j_all[a:b], lens[a:b], size)
        return out

    def _count_batch(self, i_local: IntArray, j: IntArray, lens: IntArray, size: int) -> FloatArray:
        total = int(lens.sum())
        ends = np.cumsum(lens)
        rows = np.arange(total, dtype=np.int64) + np.repeat(self.ent_ptr[j] - ends + lens, lens)
        key = np.repeat(i_local.astype(np.int64), lens) * self.n_sub + self.ent_sub[rows]
        if self.ent_w is None:
            ukey = _sorted_distinct(key)
            return np.bincount(ukey // self.n_sub, minlength=size).astype(np.float64)
        ukey, best = _group_max(key, self.ent_w[rows])
        return np.bincount(ukey // self.n_sub, weights=best, minlength=size)


def _sorted_distinct(key: IntArray) -> IntArray:
    """Distinct values, sorted (a sort beats numpy's hash-based ``unique`` here)."""
    k = np.sort(key)
    if k.size == 0:
        return k
    keep = np.empty(k.size, dtype=bool)
    keep[0] = True
    np.not_equal(k[1:], k[:-1], out=keep[1:])
    return k[keep]


def _group_max(key: IntArray, value: FloatArray) -> tuple[IntArray, FloatArray]:
    """Sorted distinct keys and the largest value of each."""
    order = np.argsort(key)
    k = key[order]
    v = value[order]
    if k.size == 0:
        return k, v
    starts = np.flatnonzero(np.concatenate([[True], k[1:] != k[:-1]]))
    return k[starts], np.maximum.reduceat(v, starts)


# ---------------------------------------------------------------- clusters


class _Forest:
    """Union–find over slots, vectorised; a root is the least slot of its tree.

    A parent is never above its node, so no cycle can form and the root of a tree is
    its least member.
    """

    def __init__(self, n: int) -> None:
        self._parent = np.arange(n, dtype=np.int64)

    def attach_block(self, start: int, core: np.ndarray, u: IntArray, v: IntArray) -> None:
        """Join the core locations ``start + flatnonzero(core)`` of a block no pair has
        touched yet, by their core–core pairs ``u < v`` (local numbers) inside it."""
        least = np.arange(core.shape[0], dtype=np.int64)
        np.minimum.at(least, v, u)
        while True:
            while True:
                up = least[least]
                if np.array_equal(up, least):
                    break
                least = up
            ru = least[u]
            rv = least[v]
            live = ru != rv
            if not live.any():
                break
            u, v, ru, rv = u[live], v[live], ru[live], rv[live]
            np.minimum.at(least, np.maximum(ru, rv), np.minimum(ru, rv))
        members = np.flatnonzero(core)
        self._parent[members + start] = least[members] + start

    def union(self, a: IntArray, b: IntArray) -> None:
        """Join by pairs ``a``–``b``, in rounds: each pair still joining two trees
        hooks the higher root under the lower one."""
        parent = self._parent
        while a.size:
            ra = self._find(a)
            rb = self._find(b)
            parent[a] = ra  # shorten the paths just walked
            parent[b] = rb
            live = ra != rb
            if not live.any():
                return
            a, b, ra, rb = a[live], b[live], ra[live], rb[live]
            np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))

    def roots(self) -> IntArray:
        parent = self._parent
        while True:
            up = parent[parent]
            if np.array_equal(up, parent):
                return parent
            parent = up

    def _find(self, x: IntArray) -> IntArray:
        parent = self._parent
        r = parent[x]
        while True:
            up = parent[r]
            if np.array_equal(up, r):
                return cast(IntArray, r)
            r = up


def _number_by_first_location(seed: IntArray) -> IntArray:
    """Relabel clusters 0..k-1 in order of their lowest location id (first point).

    ``seed`` holds, per location id, any location id naming its cluster (``-1``: none).
    """
    n = seed.shape[0]
    labels = np.full(n, -1, dtype=np.int64)
    members = np.flatnonzero(seed >= 0)
    if members.size == 0:
        return labels
    first = np.full(n, n, dtype=np.int64)  # per seed: its cluster's lowest location id
    np.minimum.at(first, seed[members], members)
    is_first = np.zeros(n, dtype=bool)
    is_first[first[first < n]] = True
    rank = np.cumsum(is_first) - 1  # clusters in order of their first location
    labels[members] = rank[first[seed[members]]]
    return labels

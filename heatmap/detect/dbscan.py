"""DBSCAN on the sphere, counting distinct subscribers: the fast local engine.

:func:`label_dbscan` gives the result of scikit-learn's
``DBSCAN(eps=eps_m / 6371008.8, min_samples=k, metric="haversine")`` on radians
``(lat, lon)`` — same noise points, same clusters, border points in the cluster
scikit-learn puts them in (the one whose lowest-index core point comes first) — but
counts a neighbourhood by distinct subscribers, optionally weighted, and runs several
times faster in bounded memory.

How: points become unit vectors, where the great-circle distance ``d`` and the chord
``2 sin(d / 2)`` grow together, so a k-d tree radius search on chords finds exactly the
haversine neighbours. Pairs whose chord lies within float error of the radius are
decided again with scikit-learn's haversine formula. Identical coordinates are merged
first (geocoded complaints pile up on house centroids), neighbour pairs are found chunk
by chunk, core–core edges become connected components.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from heatmap.errors import DetectionError

__all__ = ["EARTH_RADIUS_M", "label_dbscan"]

#: Mean Earth radius (IUGG), the sphere all distances are measured on.
EARTH_RADIUS_M = 6_371_008.8

_CHUNK = 32_768  # distinct locations queried at once
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
) -> np.ndarray:
    """Cluster points (WGS 84 degrees) with DBSCAN on great-circle metres.

    A point's neighbourhood is every point within ``eps_m`` metres (itself included,
    the boundary included) on a sphere of radius :data:`EARTH_RADIUS_M`. A point is a
    core point when its neighbourhood holds at least ``min_subscribers`` distinct
    subscribers; with ``weight`` (0..1 per point) each distinct subscriber counts with
    the largest weight of its points in the neighbourhood, and points of weight 0 never
    count and are labelled noise. Without ``subscriber`` every point is its own
    subscriber; missing subscriber values (None/NaN) count as distinct too.

    Returns int64 labels: ``-1`` for noise, clusters ``0..k-1`` numbered in order of
    the first input point that belongs to them.

    Raises :class:`~heatmap.errors.DetectionError` on NaN or infinite coordinates,
    latitudes outside −90..90, weights outside 0..1, mismatched lengths or bad
    parameters.
    """
    lat_d, lon_d = _coordinates(lat, lon)
    n = lat_d.shape[0]
    eps_rad = _eps_radians(eps_m)
    threshold = _threshold(min_subscribers)
    w = _weights(weight, n)
    subs = _subscriber_codes(subscriber, n)

    labels = np.full(n, -1, dtype=np.int64)
    kept = np.arange(n) if w is None else np.flatnonzero(w > 0.0)
    if kept.size == 0:
        return labels
    if w is not None and kept.size < n:
        lat_d, lon_d, subs, w = lat_d[kept], lon_d[kept], subs[kept], w[kept]

    # identical coordinates share a neighbourhood: merge them into locations, numbered
    # in order of first appearance (so a lower location id means an earlier point)
    pairs_ll = np.ascontiguousarray(np.column_stack([lat_d, lon_d])).view(np.complex128)
    loc_of_point, uniq = pd.factorize(pairs_ll.ravel())
    loc_of_point = loc_of_point.astype(np.int64, copy=False)
    n_loc = uniq.shape[0]
    geo = _Geometry.of(np.ascontiguousarray(uniq.real), np.ascontiguousarray(uniq.imag))

    counter = _Counter.build(loc_of_point, subs, w, n_loc)
    floor = threshold - (_WEIGHT_TOL if counter.weighted else 0.0)
    core = np.zeros(n_loc, dtype=bool)
    forest = _Forest(n_loc)
    border_x: list[np.ndarray] = []
    border_c: list[np.ndarray] = []
    search = _NeighbourSearch(geo, eps_rad)
    for start, chunk, i_local, j in search.chunks():
        core[chunk] = counter.count(i_local, j, chunk.size) >= floor
        # each pair is settled once, when the later of its two locations in search
        # order is counted: the core status of both is known by then
        settled = np.flatnonzero(search.rank[j] < start + i_local)
        x = chunk[i_local[settled]]
        y = j[settled]
        x_core = core[x]
        y_core = core[y]
        both = x_core & y_core
        forest.union(x[both], y[both])
        one = x_core != y_core
        border_x.append(np.where(x_core, y, x)[one])
        border_c.append(np.where(x_core, x, y)[one])
    del search

    # a cluster's seed is its lowest core location id; a border location joins, among
    # the clusters of its core neighbours, the one with the lowest seed — the cluster
    # scikit-learn's expansion in index order reaches it from first
    root = forest.roots()
    seed = np.full(n_loc, -1, dtype=np.int64)
    seed[core] = root[core]
    bx = np.concatenate(border_x)
    best = np.full(n_loc, n_loc, dtype=np.int64)
    np.minimum.at(best, bx, root[np.concatenate(border_c)])
    reached = best < n_loc
    seed[reached] = best[reached]
    loc_label = _number_by_first_location(seed)
    labels[kept] = loc_label[loc_of_point]
    return labels


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
        raise DetectionError(
            f"lat and lon differ in length ({lat_d.shape[0]} and {lon_d.shape[0]})"
        )
    bad = ~(np.isfinite(lat_d) & np.isfinite(lon_d))
    if bad.any():
        rows = np.flatnonzero(bad)
        raise DetectionError(
            f"{rows.size} point(s) have NaN or infinite coordinates, e.g. rows {_few(rows)}"
        )
    out = np.abs(lat_d) > 90.0
    if out.any():
        rows = np.flatnonzero(out)
        raise DetectionError(
            f"{rows.size} point(s) have a latitude outside -90..90, e.g. rows {_few(rows)}"
        )
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
        raise DetectionError(
            f"subscriber must have one value per point ({n}), got shape {values.shape}"
        )
    codes, _ = pd.factorize(values)
    codes = codes.astype(np.int64, copy=False)
    missing = codes < 0
    if missing.any():
        codes = codes.copy()
        codes[missing] = codes.max(initial=-1) + 1 + np.arange(int(missing.sum()))
    return codes


def _few(rows: np.ndarray) -> str:
    shown = ", ".join(str(int(r)) for r in rows[:5])
    return shown + (", …" if rows.size > 5 else "")


# ---------------------------------------------------------------- neighbours


@dataclass(frozen=True)
class _Geometry:
    """Distinct locations as radians (for the haversine check) and unit vectors."""

    lat_r: FloatArray
    lon_r: FloatArray
    cos_lat: FloatArray
    xyz: FloatArray

    @classmethod
    def of(cls, lat_deg: FloatArray, lon_deg: FloatArray) -> _Geometry:
        lat_r = np.radians(lat_deg)
        lon_r = np.radians(lon_deg)
        cos_lat = np.cos(lat_r)
        xyz = np.empty((lat_r.shape[0], 3), dtype=np.float64)
        xyz[:, 0] = cos_lat * np.cos(lon_r)
        xyz[:, 1] = cos_lat * np.sin(lon_r)
        xyz[:, 2] = np.sin(lat_r)
        return cls(lat_r, lon_r, cos_lat, xyz)

    def within(self, i: IntArray, j: IntArray, rdist_max: float) -> np.ndarray:
        """scikit-learn's haversine test: reduced distance ``<=`` ``sin²(eps/2)``."""
        s0 = np.sin(0.5 * (self.lat_r[i] - self.lat_r[j]))
        s1 = np.sin(0.5 * (self.lon_r[i] - self.lon_r[j]))
        t = self.cos_lat[i] * self.cos_lat[j]
        t = t * s1
        t = t * s1
        result: np.ndarray = s0 * s0 + t <= rdist_max
        return result


class _NeighbourSearch:
    """Radius search on unit vectors, chunk by chunk in the tree's leaf order."""

    def __init__(self, geo: _Geometry, eps_rad: float) -> None:
        chord = 2.0 * np.sin(0.5 * eps_rad)
        slack = chord * _REL_SLACK + _ABS_SLACK
        self._r_lo = chord - slack
        self._r_hi = chord + slack
        self._rdist_max = float(np.sin(0.5 * eps_rad) ** 2)
        self._geo = geo
        self._tree = cKDTree(geo.xyz, leafsize=32, balanced_tree=False, compact_nodes=False)
        #: locations in search order (compact in space) and each location's place in it
        self.order: IntArray = self._tree.indices
        self.rank: IntArray = np.empty_like(self.order)
        self.rank[self.order] = np.arange(self.order.shape[0])

    def chunks(self) -> Iterator[tuple[int, IntArray, IntArray, IntArray]]:
        """Yield ``(start, chunk, i_local, j)``: ``chunk = order[start:start + size]``
        and every neighbour ``j`` of each ``chunk[i_local]`` (itself included).

        Each location is in exactly one chunk, together with all its neighbours.
        """
        geo = self._geo
        for start in range(0, self.order.shape[0], _CHUNK):
            chunk = self.order[start : start + _CHUNK]
            sub = cKDTree(geo.xyz[chunk], leafsize=32, balanced_tree=False, compact_nodes=False)
            found = sub.sparse_distance_matrix(self._tree, self._r_hi, output_type="ndarray")
            i_local = found["i"]
            j = found["j"]
            near = np.flatnonzero(found["v"] > self._r_lo)
            del found
            if near.size:
                inside = geo.within(chunk[i_local[near]], j[near], self._rdist_max)
                if not inside.all():
                    keep = np.ones(i_local.shape[0], dtype=bool)
                    keep[near[~inside]] = False
                    i_local, j = i_local[keep], j[keep]
            yield start, chunk, i_local, j


# ---------------------------------------------------------------- counting


@dataclass(frozen=True)
class _Counter:
    """Counts distinct (weighted) subscribers in neighbourhoods of locations.

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
        if n_sub == subs.shape[0]:  # every point its own subscriber
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

    def count(self, i_local: IntArray, j: IntArray, size: int) -> FloatArray:
        """Neighbourhood strength of ``size`` locations, given all their pairs."""
        out = np.bincount(i_local, weights=self.per_location[j], minlength=size)
        if self.ent_sub.size == 0:
            return out
        lens = self.ent_ptr[j + 1] - self.ent_ptr[j]
        has = np.flatnonzero(lens)
        i_local, j, lens = i_local[has], j[has], lens[has]
        total = int(lens.sum())
        if total <= _EXPAND_LIMIT:
            return out + self._count_batch(i_local, j, lens, size)
        order = np.argsort(i_local, kind="stable")
        i_local, j, lens = i_local[order], j[order], lens[order]
        per_i = np.cumsum(np.bincount(i_local, weights=lens, minlength=size))
        cuts = np.searchsorted(per_i, np.arange(_EXPAND_LIMIT, total, _EXPAND_LIMIT))
        bounds = np.unique(np.concatenate([[0], cuts + 1, [size]]).clip(0, size))
        pos = np.searchsorted(i_local, bounds)
        for a, b in pairwise(pos):
            if b > a:
                out += self._count_batch(i_local[a:b], j[a:b], lens[a:b], size)
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
    """Union–find over location ids, vectorised: a root is the least id of its tree.

    Unions go in rounds: each edge still joining two trees hooks the higher root under
    the lower one. A parent is never above its node, so no cycle can form.
    """

    def __init__(self, n: int) -> None:
        self._parent = np.arange(n, dtype=np.int64)

    def _find(self, x: IntArray) -> IntArray:
        parent = self._parent
        r = parent[x]
        while True:
            up = parent[r]
            if np.array_equal(up, r):
                return r
            r = up

    def union(self, a: IntArray, b: IntArray) -> None:
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


def _number_by_first_location(seed: IntArray) -> IntArray:
    """Relabel clusters 0..k-1 in order of their lowest location id (first point)."""
    labels = np.full(seed.shape[0], -1, dtype=np.int64)
    members = np.flatnonzero(seed >= 0)
    if members.size == 0:
        return labels
    _, first, inverse = np.unique(seed[members], return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    labels[members] = rank[inverse]
    return labels

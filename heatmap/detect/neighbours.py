"""The radius search of the DBSCAN engine (:mod:`heatmap.detect.dbscan`): identical
coordinates merged into locations, locations as unit vectors cut into blocks by a
coarse k-d tree, each block's neighbour pairs found inside it and against the blocks
within reach, and the distinct subscribers counted over each location's neighbours.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pyarrow as pa

from heatmap.core.arrow_numpy import codes_of
from heatmap.detect.kdtree import kd_tree  # scipy's k-d tree alone: H3 detection never loads it
from heatmap.detect.keyed import _group_max, _level_max, _levels, _sorted_distinct

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

#: Mean Earth radius (IUGG), the sphere all distances are measured on.
EARTH_RADIUS_M = 6_371_008.8

_BLOCK = 8_192  # at most this many locations per block
_LEAF = 32  # k-d tree leaf size
_EXPAND_LIMIT = 4_000_000  # (location, subscriber) rows sorted at once
_REL_SLACK = 1e-8  # chord band re-decided with the haversine formula ...
_ABS_SLACK = 1e-14  # ... relative and absolute half-widths (unit sphere)
_BOUND_SLACK = 1e-6  # an upper bound of a weighted sum this close below a threshold is counted exactly

IntArray = np.ndarray
FloatArray = np.ndarray


def _locations(lat_d: FloatArray, lon_d: FloatArray, eps_rad: float) -> tuple[IntArray, _Space, IntArray]:
    """Identical coordinates merged into locations (ids in order of first appearance),
    the search space over them, and each point's slot (location in search order)."""
    return _located(*_distinct_locations(lat_d, lon_d), eps_rad)


def _distinct_locations(lat_d: FloatArray, lon_d: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
    """Each point's location id (one per distinct coordinates, first seen first) and their lat, lon."""
    packed = np.column_stack([lat_d, lon_d])  # a point's 16 bytes, hashed by Arrow
    packed += 0.0  # -0.0 becomes 0.0: equal coordinates, equal bytes
    loc, distinct = codes_of(pa.Array.from_buffers(pa.binary(16), len(packed), [None, pa.py_buffer(packed)]))
    uniq = np.frombuffer(distinct.buffers()[1], np.float64, 2 * len(distinct), 16 * distinct.offset)
    return loc, np.ascontiguousarray(uniq[0::2]), np.ascontiguousarray(uniq[1::2])


def _located(
    loc: IntArray, lat: FloatArray, lon: FloatArray, eps_rad: float
) -> tuple[IntArray, _Space, IntArray]:
    """:func:`_locations` of points whose locations are known (:func:`_distinct_locations`)."""
    space = _Space(lat, lon, eps_rad)
    slot_of_loc = np.empty(lat.shape[0], dtype=np.int64)
    slot_of_loc[space.loc] = np.arange(lat.shape[0])
    return loc, space, slot_of_loc[loc]


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
        xyz = _unit_vectors(lat_deg, lon_deg)
        # a coarse tree whose leaves are the blocks: boxes that split space by medians
        tree = kd_tree()(xyz, leafsize=_BLOCK, balanced_tree=True, compact_nodes=False)
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
        xyz = np.column_stack((self._x[a:b], self._y[a:b], self._z[a:b]))
        return kd_tree()(xyz, leafsize=_LEAF, balanced_tree=False, compact_nodes=False)

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
    multi_mass: FloatArray  # per location, its multi-location entries' summed weight
    levels: FloatArray | None = None  # the few distinct weights of ent_w, largest first ...
    ent_rank: IntArray | None = None  # ... and each entry's position among them

    @classmethod
    def build(cls, loc: IntArray, subs: IntArray, w: FloatArray | None, n_loc: int) -> _Counter:
        n_sub = int(subs.max()) + 1
        points_of = np.bincount(subs, minlength=n_sub)
        # Every point its own subscriber (codes need not be dense: weight-0 points are gone).
        if points_of.max() <= 1:
            per_loc = np.bincount(loc, weights=w, minlength=n_loc).astype(np.float64)
            no_ptr = np.zeros(n_loc + 1, dtype=np.int64)
            return cls(w is not None, per_loc, no_ptr, np.zeros(0, np.int64), None, n_sub, np.zeros(n_loc))
        # one entry per (location, subscriber), with the largest weight there
        one: np.ndarray | None = None
        if w is None:
            # a subscriber of one point is one entry as it stands: only the others' points
            # are sorted (their counts are whole, the same summed in any order)
            one = np.take(points_of, subs) == 1
            ukey, ent_w = _sorted_distinct(loc[~one] * n_sub + subs[~one]), None
        else:
            ukey, ent_w = _group_max(loc * n_sub + subs, w)
        ent_loc = ukey // n_sub
        ent_sub = ukey % n_sub
        multi = np.bincount(ent_sub, minlength=n_sub)[ent_sub] > 1
        single = ~multi
        per_loc = np.bincount(
            ent_loc[single], weights=None if ent_w is None else ent_w[single], minlength=n_loc
        ).astype(np.float64)
        if one is not None:
            per_loc += np.bincount(loc[one], minlength=n_loc)
        ptr = np.zeros(n_loc + 1, dtype=np.int64)
        np.cumsum(np.bincount(ent_loc[multi], minlength=n_loc), out=ptr[1:])
        multi_w = None if ent_w is None else ent_w[multi]
        mass = np.bincount(ent_loc[multi], weights=multi_w, minlength=n_loc).astype(np.float64)
        levels, rank = _levels(multi_w)
        return cls(w is not None, per_loc, ptr, ent_sub[multi], multi_w, n_sub, mass, levels, rank)

    def count(
        self, block: _Block, decide_at: float | None = None, *, reach: float | None = None
    ) -> FloatArray:
        """Neighbourhood strength of the block's locations.

        With ``decide_at``, exact only where it decides whether the strength reaches
        ``decide_at``: a location whose single-location subscribers alone reach it, or
        that would fall short even with every entry of its neighbourhood counted as
        distinct, keeps the strength of its single-location subscribers (on the same
        side of ``decide_at``) and is spared the de-duplication. With ``reach``, exact
        wherever the strength may reach ``reach``: only the locations that would fall
        short are spared (their strength stays below ``reach``)."""
        size = block.stop - block.start
        out = self._single_strength(block)
        if self.ent_sub.size == 0:
            return out
        # subscribers seen at several locations: list them per neighbourhood, de-duplicate
        i_all, j_all = self._multi_pairs(block)
        bound = decide_at if decide_at is not None else reach
        if bound is not None:
            upper = out + np.bincount(i_all, weights=np.take(self.multi_mass, j_all), minlength=size)
            open_ = upper + _BOUND_SLACK >= bound
            if decide_at is not None:
                open_ &= out < decide_at
            keep = np.take(open_, i_all)
            i_all, j_all = i_all[keep], j_all[keep]
        lens = np.take(self.ent_ptr, j_all + 1) - np.take(self.ent_ptr, j_all)
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

    def _single_strength(self, block: _Block) -> FloatArray:
        """Per location of the block, its neighbourhood's single-location subscribers."""
        lo, hi = block.start, block.stop
        size = hi - lo
        own = self.per_location[lo:hi]
        out = own.copy()
        # np.take: a gather faster than indexing, most of all by narrow (int16) numbers
        out += np.bincount(block.u, weights=np.take(own, block.v), minlength=size)
        out += np.bincount(block.v, weights=np.take(own, block.u), minlength=size)
        for i_local, j in (*block.later, *block.earlier):
            out += np.bincount(i_local, weights=np.take(self.per_location, j), minlength=size)
        return out

    def _multi_pairs(self, block: _Block) -> tuple[IntArray, IntArray]:
        """``(i_local, j)`` for every location ``j`` in the neighbourhood of the block's
        location ``i_local`` (itself included) that holds multi-location subscribers."""
        lo, hi = block.start, block.stop
        mine = self.multi_mass[lo:hi] > 0.0  # the block's own locations holding them
        own = np.flatnonzero(mine)
        parts_i: list[IntArray] = [own]
        parts_j: list[IntArray] = [own + lo]
        # pairs inside the block: looked up in the block's own flags, widened once picked
        for i_local, j_local in ((block.u, block.v), (block.v, block.u)):
            has = np.flatnonzero(np.take(mine, j_local))
            parts_i.append(np.take(i_local, has))
            parts_j.append(np.take(j_local, has).astype(np.int64) + lo)
        for i_local, j in (*block.later, *block.earlier):
            has = np.flatnonzero(np.take(self.multi_mass, j) > 0.0)
            parts_i.append(np.take(i_local, has))
            parts_j.append(np.take(j, has))
        return np.concatenate(parts_i), np.concatenate(parts_j)

    def _count_batch(self, i_local: IntArray, j: IntArray, lens: IntArray, size: int) -> FloatArray:
        total = int(lens.sum())
        ends = np.cumsum(lens)
        rows = np.arange(total, dtype=np.int64) + np.repeat(np.take(self.ent_ptr, j) - ends + lens, lens)
        key = np.repeat(i_local.astype(np.int64), lens) * self.n_sub + np.take(self.ent_sub, rows)
        if self.ent_w is None:
            ukey = _sorted_distinct(key)
            return np.bincount(ukey // self.n_sub, minlength=size).astype(np.float64)
        if self.levels is not None and self.ent_rank is not None:
            ukey, best = _level_max(key, self.ent_rank[rows], self.levels)
            return np.bincount(ukey // self.n_sub, weights=best, minlength=size)
        ukey, best = _group_max(key, self.ent_w[rows])
        return np.bincount(ukey // self.n_sub, weights=best, minlength=size)

"""The union–find forest of DBSCAN's core locations and the numbering of clusters
(:mod:`heatmap.detect.dbscan`). Pure: no I/O, no clock.
"""

from __future__ import annotations

from typing import cast

import numpy as np

from heatmap.detect.neighbours import IntArray

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

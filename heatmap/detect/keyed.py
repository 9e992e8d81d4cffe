"""Sorted keys and the largest value of each, for the DBSCAN engine's counting
(:mod:`heatmap.detect.neighbours`): a sort beats numpy's hash-based ``unique`` there,
and a few distinct weights can ride in the keys' lowest digits.

Pure: arrays in, arrays out.
"""

from __future__ import annotations

import numpy as np

_LEVELS = 16  # at most this many distinct weights are sorted inside the keys

IntArray = np.ndarray
FloatArray = np.ndarray


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


def _levels(weight: FloatArray | None) -> tuple[FloatArray | None, IntArray | None]:
    """The distinct weights, largest first, and each weight's position among them — when
    there are at most :data:`_LEVELS` (precision weights are 1, 0.5 or so)."""
    if weight is None or weight.size == 0:
        return None, None
    levels = np.unique(weight)
    if levels.size > _LEVELS:
        return None, None
    return levels[::-1].copy(), (levels.size - 1 - np.searchsorted(levels, weight)).astype(np.int64)


def _level_max(key: IntArray, rank: IntArray, levels: FloatArray) -> tuple[IntArray, FloatArray]:
    """:func:`_group_max` for values given as positions among ``levels`` (largest first):
    the rank rides in the key's lowest digits, so one sort of values, not an argsort,
    puts each key's largest value first."""
    n = levels.size
    k = np.sort(key * n + rank)
    if k.size == 0:
        return k, levels[k]
    own = k // n
    keep = np.empty(k.size, dtype=bool)
    keep[0] = True
    np.not_equal(own[1:], own[:-1], out=keep[1:])
    return own[keep], levels[k[keep] % n]

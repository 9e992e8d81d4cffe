"""Distinct complainants per place: each complainant counted once per place, with the
largest precision weight of their complaints there. Pure: arrays in, counts out."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["Strength", "cell_strength"]


def cell_strength(
    cells: np.ndarray, subscriber: np.ndarray, weight: np.ndarray, index: pd.Index
) -> np.ndarray:
    """Distinct complainants per cell of ``index``, each once with their largest weight."""
    keep = weight > 0
    if not keep.any():
        return np.zeros(len(index))
    place = np.asarray(index.get_indexer(cells[keep]), dtype=np.int64)
    who = np.asarray(pd.factorize(subscriber[keep])[0], dtype=np.int64)
    return Strength(place, who, weight[keep], len(index)).count(np.ones(len(place), dtype=bool))


class Strength:
    """Distinct complainants per place under several masks of the same complaints.

    The (place, complainant) keys are sorted once; each mask then keeps its rows of the
    sorted keys, and every distinct key counts once with its largest weight there.
    ``place``: 0..size-1 per complaint; ``who``: complainant codes (−1, a missing
    subscriber, is one complainant of its own, as a group key).
    """

    def __init__(self, place: np.ndarray, who: np.ndarray, weight: np.ndarray, size: int) -> None:
        span = int(who.max(initial=-1)) + 2
        key = np.asarray(place, dtype=np.int64) * span + (np.asarray(who, dtype=np.int64) + 1)
        self._order = np.argsort(key)
        self._key = key[self._order]
        self._weight = np.asarray(weight, dtype=np.float64)[self._order]
        self._span = span
        self._size = size

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Per place: the distinct complainants among the rows of ``mask`` with weight > 0,
        each with their largest weight."""
        rows = np.asarray(mask, dtype=bool)[self._order] & (self._weight > 0)
        key = self._key[rows]
        if key.size == 0:
            return np.zeros(self._size)
        weight = self._weight[rows]
        starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        best = np.maximum.reduceat(weight, starts)
        return np.bincount(key[starts] // self._span, weights=best, minlength=self._size)

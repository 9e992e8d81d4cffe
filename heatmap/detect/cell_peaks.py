"""Splitting an H3 spot whose cells in excess hold separate peaks.

Cells in excess that share an edge form one spot. Two concentrations a kilometre apart
can each reach a res-9 cell that touches one of the other's: joined, they make one spot
whose centre lies between them — the agent is told the wrong place, and each burst's
priority is judged on the other's complainants. DBSCAN keeps such a pair apart; this
does it for the cells.

Each spot's cells are read as a landscape: a cell's height is its excess (observed −
expected) in the spot's scan window. The cells are taken from the highest down, in the
manner of persistence-based clustering (ToMATo: Chazal, Guibas, Oudot and Skraba,
*Persistence-based clustering in Riemannian manifolds*, J. ACM 60(6), 2013): a cell
with no higher neighbour starts a peak of its own; any other joins its highest
neighbour's peak. Where a cell touches two peaks it is their saddle, and the lower peak
stays apart only when the saddle is at most :data:`SADDLE_SHARE` of it — a real dip
between two bursts, not the unevenness of one. A single concentration of a few hundred
metres lies in cells that all touch its highest one, so it never splits; neither does
a wide outage with an even spread.

The parts are then judged like any spot (their own test against the cutoff): a spot is
split only when every part is a spot on its own (:func:`heatmap.detect.significance.label_expected`).

Pure: arrays in, labels out.
"""

from __future__ import annotations

import numpy as np

from heatmap.detect.h3 import _neighbour_pairs

#: The lower of two peaks stays a spot of its own only when the saddle between them is
#: at most this share of its height.
SADDLE_SHARE = 0.5


def peak_parts(cells: np.ndarray, height: np.ndarray, *, saddle_share: float = SADDLE_SHARE) -> np.ndarray:
    """Part (0..k-1, in the order of their peaks, highest first) of each of ``cells``
    (uint64 H3 ids, distinct) joined through shared edges and split at saddles no higher
    than ``saddle_share`` of the lower peak. Cells sharing no edge are in different parts."""
    n = len(cells)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    neighbours = _neighbours_within(np.asarray(cells, dtype=np.uint64))
    h = np.asarray(height, dtype=np.float64)
    order = np.lexsort((np.arange(n), -h))  # highest first; ties by position
    parent = np.full(n, -1, dtype=np.int64)  # -1: not reached yet
    peak = np.zeros(n, dtype=np.float64)  # a root's peak height
    for i in order.tolist():
        seen = [j for j in neighbours[i] if parent[j] >= 0]
        if not seen:
            parent[i], peak[i] = i, h[i]
            continue
        highest = max(seen, key=lambda j: (h[j], -j))
        top = _root(parent, highest)
        parent[i] = top
        for j in seen:
            other = _root(parent, j)
            if other != top and h[i] > saddle_share * min(peak[other], peak[top]):
                low, high = (other, top) if peak[other] <= peak[top] else (top, other)
                parent[low] = high
                top = high
    roots = np.array([_root(parent, i) for i in range(n)], dtype=np.int64)
    ranked = sorted(set(roots.tolist()), key=lambda r: (-peak[r], r))
    number = {r: k for k, r in enumerate(ranked)}
    return np.array([number[r] for r in roots.tolist()], dtype=np.int64)


def _root(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = int(parent[i])
    return i


def _neighbours_within(cells: np.ndarray) -> list[list[int]]:
    """For each cell, the positions of its edge neighbours among ``cells``."""
    rows, neighbour = _neighbour_pairs(cells)
    order = np.argsort(cells)
    at = np.clip(np.searchsorted(cells[order], neighbour), 0, len(cells) - 1)
    found = (cells[order][at] == neighbour) & (order[at] != rows)
    out: list[list[int]] = [[] for _ in range(len(cells))]
    for a, b in zip(rows[found].tolist(), order[at[found]].tolist(), strict=True):
        out[a].append(b)
    return out

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
stays apart only when the saddle is a real dip:

* its height is at most :data:`SADDLE_SHARE` of the lower peak's, and
* either its complainants per unit of exposure are significantly fewer than the lower
  peak cell's — given the two cells' complainants together, the saddle's share is no
  more than a binomial draw at their exposures' shares would give with probability
  :data:`DIP_P` — or the peaks are :data:`APART_CELLS` cells apart and both parts are
  compact, every cell of each touching its peak or lying low (at most
  :data:`FRINGE_SHARE` of its peak's height: the few complainants a burst's edge or the
  background leaves in a cell between two bursts): two concentrations of a few hundred
  metres a kilometre apart. An outage a kilometre wide makes its complainants in
  proportion to the people in each cell, and its parts spread over cells further from
  their peaks; with the height alone the 90-day replay cut a power outage of 820 m
  radius in two.

A single concentration of a few hundred metres lies in cells that all touch its highest
one, so it never splits.

The parts are then judged like any spot (their own test against the cutoff): a spot is
split only when every part is a spot on its own (:func:`heatmap.detect.significance.label_expected`).

Pure: arrays in, labels out.
"""

from __future__ import annotations

import numpy as np

from heatmap.detect.h3 import _neighbour_pairs
from heatmap.detect.stats import binomial_lower_tail

#: The lower of two peaks stays a spot of its own only when the saddle between them is
#: at most this share of its height…
SADDLE_SHARE = 0.5
#: …and its rate is this unlikely at the lower peak cell's rate (binomial lower tail),
DIP_P = 0.01
#: …or the two peaks are this many cells apart (~1 km at res 9) with compact parts…
APART_CELLS = 3
#: …where a part's cell need not touch its peak when its height is at most this share of
#: the peak's: two bursts a kilometre apart joined through one or two cells of a few
#: complainants each (seeds 7200-7259: 2 of 600 H3 exports made one spot of two bursts,
#: its centre 350-480 m from both). Below a third, so that one wide outage whose parts
#: spread over cells of real height stays whole.
FRINGE_SHARE = 0.34


def peak_parts(
    cells: np.ndarray,
    height: np.ndarray,
    *,
    count: np.ndarray | None = None,
    exposure: np.ndarray | None = None,
    saddle_share: float = SADDLE_SHARE,
    dip_p: float = DIP_P,
) -> np.ndarray:
    """Part (0..k-1, in the order of their peaks, highest first) of each of ``cells``
    (uint64 H3 ids, distinct) joined through shared edges and split at saddles no higher
    than ``saddle_share`` of the lower peak — and, with ``count`` and ``exposure`` per
    cell, whose rate is below the lower peak cell's at ``dip_p`` (:func:`_dips`) or
    between two compact parts (:func:`_join_spread`). Cells sharing no edge are in
    different parts."""
    n = len(cells)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    neighbours = _neighbours_within(np.asarray(cells, dtype=np.uint64))
    h = np.asarray(height, dtype=np.float64)
    order = np.lexsort((np.arange(n), -h))  # highest first; ties by position
    parent = np.full(n, -1, dtype=np.int64)  # -1: not reached yet; a root is its peak cell
    weak: list[tuple[int, int]] = []  # apart by height alone: kept only if both stay compact
    for i in order.tolist():
        seen = [j for j in neighbours[i] if parent[j] >= 0]
        if not seen:
            parent[i] = i
            continue
        top = _root(parent, max(seen, key=lambda j: (h[j], -j)))
        parent[i] = top
        for j in seen:
            other = _root(parent, j)
            if other == top:
                continue
            low, high = (other, top) if h[other] <= h[top] else (top, other)
            if h[i] > saddle_share * h[low]:
                parent[low] = top = high
            elif not _dips(i, low, count, exposure, dip_p):
                weak.append((low, high))
    _join_spread(parent, weak, neighbours, np.asarray(cells, dtype=np.uint64), h)
    roots = np.array([_root(parent, i) for i in range(n)], dtype=np.int64)
    ranked = sorted(set(roots.tolist()), key=lambda r: (-h[r], r))
    number = {r: k for k, r in enumerate(ranked)}
    return np.array([number[r] for r in roots.tolist()], dtype=np.int64)


def _join_spread(
    parent: np.ndarray,
    weak: list[tuple[int, int]],
    neighbours: list[list[int]],
    cells: np.ndarray,
    height: np.ndarray,
) -> None:
    """Join again the peaks kept apart by a dip in height alone (``weak``: lower peak,
    higher peak) unless they are :data:`APART_CELLS` or more cells apart and both parts
    are compact — every cell of each touches its peak or lies low (:func:`_compact`):
    two concentrations of a few hundred metres a kilometre apart. Anything else is the
    unevenness of one outage (in place)."""
    changed = True
    while changed:
        changed = False
        roots = np.array([_root(parent, i) for i in range(len(parent))], dtype=np.int64)
        for low, high in weak:
            a, b = _root(parent, low), _root(parent, high)
            if a == b:
                continue
            two = _compact(a, roots, neighbours, height) and _compact(b, roots, neighbours, height)
            if not (two and _cells_apart(cells[a], cells[b]) >= APART_CELLS):
                parent[a] = b
                roots[roots == a] = b
                changed = True


def _cells_apart(a: np.uint64, b: np.uint64) -> int:
    """Grid distance of two H3 cells (a large number where H3 cannot tell)."""
    import h3

    try:
        return int(h3.grid_distance(h3.int_to_str(int(a)), h3.int_to_str(int(b))))
    except h3.H3BaseException:  # pragma: no cover - across a pentagon's distortion
        return 1 << 30


def _compact(peak: int, roots: np.ndarray, neighbours: list[list[int]], height: np.ndarray) -> bool:
    """Whether every cell of the part whose peak (root) is ``peak`` is it, touches it, or
    is at most :data:`FRINGE_SHARE` of its height."""
    near = set(neighbours[peak]) | {peak}
    low = FRINGE_SHARE * height[peak]
    return all(int(i) in near or height[i] <= low for i in np.flatnonzero(roots == peak))


def _dips(
    saddle: int, peak: int, count: np.ndarray | None, exposure: np.ndarray | None, level: float
) -> bool:
    """Whether the saddle cell's complainants per unit of exposure are significantly
    fewer than the peak cell's: of their complainants together, the saddle's share is at
    most a Binomial(total, its exposure's share) draw with probability ``level`` (True
    when no counts are given: the height alone decides)."""
    if count is None or exposure is None:
        return True
    both = float(count[saddle] + count[peak])
    weight = float(exposure[saddle] + exposure[peak])
    if both <= 0 or weight <= 0:
        return False
    tail = binomial_lower_tail(float(count[saddle]), both, float(exposure[saddle]) / weight)
    return bool(tail[()] <= level)


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

"""Which locations are core by the expected rule's DBSCAN (:mod:`heatmap.detect.discs`),
at the least cost that gives the same answer as testing every location.

* **The least strength.** A location is core in a scan window when its neighbourhood
  strength ``s`` reaches ``min_subscribers`` and the Poisson tail of the others,
  P(X ≥ s − 1) with X ~ Poisson(λ_d·E), is at or below the cutoff. ``E`` is at least
  a disc's floor times the least history factor, and the tail only grows with the
  expected count, so below some strength no location can pass however little exposure
  it has: neither its strength need be counted exactly, nor its disc found.
* **Bounds.** The whole window's strengths come as bounds (each subscriber counted at
  one location of theirs only; every (location, subscriber) entry counted apart:
  :class:`~heatmap.detect.window_search._Bounds`). Once each disc's exposure is known, the
  lower bound's tail at or below the cutoff makes a core, the upper bound's above it
  does not, and only the locations left between are counted exactly.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import h3
import numpy as np

from heatmap.detect.expected import Cells, Expectation
from heatmap.detect.stats import poisson_tail_at_most, poisson_upper_tail
from heatmap.detect.window_search import Search

#: Strengths this far below the least a core can have are still counted (a margin for
#: the rounding of the Poisson tail).
_MARGIN = 1e-6


def disc_floor(cells: Cells, eps_m: float) -> float:
    """The least exposure of a disc: the cells' floor, over a disc's area."""
    return float(cells.floor * np.pi * eps_m**2 / h3.average_hexagon_area(cells.res, unit="m^2"))


def least_strengths(
    expectation: Expectation, cutoff: float, *, eps_m: float, min_subscribers: int
) -> np.ndarray:
    """Per scan window: a strength below which no location is core in it (module docstring)."""
    history = expectation.cells.history
    factor = float(np.where(history > 0, history, 1.0).min(initial=1.0))
    least = np.float64(disc_floor(expectation.cells, eps_m)) * factor
    out = np.full(len(expectation.windows), min_subscribers - 1e-9)
    for k, days in enumerate(expectation.windows):
        others = _failing_others(float(expectation.expected(least, days)), cutoff)
        out[k] = max(out[k], 1.0 + others - _MARGIN)
    return out


def _failing_others(mean: float, cutoff: float) -> float:
    """The largest count (to within 1e-9) whose Poisson(``mean``) upper tail stays above
    ``cutoff``: every smaller count's does too (−inf: none does; inf: all do)."""

    def tail(o: float) -> float:
        return float(poisson_upper_tail(np.array([o]), np.array([mean]))[0])

    if tail(0.0) <= cutoff:
        return -np.inf
    lo, hi = 0.0, 1.0
    while tail(hi) > cutoff:
        lo, hi = hi, 2.0 * hi
        if hi > 2.0**50:
            return np.inf
    while hi - lo > 1e-9 * max(1.0, hi):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if tail(mid) > cutoff else (lo, mid)
    return lo


@dataclass(frozen=True)
class Strengths:
    """Per scan window and column — a location, or a slot of the search, ``location``
    giving each column's location — bounds of the neighbourhood strength: ``lower``, the
    upper bound equal to it but in the ``bounded`` window (−1: none), whose upper bounds
    are ``ceiling``; and the search that counts that window exactly."""

    lower: np.ndarray  # (window, column)
    ceiling: np.ndarray  # (column,)
    bounded: int
    search: Search | None
    location: np.ndarray

    def upper(self, k: int) -> np.ndarray:
        """Window ``k``'s upper bounds."""
        return self.ceiling if k == self.bounded else self.lower[k]

    def may_reach(self, least: np.ndarray) -> np.ndarray:
        """Mask of the columns whose upper bound reaches ``least`` in some window."""
        out = np.zeros(self.lower.shape[1], dtype=bool)
        for k in range(self.lower.shape[0]):
            out |= self.upper(k) >= least[k]
        return out

    def exact(self, columns: np.ndarray) -> np.ndarray:
        """The bounded window's exact strengths of some columns."""
        if self.search is None or not columns.size:
            return np.asarray(self.lower[self.bounded, columns], dtype=np.float64)
        need = np.zeros(self.lower.shape[1], dtype=bool)
        need[columns] = True
        return np.asarray(self.search.exact(need)[columns], dtype=np.float64)


def may_pass(
    found: Strengths,
    candidate: np.ndarray,
    least_exposure: np.ndarray,
    least: np.ndarray,
    *,
    expectation: Expectation,
    cutoff: float,
) -> np.ndarray:
    """Mask over the ``candidate`` locations: may be core, by the test with the upper
    bounds of their strengths and the least exposure their discs may have
    (``least_exposure``, adjusted). The tail only grows with the exposure and falls with
    the strength, so a location failing it fails with its disc's exposure too."""
    out = np.zeros(candidate.size, dtype=bool)
    for k, days in enumerate(expectation.windows):
        upper = found.upper(k)[candidate]
        at = np.flatnonzero((upper >= least[k]) & ~out)
        mean = expectation.expected(least_exposure[at], days)
        out[at[_passes(upper[at] - 1.0, mean, cutoff)]] = True
    return out


def passing(
    found: Strengths,
    candidate: np.ndarray,
    adjusted: np.ndarray,
    least: np.ndarray,
    *,
    expectation: Expectation,
    cutoff: float,
) -> np.ndarray:
    """Mask over the ``candidate`` locations (their discs' adjusted exposure
    ``adjusted``): core in some window. A disc centred on a complainant holds that one
    by construction, so the test counts the others."""
    out = np.zeros(candidate.size, dtype=bool)
    windows = list(enumerate(expectation.windows))
    for k, days in sorted(windows, key=lambda w: w[0] == found.bounded):  # the bounded one last
        # where another window has made a core already, the bounded one need not be counted
        at = np.flatnonzero((found.upper(k)[candidate] >= least[k]) & ~(out & (k == found.bounded)))
        mean = expectation.expected(adjusted[at], days)
        s = found.lower[k, candidate[at]]
        if k != found.bounded:
            out[at[_passes(s - 1.0, mean, cutoff)]] = True
            continue
        # the upper bound's tail above the cutoff: not core; else the lower bound's at or
        # below it (and the lower bound enough): core; else left open between the bounds
        ceiling = found.ceiling[candidate[at]]
        may = np.flatnonzero(_passes(ceiling - 1.0, mean, cutoff))
        core = np.zeros(at.size, dtype=bool)
        sure = may[s[may] >= least[k]]
        core[sure] = _passes(s[sure] - 1.0, mean[sure], cutoff)
        open_ = may[~core[may]]
        s = found.exact(candidate[at[open_]])
        core[open_] = (s >= least[k]) & _passes(s - 1.0, mean[open_], cutoff)
        out[at[core]] = True
    return out


def _passes(others: np.ndarray, mean: np.ndarray, cutoff: float) -> np.ndarray:
    """Mask: the Poisson(``mean``) upper tail of ``others`` is at or below ``cutoff``,
    the same as comparing :func:`~heatmap.detect.stats.poisson_upper_tail` with it, with
    the tails computed only near the cutoff (most candidates are far above it)."""
    return np.asarray(poisson_tail_at_most(others, mean, cutoff) <= cutoff, dtype=bool)

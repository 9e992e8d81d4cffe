"""The statistics detection rests on: Poisson upper tails, binomial lower tails,
false-discovery control, and the Mann–Kendall trend test. Plain functions over arrays; no I/O, no clock."""

from __future__ import annotations

import numpy as np


def poisson_upper_tail(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """P(X ≥ observed) for X ~ Poisson(expected), element-wise.

    For whole ``observed`` this is the regularised lower incomplete gamma function
    P(observed, expected); it stays continuous for weighted (fractional) counts, so
    a complainant located only to a street (weight 0.5) counts half. ``observed ≤ 0``
    gives 1; ``expected ≤ 0`` with ``observed > 0`` gives 0.
    """
    from scipy import special  # about half a second to import: the count rule never needs it

    o = np.asarray(observed, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    o, e = np.broadcast_arrays(o, e)
    out = np.ones(o.shape, dtype=np.float64)
    pos = o > 0
    out[pos & (e <= 0)] = 0.0
    test = pos & (e > 0)
    out[test] = special.gammainc(o[test], e[test])
    return out


def poisson_log_ratio(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Kulldorff's Poisson log-likelihood ratio of an excess, element-wise:
    ``o·ln(o/e) − (o − e)`` where ``o > e > 0``, else 0 (``e ≤ 0`` with ``o > 0``: inf).
    It orders excesses whose tails both underflow to 0 (Kulldorff, *A spatial scan
    statistic*, Commun. Statist. 26(6), 1997)."""
    o = np.asarray(observed, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    o, e = np.broadcast_arrays(o, e)
    out = np.zeros(o.shape, dtype=np.float64)
    out[(o > 0) & (e <= 0)] = np.inf
    up = (o > e) & (e > 0)
    out[up] = o[up] * np.log(o[up] / e[up]) - (o[up] - e[up])
    return out


def binomial_lower_tail(k: np.ndarray | float, n: np.ndarray | float, p: np.ndarray | float) -> np.ndarray:
    """P(X ≤ k) for X ~ Binomial(n, p), element-wise: the regularised incomplete beta
    function ``I_{1-p}(n - k, k + 1)``, continuous for weighted (fractional) counts.
    ``k < 0`` gives 0; ``k ≥ n`` gives 1."""
    from scipy import special

    k_, n_, p_ = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (k, n, p)))
    out = np.where(k_ >= n_, 1.0, 0.0)
    test = (k_ >= 0) & (k_ < n_)
    out[test] = special.betainc(n_[test] - k_[test], k_[test] + 1.0, np.clip(1.0 - p_[test], 0.0, 1.0))
    return np.asarray(out, dtype=np.float64)


#: :func:`poisson_tail_at_most` tables counts up to this (above it, tails are computed).
TABLED_COUNT = 500.0


def poisson_tail_at_most(observed: np.ndarray, expected: np.ndarray, level: float) -> np.ndarray:
    """:func:`poisson_upper_tail` where it is at most ``level``, and 1.0 elsewhere: the
    tails a test at ``level`` or stricter can reject, at a fraction of the cost.

    The tail P(X ≥ o) falls as the expected count falls, so it is at most ``level``
    exactly where the expected count is at most the x solving P(o, x) = ``level``. Counts
    are whole or half (a street-located complainant weighs 0.5): that x is tabled once
    per half-count up to :data:`TABLED_COUNT`; any other count's tail is computed (a
    place with thousands of complainants does not make a table of thousands).
    """
    from scipy import special

    o = np.asarray(observed, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    o, e = np.broadcast_arrays(o, e)
    out = np.ones(o.shape, dtype=np.float64)
    twice = o * 2.0
    halves = (o > 0) & (twice == np.floor(twice)) & (o <= TABLED_COUNT)
    near = (o > 0) & ~halves
    if halves.any():
        steps = twice[halves].astype(np.int64)
        table = special.gammaincinv(np.arange(1, int(steps.max()) + 1) / 2.0, level) * (1.0 + 1e-9)
        near[halves] = e[halves] <= table[steps - 1]  # a hair wide: ties are computed
    out[near] = poisson_upper_tail(o[near], e[near])
    out[near & (out > level)] = 1.0
    return out


def benjamini_hochberg(p_values: np.ndarray, q: float) -> tuple[np.ndarray, float]:
    """The Benjamini–Hochberg step-up procedure at false-discovery rate ``q`` (Benjamini &
    Hochberg 1995): the mask of the rejected hypotheses — the k smallest p-values, k the
    largest rank with p₍ₖ₎ ≤ q·k/m — and the threshold it ends on, ``q·k/m`` (0.0 when
    none), at or below which every p-value is rejected, so another test may be judged
    against it.

    Only p-values at or below ``q`` can be rejected (``q·k/m ≤ q``), and their ranks among
    all ``m`` are their ranks among themselves: those few are sorted, not all.
    """
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    reject = np.zeros(m, dtype=bool)
    small = np.flatnonzero(p <= q)
    if small.size == 0:
        return reject, 0.0
    order = small[np.argsort(p[small], kind="stable")]
    below = np.flatnonzero(p[order] <= q * np.arange(1, order.size + 1) / m)
    if not below.size:
        return reject, 0.0
    k = int(below[-1]) + 1
    reject[order[:k]] = True
    return reject, q * k / m


def sen_slope(series: np.ndarray) -> float:
    """Theil–Sen slope of a series against time (the median of the pairwise slopes);
    0.0 for fewer than two values."""
    y = np.asarray(series, dtype=np.float64)
    if y.size < 2:
        return 0.0
    from scipy import stats  # heavy (about a second): only trends need it

    return float(stats.theilslopes(y, np.arange(y.size)).slope)


def mann_kendall(series: np.ndarray) -> tuple[float, float]:
    """Mann–Kendall monotonic trend test of a time series: Kendall's tau between the
    values and time, and its two-sided p-value (exact for short series without ties,
    the normal approximation with the tie correction otherwise). A constant or
    too-short series gives (0.0, 1.0)."""
    y = np.asarray(series, dtype=np.float64)
    if y.size < 3 or np.all(y == y[0]):
        return 0.0, 1.0
    from scipy import stats

    result = stats.kendalltau(np.arange(y.size), y)
    tau = float(result.statistic)
    p = float(result.pvalue)
    if not np.isfinite(tau) or not np.isfinite(p):
        return 0.0, 1.0
    return tau, p

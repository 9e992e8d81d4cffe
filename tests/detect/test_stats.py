"""The statistics of the expected rule against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatmap.detect.stats import (
    benjamini_hochberg,
    binomial_lower_tail,
    mann_kendall,
    poisson_log_ratio,
    poisson_tail_at_most,
    poisson_upper_tail,
    sen_slope,
)
from heatmap.detect.trend import classify


def test_poisson_upper_tail_by_hand() -> None:
    # P(X >= 3 | 2) = 1 - e^-2 (1 + 2 + 2)
    assert poisson_upper_tail(np.array([3.0]), np.array([2.0]))[0] == pytest.approx(
        1 - 5 * math.exp(-2), rel=1e-12
    )
    # P(X >= 1 | 0.5) = 1 - e^-0.5
    assert poisson_upper_tail(np.array([1.0]), np.array([0.5]))[0] == pytest.approx(
        1 - math.exp(-0.5), rel=1e-12
    )
    # P(X >= 10 | 1) = 1 - sum_{k<10} e^-1 / k!
    by_hand = 1 - sum(math.exp(-1) / math.factorial(k) for k in range(10))
    assert poisson_upper_tail(np.array([10.0]), np.array([1.0]))[0] == pytest.approx(by_hand, rel=1e-9)


def test_poisson_upper_tail_edges_and_fractions() -> None:
    p = poisson_upper_tail(np.array([0.0, 2.0, 2.5, 3.0]), np.array([1.0, 0.0, 1.0, 1.0]))
    assert p[0] == 1.0, "nothing observed is never in excess"
    assert p[1] == 0.0, "anything where nothing is expected is"
    assert p[3] < p[2] < poisson_upper_tail(np.array([2.0]), np.array([1.0]))[0], (
        "a street-level complainant counts half: the tail lies between the whole counts"
    )


def test_benjamini_hochberg_by_hand() -> None:
    # m = 3, q = 0.05: thresholds 0.0167, 0.0333, 0.05
    assert benjamini_hochberg(np.array([0.001, 0.02, 0.9]), 0.05)[0].tolist() == [True, True, False]
    # step-up: the largest rank under its line takes every smaller p with it
    assert benjamini_hochberg(np.array([0.03, 0.03, 0.03]), 0.05)[0].all()
    assert benjamini_hochberg(np.array([0.04, 0.005, 0.03, 0.01]), 0.05)[0].all()
    assert not benjamini_hochberg(np.array([0.02, 0.04, 0.5]), 0.05)[0].any()
    assert benjamini_hochberg(np.array([]), 0.05)[0].size == 0
    # two rejections of three tests: q·2/3, and every p at or below it is rejected
    assert benjamini_hochberg(np.array([0.001, 0.02, 0.9]), 0.05)[1] == pytest.approx(0.05 * 2 / 3)
    assert benjamini_hochberg(np.array([0.001, 0.0334, 0.9]), 0.05)[1] == pytest.approx(0.05 / 3)
    assert benjamini_hochberg(np.array([0.5]), 0.05)[1] == 0.0


def test_sen_slope_by_hand() -> None:
    # pairwise slopes of (0, 1, 5): 1, 2.5, 4 -> median 2.5
    assert sen_slope(np.array([0.0, 1.0, 5.0])) == pytest.approx(2.5)
    assert sen_slope(np.array([4.0, 4, 3, 3, 3, 3, 3, 3])) == 0.0
    assert sen_slope(np.array([1.0])) == 0.0


def test_mann_kendall_by_hand() -> None:
    tau, p = mann_kendall(np.array([1.0, 2, 3, 4, 5, 6]))
    # all 15 pairs concordant; exact two-sided p = 2 / 6!
    assert tau == pytest.approx(1.0)
    assert p == pytest.approx(2 / 720)
    tau, p = mann_kendall(np.array([6.0, 5, 4, 3, 2, 1]))
    assert tau == pytest.approx(-1.0) and p == pytest.approx(2 / 720)
    assert mann_kendall(np.array([3.0, 3, 3, 3])) == (0.0, 1.0)
    assert mann_kendall(np.array([1.0, 2])) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("counts", "past", "label"),
    [
        ([0, 1, 0, 1, 0, 12], 0, "new"),  # quiet, then a burst in the latest slice
        ([6, 7, 6, 6, 7, 6, 6, 7], 4, "persistent"),  # hot throughout its history, flat
        ([6, 7, 6, 6, 7, 6, 6, 7], 0, "new"),  # the same without history is not chronic
        ([1, 2, 4, 6, 9, 12, 15, 20], 4, "intensifying"),
        ([20, 15, 12, 9, 6, 4, 2, 1], 4, "diminishing"),
        ([9], 0, "new"),
        ([8, 8] + [6] * 24, 21, "persistent"),  # steady with one busier fortnight: no trend
    ],
)
def test_trend_classes(counts: list[int], past: int, label: str) -> None:
    values = np.asarray(counts, dtype=float)
    assert classify(values, np.ones(len(values)), past=past) == label


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 1e-6, 0.001, 0.004, 0.01, 0.02, 0.5, 1.0]) | st.floats(0, 1), max_size=60),
    st.sampled_from([0.003, 0.01, 0.05]),
)
def test_the_step_up_equals_the_textbook_procedure_over_every_p_value(p: list[float], q: float) -> None:
    """Only p-values at or below q are sorted; the textbook sorts all m of them."""
    values = np.array(p, dtype=np.float64)
    m = values.size
    expected = np.zeros(m, dtype=bool)
    order = np.argsort(values, kind="stable")
    below = np.flatnonzero(values[order] <= q * np.arange(1, m + 1) / m) if m else np.zeros(0, int)
    if below.size:
        expected[order[: below[-1] + 1]] = True
    reject, cutoff = benjamini_hochberg(values, q)
    assert reject.tolist() == expected.tolist()
    assert cutoff == pytest.approx(q * expected.sum() / m if expected.any() else 0.0)


def test_tails_at_most_a_level_by_hand() -> None:
    """P(X ≥ 3 | 0.1) = 1.5e-4 and P(X ≥ 1 | 0.005) = 0.005 are kept; P(X ≥ 1 | 0.2) = 0.18
    and P(X ≥ 2.5 | 1) ≈ 0.13 are above 0.01, so 1.0; nothing observed: 1.0."""
    tails = poisson_tail_at_most(
        np.array([3.0, 1.0, 1.0, 2.5, 0.0]), np.array([0.1, 0.005, 0.2, 1.0, 0.1]), 0.01
    )
    assert tails[0] == pytest.approx(1 - math.exp(-0.1) * (1 + 0.1 + 0.005), rel=1e-9)
    assert tails[1] == pytest.approx(1 - math.exp(-0.005), rel=1e-9)
    assert tails[2:].tolist() == [1.0, 1.0, 1.0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 1_200), min_size=1, max_size=40),
    st.lists(st.floats(0.0, 700.0), min_size=1, max_size=40),
    st.sampled_from([0.01, 0.003, 1e-5]),
    st.booleans(),
)
def test_tails_at_most_a_level_equal_the_tails_there(
    halves: list[int], expected: list[float], level: float, odd: bool
) -> None:
    """Exactly the tails at most ``level``: whole, half or other counts, tabled or not."""
    n = min(len(halves), len(expected))
    o = np.array(halves[:n], dtype=float) / 2.0 + (0.3 if odd else 0.0)
    e = np.array(expected[:n])
    full = poisson_upper_tail(o, e)
    kept = poisson_tail_at_most(o, e, level)
    low = full <= level
    assert np.array_equal(kept[low], full[low])
    assert np.all(kept[~low] == 1.0)


def test_binomial_lower_tail_by_hand() -> None:
    # P(X <= 1 | n = 3, p = 0.5) = (1 + 3) / 8
    assert binomial_lower_tail(1, 3, 0.5)[()] == pytest.approx(0.5)
    # P(X <= 0 | n = 4, p = 0.25) = 0.75 ** 4
    assert binomial_lower_tail(0, 4, 0.25)[()] == pytest.approx(0.75**4)
    # P(X <= 2 | n = 5, p = 0.4) = 0.6^5 + 5·0.4·0.6^4 + 10·0.16·0.6^3
    assert binomial_lower_tail(2, 5, 0.4)[()] == pytest.approx(0.6**5 + 5 * 0.4 * 0.6**4 + 10 * 0.16 * 0.6**3)
    assert binomial_lower_tail(np.array([-1.0, 5.0, 7.0]), 5, 0.4).tolist() == [0.0, 1.0, 1.0]
    # continuous in half-weighted counts, between its whole neighbours
    half = binomial_lower_tail(1.5, 5, 0.4)[()]
    assert binomial_lower_tail(1, 5, 0.4)[()] < half < binomial_lower_tail(2, 5, 0.4)[()]


def test_poisson_log_ratio_by_hand() -> None:
    """o·ln(o/e) − (o − e): 30 vs 0.1 is 30·ln 300 − 29.9; no excess is 0; nothing
    expected is infinite."""
    got = poisson_log_ratio(np.array([30.0, 2.0, 3.0, 0.0]), np.array([0.1, 2.0, 0.0, 1.0]))
    assert got[0] == pytest.approx(30 * math.log(300) - 29.9)
    assert got[1] == 0.0
    assert got[2] == math.inf
    assert got[3] == 0.0

"""Witnesses: a spot resting on the whole window needs one of its cells, or one of its
cells' discs, to pass the whole window's threshold alone."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd

from heatmap.detect.expected import Cells, CellTests, Expectation
from heatmap.detect.stats import poisson_upper_tail
from heatmap.detect.witness import witnessed

WINDOW = 30.0
RATE = 2.0  # each cell's adjusted exposure is 1: 2 complainants expected per cell a month
CENTRE = h3.latlng_to_cell(59.22, 39.89, 9)
RING = sorted(h3.grid_ring(CENTRE, 1))
FAR = sorted(h3.grid_ring(CENTRE, 6))


def _world(counts: dict[str, float]) -> tuple[list[str], Expectation, CellTests]:
    names = sorted({CENTRE, *RING, *FAR})
    index = pd.Index(np.array([h3.str_to_int(c) for c in names], dtype=np.uint64))
    ones = np.ones(len(index))
    cells = Cells(
        res=9, index=index, adjusted=ones, exposure=ones, history=ones, points=pd.DataFrame(), floor=0.25
    )
    expectation = Expectation(cells=cells, windows=(7.0, WINDOW), rates={7.0: RATE * 7 / 30, WINDOW: RATE})
    observed = np.array([counts.get(c, RATE) for c in names])
    p = poisson_upper_tail(observed, ones * RATE)
    tests = CellTests(
        {WINDOW: observed}, {WINDOW: ones * RATE}, {WINDOW: p}, p < 1e-3, 1e-3, {WINDOW: len(names)}
    )
    return names, expectation, tests


def _spot(names: list[str], *cells: str) -> tuple[np.ndarray, np.ndarray]:
    """One spot (label 0) whose members lie in ``cells``, two members per cell."""
    at = np.array([names.index(c) for c in cells for _ in range(2)], dtype=np.int64)
    return np.zeros(len(at), dtype=np.int64), at


def test_two_marginal_neighbours_are_no_witness_of_their_union() -> None:
    # 9 and 8 against 2 each over the month: each tail ~1e-3 to 3e-4; together 17 against
    # 4, ~1e-6; with the neighbours' ordinary 2s the centre's disc is 27 against 14, ~1e-3
    names, expectation, tests = _world({CENTRE: 9, RING[0]: 8})
    union = poisson_upper_tail(np.array([17.0]), np.array([4.0]))[0]
    cutoff = 1e-5
    assert union < cutoff, "the union alone would pass"
    label, cell = _spot(names, CENTRE, RING[0])
    assert witnessed(label, cell, expectation, tests, cutoff).tolist() == [False]


def test_a_cell_far_above_its_count_is_its_own_witness() -> None:
    names, expectation, tests = _world({CENTRE: 20, RING[0]: 3})
    label, cell = _spot(names, CENTRE, RING[0])
    assert witnessed(label, cell, expectation, tests, 1e-5).tolist() == [True]


def test_a_concentration_over_a_disc_is_witnessed_by_the_disc() -> None:
    # seven cells of 6 against 2 each: no cell passes (tail ~0.017), the disc does (42 against 14)
    names, expectation, tests = _world({c: 6.0 for c in [CENTRE, *RING]})
    assert (tests.p_value[WINDOW][[names.index(c) for c in [CENTRE, *RING]]] > 1e-5).all()
    label, cell = _spot(names, CENTRE, *RING[:3])
    assert witnessed(label, cell, expectation, tests, 1e-5).tolist() == [True]


def test_spots_are_judged_apart_and_nothing_passes_a_zero_threshold() -> None:
    names, expectation, tests = _world({CENTRE: 20, FAR[0]: 7, FAR[1]: 7})
    first, at_first = _spot(names, CENTRE)
    second, at_second = _spot(names, FAR[0], FAR[1])
    label = np.concatenate([first, second + 1])
    cell = np.concatenate([at_first, at_second])
    assert witnessed(label, cell, expectation, tests, 1e-5).tolist() == [True, False]
    assert witnessed(label, cell, expectation, tests, 0.0).tolist() == [False, False]
    assert (
        witnessed(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), expectation, tests, 1e-5).size
        == 0
    )

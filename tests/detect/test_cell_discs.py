"""Discs of H3 cells: a concentration split over neighbouring cells is tested whole, and
a passing disc admits only its cells in local excess."""

from __future__ import annotations

from collections.abc import Mapping

import h3
import numpy as np
import pandas as pd

from heatmap.detect.cell_discs import LOCAL_MIN, LOCAL_P, disc_members
from heatmap.detect.expected import Cells, Expectation
from heatmap.detect.stats import poisson_upper_tail

WINDOW = 30.0
RATE = 0.1  # each cell's adjusted exposure is 1: 0.1 complainants expected per cell
CENTRE = h3.latlng_to_cell(59.22, 39.89, 9)


def _layout() -> tuple[list[str], list[str]]:
    """The centre's ring (6 cells) and 60 cells far from it (rings 5…)."""
    ring = sorted(h3.grid_ring(CENTRE, 1))
    far = sorted(c for k in (5, 6) for c in h3.grid_ring(CENTRE, k))[:60]
    return ring, far


PerWindow = dict[float, np.ndarray]


def _expectation(counts: Mapping[str, float]) -> tuple[Expectation, PerWindow, PerWindow]:
    ring, far = _layout()
    names = sorted({CENTRE, *ring, *far})
    index = pd.Index(np.array([h3.str_to_int(c) for c in names], dtype=np.uint64))
    ones = np.ones(len(index))
    cells = Cells(
        res=9, index=index, adjusted=ones, exposure=ones, history=ones, points=pd.DataFrame(), floor=0.25
    )
    expectation = Expectation(cells=cells, windows=(WINDOW,), rates={WINDOW: RATE})
    observed = np.array([counts.get(c, 0.0) for c in names])
    p = poisson_upper_tail(observed, ones * RATE)
    return expectation, {WINDOW: observed}, {WINDOW: p}


def _admitted(expectation: Expectation, mask: np.ndarray) -> set[str]:
    ids = np.asarray(expectation.cells.index, dtype=np.uint64)[mask]
    return {h3.int_to_str(int(c)) for c in ids}


def test_a_split_concentration_passes_as_a_disc_and_admits_its_cells_in_excess() -> None:
    ring, far = _layout()
    counts = {CENTRE: 3, ring[0]: 3, ring[1]: 2, ring[2]: 1, far[0]: 2}
    expectation, observed, p = _expectation(counts)
    # by hand: a cell of 3 against 0.1 expected has P(X >= 3) = 1 - e^-0.1 (1 + 0.1 + 0.005)
    alone = 1 - np.exp(-0.1) * (1 + 0.1 + 0.005)
    assert np.isclose(alone, 1.5465e-4, rtol=1e-3)
    cutoff = 1e-4  # so no cell passes alone…
    assert (p[WINDOW] > cutoff).all()
    # …while the centre's disc holds 9 against 0.7: P(X >= 9) ≈ 5.9e-8, far below it
    found = disc_members(expectation, observed, p, cutoff=cutoff, min_subscribers=3)
    admitted = _admitted(expectation, found)
    # the cells of 3 and 2 are in local excess (P(X >= 2) = 4.7e-3 ≤ LOCAL_P); the cell of
    # 1 is not (P(X >= 1) = 0.095), nor is the far cell of 2 whose own disc does not pass
    assert LOCAL_MIN == 2.0 and LOCAL_P == 0.01
    assert admitted == {CENTRE, ring[0], ring[1]}


def test_no_disc_passes_without_a_threshold_or_below_min_subscribers() -> None:
    ring, _ = _layout()
    counts = {CENTRE: 3, ring[0]: 3, ring[1]: 2, ring[2]: 1}
    expectation, observed, p = _expectation(counts)
    assert not disc_members(expectation, observed, p, cutoff=0.0, min_subscribers=3).any()
    assert not disc_members(expectation, observed, p, cutoff=1e-4, min_subscribers=10).any()


def test_background_level_discs_do_not_pass() -> None:
    _, far = _layout()
    counts = {cell: 1.0 for cell in far[::3]}  # one complainant here and there
    expectation, observed, p = _expectation(counts)
    assert not disc_members(expectation, observed, p, cutoff=1e-3, min_subscribers=3).any()

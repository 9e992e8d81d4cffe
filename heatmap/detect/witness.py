"""Witnesses of a spot resting on the whole window.

A spot's own test is a Bonferroni bound over the cells' tests, but a spot is a union of
cells (or of DBSCAN's discs) chosen after looking at the counts: two neighbouring cells
each a little above their expected count over the month, or a disc union drawn around a
month's chance cluster, pass a test of their union far more often than the bound says.
On the quality benchmark every large unplanted spot left rested on the whole window
(README, "Detection quality benchmark"). So a spot may rest on the whole window only
with a **witness**: one of its cells, or one of its cells with the six around it (a
*disc*, :mod:`heatmap.detect.cell_discs`), whose own test passes the whole window's
spot threshold. Cells and discs are a fixed family — one test each per cell, chosen
before looking — so the threshold holds for them as stated. A burst rests on a short
window and keeps the test of its union: there the cells' discoveries are few and the
union is the concentration.

Pure: arrays in, a mask out.
"""

from __future__ import annotations

import numpy as np

from heatmap.detect.cell_discs import disc_tails
from heatmap.detect.expected import CellTests, Expectation

__all__ = ["witnessed"]


def witnessed(
    label: np.ndarray, cell: np.ndarray, expectation: Expectation, tests: CellTests, cutoff: float
) -> np.ndarray:
    """Per spot label ``0..max(label)``: whether some cell among its members' ``cell``
    positions (one row per member: ``label``, ``cell``), or that cell's disc, has a
    whole-window p-value at or below ``cutoff``."""
    size = int(label.max(initial=-1)) + 1
    out = np.zeros(size, dtype=bool)
    if size == 0 or cutoff <= 0:
        return out
    whole = max(tests.p_value)
    pairs = np.unique(np.stack([label, cell]), axis=1)
    own = tests.p_value[whole][pairs[1]] <= cutoff
    out[pairs[0][own]] = True
    rest = pairs[:, ~own & ~out[pairs[0]]]
    if rest.size:
        centres, at = np.unique(rest[1], return_inverse=True)
        disc = disc_tails(expectation, tests.observed[whole], centres, whole)[at] <= cutoff
        out[rest[0][disc]] = True
    return out

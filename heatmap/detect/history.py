"""How much more or less than its exposure a district has complained in the past.

The expected rule multiplies each cell's exposure by a history factor ``h`` learnt from
the store's past complaints (older than the window; the members of past spots count by
their expected share): what exposure does not know — the operator's share of a district,
its shops and competitors — shows as a district complaining steadily more or less than
its houses predict. Three choices keep that from hiding chronic problems:

* **Districts, not cells.** ``h`` is learnt over the cells' parents at
  :data:`HISTORY_RES` (res 7: ~5 km²), far larger than the places the detector looks
  for (≤ 500 m): a place that has complained four times its exposure for months is a
  persistent spot, not its own normal. Learnt per cell, six months of such a place made
  it expected, and the benchmark's chronic places were found 13 % (H3) and 29 % (DBSCAN)
  of the time instead of about 70 % without history.
* **Past excesses left out.** A district's rate is learnt without its cells whose past
  is itself in excess (a Poisson tail below :data:`HISTORY_EXCESS_P` against the
  district's rate), re-estimated until the cells left out stay the same: a chronic
  place does not raise its district's expectation either.
* **Shrunk and bounded.** ``h = (H + κ) / (λ_h X + κ)`` over the district's remaining
  cells (``H`` past complainants, ``λ_h X`` what their exposure predicts for that past,
  κ = :data:`HISTORY_PRIOR` pseudo-complainants), within :data:`HISTORY_CLIP`. With
  less history than one window ``h`` is 1.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatmap.core.cells import cells_of, parents_of
from heatmap.detect.stats import poisson_upper_tail
from heatmap.detect.strength import cell_strength

#: Pseudo-complainants of the history's prior (shrinks a district's past rate towards 1).
HISTORY_PRIOR = 5.0
#: The history factor is learnt over the cells' parents at this resolution.
HISTORY_RES = 7
#: Bounds of the history factor.
HISTORY_CLIP = (0.2, 5.0)
#: A cell whose past complainants have a Poisson tail below this is left out of its
#: district's rate: its past was an excess, not the district's normal.
HISTORY_EXCESS_P = 1e-3
#: At most this many estimates of the districts' rates.
HISTORY_PASSES = 4


def history_factor(
    history: pd.DataFrame | None,
    index: pd.Index,
    base: np.ndarray,
    *,
    res: int,
    window_days: float,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """``h`` of each cell of ``index`` (uint64 H3 cells at ``res``, exposure ``base``)
    from the ``history`` (lat, lon, subscriber_id, created_at; ``weight``: each
    complaint's weight, None: 1)."""
    ones = np.ones(len(index))
    if history is None or history.empty:
        return ones
    created = pd.to_datetime(history["created_at"], utc=True)
    if (created.max() - created.min()).total_seconds() / 86400.0 < window_days:
        return ones
    weight = np.ones(len(history)) if weight is None else weight
    cells = cells_of(history["lat"].to_numpy(float), history["lon"].to_numpy(float), res)
    who = history["subscriber_id"].to_numpy()
    known = index.get_indexer(cells) >= 0
    past = cell_strength(cells[known], who[known], weight[known], index)
    # past complainants outside today's cells still tell the city's past rate
    total = float(cell_strength(cells, who, weight, pd.Index(np.unique(cells))).sum())
    if total <= 0 or float(base.sum()) <= 0:
        return ones
    district = parents_of(index.to_numpy(np.uint64), min(HISTORY_RES, res))
    at = np.unique(district, return_inverse=True)[1].ravel()
    keep = np.ones(len(index), dtype=bool)
    for _ in range(HISTORY_PASSES):
        factor = _district_factor(past, base, at, keep, total)
        excess = poisson_upper_tail(past, _rate(past, base, keep, total) * base * factor) < HISTORY_EXCESS_P
        if np.array_equal(~excess, keep):
            break
        keep = ~excess
    return factor


def _rate(past: np.ndarray, base: np.ndarray, keep: np.ndarray, total: float) -> float:
    """Past complainants per unit of exposure, without the cells left out."""
    kept = float(base[keep].sum())
    return max(total - float(past[~keep].sum()), 0.0) / kept if kept > 0 else 0.0


def _district_factor(
    past: np.ndarray, base: np.ndarray, at: np.ndarray, keep: np.ndarray, total: float
) -> np.ndarray:
    """Each cell's district's shrunk past rate over what its kept cells' exposure predicts."""
    n = int(at.max()) + 1 if len(at) else 0
    observed = np.bincount(at[keep], weights=past[keep], minlength=n)
    predicted = _rate(past, base, keep, total) * np.bincount(at[keep], weights=base[keep], minlength=n)
    factor = np.clip((observed + HISTORY_PRIOR) / (predicted + HISTORY_PRIOR), *HISTORY_CLIP)
    return np.asarray(factor[at], dtype=np.float64)

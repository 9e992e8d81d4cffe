"""Acute or chronic: each spot's label from its own time series against its history.

In the manner of emerging hot-spot analysis (a per-slice hot/not-hot test and a
Mann–Kendall trend over the slices), with the per-slice test being the same Poisson
test of excess detection uses. The complaints of the spot's cells are cut into weekly
slices back from ``now`` over the history the store holds (up to ``history_days``); in
each slice the spot's distinct complainants are compared with the city's complainants of
that slice times the spot's share of the exposure (a slice is *hot* when the Poisson
upper tail is below ``alpha``). Then:

* ``diminishing`` — a downward trend: Mann–Kendall two-sided p < ``alpha`` and a
  Theil–Sen slope that moves the level by at least half its mean over the series (a
  steady place with one quieter week is not diminishing: with many tied counts
  Mann–Kendall alone calls tiny changes significant);
* ``intensifying`` — an upward trend, so judged, in a place that was hot before the
  latest slice;
* ``persistent`` — hot in at least a quarter of the slices *before the detection
  window* (its history), without a trend: a chronic problem (coverage gap, capacity)
  rather than an incident. A store without history has no persistent spots;
* ``new`` — everything else: a place that was not hot before (an emerging spot).

Pure: no I/O, no clock.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatmap.core.cells import cells_of
from heatmap.detect.expected import Cells, point_weights
from heatmap.detect.stats import mann_kendall, poisson_upper_tail, sen_slope
from heatmap.detect.strength import cell_strength

TRENDS: tuple[str, ...] = ("new", "intensifying", "persistent", "diminishing")
#: Length of one time slice.
SLICE_DAYS = 7.0
#: A trend must move the level by this share of its mean over the series.
TREND_CHANGE = 0.5
#: Share of earlier hot slices that makes a place chronic.
PERSISTENT_SHARE = 0.25


def label_trends(
    members: pd.DataFrame,
    series: pd.DataFrame,
    cells: Cells,
    *,
    now: pd.Timestamp,
    window_days: float,
    alpha: float = 0.05,
    slice_days: float = SLICE_DAYS,
) -> pd.Series:
    """Trend label per spot label (index) of ``members`` (lat, lon, label).

    ``series``: every located complaint of the history and the window (lat, lon,
    subscriber_id, precision, created_at), spots' complaints included.
    """
    labels = np.unique(members["label"].to_numpy())
    if labels.size == 0:
        return pd.Series(dtype=object)
    counts, expected = _slices(members, series, cells, now=now, slice_days=slice_days)
    in_window = int(np.ceil(window_days / slice_days - 1e-9))
    past = max(0, counts.shape[1] - in_window)
    out = {}
    for i, label in enumerate(labels.tolist()):
        out[label] = classify(counts[i], expected[i], past=past, alpha=alpha)
    return pd.Series(out, dtype=object)


def classify(counts: np.ndarray, expected: np.ndarray, *, past: int = 0, alpha: float = 0.05) -> str:
    """The label of one place from its slice counts and expectations, oldest first;
    the first ``past`` slices are its history before the detection window."""
    hot = poisson_upper_tail(counts, expected) < alpha
    if hot.size < 2:
        return "new"
    tau, p = mann_kendall(counts)
    change = sen_slope(counts) * (counts.size - 1)
    trending = p < alpha and abs(change) >= TREND_CHANGE * max(float(np.mean(counts)), 1.0)
    if trending and tau < 0:
        return "diminishing"
    if trending and tau > 0 and hot[:-1].any():
        return "intensifying"
    if past > 0 and float(hot[:past].mean()) >= PERSISTENT_SHARE:
        return "persistent"
    return "new"


def _slices(
    members: pd.DataFrame, series: pd.DataFrame, cells: Cells, *, now: pd.Timestamp, slice_days: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per spot and slice (oldest first): distinct complainants and their expectation."""
    labels = np.unique(members["label"].to_numpy())
    created = pd.to_datetime(series["created_at"], utc=True)
    age = ((now - created).dt.total_seconds() / 86400.0).to_numpy(float)
    usable = (age >= 0) & (point_weights(series) > 0)
    span = float(age[usable].max()) if usable.any() else 0.0
    n_slices = max(1, int(np.ceil(span / slice_days - 1e-9)))
    slice_of = np.minimum((age // slice_days).astype(np.int64), n_slices - 1)
    s_cells = cells_of(series["lat"].to_numpy(float), series["lon"].to_numpy(float), cells.res)
    m_cells = cells_of(members["lat"].to_numpy(float), members["lon"].to_numpy(float), cells.res)
    spot_of_cell = pd.DataFrame({"cell": m_cells, "label": members["label"].to_numpy()})
    spot_of_cell = spot_of_cell.drop_duplicates("cell").set_index("cell")["label"]
    base = cells.adjusted / np.where(cells.history > 0, cells.history, 1.0)
    share = (
        pd.Series(base[cells.position(spot_of_cell.index.to_numpy())], index=spot_of_cell.to_numpy())
        .groupby(level=0)
        .sum()
    )
    share = share.reindex(labels).fillna(0.0).to_numpy() / max(float(base.sum()), 1e-12)
    who = series["subscriber_id"].to_numpy()
    weight = np.where(usable, point_weights(series), 0.0)
    all_cells = pd.Index(np.unique(s_cells))
    totals = np.zeros(n_slices)
    counts = np.zeros((len(labels), n_slices))
    spot_index = pd.Index(labels)
    label_of_point = spot_of_cell.reindex(s_cells).to_numpy()
    in_spot = ~pd.isna(label_of_point)
    for k in range(n_slices):
        here = slice_of == k
        totals[k] = cell_strength(s_cells[here], who[here], weight[here], all_cells).sum()
        mine = here & in_spot
        counts[:, k] = cell_strength(
            label_of_point[mine].astype(labels.dtype), who[mine], weight[mine], spot_index
        )
    expected = share[:, None] * totals[None, :]
    return counts[:, ::-1], expected[:, ::-1]

"""Coverage layers as both stores keep them (schema 9): checks and frames shared by the adapters.

One row per H3 cell: the median RSRP and RSSI (dBm) measured there and how many fixes
gave each (:func:`heatmap.core.coverage.coverage_cells`). A new layer replaces the old.
"""

from __future__ import annotations

from collections.abc import Iterable

import h3
import numpy as np
import pandas as pd

from heatmap.core.coverage import COVERAGE_COLUMNS
from heatmap.errors import InputError

#: The schema that added the ``coverage`` table.
COVERAGE_SCHEMA = 9


def checked_coverage(layer: pd.DataFrame) -> pd.DataFrame:
    """A layer ready to store: valid H3 cells (one row each), counts ≥ 0, a median where
    there are samples. Anything else is an :class:`InputError` and nothing is stored."""
    missing = [c for c in COVERAGE_COLUMNS if c not in layer.columns]
    if missing:
        raise InputError(f"coverage layer: needs columns {list(COVERAGE_COLUMNS)}, missing {missing}")
    frame = layer.loc[:, list(COVERAGE_COLUMNS)].copy()
    frame["h3_cell"] = [c.strip().lower() if isinstance(c, str) else "" for c in frame["h3_cell"]]
    valid = np.array([bool(c) and h3.is_valid_cell(c) for c in frame["h3_cell"]], dtype=bool)
    for kind in ("rsrp", "rssi"):
        samples = pd.to_numeric(frame[f"{kind}_samples"], errors="coerce")
        median = pd.to_numeric(frame[f"{kind}_median"], errors="coerce")
        valid &= (samples >= 0).to_numpy() & ((samples == 0) | median.notna()).to_numpy()
        frame[f"{kind}_samples"], frame[f"{kind}_median"] = samples, median
    if not valid.all() or frame["h3_cell"].duplicated().any():
        rows = np.flatnonzero(~valid)[:5].tolist()
        raise InputError(
            f"coverage layer: {int((~valid).sum())} bad row(s) (first {rows}) or a cell given twice"
        )
    return frame.sort_values("h3_cell").reset_index(drop=True)


def coverage_frame(rows: Iterable[tuple[object, ...]]) -> pd.DataFrame:
    """Stored rows as a typed layer (empty with every column)."""
    frame = pd.DataFrame.from_records(list(rows), columns=list(COVERAGE_COLUMNS))
    frame["h3_cell"] = frame["h3_cell"].astype(object)
    for name in ("res", "rsrp_samples", "rssi_samples"):
        frame[name] = pd.to_numeric(frame[name]).astype(int)
    for name in ("rsrp_median", "rssi_median"):
        frame[name] = pd.to_numeric(frame[name]).astype(float)
    return frame

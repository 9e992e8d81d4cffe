"""Exposure layers as both stores keep them (schema 7): checks and frames shared by the adapters.

A layer is one row per H3 cell (``h3_cell, weight``) of one source; see
:mod:`heatmap.detect.exposure` for what the sources mean and how detection uses them.
"""

from __future__ import annotations

from collections.abc import Iterable

import h3
import numpy as np
import pandas as pd

from heatmap.detect.exposure import SOURCES
from heatmap.errors import InputError, UsageError

#: Sources an exposure layer may come from (the CHECK of the ``exposure`` table).
EXPOSURE_SOURCES: tuple[str, ...] = SOURCES
#: The schema that added the ``exposure`` table.
EXPOSURE_SCHEMA = 7
#: Columns of a stored exposure layer.
EXPOSURE_COLUMNS: tuple[str, ...] = ("h3_cell", "weight")


def check_source(source: str) -> str:
    """``source`` if it is a known exposure source, else a :class:`UsageError`."""
    if source not in EXPOSURE_SOURCES:
        raise UsageError(f"unknown exposure source {source!r}: use one of {', '.join(EXPOSURE_SOURCES)}")
    return source


def checked_layer(source: str, layer: pd.DataFrame) -> pd.DataFrame:
    """A layer ready to store: valid H3 cell names (lower case), finite weights ≥ 0, one row
    per cell (repeated cells summed), sorted by cell. Bad rows are an :class:`InputError`."""
    check_source(source)
    missing = [c for c in EXPOSURE_COLUMNS if c not in layer.columns]
    if missing:
        raise InputError(
            f"{source} exposure layer: needs columns {list(EXPOSURE_COLUMNS)}, missing {missing}"
        )
    names = [c.strip().lower() if isinstance(c, str) else "" for c in layer["h3_cell"].tolist()]
    valid = np.array([h3.is_valid_cell(c) if c else False for c in names], dtype=bool)
    weights = pd.to_numeric(layer["weight"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~valid | ~np.isfinite(weights) | (weights < 0)
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise InputError(
            f"{source} exposure layer: {int(bad.sum())} row(s) without a valid H3"
            f" cell or with a missing, infinite or negative weight (first rows {rows})"
        )
    frame = pd.DataFrame({"h3_cell": pd.Series(names, dtype=object), "weight": weights})
    summed = frame.groupby("h3_cell", as_index=False, sort=True)["weight"].sum()
    return summed.astype({"h3_cell": object, "weight": float})


def exposure_frame(rows: Iterable[tuple[object, ...]]) -> pd.DataFrame:
    """Stored ``(h3_cell, weight)`` rows as a typed layer (empty with both columns)."""
    frame = pd.DataFrame.from_records(list(rows), columns=list(EXPOSURE_COLUMNS))
    frame["h3_cell"] = frame["h3_cell"].astype(object)
    frame["weight"] = pd.to_numeric(frame["weight"]).astype(float)
    return frame

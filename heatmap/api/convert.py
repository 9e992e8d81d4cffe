"""Frames and values of the core as JSON-ready Python (times ISO 8601, NaN as null)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import shapely


def plain(value: Any) -> Any:
    """``value`` with every pandas/numpy/shapely part turned into JSON-ready Python."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, shapely.Geometry):
        return value.__geo_interface__
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, Iterable):
        return [plain(v) for v in value]
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def records(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows of ``frame`` (only ``columns`` when given) as JSON-ready dicts."""
    if columns is not None:
        frame = frame.loc[:, [c for c in columns if c in frame.columns]]
    return [plain(r) for r in frame.to_dict(orient="records")]


def feature(
    geometry: shapely.Geometry, properties: dict[str, Any], feature_id: str | None = None
) -> dict[str, Any]:
    """An RFC 7946 Feature (coordinates in lon, lat order)."""
    out: dict[str, Any] = {"type": "Feature"}
    if feature_id is not None:
        out["id"] = feature_id
    out["geometry"] = geometry.__geo_interface__
    out["properties"] = properties
    return out

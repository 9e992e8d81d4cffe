"""Conversions between frames and the text/number forms stores keep."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pandas as pd
import shapely


def iso_utc(values: pd.Series) -> list[str | None]:
    """Tz-aware timestamps as ISO 8601 UTC text with microseconds (sortable as text)."""
    array = pd.to_datetime(values, utc=True).dt.tz_localize(None).to_numpy("datetime64[us]")
    text = np.datetime_as_string(array, unit="us")
    missing = np.isnat(array)
    return [None if m else t + "Z" for t, m in zip(text.tolist(), missing.tolist(), strict=True)]


def iso_one(value: datetime | None) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(values: pd.Series) -> pd.Series:
    """Stored text back to tz-aware UTC timestamps (NaT where empty)."""
    return pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")


def nullable(values: pd.Series) -> list[object]:
    """Values for a DB driver: NaN/NA/NaT become None, numpy scalars become Python."""
    out = values.astype(object).where(values.notna(), None)
    return [v.item() if isinstance(v, np.generic) else v for v in out.tolist()]


def geometry_to_wkt(values: pd.Series) -> list[str]:
    return [str(v) for v in shapely.to_wkt(np.asarray(values, dtype=object), rounding_precision=7)]


def geometry_from_wkt(values: pd.Series) -> np.ndarray:
    return np.asarray(shapely.from_wkt(values.to_numpy(dtype=object)), dtype=object)


def breakdown_to_json(values: pd.Series) -> list[str]:
    return [json.dumps(v, ensure_ascii=False, sort_keys=True) for v in values.tolist()]


def breakdown_from_json(values: pd.Series) -> list[dict[str, float]]:
    return [json.loads(v) if v else {} for v in values.tolist()]

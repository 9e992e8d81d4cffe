"""Conversions between frames and the text/number forms stores keep, and the decoding of
what a query returns into the frames both stores give (same columns, same dtypes)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from heatmap.domain.outbox import OUTBOX_INTEGERS, OUTBOX_TIMES
from heatmap.store.columns import CHANGE_COLUMNS, typed_spot_measures


def iso_utc(values: pd.Series) -> list[str | None]:
    """Tz-aware timestamps as ISO 8601 UTC text with microseconds (sortable as text)."""
    array = pd.to_datetime(values, utc=True).dt.tz_localize(None).to_numpy("datetime64[us]")
    text = np.datetime_as_string(array, unit="us")
    missing = np.isnat(array)
    return [None if m else t + "Z" for t, m in zip(text.tolist(), missing.tolist(), strict=True)]


def iso_one(value: datetime | None) -> str | None:
    if value is None or pd.isna(value):
        return None
    return str(pd.Timestamp(value).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def parse_utc(values: pd.Series) -> pd.Series:
    """Stored text back to tz-aware UTC timestamps (NaT where empty)."""
    return pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")


def nullable(values: pd.Series) -> list[object]:
    """Values for a DB driver: NaN/NA/NaT become None, numpy scalars become Python."""
    missing = values.isna().to_numpy().tolist()
    return [
        None if gone else v.item() if isinstance(v, np.generic) else v
        for v, gone in zip(values.tolist(), missing, strict=True)
    ]


def geometry_to_wkt(values: pd.Series) -> list[str]:
    return [str(v) for v in shapely.to_wkt(np.asarray(values, dtype=object), rounding_precision=7)]


def geometry_from_wkt(values: pd.Series) -> np.ndarray:
    return np.asarray(shapely.from_wkt(values.to_numpy(dtype=object)), dtype=object)


def breakdown_to_json(values: pd.Series) -> list[str]:
    return [json.dumps(v, ensure_ascii=False, sort_keys=True) for v in values.tolist()]


def breakdown_from_json(values: pd.Series) -> list[dict[str, float]]:
    return [json.loads(v) if v else {} for v in values.tolist()]


# --- frames as both stores return them (decoded from what a query gave) ---------------
#: Times of a stored complaint.
COMPLAINT_TIMES = ("created_at", "ingested_at", "updated_at")
#: Times of a stored spot.
SPOT_TIMES = (
    "first_complaint_at",
    "last_complaint_at",
    "due_at",
    "eta",
    "created_at",
    "updated_at",
    "found_at",
)


def with_utc(frame: pd.DataFrame, names: Iterable[str]) -> pd.DataFrame:
    """``frame`` with the named columns (stored times) as tz-aware UTC timestamps."""
    for name in names:
        frame[name] = parse_utc(frame[name])
    return frame


def with_floats(frame: pd.DataFrame, names: Iterable[str]) -> pd.DataFrame:
    for name in names:
        frame[name] = pd.to_numeric(frame[name]).astype(float)
    return frame


def with_integers(frame: pd.DataFrame, names: Iterable[str]) -> pd.DataFrame:
    """The named columns as nullable integers."""
    for name in names:
        frame[name] = pd.to_numeric(frame[name]).astype("Int64")
    return frame


#: Numbers of a stored complaint (the rest of its columns are text).
COMPLAINT_NUMBERS = ("ltv", "lat", "lon", "geo_score")


def complaint_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Complaints as read: times UTC, numbers float."""
    return with_floats(with_utc(frame, COMPLAINT_TIMES), COMPLAINT_NUMBERS)


def complaint_records(rows: list[tuple[object, ...]], names: Sequence[str]) -> pd.DataFrame:
    """A driver's rows of complaints (``names``: their columns) as :func:`complaint_frame`
    gives them from ``DataFrame.from_records``, converted by Arrow in one pass over the
    rows instead of inferring the kind of every value (a quarter of the time).

    Numbers become floats; text becomes ``str``, except a column with no value at all,
    which stays ``object`` as inference leaves it. A blob of UTF-8 in a text column is read
    as that text; rows holding anything else (no store writes such: text in a number
    column, a blob of other bytes) go through ``from_records``.
    """
    kinds = [pa.field(n, pa.float64() if n in COMPLAINT_NUMBERS else pa.large_string()) for n in names]
    try:
        table = pa.Table.from_struct_array(pa.array(rows, type=pa.struct(kinds)))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return complaint_frame(pd.DataFrame.from_records(rows, columns=list(names)))
    frame = table.to_pandas()
    for name in names:
        if name not in COMPLAINT_NUMBERS and table.column(name).null_count == len(rows):
            frame[name] = pd.Series([None] * len(rows), dtype=object)
    return complaint_frame(frame)


def tally_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Members tallied as read (:data:`heatmap.store.columns.MEMBER_TALLY_COLUMNS`): times
    UTC, ``complaints`` an integer, ``ltv`` a float."""
    frame = with_floats(with_utc(frame, ("first_at", "last_at")), ("ltv",))
    frame["complaints"] = pd.to_numeric(frame["complaints"]).astype(np.int64)
    return frame


def change_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Recorded complaint changes as read, with :data:`heatmap.store.columns.CHANGE_COLUMNS`."""
    return with_utc(frame, ("at",)).reindex(columns=list(CHANGE_COLUMNS))


def spot_frame(frame: pd.DataFrame, geometry: np.ndarray) -> pd.DataFrame:
    """Spots as read, their ``geometry`` decoded by the adapter (WKT or WKB) as shapely."""
    frame["geometry"] = geometry
    frame["breakdown"] = [{k: d[k] for k in sorted(d)} for d in breakdown_from_json(frame["breakdown"])]
    frame["escalated"] = frame["escalated"].astype(bool)
    # a store before schema 10 reads no found_at (typed_spot_measures adds it as NaT)
    return typed_spot_measures(with_utc(frame, [t for t in SPOT_TIMES if t in frame]))


def event_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return with_utc(frame, ("at", "eta"))


def site_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return with_floats(frame, ("lat", "lon", "azimuth"))


def alarm_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return with_utc(frame, ("start", "end"))


def outbox_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """SMS outbox rows as read (:data:`heatmap.domain.outbox.OUTBOX_COLUMNS`)."""
    return with_integers(with_utc(frame, OUTBOX_TIMES), OUTBOX_INTEGERS)


def rating_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Ratings as read (:data:`heatmap.domain.outbox.RATING_ROW_COLUMNS`)."""
    frame = with_integers(with_utc(frame, ("at", "superseded_at")), ("id", "outbox_id", "rating"))
    frame["persists"] = frame["persists"].astype(bool)
    return frame

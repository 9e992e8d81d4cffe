"""Outbox rows from a driver into the frame both stores return, without pandas guessing.

A delivery report, a reply and every pass of the SMS job read a few outbox rows. Built
by ``DataFrame.from_records`` (every value's kind inferred) and then :func:`outbox_frame`
(eight columns of time text parsed one by one, five columns made integers), a one-row
read took about 3 ms of CPU, most of the demo's close-out. The outbox's columns have
known kinds, so :func:`outbox_records` builds each column once, as that kind: the same
frame (columns, dtypes, values) in about a tenth of the time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from heatmap.domain.outbox import OUTBOX_INTEGERS, OUTBOX_TIMES
from heatmap.store.frames import outbox_frame, parse_utc

__all__ = ["outbox_records", "outbox_values"]

#: Time text as both stores keep it: UTC with microseconds (``iso_one``, PostGIS ``iso()``).
STORED_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
#: The kinds inference gives text and ``with_integers`` gives numbers (looked up once:
#: naming them by string costs a search of every registered kind per column).
TEXT = pd.api.types.pandas_dtype("str")
INTEGER = pd.Int64Dtype()


def outbox_records(rows: Sequence[Sequence[object]], names: Sequence[str]) -> pd.DataFrame:
    """A driver's outbox rows (``names``: their columns) exactly as :func:`outbox_frame`
    gives them from ``DataFrame.from_records``: times UTC (microseconds; a column with
    no time at all is in seconds, as parsing nothing leaves it), integers nullable, text
    as ``str`` (a column with no text at all stays ``object``, as inference leaves it).

    Rows holding anything the stores do not write (a number in a text column, time text
    of another form) go through ``from_records`` and :func:`outbox_frame`.
    """
    columns: list[tuple[object, ...]] = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    built: dict[str, Any] = {}
    for name, values in zip(names, columns, strict=True):
        column = _column(name, values)
        if column is None:
            return outbox_frame(pd.DataFrame.from_records(list(rows), columns=list(names)))
        built[name] = column
    return pd.DataFrame(built)


def _column(name: str, values: tuple[object, ...]) -> Any:
    """One column of the frame, built as its kind; None when a value is not of that kind."""
    if name in OUTBOX_TIMES:
        return _times(values)
    if name in OUTBOX_INTEGERS:
        whole = all(v is None or type(v) is int for v in values)
        return pd.array(list(values), dtype=INTEGER) if whole else None
    if not all(v is None or type(v) is str for v in values):
        return None
    if all(v is None for v in values):
        return np.array(values, dtype=object)
    return pd.array(list(values), dtype=TEXT)


def _times(values: tuple[object, ...]) -> pd.DatetimeIndex | None:
    """Stored time text as UTC timestamps; None for text of another form."""
    text: list[str] = []
    for value in values:
        if value is None:
            text.append("NaT")
        elif isinstance(value, str) and STORED_TIME.fullmatch(value):
            text.append(value[:-1])
        else:
            return None
    unit = "s" if all(v is None for v in values) else "us"
    return pd.DatetimeIndex(np.array(text, dtype=f"datetime64[{unit}]"), tz="UTC")


def outbox_values(row: Sequence[object], names: Sequence[str]) -> dict[str, object]:
    """One driver row of the outbox as the values its frame holds, ``None`` where missing:
    times as UTC timestamps, the rest as the driver gives them."""
    return {name: _time(v) if name in OUTBOX_TIMES else v for name, v in zip(names, row, strict=True)}


def _time(value: object) -> pd.Timestamp | None:
    if value is None:
        return None
    if isinstance(value, str) and STORED_TIME.fullmatch(value):
        return pd.Timestamp(value)
    parsed = parse_utc(pd.Series([value], dtype=object)).iloc[0]  # as the frame would read it
    return None if pd.isna(parsed) else pd.Timestamp(parsed)

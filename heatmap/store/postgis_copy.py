"""Frames to PostgreSQL ``COPY … FROM STDIN (FORMAT csv)`` payloads, built by Arrow.

Arrow's CSV writer quotes every text value (an empty text becomes ``""``) and leaves
nulls as bare empty fields, which is exactly how PostgreSQL's CSV ``COPY`` tells an
empty string from NULL. Times are written as UTC wall-clock times with microseconds
(read under ``TimeZone = UTC``), floats in their shortest round-trip form, so a value
comes back bit for bit.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg import Cursor, sql

#: Column kinds a payload knows how to write; the SQL type of each in a staging table.
SQL_TYPES: dict[str, str] = {
    "text": "text",
    "float": "double precision",
    "int": "bigint",
    "time": "timestamptz",
}


def text_array(values: pd.Series) -> pa.Array:
    """Text (None/NaN → null); values that are not text are written as ``str(value)``."""
    try:
        return pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        objects = values.astype(object)
        return pa.array(
            [None if _missing(v) else str(v) for v in objects.tolist()],
            type=pa.large_string(),
        )


def float_array(values: pd.Series) -> pa.Array:
    """Numbers as doubles; NaN and None become null (as SQLite stores them)."""
    if not pd.api.types.is_float_dtype(values.dtype):
        values = pd.to_numeric(values.astype(object).where(values.notna(), None))
    numbers = pd.Series(values).to_numpy(dtype=float, na_value=np.nan)
    return pa.array(numbers, type=pa.float64(), from_pandas=True)


def int_array(values: pd.Series) -> pa.Array:
    if not pd.api.types.is_integer_dtype(values.dtype):
        values = pd.to_numeric(values.astype(object).where(values.notna(), None))
    return pa.array(pd.array(values, dtype="Int64"), type=pa.int64())


def time_array(values: pd.Series) -> pa.Array:
    """Times as UTC wall-clock microseconds (Arrow writes zone-less times ~20x faster;
    :func:`copy_frame` reads them with the session time zone set to UTC)."""
    stamps = pd.to_datetime(values, utc=True).dt.floor("us").dt.tz_localize(None)
    return pa.array(stamps, type=pa.timestamp("us"), from_pandas=True)


_ARRAYS = {"text": text_array, "float": float_array, "int": int_array, "time": time_array}


def arrow_table(frame: pd.DataFrame, kinds: Mapping[str, str]) -> pa.Table:
    """The columns of ``kinds`` (in that order) as an Arrow table of COPY-ready types."""
    arrays = [_ARRAYS[kind](frame[name]) for name, kind in kinds.items()]
    return pa.Table.from_arrays(arrays, names=list(kinds))


def csv_chunks(table: pa.Table, rows: int = 32_768) -> Iterator[bytes]:
    """Headerless CSV of ``table``, ``rows`` rows at a time."""
    options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
    for batch in table.to_batches(max_chunksize=rows):
        sink = io.BytesIO()
        pa_csv.write_csv(batch, sink, options)
        yield sink.getvalue()


def csv_payload(frame: pd.DataFrame, kinds: Mapping[str, str]) -> bytes:
    """The rows of ``frame`` (columns and order of ``kinds``) as headerless CSV."""
    return b"".join(csv_chunks(arrow_table(frame, kinds)))


def copy_frame(
    cursor: Cursor[tuple[object, ...]],
    table: str,
    frame: pd.DataFrame,
    kinds: Mapping[str, str],
) -> None:
    """``COPY table (columns of kinds) FROM STDIN`` with the rows of ``frame``.

    The payload is made chunk by chunk while the server parses the chunks before.
    """
    data = arrow_table(frame, kinds)
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, kinds))
    )
    cursor.execute("SET LOCAL TimeZone = 'UTC'")  # times in the payload are UTC
    with cursor.copy(statement) as copy:
        for chunk in csv_chunks(data):
            copy.write(chunk)


def create_staging(
    cursor: Cursor[tuple[object, ...]], table: str, kinds: Mapping[str, str]
) -> None:
    """A temporary table (dropped at commit) with a ``seq`` column numbering rows as copied.

    One made earlier in the same transaction (by an earlier part) is replaced."""
    cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier("pg_temp", table)))
    columns = [
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(SQL_TYPES[kind]))
        for name, kind in kinds.items()
    ]
    cursor.execute(
        sql.SQL(
            "CREATE TEMPORARY TABLE {} (seq bigint GENERATED ALWAYS AS IDENTITY, {})"
            " ON COMMIT DROP"
        ).format(sql.Identifier(table), sql.SQL(", ").join(columns))
    )


def stage(
    cursor: Cursor[tuple[object, ...]], table: str, frame: pd.DataFrame, kinds: Mapping[str, str]
) -> None:
    """Create the staging table ``table`` and COPY ``frame`` into it."""
    create_staging(cursor, table, kinds)
    copy_frame(cursor, table, frame, kinds)


def last_per_key(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Rows of ``frame`` with the last one kept where ``key`` repeats (row-by-row writes win last)."""
    return frame[~frame[key].duplicated(keep="last")]


def columns_sql(names: Sequence[str], prefix: str = "") -> sql.Composable:
    """``prefix.a, prefix.b, …`` as quoted identifiers."""
    if prefix:
        return sql.SQL(", ").join(sql.Identifier(prefix, n) for n in names)
    return sql.SQL(", ").join(sql.Identifier(n) for n in names)


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False

"""Frames to PostgreSQL ``COPY … FROM STDIN (FORMAT binary)`` payloads, built by Arrow.

A frame becomes an Arrow table of COPY-ready types (text, double, bigint, UTC
microsecond times), which pgpq encodes in PostgreSQL's binary COPY format: the server
stores each field as sent instead of parsing text, so times and floats come back bit
for bit and a bulk write costs the server about half what CSV does. Nulls stay nulls
and an empty text stays an empty text.

A load that at least doubles the complaints table drops their secondary indexes and
builds them again after the inserts (:func:`indexes_to_rebuild`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import pgpq
import psycopg
import pyarrow as pa
from psycopg import Cursor, sql

from heatmap.store import writes
from heatmap.store.postgis.schema import Cur, one
from heatmap.store.writes import INGEST_ADDS_NOTHING

#: Column kinds a payload knows how to write; the SQL type of each in a staging table.
SQL_TYPES: dict[str, str] = {
    "text": "text",
    "float": "double precision",
    "int": "bigint",
    "int32": "integer",
    "time": "timestamptz",
}


def text_array(values: pd.Series) -> pa.Array:
    """Text (None/NaN → null); values that are not text are written as ``str(value)``."""
    if pd.api.types.is_numeric_dtype(values.dtype):  # e.g. a column of NaN only
        values = values.astype(object)
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


def int32_array(values: pd.Series) -> pa.Array:
    """Whole numbers for an ``integer`` column; one out of its range is an error."""
    return int_array(values).cast(pa.int32())


def time_array(values: pd.Series) -> pa.Array:
    """Times as UTC microseconds (binary ``timestamptz`` is microseconds since 2000 UTC)."""
    stamps = pd.to_datetime(values, utc=True).dt.floor("us")
    return pa.array(stamps, type=pa.timestamp("us", tz="UTC"), from_pandas=True)


_ARRAYS = {
    "text": text_array,
    "float": float_array,
    "int": int_array,
    "int32": int32_array,
    "time": time_array,
}


def arrow_table(frame: pd.DataFrame, kinds: Mapping[str, str]) -> pa.Table:
    """The columns of ``kinds`` (in that order) as an Arrow table of COPY-ready types."""
    arrays = [_ARRAYS[kind](frame[name]) for name, kind in kinds.items()]
    return pa.Table.from_arrays(arrays, names=list(kinds))


def binary_chunks(table: pa.Table, rows: int = 32_768) -> Iterator[bytes]:
    """``table`` in PostgreSQL's binary COPY format (header, tuples, trailer), ``rows`` rows
    at a time."""
    encoder = pgpq.ArrowToPostgresBinaryEncoder(table.schema)
    yield bytes(encoder.write_header())
    for batch in table.to_batches(max_chunksize=rows):
        yield bytes(encoder.write_batch(batch))
    yield bytes(encoder.finish())


def encode_frame(frame: pd.DataFrame, kinds: Mapping[str, str]) -> list[bytes]:
    """The rows of ``frame`` (columns of ``kinds``) as a binary COPY payload. A column's SQL
    type must take the binary form of its kind (``int`` is ``bigint``)."""
    return list(binary_chunks(arrow_table(frame, kinds)))


def copy_payload(
    cursor: Cursor[tuple[object, ...]], table: str, columns: Iterable[str], payload: Iterable[bytes]
) -> None:
    """``COPY table (columns) FROM STDIN (FORMAT binary)`` with a payload made by
    :func:`encode_frame` or :func:`binary_chunks`."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cursor.copy(statement) as copy:
        for chunk in payload:
            copy.write(chunk)


def copy_frame(
    cursor: Cursor[tuple[object, ...]],
    table: str,
    frame: pd.DataFrame,
    kinds: Mapping[str, str],
) -> None:
    """``COPY table (columns of kinds) FROM STDIN`` with the rows of ``frame``; the payload
    is encoded chunk by chunk while the server stores the chunks before."""
    copy_payload(cursor, table, kinds, binary_chunks(arrow_table(frame, kinds)))


def create_staging(cursor: Cursor[tuple[object, ...]], table: str, kinds: Mapping[str, str]) -> None:
    """A temporary table (dropped at commit) with a ``seq`` column numbering rows as copied.

    One made earlier in the same transaction (by an earlier part) is replaced."""
    cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier("pg_temp", table)))
    columns = [
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(SQL_TYPES[kind]))
        for name, kind in kinds.items()
    ]
    cursor.execute(
        sql.SQL(
            "CREATE TEMPORARY TABLE {} (seq bigint GENERATED ALWAYS AS IDENTITY, {}) ON COMMIT DROP"
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


def indexes_to_rebuild(cursor: Cur, rows: int) -> list[tuple[str, str]]:
    """An ingest that at least doubles the table rebuilds the secondary indexes afterwards
    instead of growing them row by row (much faster for a first load; the table is
    locked for the rest of the transaction). Returns what it dropped."""
    if rows < writes.REBUILD_MIN_ROWS:
        return []
    cursor.execute("SELECT count(*) FROM (SELECT FROM complaints LIMIT %s) AS t", (rows,))
    if one(cursor) >= rows:
        return []
    return drop_secondary_indexes(cursor)


def drop_secondary_indexes(cursor: Cur) -> list[tuple[str, str]]:
    """Drop the non-unique indexes of complaints; ``(name, CREATE INDEX …)`` of each.

    Nothing is dropped (and the caller inserts row by row) when the store's role may
    not, or when readers hold the table longer than a moment.
    """
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
        " WHERE indrelid = 'complaints'::regclass AND NOT indisunique AND NOT indisprimary"
        " AND indexrelid::regclass::text <> ALL(%s) ORDER BY indexrelid",
        (list(INGEST_ADDS_NOTHING),),
    )
    indexes = [(str(r[0]), str(r[1])) for r in cursor.fetchall()]
    try:
        with cursor.connection.transaction():
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            for name, _ in indexes:
                cursor.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
            cursor.execute("SET LOCAL lock_timeout = 0")
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.LockNotAvailable):
        return []
    return indexes

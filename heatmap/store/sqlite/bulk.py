"""Bulk complaint inserts into SQLite without binding values one by one in Python.

Python's ``sqlite3`` binds every parameter of every row through the interpreter;
for a CRM export that costs more than the insert itself. So a file store runs its
ingest transactions on a second connection, through ADBC's SQLite driver, which
binds a whole Arrow table in C (and lets go of the GIL while it does). The SQL is
the same on both drivers; only the insert of new rows differs.

ADBC's driver links its own copy of SQLite. SQLite's documentation warns that two
copies in one process must never have the same file open at the same time (closing
the file in one copy drops the POSIX locks the other holds), so the store closes
its own connection for the length of a bulk ingest, and small batches (one
complaint from the API) stay on the main connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

import adbc_driver_sqlite.dbapi as adbc
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from heatmap.core.ingest import COMPLAINT_COLUMNS
from heatmap.store import writes
from heatmap.store.writes import INGEST_ADDS_NOTHING

#: Batches from this many rows go through ADBC; smaller ones bind row by row.
BULK_MIN_ROWS = 5_000
#: Columns a new complaint is written with, in order.
INSERT_COLUMNS: tuple[str, ...] = (*COMPLAINT_COLUMNS, "precision", "geo_score", "ingested_at", "updated_at")


def complaint_table(complaints: pd.DataFrame, at: str | None) -> pa.Table:
    """New complaints as the Arrow table the store writes: times as ISO UTC text."""
    n = len(complaints)
    columns: dict[str, pa.Array] = {}
    for name in COMPLAINT_COLUMNS:
        values = complaints[name]
        if name == "created_at":
            stamps = pa.array(values.dt.tz_convert("UTC").dt.tz_localize(None).dt.as_unit("us"))
            text = pc.replace_substring(pc.cast(stamps, pa.string()), " ", "T", max_replacements=1)
            columns[name] = pc.binary_join_element_wise(text, "Z", "")
        elif pd.api.types.is_float_dtype(values):
            columns[name] = pa.array(values.to_numpy(dtype=float), from_pandas=True)
        else:
            columns[name] = pa.array(values, type=pa.string(), from_pandas=True)
    located = complaints["lat"].notna().to_numpy()
    columns["precision"] = pc.if_else(pa.array(located), "point", pa.scalar(None, pa.string()))
    columns["geo_score"] = pa.array(np.where(located, 1.0, np.nan), from_pandas=True)
    columns["ingested_at"] = pa.array([at] * n, type=pa.string())
    columns["updated_at"] = columns["ingested_at"]
    return pa.table(columns)


def connect_bulk(path: str) -> adbc.Connection:
    """A second connection to the store's file, through ADBC's SQLite driver, for ingests.

    It runs whole ingest transactions itself (``BEGIN IMMEDIATE`` … ``COMMIT``), so the
    driver is left in autocommit mode and told the same settings as the main connection.
    """
    connection = adbc.connect(path, autocommit=True)
    with connection.cursor() as cursor:
        for pragma in (
            "busy_timeout = 60000",
            "foreign_keys = ON",
            "synchronous = NORMAL",
            "cache_size = -65536",
        ):
            cursor.execute(f"PRAGMA {pragma}")
    return connection


def stored_hashes(cursor: Any, tickets: Sequence[str]) -> pd.DataFrame:
    """``ticket_id, content_hash`` of those ``tickets`` that are stored (one query, any count)."""
    cursor.execute(
        "SELECT ticket_id, content_hash FROM complaints WHERE ticket_id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(tickets)),),
    )
    return pd.DataFrame(cursor.fetchall(), columns=["ticket_id", "content_hash"])


def indexes_to_rebuild(cursor: Any, rows: int) -> list[str]:
    """Drop the secondary indexes of complaints when ``rows`` new ones will at least double
    the table (inside the ingest's transaction, so a rollback brings them back); returns
    the ``CREATE INDEX`` statements to run after the inserts. Sorting once is cheaper
    than growing a B-tree row by row."""
    if rows < writes.REBUILD_MIN_ROWS:
        return []
    cursor.execute("SELECT count(*) FROM (SELECT 1 FROM complaints LIMIT ?)", (rows,))
    if cursor.fetchone()[0] >= rows:
        return []
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
        " AND tbl_name = 'complaints' AND sql IS NOT NULL ORDER BY name"
    )
    found = [(str(name), str(sql)) for name, sql in cursor.fetchall() if name not in INGEST_ADDS_NOTHING]
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def append_complaints(cursor: Any, table: pa.Table) -> None:
    """INSERT new complaints: bound in C by ADBC, or row by row on a plain ``sqlite3`` cursor."""
    if isinstance(cursor, adbc.Cursor):
        cursor.adbc_ingest("complaints", table, mode="append")
    else:
        insert_rows(cursor, table)


def insert_rows(cursor: sqlite3.Cursor, table: pa.Table, *, per_statement: int = 40) -> None:
    """INSERT rows by binding them in Python: small batches, and an in-memory store (which
    has no file an ADBC connection could open)."""
    names = list(table.column_names)
    rows = list(zip(*(table.column(n).to_pylist() for n in names), strict=True))
    one = "(" + ", ".join("?" * len(names)) + ")"
    head = f"INSERT INTO complaints ({', '.join(names)}) VALUES "
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        cursor.execute(head + ", ".join([one] * len(chunk)), [v for row in chunk for v in row])

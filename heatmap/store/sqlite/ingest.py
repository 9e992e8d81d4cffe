"""The SQLite store's ingest: the write side of :class:`heatmap.store.ComplaintStore`.

A batch is compared with the stored tickets inside its one ``BEGIN IMMEDIATE``
transaction (:func:`heatmap.core.ingest.plan_upsert`); a big batch on a file store runs
on an ADBC connection (:mod:`heatmap.store.sqlite.bulk`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import suppress
from typing import Any

import adbc_driver_sqlite.dbapi as adbc
import numpy as np
import pandas as pd
import pyarrow as pa

from heatmap.core.ingest import COMPLAINT_COLUMNS, maybe_stored, plan_upsert
from heatmap.errors import ConflictError, StoreError
from heatmap.store.frames import iso_one, iso_utc
from heatmap.store.sqlite import bulk
from heatmap.store.sqlite.bulk import (
    BULK_MIN_ROWS,
    append_complaints,
    complaint_table,
    connect_bulk,
    stored_hashes,
)
from heatmap.store.sqlite.schema import SQLiteBase
from heatmap.store.write_behind import write_behind_prepared
from heatmap.store.writes import IngestPart, IngestWrite, changing_refused


class SQLiteIngest(SQLiteBase):
    """Ingest batches (:meth:`apply_ingest`) and the stored hashes they are compared with."""

    def complaint_hashes(self, ticket_ids: Sequence[str]) -> pd.DataFrame:
        self._require_schema()
        return stored_hashes(self._db.cursor(), ticket_ids)

    def apply_ingest(self, batch: IngestWrite) -> dict[str, int]:
        self._require_schema()
        at = iso_one(batch.at)
        counts = dict.fromkeys(("inserted", "updated", "unchanged", "quarantined"), 0)
        try:
            if self.path != ":memory:" and batch.read >= BULK_MIN_ROWS:
                self._ingest_in_bulk(batch, at, counts)
            else:
                cursor = self._db.cursor()
                try:
                    self._ingest(cursor, batch, at, counts)
                finally:
                    cursor.close()
        except (sqlite3.Error, adbc.Error) as exc:
            if _interrupted(exc):
                raise KeyboardInterrupt from None
            raise StoreError(
                f"ingest of {batch.source} failed and was rolled back, nothing of it was stored: {exc}"
            ) from exc
        return {"read": batch.read, **counts}

    def _ingest_in_bulk(self, batch: IngestWrite, at: str | None, counts: dict[str, int]) -> None:
        """The ingest on an ADBC connection, with this store's own connection closed meanwhile.

        ADBC's driver carries its own copy of SQLite. Two copies in one process must not
        have the same file open at once: closing a file in one drops the POSIX locks the
        other holds on it, which is how SQLite databases get corrupted.
        """
        self._db.close()
        try:
            bulk = connect_bulk(self.path)
            try:
                with bulk.cursor() as cursor:
                    self._ingest(cursor, batch, at, counts)
            finally:
                bulk.close()
        finally:
            self._db = self._connect()

    def _ingest(self, cursor: Any, batch: IngestWrite, at: str | None, counts: dict[str, int]) -> None:
        cursor.execute("BEGIN IMMEDIATE")
        try:
            cursor.execute(
                "INSERT INTO ingests (source, at, read, inserted, updated, unchanged, quarantined)"
                " VALUES (?, ?, ?, 0, 0, 0, 0) RETURNING id",
                (batch.source, at, batch.read),
            )
            ingest_id = int(cursor.fetchone()[0])
            # Only tickets that sort at or before the greatest stored one are looked up
            # (none in a first load); the parts of one export hold distinct tickets.
            cursor.execute("SELECT max(ticket_id) FROM complaints")
            greatest = cursor.fetchone()[0]
            rebuild = bulk.indexes_to_rebuild(cursor, batch.read)

            def write(part: IngestPart, as_new: pa.Table | None) -> bool:
                written = _write_part(
                    cursor,
                    part,
                    as_new,
                    at,
                    ingest_id,
                    greatest,
                    actor=batch.actor,
                    may_update=batch.may_update,
                )
                for name, n in written.items():
                    counts[name] += n
                return written["inserted"] == len(part.complaints)

            # Parts are made into Arrow tables (as all new) by the thread that validates them.
            write_behind_prepared(batch.parts(), lambda part: complaint_table(part.complaints, at), write)
            for definition in rebuild:
                cursor.execute(definition)
            cursor.execute(
                "UPDATE ingests SET inserted = ?, updated = ?, unchanged = ?, quarantined = ? WHERE id = ?",
                (*counts.values(), ingest_id),
            )
        except BaseException:
            with suppress(sqlite3.Error, adbc.Error):  # a broken connection has rolled back
                cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")


def _write_part(
    cursor: Any,
    part: IngestPart,
    as_new: pa.Table | None,
    at: str | None,
    ingest_id: int,
    greatest: str | None,
    *,
    actor: str | None = None,
    may_update: bool = True,
) -> dict[str, int]:
    """One part of an ingest; ``as_new`` is all its complaints as new rows, if made."""
    complaints = part.complaints
    tickets = complaints["ticket_id"]
    stored = stored_hashes(cursor, tickets[maybe_stored(tickets, greatest)].tolist())
    plan = plan_upsert(complaints, stored)
    if len(plan.updates) and not may_update:
        raise ConflictError(changing_refused(plan.updates["ticket_id"]))
    if len(plan.inserts) == len(complaints) and as_new is not None:
        append_complaints(cursor, as_new)
    elif len(plan.inserts):
        append_complaints(cursor, complaint_table(plan.inserts, at))
    if len(plan.updates):
        _update_complaints(cursor, plan.updates, at, ingest_id)
    if actor is not None:
        _record_actor(cursor, plan.inserts, plan.updates, at, ingest_id, actor)
    q = part.quarantine
    if len(q):
        cursor.executemany(
            "INSERT OR IGNORE INTO quarantine (ingest_id, source, line, raw, reasons, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            list(
                zip(
                    [ingest_id] * len(q),
                    q["source"].tolist(),
                    q["line"].astype(int).tolist(),
                    q["raw"].tolist(),
                    q["reasons"].tolist(),
                    [at] * len(q),
                    strict=True,
                )
            ),
        )
    return {
        "inserted": len(plan.inserts),
        "updated": len(plan.updates),
        "unchanged": plan.unchanged,
        "quarantined": len(q),
    }


def _update_complaints(cursor: Any, updates: pd.DataFrame, at: str | None, ingest_id: int | None) -> None:
    fields = ", ".join(f"'{c}', {c}" for c in COMPLAINT_COLUMNS if c != "ticket_id")
    cursor.executemany(
        "INSERT INTO complaint_changes (ticket_id, ingest_id, at, old_hash, new_hash,"
        f" old_values) SELECT ticket_id, ?, ?, content_hash, ?, json_object({fields})"
        " FROM complaints WHERE ticket_id = ?",
        list(
            zip(
                [ingest_id] * len(updates),
                [at] * len(updates),
                updates["content_hash"].tolist(),
                updates["ticket_id"].tolist(),
                strict=True,
            )
        ),
    )
    assignments = ", ".join(f"{c} = ?" for c in COMPLAINT_COLUMNS if c != "ticket_id")
    rows = _complaint_matrix(updates, at).tolist()
    # A changed ticket is placed again: its CRM point if it now has one (SET
    # expressions see the old row, so the new lat comes in as a parameter),
    # else it waits for geocoding.
    lat = COMPLAINT_COLUMNS.index("lat")
    cursor.executemany(
        f"UPDATE complaints SET {assignments}, updated_at = ?,"
        " precision = CASE WHEN ? IS NOT NULL THEN 'point' END,"
        " geo_score = CASE WHEN ? IS NOT NULL THEN 1.0 END,"
        " matched_address = NULL, geo_reason = NULL WHERE ticket_id = ?",
        [(*r[1 : len(COMPLAINT_COLUMNS)], at, r[lat], r[lat], r[0]) for r in rows],
    )


def _record_actor(
    cursor: Any, inserts: pd.DataFrame, updates: pd.DataFrame, at: str | None, ingest_id: int, actor: str
) -> None:
    """Name ``actor`` on the changes this ingest recorded, and record its inserts (schema 8)."""
    cursor.executemany(
        "INSERT INTO complaint_changes (ticket_id, ingest_id, at, new_hash, kind, actor)"
        " VALUES (?, ?, ?, ?, 'inserted', ?)",
        [
            (t, ingest_id, at, h, actor)
            for t, h in zip(inserts["ticket_id"].tolist(), inserts["content_hash"].tolist(), strict=True)
        ],
    )
    cursor.executemany(
        "UPDATE complaint_changes SET actor = ? WHERE ticket_id = ? AND ingest_id = ?",
        [(actor, t, ingest_id) for t in updates["ticket_id"].tolist()],
    )


def _complaint_matrix(frame: pd.DataFrame, at: str | None) -> np.ndarray:
    """Changed complaints as a 2-D object array, missing values as None."""
    columns = frame.loc[:, list(COMPLAINT_COLUMNS)].copy()
    columns["created_at"] = iso_utc(columns["created_at"])
    return np.asarray(columns.astype(object).where(columns.notna(), None).to_numpy(dtype=object))


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is ADBC's word for Ctrl-C. On SIGINT during a call ADBC tries to cancel
    it, which SQLite's driver does not implement: the statement runs to its end (a COMMIT
    commits) and the failed cancel is raised after it, caused by the interrupt."""
    return isinstance(exc, adbc.Error) and any(
        isinstance(cause, KeyboardInterrupt) for cause in (exc.__cause__, exc.__context__)
    )

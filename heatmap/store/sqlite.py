"""SQLite store: the embedded default. Needs nothing beyond Python."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from heatmap.closeout.schema import (
    NEW_OUTBOX_COLUMNS,
    OUTBOX_COLUMNS,
    OUTBOX_INTEGERS,
    OUTBOX_TIMES,
    RATING_ROW_COLUMNS,
)
from heatmap.core.coverage import COVERAGE_COLUMNS
from heatmap.core.ingest import COMPLAINT_COLUMNS, maybe_stored, plan_upsert
from heatmap.core.network import ALARM_COLUMNS, SITE_COLUMNS
from heatmap.errors import ConflictError, MigrationError, StoreError
from heatmap.store.base import (
    CHANGE_COLUMNS,
    CHANGES_SCHEMA,
    EVENT_COLUMNS,
    STORED_COMPLAINT_COLUMNS,
    ApiKeyRecord,
    IngestPart,
    IngestWrite,
    SpotChanges,
    changing_refused,
    spot_columns_at,
    spots_to_store,
    typed_spot_measures,
    write_behind_prepared,
)
from heatmap.store.coverage import COVERAGE_SCHEMA, checked_coverage, coverage_frame
from heatmap.store.exposure import EXPOSURE_SCHEMA, check_source, checked_layer, exposure_frame
from heatmap.store.frames import (
    breakdown_from_json,
    breakdown_to_json,
    geometry_from_wkt,
    geometry_to_wkt,
    iso_one,
    iso_utc,
    nullable,
    parse_utc,
)
from heatmap.store.purge import purge_statements
from heatmap.store.secrets import hash_key
from heatmap.store.sqlite_bulk import (
    BULK_MIN_ROWS,
    adbc,
    append_complaints,
    complaint_table,
    connect_bulk,
    indexes_to_rebuild,
    stored_hashes,
)

_TIME_COLUMNS = ("created_at", "ingested_at", "updated_at")
_SPOT_TIMES = ("first_complaint_at", "last_complaint_at", "due_at", "eta", "created_at", "updated_at")
_CHUNK = 900  # below SQLite's default limit of host parameters


def migrations(dialect: str) -> list[tuple[int, str, str]]:
    """``(version, name, sql)`` of the packaged migrations for ``dialect``, in order."""
    folder = resources.files("heatmap.store") / "migrations" / dialect
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class SQLiteStore:
    """:class:`heatmap.store.base.Store` on a SQLite file."""

    def __init__(self, url: str) -> None:
        self.url = url
        path = url.removeprefix("sqlite:").removeprefix("//")
        path = path.removeprefix("/") if path.startswith("/") and not path.startswith("//") else path
        self.path = path or ":memory:"
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        try:
            # One ingest writes from a helper thread while its caller validates the
            # next part (never both at once): the connection may cross threads.
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            # Big pages suit a store that takes exports in bulk; SQLite applies this only
            # to a new, empty file (an existing store keeps the page size it was made with).
            db.execute("PRAGMA page_size = 16384")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            # Room for a whole ingest part's pages: spilling them mid-transaction
            # doubles the writes of a big import.
            db.execute("PRAGMA cache_size = -65536")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {self.url}: {exc}") from exc
        return db

    # --- plumbing -------------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Cursor]:
        cursor = self._db.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor
        except BaseException:
            self._db.rollback()
            raise
        else:
            self._db.commit()

    def _frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        cursor = self._db.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description]
        return pd.DataFrame.from_records(cursor.fetchall(), columns=names)

    def _require_schema(self, version: int = 1) -> None:
        current = self.schema_version()
        if current == 0:
            raise MigrationError(f"{self.url} has no schema yet: run `heatmap init` first")
        if current < version:
            raise MigrationError(
                f"{self.url} is at schema {current}, this needs {version}: run `heatmap db upgrade` first"
            )

    # --- schema ---------------------------------------------------------------------
    def schema_version(self) -> int:
        row = self._db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
        ).fetchone()
        if row is None:
            return 0
        value = self._db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
        return int(value or 0)

    def upgrade(self) -> list[int]:
        applied: list[int] = []
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        current = self.schema_version()
        known = migrations("sqlite")
        if known and current > known[-1][0]:
            raise MigrationError(
                f"{self.url} is at schema {current}, newer than this version of Teplokarty "
                f"knows ({known[-1][0]}): upgrade the package"
            )
        for version, name, sql in known:
            if version <= current:
                continue
            try:
                with self._tx() as cursor:
                    for statement in _statements(sql):
                        cursor.execute(statement)
                    if version == 1:
                        cursor.execute(
                            "INSERT INTO meta (key, value) VALUES ('secret', ?)",
                            (secrets.token_hex(32),),
                        )
                    cursor.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, datetime('now'))",
                        (version, name),
                    )
            except sqlite3.Error as exc:
                raise MigrationError(f"migration {name} failed: {exc}") from exc
            applied.append(version)
        return applied

    def secret(self) -> bytes:
        self._require_schema()
        row = self._db.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
        return hash_key(bytes.fromhex(row[0]))

    def purge_personal_data(self, *, before: datetime) -> dict[str, int]:
        """Remove the personal data of closed complaints made before ``before``
        (:mod:`heatmap.store.purge`); rows changed per table."""
        self._require_schema()
        removed: dict[str, int] = {}
        with self._tx() as cursor:
            for table, statement, params in purge_statements("sqlite", str(iso_one(before))):
                cursor.execute(statement, params)
                removed[table] = cursor.rowcount
        return removed

    # --- complaints -----------------------------------------------------------------
    def complaint_hashes(self, ticket_ids: Sequence[str]) -> pd.DataFrame:
        self._require_schema()
        return self._hashes(self._db.cursor(), ticket_ids)

    def _hashes(self, cursor: sqlite3.Cursor, ticket_ids: Sequence[str]) -> pd.DataFrame:
        rows: list[tuple[str, str]] = []
        ids = list(ticket_ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            cursor.execute(
                f"SELECT ticket_id, content_hash FROM complaints WHERE ticket_id IN ({marks})",
                chunk,
            )
            rows.extend(cursor.fetchall())
        return pd.DataFrame(rows, columns=["ticket_id", "content_hash"])

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
            rebuild = indexes_to_rebuild(cursor, batch.read)

            def write(part: IngestPart, as_new: pa.Table | None) -> bool:
                written = self._write_part(
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
        self,
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
            self._update_complaints(cursor, plan.updates, at, ingest_id)
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

    def _update_complaints(
        self, cursor: Any, updates: pd.DataFrame, at: str | None, ingest_id: int | None
    ) -> None:
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

    def load_complaints(
        self,
        *,
        since: datetime | None = None,
        pending_geocode: bool = False,
        ticket_ids: Sequence[str] | None = None,
        spot_ids: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        self._require_schema()
        where: list[str] = ["1 = 1"]
        params: list[object] = []
        if spot_ids is not None:
            spots = list(spot_ids)
            where.append(f"spot_id IN ({','.join('?' * len(spots))})")
            params.extend(spots)
        if since is not None:
            where.append("created_at >= ?")
            params.append(iso_one(since))
        if pending_geocode:
            where.append("precision IS NULL")
        sql = f"SELECT {', '.join(STORED_COMPLAINT_COLUMNS)} FROM complaints WHERE "
        if ticket_ids is not None:
            parts = []
            ids = list(ticket_ids)
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                clause = " AND ".join([*where, f"ticket_id IN ({','.join('?' * len(chunk))})"])
                parts.append(self._frame(sql + clause, [*params, *chunk]))
            frame = pd.concat(parts, ignore_index=True) if parts else self._frame(sql + "0 = 1")
        else:
            frame = self._frame(sql + " AND ".join(where) + " ORDER BY created_at", params)
        for name in _TIME_COLUMNS:
            frame[name] = parse_utc(frame[name])
        for name in ("ltv", "lat", "lon", "geo_score"):
            frame[name] = pd.to_numeric(frame[name]).astype(float)
        return frame

    def load_complaint_changes(self, ticket_ids: Sequence[str] | None = None) -> pd.DataFrame:
        self._require_schema(CHANGES_SCHEMA)
        sql = (
            "SELECT c.ticket_id, c.at, c.kind, c.actor, i.source, c.old_hash, c.new_hash"
            " FROM complaint_changes AS c JOIN ingests AS i ON i.id = c.ingest_id"
        )
        ids = None if ticket_ids is None else list(ticket_ids)
        if ids is not None:
            sql += f" WHERE c.ticket_id IN ({','.join('?' * len(ids)) or 'NULL'})"
        frame = self._frame(sql + " ORDER BY c.id", ids or ())
        frame["at"] = parse_utc(frame["at"])
        return frame.reindex(columns=list(CHANGE_COLUMNS))

    def save_geocodes(self, geocodes: pd.DataFrame) -> None:
        self._require_schema()
        columns = ("lat", "lon", "precision", "geo_score", "matched_address", "geo_reason")
        with self._tx() as cursor:
            cursor.executemany(
                f"UPDATE complaints SET {', '.join(f'{c} = ?' for c in columns)} WHERE ticket_id = ?",
                zip(*(nullable(geocodes[c]) for c in (*columns, "ticket_id")), strict=True),
            )

    def load_quarantine(self, *, limit: int | None = None) -> pd.DataFrame:
        self._require_schema()
        sql = "SELECT id, source, line, reasons, raw, at FROM quarantine ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._frame(sql)

    # --- spots ----------------------------------------------------------------------
    def load_spots(
        self, *, statuses: Collection[str] | None = None, ids: Collection[str] | None = None
    ) -> pd.DataFrame:
        self._require_schema()
        where, params = ["1 = 1"], []
        for column, values in (("status", statuses), ("id", ids)):
            if values is not None:
                values = list(values)
                where.append(f"{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        columns = spot_columns_at(self.schema_version())
        frame = self._frame(
            f"SELECT {', '.join(columns)} FROM spots WHERE "
            + " AND ".join(where)
            + " ORDER BY priority DESC, id",
            params,
        )
        frame["geometry"] = geometry_from_wkt(frame["geometry"])
        frame["breakdown"] = breakdown_from_json(frame["breakdown"])
        frame["escalated"] = frame["escalated"].astype(bool)
        for name in _SPOT_TIMES:
            frame[name] = parse_utc(frame[name])
        return typed_spot_measures(frame)

    def load_events(self, spot_id: str | None = None) -> pd.DataFrame:
        self._require_schema()
        sql = f"SELECT {', '.join(EVENT_COLUMNS)} FROM spot_events"
        params: list[object] = []
        if spot_id is not None:
            sql += " WHERE spot_id = ?"
            params.append(spot_id)
        frame = self._frame(sql + " ORDER BY id", params)
        frame["at"] = parse_utc(frame["at"])
        frame["eta"] = parse_utc(frame["eta"])
        return frame

    def apply_spot_changes(self, changes: SpotChanges) -> None:
        self._require_schema()
        spots = spots_to_store(changes.spots).copy()
        spots["geometry"] = geometry_to_wkt(spots["geometry"])
        spots["breakdown"] = breakdown_to_json(spots["breakdown"])
        spots["escalated"] = spots["escalated"].fillna(False).astype(bool).astype(int)
        for name in _SPOT_TIMES:
            spots[name] = iso_utc(spots[name])
        columns = spot_columns_at(self.schema_version())
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
        with self._tx() as cursor:
            self._check_expected(cursor, changes.expected)
            cursor.executemany(
                f"INSERT INTO spots ({', '.join(columns)}) VALUES"
                f" ({', '.join('?' * len(columns))}) ON CONFLICT (id) DO UPDATE SET {updates}",
                zip(*(nullable(spots[c]) for c in columns), strict=True),
            )
            members = changes.members
            cursor.executemany(
                "UPDATE complaints SET spot_id = ? WHERE ticket_id = ?",
                zip(nullable(members["spot_id"]), members["ticket_id"].tolist(), strict=True),
            )
            events = changes.events.loc[:, list(EVENT_COLUMNS)].copy()
            events["at"] = iso_utc(events["at"])
            events["eta"] = iso_utc(events["eta"])
            cursor.executemany(
                f"INSERT INTO spot_events ({', '.join(EVENT_COLUMNS)}) VALUES"
                f" ({', '.join('?' * len(EVENT_COLUMNS))})",
                zip(*(nullable(events[c]) for c in EVENT_COLUMNS), strict=True),
            )
            cursor.execute(
                "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'spots_version'"
            )  # API index freshness (schema 3)
            if changes.outbox is not None and len(changes.outbox):
                self._insert_outbox(cursor, changes.outbox)  # close-out (schema 4)

    @staticmethod
    def _check_expected(cursor: sqlite3.Cursor, expected: dict[str, str]) -> None:
        ids = list(expected)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            cursor.execute(f"SELECT id, status FROM spots WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            stored = dict(cursor.fetchall())
            for spot_id in chunk:
                if stored.get(spot_id) != expected[spot_id]:
                    raise ConflictError(
                        f"spot {spot_id} changed meanwhile (now {stored.get(spot_id, 'gone')}, "
                        f"expected {expected[spot_id]}): reload and try again"
                    )

    # --- network --------------------------------------------------------------------
    def replace_network(
        self, *, sites: pd.DataFrame | None = None, alarms: pd.DataFrame | None = None
    ) -> None:
        self._require_schema()
        with self._tx() as cursor:
            if sites is not None:
                cursor.execute("DELETE FROM sites")
                cursor.executemany(
                    f"INSERT INTO sites ({', '.join(SITE_COLUMNS)}) VALUES"
                    f" ({', '.join('?' * len(SITE_COLUMNS))})",
                    zip(*(nullable(sites[c]) for c in SITE_COLUMNS), strict=True),
                )
            if alarms is not None:
                frame = alarms.loc[:, list(ALARM_COLUMNS)].copy()
                frame["start"] = iso_utc(frame["start"])
                frame["end"] = iso_utc(frame["end"])
                cursor.execute("DELETE FROM alarms")
                cursor.executemany(
                    'INSERT INTO alarms (site_id, severity, start, "end", kind, text)'
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    zip(*(nullable(frame[c]) for c in ALARM_COLUMNS), strict=True),
                )

    def load_sites(self) -> pd.DataFrame:
        self._require_schema()
        frame = self._frame(f"SELECT {', '.join(SITE_COLUMNS)} FROM sites ORDER BY site_id")
        for name in ("lat", "lon", "azimuth"):
            frame[name] = pd.to_numeric(frame[name]).astype(float)
        return frame

    def load_alarms(self) -> pd.DataFrame:
        self._require_schema()
        frame = self._frame('SELECT site_id, severity, start, "end", kind, text FROM alarms ORDER BY id')
        frame["start"] = parse_utc(frame["start"])
        frame["end"] = parse_utc(frame["end"])
        return frame

    # --- exposure -------------------------------------------------------------------
    def replace_exposure(self, source: str, layer: pd.DataFrame) -> None:
        rows = checked_layer(source, layer)
        self._require_schema(EXPOSURE_SCHEMA)
        try:
            with self._tx() as cursor:
                cursor.execute("DELETE FROM exposure WHERE source = ?", (source,))
                cursor.executemany(
                    "INSERT INTO exposure (source, h3_cell, weight) VALUES (?, ?, ?)",
                    zip([source] * len(rows), rows["h3_cell"].tolist(), rows["weight"].tolist(), strict=True),
                )
        except sqlite3.Error as exc:
            raise StoreError(
                f"replacing the {source} exposure layer failed on {self.url} and"
                f" was rolled back, nothing of it was stored: {exc}"
            ) from exc

    def load_exposure(self, source: str) -> pd.DataFrame:
        check_source(source)
        self._require_schema()
        if self.schema_version() < EXPOSURE_SCHEMA:
            return exposure_frame([])  # nothing can be stored before the upgrade
        return exposure_frame(
            self._db.execute(
                "SELECT h3_cell, weight FROM exposure WHERE source = ? ORDER BY h3_cell", (source,)
            )
        )

    # --- coverage -------------------------------------------------------------------
    def replace_coverage(self, layer: pd.DataFrame) -> None:
        rows = checked_coverage(layer)
        self._require_schema(COVERAGE_SCHEMA)
        with self._tx() as cursor:
            cursor.execute("DELETE FROM coverage")
            cursor.executemany(
                f"INSERT INTO coverage ({', '.join(COVERAGE_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
                zip(*(nullable(rows[c]) for c in COVERAGE_COLUMNS), strict=True),
            )

    def load_coverage(self) -> pd.DataFrame:
        self._require_schema()
        if self.schema_version() < COVERAGE_SCHEMA:
            return coverage_frame([])
        return coverage_frame(
            self._db.execute(f"SELECT {', '.join(COVERAGE_COLUMNS)} FROM coverage ORDER BY h3_cell")
        )

    # --- api keys -------------------------------------------------------------------
    def save_api_key(self, key: ApiKeyRecord) -> None:
        self._require_schema()
        with self._tx() as cursor:
            cursor.execute(
                "INSERT INTO api_keys (key_id, key_hash, role, name, created_at, revoked_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key.key_id,
                    key.key_hash,
                    key.role,
                    key.name,
                    iso_one(key.created_at),
                    iso_one(key.revoked_at),
                ),
            )

    def load_api_key(self, key_id: str) -> ApiKeyRecord | None:
        self._require_schema()
        row = self._db.execute(
            "SELECT key_id, key_hash, role, name, created_at, revoked_at FROM api_keys WHERE key_id = ?",
            (key_id,),
        ).fetchone()
        return None if row is None else _api_key(row)

    def load_api_keys(self) -> list[ApiKeyRecord]:
        self._require_schema()
        rows = self._db.execute(
            "SELECT key_id, key_hash, role, name, created_at, revoked_at FROM api_keys"
            " ORDER BY created_at, key_id"
        ).fetchall()
        return [_api_key(row) for row in rows]

    def revoke_api_key(self, key_id: str, at: datetime) -> bool:
        self._require_schema()
        with self._tx() as cursor:
            cursor.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL",
                (iso_one(at), key_id),
            )
            return cursor.rowcount == 1

    def spots_version(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'spots_version'").fetchone()
        return -1 if row is None else int(row[0])

    # --- close-out ------------------------------------------------------------------
    @staticmethod
    def _insert_outbox(cursor: sqlite3.Cursor, rows: pd.DataFrame) -> None:
        frame = rows.loc[:, list(NEW_OUTBOX_COLUMNS)].copy()
        for name in ("next_attempt_at", "created_at", "updated_at"):
            frame[name] = iso_utc(frame[name])
        cursor.executemany(
            f"INSERT INTO sms_outbox ({', '.join(NEW_OUTBOX_COLUMNS)}) VALUES"
            f" ({', '.join('?' * len(NEW_OUTBOX_COLUMNS))})"
            " ON CONFLICT (spot_id, subscriber_id, event) DO NOTHING",
            zip(*(nullable(frame[c]) for c in NEW_OUTBOX_COLUMNS), strict=True),
        )

    def load_outbox(
        self,
        *,
        statuses: Collection[str] | None = None,
        ids: Collection[int] | None = None,
        msisdn: str | None = None,
    ) -> pd.DataFrame:
        self._require_schema()
        where: list[str] = ["1 = 1"]
        params: list[object] = []
        for column, given in (("status", statuses), ("id", ids)):
            if given is not None:
                chosen = list(given)
                where.append(f"{column} IN ({','.join('?' * len(chosen))})")
                params.extend(chosen)
        if msisdn is not None:
            where.append("msisdn = ?")
            params.append(msisdn)
        return _outbox_frame(
            self._frame(
                f"SELECT {', '.join(OUTBOX_COLUMNS)} FROM sms_outbox WHERE "
                + " AND ".join(where)
                + " ORDER BY id",
                params,
            )
        )

    def due_outbox(self, *, now: datetime, limit: int) -> pd.DataFrame:
        self._require_schema()
        return _outbox_frame(
            self._frame(
                f"SELECT {', '.join(OUTBOX_COLUMNS)} FROM sms_outbox WHERE status IN ('pending', 'held')"
                " AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
                [iso_one(now), int(limit)],
            )
        )

    def update_outbox(
        self, outbox_id: int, values: Mapping[str, object], *, only_if: Collection[str]
    ) -> bool:
        self._require_schema()
        names = _outbox_names(values)
        states = list(only_if)
        with self._tx() as cursor:
            cursor.execute(
                f"UPDATE sms_outbox SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?"
                f" AND status IN ({','.join('?' * len(states))})",
                [*(_sql_value(values[n]) for n in names), int(outbox_id), *states],
            )
            return cursor.rowcount == 1

    def add_sms_report(self, outbox_id: int, *, at: datetime, code: int, text: str | None) -> None:
        self._require_schema()
        with self._tx() as cursor:
            cursor.execute(
                "INSERT INTO sms_reports (outbox_id, at, code, text) VALUES (?, ?, ?, ?)",
                (int(outbox_id), iso_one(at), int(code), text),
            )

    def load_sms_reports(self) -> pd.DataFrame:
        self._require_schema()
        frame = self._frame("SELECT outbox_id, at, code, text FROM sms_reports ORDER BY id")
        frame["at"] = parse_utc(frame["at"])
        return frame

    def add_inbound(
        self, *, at: datetime, msisdn: str, outbox_id: int | None, kind: str, text: str | None
    ) -> None:
        self._require_schema()
        with self._tx() as cursor:
            cursor.execute(
                "INSERT INTO sms_inbound (at, msisdn, outbox_id, kind, text) VALUES (?, ?, ?, ?, ?)",
                (iso_one(at), msisdn, None if outbox_id is None else int(outbox_id), kind, text),
            )

    def add_optout(self, msisdn: str, *, at: datetime, source: str) -> None:
        self._require_schema()
        with self._tx() as cursor:
            cursor.execute(
                "INSERT INTO sms_optouts (msisdn, at, source) VALUES (?, ?, ?)"
                " ON CONFLICT (msisdn) DO NOTHING",
                (msisdn, iso_one(at), source),
            )

    def load_optouts(self) -> pd.DataFrame:
        self._require_schema()
        frame = self._frame("SELECT msisdn, at, source FROM sms_optouts ORDER BY msisdn")
        frame["at"] = parse_utc(frame["at"])
        return frame

    def record_rating(self, rating: Mapping[str, object], *, use_link_of: int | None = None) -> bool:
        self._require_schema()
        names = [c for c in RATING_ROW_COLUMNS if c not in ("id", "superseded_at")]
        at = iso_one(rating["at"])  # type: ignore[arg-type]
        with self._tx() as cursor:
            if use_link_of is not None:
                cursor.execute(
                    "UPDATE sms_outbox SET link_used_at = ? WHERE id = ? AND link_used_at IS NULL",
                    (at, int(use_link_of)),
                )
                if cursor.rowcount != 1:
                    return False
            cursor.execute(
                "UPDATE ratings SET superseded_at = ? WHERE spot_id = ?"
                " AND subscriber_id = ? AND superseded_at IS NULL",
                (at, rating["spot_id"], rating["subscriber_id"]),
            )
            cursor.execute(
                f"INSERT INTO ratings ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                [at if n == "at" else _sql_value(rating.get(n)) for n in names],
            )
        return True

    def load_ratings(
        self, *, current_only: bool = True, spot_ids: Collection[str] | None = None
    ) -> pd.DataFrame:
        self._require_schema()
        where: list[str] = ["1 = 1"]
        params: list[object] = []
        if current_only:
            where.append("superseded_at IS NULL")
        if spot_ids is not None:
            ids = list(spot_ids)
            where.append(f"spot_id IN ({','.join('?' * len(ids))})")
            params.extend(ids)
        frame = self._frame(
            f"SELECT {', '.join(RATING_ROW_COLUMNS)} FROM ratings WHERE "
            + " AND ".join(where)
            + " ORDER BY id",
            params,
        )
        return _rating_frame(frame)


def _api_key(row: Sequence[object]) -> ApiKeyRecord:
    created, revoked = (None if v is None else pd.Timestamp(str(v)).to_pydatetime() for v in row[4:6])
    assert created is not None
    return ApiKeyRecord(
        key_id=str(row[0]),
        key_hash=str(row[1]),
        role=str(row[2]),
        name=None if row[3] is None else str(row[3]),
        created_at=created,
        revoked_at=revoked,
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


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _complaint_matrix(frame: pd.DataFrame, at: str | None) -> np.ndarray:
    """Changed complaints as a 2-D object array, missing values as None."""
    columns = frame.loc[:, list(COMPLAINT_COLUMNS)].copy()
    columns["created_at"] = iso_utc(columns["created_at"])
    return np.asarray(columns.astype(object).where(columns.notna(), None).to_numpy(dtype=object))


# --- close-out helpers ---
def _outbox_names(values: Mapping[str, object]) -> list[str]:
    names = list(values)
    unknown = set(names) - set(OUTBOX_COLUMNS[1:])
    if unknown or not names:
        raise StoreError(f"not outbox columns: {sorted(unknown) or 'none given'}")
    return names


def _sql_value(value: object) -> object:
    """A value for a SQLite parameter: times as ISO UTC text, NaN/NaT as NULL."""
    if isinstance(value, datetime | pd.Timestamp):
        return iso_one(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _outbox_frame(frame: pd.DataFrame) -> pd.DataFrame:
    for name in OUTBOX_TIMES:
        frame[name] = parse_utc(frame[name])
    for name in OUTBOX_INTEGERS:
        frame[name] = pd.to_numeric(frame[name]).astype("Int64")
    return frame


def _rating_frame(frame: pd.DataFrame) -> pd.DataFrame:
    for name in ("at", "superseded_at"):
        frame[name] = parse_utc(frame[name])
    for name in ("id", "outbox_id", "rating"):
        frame[name] = pd.to_numeric(frame[name]).astype("Int64")
    frame["persists"] = frame["persists"].astype(bool)
    return frame

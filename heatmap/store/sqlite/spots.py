"""The SQLite store's spots and their events (:class:`heatmap.store.SpotStore`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence

import pandas as pd

from heatmap.store.columns import EVENT_COLUMNS, spot_columns_at, spots_to_store
from heatmap.store.conflicts import guarded_ids, refuse_moved
from heatmap.store.frames import (
    SPOT_TIMES,
    breakdown_to_json,
    event_frame,
    geometry_from_wkt,
    geometry_to_wkt,
    iso_utc,
    nullable,
    spot_frame,
)
from heatmap.store.queries import spot_filter
from heatmap.store.sqlite.outbox import insert_outbox
from heatmap.store.sqlite.schema import CHUNK, SQLiteBase
from heatmap.store.writes import SpotChanges


class SQLiteSpots(SQLiteBase):
    """Spots by status or id, their events, and spot changes in one transaction."""

    def load_spots(
        self, *, statuses: Collection[str] | None = None, ids: Collection[str] | None = None
    ) -> pd.DataFrame:
        self._require_schema()
        where = spot_filter("?", statuses=statuses, ids=ids)
        columns = spot_columns_at(self.schema_version())
        frame = self._frame(
            f"SELECT {', '.join(columns)} FROM spots WHERE {where.sql} ORDER BY priority DESC, id",
            where.params,
        )
        return spot_frame(frame, geometry_from_wkt(frame["geometry"]))

    def load_events(self, spot_id: str | None = None) -> pd.DataFrame:
        self._require_schema()
        sql = f"SELECT {', '.join(EVENT_COLUMNS)} FROM spot_events"
        params: list[object] = []
        if spot_id is not None:
            sql += " WHERE spot_id = ?"
            params.append(spot_id)
        return event_frame(self._frame(sql + " ORDER BY id", params))

    def apply_spot_changes(self, changes: SpotChanges) -> None:
        self._require_schema()
        spots = spots_to_store(changes.spots).copy()
        spots["geometry"] = geometry_to_wkt(spots["geometry"])
        spots["breakdown"] = breakdown_to_json(spots["breakdown"])
        spots["escalated"] = spots["escalated"].fillna(False).astype(bool).astype(int)
        for name in SPOT_TIMES:
            spots[name] = iso_utc(spots[name])
        columns = spot_columns_at(self.schema_version())
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
        with self._tx() as cursor:  # BEGIN IMMEDIATE: no other writer until the commit
            guarded = guarded_ids(changes.expected, changes.seen)
            refuse_moved(_stored_states(cursor, guarded), changes.expected, changes.seen)
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
                insert_outbox(cursor, changes.outbox)  # close-out (schema 4)

    def spots_version(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'spots_version'").fetchone()
        return -1 if row is None else int(row[0])


def _stored_states(cursor: sqlite3.Cursor, ids: Sequence[str]) -> dict[str, tuple[object, object]]:
    """``id → (status, updated_at)`` of those spots that are stored."""
    stored: dict[str, tuple[object, object]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        cursor.execute(
            f"SELECT id, status, updated_at FROM spots WHERE id IN ({','.join('?' * len(chunk))})", chunk
        )
        stored.update((i, (s, u)) for i, s, u in cursor.fetchall())
    return stored

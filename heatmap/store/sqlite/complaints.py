"""The SQLite store's complaints as read, their geocodes, quarantine and recorded changes
(the read side of :class:`heatmap.store.ComplaintStore`; the ingest is
:mod:`heatmap.store.sqlite.ingest`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd

from heatmap.store.columns import CHANGES_SCHEMA, MEMBER_TALLY_COLUMNS, STORED_COMPLAINT_COLUMNS
from heatmap.store.frames import change_frame, complaint_records, nullable, tally_frame
from heatmap.store.queries import Where, complaint_filter
from heatmap.store.sqlite.schema import CHUNK, SQLiteBase


class SQLiteComplaints(SQLiteBase):
    """Complaints by filter, geocodes saved, the quarantine, recorded changes."""

    def load_complaints(
        self,
        *,
        since: datetime | None = None,
        pending_geocode: bool = False,
        ticket_ids: Sequence[str] | None = None,
        spot_ids: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        self._require_schema()
        where = complaint_filter("?", since=since, pending_geocode=pending_geocode, spot_ids=spot_ids)
        sql = f"SELECT {', '.join(STORED_COMPLAINT_COLUMNS)} FROM complaints WHERE "
        if ticket_ids is None:
            rows = self._db.execute(sql + where.sql + " ORDER BY created_at", tuple(where.params)).fetchall()
            return complaint_records(rows, STORED_COMPLAINT_COLUMNS)
        rows = []
        ids = list(ticket_ids)
        for start in range(0, len(ids), CHUNK):
            chunk = Where("?", list(where.clauses), list(where.params))
            chunk.among("ticket_id", ids[start : start + CHUNK])
            rows += self._db.execute(sql + chunk.sql, tuple(chunk.params)).fetchall()
        return complaint_records(rows, STORED_COMPLAINT_COLUMNS)

    def load_member_tallies(self, spot_ids: Sequence[str]) -> pd.DataFrame:
        self._require_schema()
        keys = "spot_id, subscriber_id, segment, topic"
        tally = "count(*), min(created_at), max(created_at), max(coalesce(ltv, 0.0))"
        ids = sorted(set(spot_ids))  # chunks of sorted ids come back in order
        rows = []
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows += self._db.execute(
                f"SELECT {keys}, {tally} FROM complaints WHERE spot_id IN ({','.join('?' * len(chunk))})"
                f" GROUP BY {keys} ORDER BY {keys}",
                chunk,
            ).fetchall()
        return tally_frame(pd.DataFrame.from_records(rows, columns=list(MEMBER_TALLY_COLUMNS)))

    def load_complaint_changes(self, ticket_ids: Sequence[str] | None = None) -> pd.DataFrame:
        self._require_schema(CHANGES_SCHEMA)
        sql = (
            "SELECT c.ticket_id, c.at, c.kind, c.actor, i.source, c.old_hash, c.new_hash"
            " FROM complaint_changes AS c JOIN ingests AS i ON i.id = c.ingest_id"
        )
        ids = None if ticket_ids is None else list(ticket_ids)
        if ids is not None:
            sql += f" WHERE c.ticket_id IN ({','.join('?' * len(ids)) or 'NULL'})"
        return change_frame(self._frame(sql + " ORDER BY c.id", ids or ()))

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

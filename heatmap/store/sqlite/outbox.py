"""The SQLite store's close-out: SMS outbox, delivery reports, replies, opt-outs, ratings
(:class:`heatmap.store.OutboxStore`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from heatmap.domain.outbox import NEW_OUTBOX_COLUMNS, OUTBOX_COLUMNS, RATING_ROW_COLUMNS
from heatmap.store.frames import iso_one, iso_utc, nullable, rating_frame, with_utc
from heatmap.store.outbox_frames import outbox_records, outbox_values
from heatmap.store.queries import outbox_filter, outbox_names, rating_filter, reopen_votes_sql
from heatmap.store.sqlite.schema import SQLiteBase


class SQLiteOutbox(SQLiteBase):
    """Close-out rows; a spot change's new SMS are written by :func:`insert_outbox`."""

    def load_outbox(
        self,
        *,
        statuses: Collection[str] | None = None,
        ids: Collection[int] | None = None,
        msisdn: str | None = None,
    ) -> pd.DataFrame:
        self._require_schema()
        return self._outbox(*_outbox_query(statuses=statuses, ids=ids, msisdn=msisdn))

    def load_outbox_rows(
        self, *, statuses: Collection[str] | None = None, msisdn: str | None = None
    ) -> list[dict[str, object]]:
        self._require_schema()
        query, params = _outbox_query(statuses=statuses, ids=None, msisdn=msisdn)
        cursor = self._db.execute(query, tuple(params))
        names = [d[0] for d in cursor.description]
        return [outbox_values(row, names) for row in cursor.fetchall()]

    def load_outbox_row(self, outbox_id: int) -> dict[str, object] | None:
        self._require_schema()
        cursor = self._db.execute(
            f"SELECT {', '.join(OUTBOX_COLUMNS)} FROM sms_outbox WHERE id = ?", (int(outbox_id),)
        )
        row = cursor.fetchone()
        return None if row is None else outbox_values(row, [d[0] for d in cursor.description])

    def due_outbox(self, *, now: datetime, limit: int) -> pd.DataFrame:
        self._require_schema()
        return self._outbox(
            f"SELECT {', '.join(OUTBOX_COLUMNS)} FROM sms_outbox WHERE status IN ('pending', 'held')"
            " AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
            [iso_one(now), int(limit)],
        )

    def _outbox(self, query: str, params: Sequence[object]) -> pd.DataFrame:
        """Outbox rows of ``query`` as :func:`~heatmap.store.outbox_frames.outbox_records` builds them."""
        cursor = self._db.execute(query, tuple(params))
        return outbox_records(cursor.fetchall(), [d[0] for d in cursor.description])

    def update_outbox(
        self, outbox_id: int, values: Mapping[str, object], *, only_if: Collection[str]
    ) -> bool:
        self._require_schema()
        names = outbox_names(values)
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
        return with_utc(self._frame("SELECT outbox_id, at, code, text FROM sms_reports ORDER BY id"), ("at",))

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
        return with_utc(self._frame("SELECT msisdn, at, source FROM sms_optouts ORDER BY msisdn"), ("at",))

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
        where = rating_filter("?", current_only=current_only, spot_ids=spot_ids)
        query = f"SELECT {', '.join(RATING_ROW_COLUMNS)} FROM ratings WHERE {where.sql} ORDER BY id"
        return rating_frame(self._frame(query, where.params))

    def reopen_votes(self, spot_id: str, event: str) -> tuple[str, int] | None:
        self._require_schema()
        row = self._db.execute(reopen_votes_sql("?"), (event, spot_id)).fetchone()
        return None if row is None else (str(row[0]), int(row[1]))


def _outbox_query(
    *, statuses: Collection[str] | None, ids: Collection[int] | None, msisdn: str | None
) -> tuple[str, list[object]]:
    """The outbox rows of a load, by id: the query and its parameters."""
    where = outbox_filter("?", statuses=statuses, ids=ids, msisdn=msisdn)
    return f"SELECT {', '.join(OUTBOX_COLUMNS)} FROM sms_outbox WHERE {where.sql} ORDER BY id", where.params


def insert_outbox(cursor: sqlite3.Cursor, rows: pd.DataFrame) -> None:
    """New SMS of a spot change, in its transaction; a (spot, subscriber, event) sent already is skipped."""
    frame = rows.loc[:, list(NEW_OUTBOX_COLUMNS)].copy()
    for name in ("next_attempt_at", "created_at", "updated_at"):
        frame[name] = iso_utc(frame[name])
    cursor.executemany(
        f"INSERT INTO sms_outbox ({', '.join(NEW_OUTBOX_COLUMNS)}) VALUES"
        f" ({', '.join('?' * len(NEW_OUTBOX_COLUMNS))})"
        " ON CONFLICT (spot_id, subscriber_id, event) DO NOTHING",
        zip(*(nullable(frame[c]) for c in NEW_OUTBOX_COLUMNS), strict=True),
    )


def _sql_value(value: object) -> object:
    """A value for a SQLite parameter: times as ISO UTC text, NaN/NaT as NULL."""
    if isinstance(value, datetime | pd.Timestamp):
        return iso_one(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value

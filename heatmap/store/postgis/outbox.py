"""The PostGIS store's close-out: SMS outbox, delivery reports, replies, opt-outs, ratings
(:class:`heatmap.store.OutboxStore`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

import numpy as np
import pandas as pd
from psycopg import sql

from heatmap.domain.outbox import NEW_OUTBOX_COLUMNS, OUTBOX_COLUMNS, OUTBOX_TIMES, RATING_ROW_COLUMNS
from heatmap.store.frames import rating_frame, with_utc
from heatmap.store.outbox_frames import outbox_records, outbox_values
from heatmap.store.postgis.bulk import columns_sql
from heatmap.store.postgis.schema import Cur, PostGISBase, iso, select
from heatmap.store.queries import outbox_filter, outbox_names, rating_filter, reopen_votes_sql


class PostGISOutbox(PostGISBase):
    """Close-out rows; a spot change's new SMS are written by :func:`insert_outbox`."""

    def load_outbox(
        self,
        *,
        statuses: Collection[str] | None = None,
        ids: Collection[int] | None = None,
        msisdn: str | None = None,
    ) -> pd.DataFrame:
        self._require_schema()
        return self._outbox(
            "loading the SMS outbox", *_outbox_query(statuses=statuses, ids=ids, msisdn=msisdn)
        )

    def load_outbox_rows(
        self, *, statuses: Collection[str] | None = None, msisdn: str | None = None
    ) -> list[dict[str, object]]:
        self._require_schema()
        query, params = _outbox_query(statuses=statuses, ids=None, msisdn=msisdn)
        with self._tx("loading SMS") as cursor:
            cursor.execute(query, tuple(params) if params else None)
            rows = cursor.fetchall()
        return [outbox_values(row, OUTBOX_COLUMNS) for row in rows]

    def load_outbox_row(self, outbox_id: int) -> dict[str, object] | None:
        self._require_schema()
        query = f"SELECT {select(OUTBOX_COLUMNS, OUTBOX_TIMES)} FROM sms_outbox WHERE id = %s"
        with self._tx("loading an SMS") as cursor:
            cursor.execute(query, (int(outbox_id),))
            row = cursor.fetchone()
        return None if row is None else outbox_values(row, OUTBOX_COLUMNS)

    def due_outbox(self, *, now: datetime, limit: int) -> pd.DataFrame:
        self._require_schema()
        query = (
            f"SELECT {select(OUTBOX_COLUMNS, OUTBOX_TIMES)} FROM sms_outbox"
            " WHERE status IN ('pending', 'held') AND next_attempt_at <= %s"
            " ORDER BY next_attempt_at, id LIMIT %s"
        )
        return self._outbox("loading due SMS", query, [pg_value(now), int(limit)])

    def _outbox(self, what: str, query: str, params: Sequence[object]) -> pd.DataFrame:
        """Outbox rows of ``query`` as :func:`~heatmap.store.outbox_frames.outbox_records` builds them."""
        with self._tx(what) as cursor:
            cursor.execute(query, tuple(params) if params else None)
            names = [d.name for d in cursor.description or ()]
            rows = cursor.fetchall()
        return outbox_records(rows, names)

    def update_outbox(
        self, outbox_id: int, values: Mapping[str, object], *, only_if: Collection[str]
    ) -> bool:
        self._require_schema()
        names = outbox_names(values)
        assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(n)) for n in names)
        with self._tx("updating an SMS", writes=True) as cursor:
            cursor.execute(
                sql.SQL("UPDATE sms_outbox SET {} WHERE id = %s AND status = ANY(%s::text[])").format(
                    assignments
                ),
                [*(pg_value(values[n]) for n in names), int(outbox_id), list(only_if)],
            )
            return cursor.rowcount == 1

    def add_sms_report(self, outbox_id: int, *, at: datetime, code: int, text: str | None) -> None:
        self._require_schema()
        with self._tx("saving a delivery report", writes=True) as cursor:
            cursor.execute(
                "INSERT INTO sms_reports (outbox_id, at, code, text) VALUES (%s, %s, %s, %s)",
                (int(outbox_id), pg_value(at), int(code), text),
            )

    def load_sms_reports(self) -> pd.DataFrame:
        self._require_schema()
        query = f"SELECT outbox_id, {iso('at')} AS at, code, text FROM sms_reports ORDER BY id"
        return with_utc(self._frame("loading delivery reports", query), ("at",))

    def add_inbound(
        self, *, at: datetime, msisdn: str, outbox_id: int | None, kind: str, text: str | None
    ) -> None:
        self._require_schema()
        with self._tx("saving an SMS reply", writes=True) as cursor:
            cursor.execute(
                "INSERT INTO sms_inbound (at, msisdn, outbox_id, kind, text) VALUES (%s, %s, %s, %s, %s)",
                (pg_value(at), msisdn, None if outbox_id is None else int(outbox_id), kind, text),
            )

    def add_optout(self, msisdn: str, *, at: datetime, source: str) -> None:
        self._require_schema()
        with self._tx("saving an opt-out", writes=True) as cursor:
            cursor.execute(
                "INSERT INTO sms_optouts (msisdn, at, source) VALUES (%s, %s, %s)"
                " ON CONFLICT (msisdn) DO NOTHING",
                (msisdn, pg_value(at), source),
            )

    def load_optouts(self) -> pd.DataFrame:
        self._require_schema()
        query = f'SELECT msisdn, {iso("at")} AS at, source FROM sms_optouts ORDER BY msisdn COLLATE "C"'
        return with_utc(self._frame("loading opt-outs", query), ("at",))

    def record_rating(self, rating: Mapping[str, object], *, use_link_of: int | None = None) -> bool:
        self._require_schema()
        names = [c for c in RATING_ROW_COLUMNS if c not in ("id", "superseded_at")]
        at = pg_value(rating["at"])
        with self._tx("saving a rating", writes=True) as cursor:
            # one writer per (spot, subscriber): the answer in force is replaced in order
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                (f"rating:{rating['spot_id']}:{rating['subscriber_id']}",),
            )
            if use_link_of is not None:
                cursor.execute(
                    "UPDATE sms_outbox SET link_used_at = %s WHERE id = %s AND link_used_at IS NULL",
                    (at, int(use_link_of)),
                )
                if cursor.rowcount != 1:
                    return False
            cursor.execute(
                "UPDATE ratings SET superseded_at = %s WHERE spot_id = %s"
                " AND subscriber_id = %s AND superseded_at IS NULL",
                (at, rating["spot_id"], rating["subscriber_id"]),
            )
            cursor.execute(
                sql.SQL("INSERT INTO ratings ({}) VALUES ({})").format(
                    columns_sql(names), sql.SQL(", ").join(sql.Placeholder() * len(names))
                ),
                [pg_value(rating.get(n)) for n in names],
            )
        return True

    def load_ratings(
        self, *, current_only: bool = True, spot_ids: Collection[str] | None = None
    ) -> pd.DataFrame:
        self._require_schema()
        where = rating_filter("%s", current_only=current_only, spot_ids=spot_ids)
        query = (
            f"SELECT {select(RATING_ROW_COLUMNS, ('at', 'superseded_at'))} FROM ratings"
            f" WHERE {where.sql} ORDER BY id"
        )
        return rating_frame(self._frame("loading ratings", query, where.params))

    def reopen_votes(self, spot_id: str, event: str) -> tuple[str, int] | None:
        self._require_schema()
        with self._tx("counting persisting answers") as cursor:
            cursor.execute(reopen_votes_sql("%s"), (event, spot_id))
            row = cursor.fetchone()
        return None if row is None else (str(row[0]), int(row[1]))


def _outbox_query(
    *, statuses: Collection[str] | None, ids: Collection[int] | None, msisdn: str | None
) -> tuple[str, list[object]]:
    """The outbox rows of a load, by id: the query and its parameters."""
    where = outbox_filter("%s", statuses=statuses, ids=ids, msisdn=msisdn)
    query = f"SELECT {select(OUTBOX_COLUMNS, OUTBOX_TIMES)} FROM sms_outbox WHERE {where.sql} ORDER BY id"
    return query, where.params


def insert_outbox(cursor: Cur, rows: pd.DataFrame) -> None:
    """New SMS of a spot change, in its transaction; a (spot, subscriber, event) sent already is skipped."""
    frame = rows.loc[:, list(NEW_OUTBOX_COLUMNS)]
    cursor.executemany(
        sql.SQL(
            "INSERT INTO sms_outbox ({}) VALUES ({}) ON CONFLICT (spot_id, subscriber_id, event) DO NOTHING"
        ).format(
            columns_sql(NEW_OUTBOX_COLUMNS), sql.SQL(", ").join(sql.Placeholder() * len(NEW_OUTBOX_COLUMNS))
        ),
        [[pg_value(v) for v in row] for row in frame.itertuples(index=False, name=None)],
    )


def pg_value(value: object) -> object:
    """A value for a psycopg parameter: timestamps as aware datetimes, NaN/NaT as NULL."""
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if value is None or isinstance(value, datetime | str):
        return value
    if pd.isna(value):
        return None
    return value.item() if isinstance(value, np.generic) else value

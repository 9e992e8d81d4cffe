"""The PostGIS store's ingest: the write side of :class:`heatmap.store.ComplaintStore`.

A batch is compared with the stored tickets inside its one transaction, after an
advisory lock that queues concurrent ingests of one schema; its parts are written by
binary COPY (:mod:`heatmap.store.postgis.bulk`), encoded by the producing thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from psycopg import sql

from heatmap.core.ingest import COMPLAINT_COLUMNS, maybe_stored, plan_upsert
from heatmap.errors import ConflictError
from heatmap.store.postgis import bulk
from heatmap.store.postgis.bulk import copy_frame, copy_payload, encode_frame, last_per_key, stage
from heatmap.store.postgis.kinds import (
    COMPLAINT_KINDS,
    INSERT_KINDS,
    QUARANTINE_KINDS,
    QUARANTINE_ROW_KINDS,
)
from heatmap.store.postgis.schema import LOCK_INGEST, Cur, PostGISBase, assign, iso, one
from heatmap.store.write_behind import write_behind_prepared
from heatmap.store.writes import IngestPart, IngestWrite, changing_refused

_BIG_BATCH = 5_000  # tickets from which hashes are looked up through a staged COPY


class PostGISIngest(PostGISBase):
    """Ingest batches (:meth:`apply_ingest`) and the stored hashes they are compared with."""

    def complaint_hashes(self, ticket_ids: Sequence[str]) -> pd.DataFrame:
        self._require_schema()
        with self._tx("reading complaint hashes") as cursor:
            return _hashes(cursor, ticket_ids)

    def apply_ingest(self, batch: IngestWrite) -> dict[str, int]:
        self._require_schema()
        at = pd.Timestamp(batch.at).tz_convert("UTC").floor("us")
        counts = dict.fromkeys(("inserted", "updated", "unchanged", "quarantined"), 0)
        with self._tx(f"ingest of {batch.source}", writes=True) as cursor:
            # Concurrent ingests queue here, so each compares against what the one
            # before it wrote: no ticket is lost or inserted twice.
            self._lock(cursor, LOCK_INGEST)
            # Each part looks its tickets up by the primary key. At the default cost of a
            # random page (4, made for spinning disks) the planner hashes the whole
            # complaints table for every part instead, which grows with the table rather
            # than the part; the index of a table being written is in memory.
            cursor.execute("SET LOCAL random_page_cost = 1.1")
            cursor.execute(
                "INSERT INTO ingests (source, at, read, inserted, updated, unchanged,"
                " quarantined) VALUES (%s, %s, %s, 0, 0, 0, 0) RETURNING id",
                (batch.source, at.to_pydatetime(), batch.read),
            )
            ingest_id = one(cursor)
            # Only tickets that sort at or before the greatest stored one are looked up
            # (none in a first load); the parts of one export hold distinct tickets. Likewise
            # a source with nothing in quarantine yet cannot meet its own quarantined lines.
            cursor.execute(
                'SELECT (SELECT max(ticket_id COLLATE "C") FROM complaints),'
                " NOT EXISTS (SELECT FROM quarantine WHERE source = %s)",
                (batch.source,),
            )
            greatest, new_source = cursor.fetchone() or (None, False)
            into = _Ingest(
                at=at,
                ingest_id=ingest_id,
                greatest=greatest,
                new_source=bool(new_source),
                actor=batch.actor,
                may_update=batch.may_update,
            )
            rebuild = bulk.indexes_to_rebuild(cursor, batch.read)

            def write(part: IngestPart, ready: _Payloads | None) -> bool:
                written = _write_part(cursor, part, ready, into)
                for name, n in written.items():
                    counts[name] += n
                return written["inserted"] == len(part.complaints)

            # Parts are encoded for COPY (complaints as all new) by the thread that validates
            # them, so the writing thread mostly waits on the server.
            write_behind_prepared(batch.parts(), lambda part: _prepare(part, into), write)
            if rebuild:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _, definition in rebuild:
                cursor.execute(definition)
            cursor.execute(
                "UPDATE ingests SET inserted = %s, updated = %s, unchanged = %s, quarantined = %s"
                " WHERE id = %s",
                (*counts.values(), ingest_id),
            )
        return {"read": batch.read, **counts}


def _hashes(cursor: Cur, ticket_ids: Sequence[str]) -> pd.DataFrame:
    ids = list(ticket_ids)
    rows: list[tuple[Any, ...]] = []
    if ids:
        cursor.execute(
            "SELECT ticket_id, content_hash FROM complaints WHERE ticket_id = ANY(%s::text[])",
            (ids,),
        )
        rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=["ticket_id", "content_hash"])


def _batch_hashes(cursor: Cur, ticket_ids: pd.Series) -> pd.DataFrame:
    """Stored hashes of a batch's tickets: small batches by array, big ones by a COPY + join."""
    if len(ticket_ids) < _BIG_BATCH:
        return _hashes(cursor, ticket_ids.tolist())
    stage(cursor, "_hm_batch", pd.DataFrame({"ticket_id": ticket_ids}), {"ticket_id": "text"})
    cursor.execute(
        "SELECT c.ticket_id, c.content_hash FROM _hm_batch AS b JOIN complaints AS c"
        " ON c.ticket_id = b.ticket_id"
    )
    return pd.DataFrame(cursor.fetchall(), columns=["ticket_id", "content_hash"])


def _new_rows(complaints: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    """Complaints as new rows of the complaints table: placed where the CRM gave a point."""
    located = complaints["lat"].notna().to_numpy()
    return complaints.loc[:, list(COMPLAINT_COLUMNS)].assign(
        precision=np.array([None, "point"], dtype=object)[located.astype(int)],
        geo_score=np.where(located, 1.0, np.nan),
        ingested_at=at,
        updated_at=at,
    )


def encode_new(complaints: pd.DataFrame, at: pd.Timestamp) -> list[bytes]:
    """The binary COPY payload of complaints as new rows (in ticket order, as validated)."""
    return encode_frame(_new_rows(complaints, at), INSERT_KINDS)


@dataclass(frozen=True)
class _Ingest:
    """What every part of one ingest shares, decided once inside its transaction."""

    at: pd.Timestamp
    ingest_id: int
    #: the greatest stored ticket id (None: none is stored); no greater one needs looking up
    greatest: str | None
    #: the quarantine holds no line of this source: no part's bad row can be there already
    new_source: bool
    #: :attr:`heatmap.store.writes.IngestWrite.actor` and ``may_update``
    actor: str | None = None
    may_update: bool = True


@dataclass(frozen=True)
class _Payloads:
    """A part's COPY payloads made ahead: its complaints as new rows, and its bad rows for a
    source new to the quarantine (else None)."""

    complaints: list[bytes]
    quarantine: list[bytes] | None


def _prepare(part: IngestPart, into: _Ingest) -> _Payloads:
    held = None
    if into.new_source and len(part.quarantine):
        held = encode_frame(_quarantine_rows(part.quarantine, into), QUARANTINE_ROW_KINDS)
    return _Payloads(encode_new(part.complaints, into.at), held)


def _write_part(cursor: Cur, part: IngestPart, ready: _Payloads | None, into: _Ingest) -> dict[str, int]:
    """One part of an ingest, inside the ingest's transaction, with its payloads if they
    were made beforehand (:func:`_prepare`)."""
    tickets = part.complaints["ticket_id"]
    stored = _batch_hashes(cursor, tickets[maybe_stored(tickets, into.greatest)])
    plan = plan_upsert(part.complaints, stored)
    if len(plan.updates) and not into.may_update:
        raise ConflictError(changing_refused(plan.updates["ticket_id"]))
    if len(plan.inserts) == len(part.complaints) and ready is not None:
        copy_payload(cursor, "complaints", INSERT_KINDS, ready.complaints)
    elif len(plan.inserts):
        copy_payload(cursor, "complaints", INSERT_KINDS, encode_new(plan.inserts, into.at))
    if len(plan.updates):
        _update_complaints(cursor, plan.updates, into.at, into.ingest_id)
    if into.actor is not None:
        _record_actor(cursor, plan.inserts, plan.updates, into)
    if ready is not None and ready.quarantine is not None:
        copy_payload(cursor, "quarantine", QUARANTINE_ROW_KINDS, ready.quarantine)
    elif len(part.quarantine):
        _quarantine(cursor, part.quarantine, into)
    return {
        "inserted": len(plan.inserts),
        "updated": len(plan.updates),
        "unchanged": plan.unchanged,
        "quarantined": len(part.quarantine),
    }


def _record_actor(cursor: Cur, inserts: pd.DataFrame, updates: pd.DataFrame, into: _Ingest) -> None:
    """Name the actor on the changes this ingest recorded, and record its inserts (schema 8)."""
    cursor.executemany(
        "INSERT INTO complaint_changes (ticket_id, ingest_id, at, new_hash, kind, actor)"
        " VALUES (%s, %s, %s, %s, 'inserted', %s)",
        [
            (t, into.ingest_id, into.at.to_pydatetime(), h, into.actor)
            for t, h in zip(inserts["ticket_id"].tolist(), inserts["content_hash"].tolist(), strict=True)
        ],
    )
    if len(updates):
        cursor.execute(
            "UPDATE complaint_changes SET actor = %s WHERE ingest_id = %s AND ticket_id = ANY(%s::text[])",
            (into.actor, into.ingest_id, updates["ticket_id"].tolist()),
        )


def _quarantine_rows(rows: pd.DataFrame, into: _Ingest) -> pd.DataFrame:
    return rows.assign(ingest_id=into.ingest_id, at=into.at)


def _quarantine(cursor: Cur, rows: pd.DataFrame, into: _Ingest) -> None:
    """Keep a part's bad rows; one kept by an earlier ingest of the source is not kept twice.
    (Lines are distinct within a source's one ingest, so a new source's rows go straight in.)"""
    if into.new_source:
        copy_frame(cursor, "quarantine", _quarantine_rows(rows, into), QUARANTINE_ROW_KINDS)
        return
    stage(cursor, "_hm_quarantine", rows, QUARANTINE_KINDS)
    cursor.execute(
        "INSERT INTO quarantine (ingest_id, source, line, raw, reasons, at)"
        " SELECT %s, source, line, raw, reasons, %s FROM _hm_quarantine"
        " ORDER BY seq ON CONFLICT (source, line, md5(raw)) DO NOTHING",
        (into.ingest_id, into.at.to_pydatetime()),
    )


def _update_complaints(cursor: Cur, updates: pd.DataFrame, at: pd.Timestamp, ingest_id: int) -> None:
    """Changed tickets: record the old values, then overwrite (mirrors the SQLite store)."""
    stage(cursor, "_hm_updates", last_per_key(updates, "ticket_id"), COMPLAINT_KINDS)
    fields = [c for c in COMPLAINT_COLUMNS if c != "ticket_id"]
    old_values = sql.SQL(", ").join(
        sql.SQL("{}, {}").format(
            sql.Literal(c),
            sql.SQL(iso("c.created_at")) if c == "created_at" else sql.Identifier("c", c),
        )
        for c in fields
    )
    when = at.to_pydatetime()
    cursor.execute(
        sql.SQL(
            "INSERT INTO complaint_changes (ticket_id, ingest_id, at, old_hash, new_hash,"
            " old_values) SELECT c.ticket_id, %s, %s, c.content_hash, u.content_hash,"
            " jsonb_build_object({}) FROM _hm_updates AS u JOIN complaints AS c"
            " ON c.ticket_id = u.ticket_id ORDER BY u.seq"
        ).format(old_values),
        (ingest_id, when),
    )
    # A changed ticket is placed again: its new CRM point, else it waits for geocoding.
    cursor.execute(
        sql.SQL(
            "UPDATE complaints AS c SET {}, updated_at = %s,"
            " \"precision\" = CASE WHEN u.lat IS NOT NULL THEN 'point' END,"
            " geo_score = CASE WHEN u.lat IS NOT NULL THEN 1.0 END,"
            " matched_address = NULL, geo_reason = NULL"
            " FROM _hm_updates AS u WHERE c.ticket_id = u.ticket_id"
        ).format(assign(fields, "u")),
        (when,),
    )

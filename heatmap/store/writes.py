"""What a write hands a store: an ingest batch, a set of spot changes, an API key.

Each is applied in one transaction by every adapter; the store compares the batch with
what it holds inside that transaction, never before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

#: New complaints from which an ingest that at least doubles the complaints table drops
#: its secondary indexes and builds them again after the inserts (both stores).
REBUILD_MIN_ROWS = 50_000
#: Indexes of complaints that a new complaint adds no entry to (partial, on spot_id):
#: a bulk ingest that rebuilds the others leaves these alone.
INGEST_ADDS_NOTHING = ("complaints_spot_id",)


@dataclass
class IngestPart:
    """Validated rows of one slice of an export."""

    complaints: pd.DataFrame
    quarantine: pd.DataFrame


@dataclass
class IngestWrite:
    """One validated ingest batch, applied in one transaction.

    The store compares ``complaints`` with what it holds *inside* that
    transaction (:func:`heatmap.core.ingest.plan_upsert`), so two concurrent
    ingests of overlapping exports neither lose nor duplicate a ticket.

    A big export comes in parts: ``rest`` yields the parts after the first, lazily,
    so the caller can validate one part while the store writes the one before
    (:func:`write_behind`). All parts share the one transaction; their tickets
    are distinct (a ticket repeated in an export is quarantined but for its last row).
    """

    source: str
    at: datetime
    read: int
    complaints: pd.DataFrame
    quarantine: pd.DataFrame
    rest: Iterable[IngestPart] = ()
    #: who writes through the HTTP API (the key's name; schema 8): every complaint it
    #: inserts or changes gets a ``complaint_changes`` row naming it. None: the CRM import.
    actor: str | None = None
    #: False: a stored ticket whose content differs raises :class:`heatmap.errors.ConflictError`
    #: and nothing of the batch is written (identical content is "unchanged", as always).
    may_update: bool = True

    def parts(self) -> Iterator[IngestPart]:
        yield IngestPart(self.complaints, self.quarantine)
        yield from self.rest


def changing_refused(tickets: pd.Series) -> str:
    """Why an ingest that may not change stored tickets (:attr:`IngestWrite.may_update`) stopped."""
    shown = ", ".join(map(str, tickets.head(3).tolist())) + (", …" if len(tickets) > 3 else "")
    return (
        f"ticket {shown} is stored already with other content; changing a stored"
        " complaint (its number, subscriber, text or anything else) is for the CRM import"
        " or an admin key, not this caller. Posting it again unchanged is fine."
    )


@dataclass
class SpotChanges:
    """Changes to spots — a detection run, a lifecycle transition, a join — in one transaction.

    ``spots`` are upserted whole (new and changed spots); ``members`` maps
    ticket_id → spot_id for every complaint whose spot changed; ``events``
    carries lineage (created, grown, merged, split) and transitions. ``expected``
    maps spot id → the status the change was computed from, ``seen`` spot id → the
    ``updated_at`` it was computed from: when the stored status or time differs (someone
    else changed the spot meanwhile) nothing is written and
    :class:`heatmap.errors.ConflictError` is raised. The store checks both on the rows it
    has locked for the write (:mod:`heatmap.store.conflicts`), so of two writers that read
    the same spot exactly one wins. ``outbox`` (close-out) holds new
    SMS rows (:data:`heatmap.domain.outbox.NEW_OUTBOX_COLUMNS`) written in the same
    transaction; a row whose (spot, subscriber, event) exists already is skipped.
    """

    at: datetime
    spots: pd.DataFrame
    members: pd.DataFrame
    events: pd.DataFrame
    expected: dict[str, str] = field(default_factory=dict)
    outbox: pd.DataFrame | None = None
    seen: dict[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiKeyRecord:
    """An HTTP API key as stored: the public id, a hash of the secret, the role."""

    key_id: str
    key_hash: str
    role: str
    name: str | None
    created_at: datetime
    revoked_at: datetime | None = None

"""The storage protocol: what the service needs from any store (SQLite, PostGIS).

Frames cross this seam, never SQL: the core never sees a connection, and an
adapter never applies business rules. Every multi-row change is one method,
and each adapter runs it in one transaction.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

import pandas as pd

T = TypeVar("T")
U = TypeVar("U")

#: New complaints from which an ingest that at least doubles the complaints table drops
#: its secondary indexes and builds them again after the inserts (both stores).
REBUILD_MIN_ROWS = 50_000
#: Indexes of complaints that a new complaint adds no entry to (partial, on spot_id):
#: a bulk ingest that rebuilds the others leaves these alone.
INGEST_ADDS_NOTHING = ("complaints_spot_id",)

#: Columns a store returns for complaints (the ingest columns plus geocoding and spot).
STORED_COMPLAINT_COLUMNS: tuple[str, ...] = (
    "ticket_id",
    "created_at",
    "msisdn",
    "subscriber_id",
    "segment",
    "ltv",
    "topic",
    "topic_source",
    "description",
    "address",
    "lat",
    "lon",
    "region",
    "channel",
    "content_hash",
    "precision",
    "geo_score",
    "matched_address",
    "geo_reason",
    "spot_id",
    "ingested_at",
    "updated_at",
)

#: Columns of a spot as stored; ``geometry`` holds shapely polygons, ``breakdown`` a dict.
SPOT_COLUMNS: tuple[str, ...] = (
    "id",
    "status",
    "method",
    "geometry",
    "centroid_lat",
    "centroid_lon",
    "region",
    "address",
    "complaints",
    "subscribers",
    "first_complaint_at",
    "last_complaint_at",
    "dominant_topic",
    "priority",
    "breakdown",
    "queue",
    "sla_hours",
    "due_at",
    "eta",
    "cause",
    "engineer",
    "merged_into",
    "created_at",
    "updated_at",
    "kind",
    "suggested_cause",
    "alarm_site",
    "escalated",
    "observed",
    "expected",
    "excess",
    "relative_risk",
    "p_value",
    "scan_days",
    "trend",
)
#: Spot columns of schema 7 (why a spot is one: weighted distinct complainants observed,
#: expected there, excess, relative risk, p-value, and the scan window in days they were
#: counted in) as floats; NULL on older spots.
SPOT_MEASURES: tuple[str, ...] = ("observed", "expected", "excess", "relative_risk", "p_value", "scan_days")
#: Trend labels of a spot against its own history (or None).
SPOT_TRENDS: tuple[str, ...] = ("new", "intensifying", "persistent", "diminishing")
#: The schema that added :data:`SPOT_MEASURES` and ``trend`` to spots.
SPOT_MEASURES_SCHEMA = 7


def spot_columns_at(version: int) -> tuple[str, ...]:
    """The :data:`SPOT_COLUMNS` a store at schema ``version`` has: a store not yet upgraded
    to 7 reads the measures and trend as NULL and does not write them."""
    if version >= SPOT_MEASURES_SCHEMA:
        return SPOT_COLUMNS
    return tuple(c for c in SPOT_COLUMNS if c not in (*SPOT_MEASURES, "trend"))


def spots_to_store(spots: pd.DataFrame) -> pd.DataFrame:
    """The :data:`SPOT_COLUMNS` of a spots frame to write; schema-7 columns it lacks
    (:data:`SPOT_MEASURES`, ``trend``) are stored as NULL."""
    lacking = [c for c in (*SPOT_MEASURES, "trend") if c not in spots.columns]
    frame = spots.assign(**dict.fromkeys(lacking)).loc[:, list(SPOT_COLUMNS)].copy()
    return typed_spot_measures(frame)


def typed_spot_measures(frame: pd.DataFrame) -> pd.DataFrame:
    """Spots with :data:`SPOT_COLUMNS` in order, :data:`SPOT_MEASURES` as floats (NaN for NULL),
    ``trend`` text or None (columns a store before schema 7 lacks are added so)."""
    frame = frame.reindex(columns=list(SPOT_COLUMNS))
    for name in SPOT_MEASURES:
        frame[name] = pd.to_numeric(frame[name]).astype(float)
    frame["trend"] = frame["trend"].astype(object).where(frame["trend"].notna(), None)
    return frame


#: Columns of a recorded complaint change (old values stay in the store, not here); ``kind`` is
#: inserted or updated, ``actor`` the API key's name (None for the CRM import), ``source``
#: the ingest's (a file, or ``api:<key id>``).
CHANGE_COLUMNS: tuple[str, ...] = ("ticket_id", "at", "kind", "actor", "source", "old_hash", "new_hash")
#: The schema that records who changed a complaint (:data:`CHANGE_COLUMNS`).
CHANGES_SCHEMA = 8

#: Columns of a spot event (lineage from detection, lifecycle transitions).
EVENT_COLUMNS: tuple[str, ...] = (
    "spot_id",
    "at",
    "kind",
    "from_status",
    "to_status",
    "related_spot_id",
    "actor",
    "note",
    "eta",
)


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


#: Parts a producer may have handed over while the one write under way goes on: two, so a
#: part that happened to take longer on either side does not leave the other side idle.
WRITES_QUEUED = 2


def write_behind(parts: Iterable[T], write: Callable[[T], None]) -> None:
    """``write`` every part in order in one helper thread while this thread produces the next.

    One write is under way at a time, and this thread runs at most
    :data:`WRITES_QUEUED` parts ahead of it; producing and writing overlap (database
    drivers and Arrow release the GIL while they work). An error on either side stops
    both: parts still queued are not written, the write under way finishes, and the
    error is raised here, so the caller's transaction is rolled back with no write still
    running on its connection.
    """
    stopped = threading.Event()

    def guarded(part: T) -> None:
        if stopped.is_set():
            return
        try:
            write(part)
        except BaseException:
            stopped.set()
            raise

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="heatmap-write") as pool:
        queued: deque[Future[None]] = deque()
        try:
            for part in parts:
                while len(queued) >= WRITES_QUEUED:
                    queued.popleft().result()
                queued.append(pool.submit(guarded, part))
            while queued:
                queued.popleft().result()
        except BaseException:
            stopped.set()
            raise


def write_behind_prepared(
    parts: Iterable[T], prepare: Callable[[T], U], write: Callable[[T, U | None], bool]
) -> None:
    """:func:`write_behind`, with ``prepare(part)`` made in this (the producing) thread, so
    the writing thread has less to do than wait on the database.

    ``write(part, prepared)`` returns whether it could use what was prepared; once it
    could not, later parts come unprepared (``None``) and ``write`` makes what it needs.
    A store prepares the insert of a part's complaints as all new: right for a first
    load or new tickets, wasted on a re-import.
    """
    useful = [True]

    def run(item: tuple[T, U | None]) -> None:
        useful[0] = write(*item)

    write_behind(((part, prepare(part) if useful[0] else None) for part in parts), run)


@dataclass
class SpotChanges:
    """Changes to spots — a detection run, a lifecycle transition, a join — in one transaction.

    ``spots`` are upserted whole (new and changed spots); ``members`` maps
    ticket_id → spot_id for every complaint whose spot changed; ``events``
    carries lineage (created, grown, merged, split) and transitions. ``expected``
    maps spot id → the status the change was computed from: when the stored status
    differs (someone else changed the spot meanwhile) nothing is written and
    :class:`heatmap.errors.ConflictError` is raised. ``outbox`` (close-out) holds new
    SMS rows (:data:`heatmap.closeout.schema.NEW_OUTBOX_COLUMNS`) written in the same
    transaction; a row whose (spot, subscriber, event) exists already is skipped.
    """

    at: datetime
    spots: pd.DataFrame
    members: pd.DataFrame
    events: pd.DataFrame
    expected: dict[str, str] = field(default_factory=dict)
    outbox: pd.DataFrame | None = None


# --- api keys ---
@dataclass(frozen=True)
class ApiKeyRecord:
    """An HTTP API key as stored: the public id, a hash of the secret, the role."""

    key_id: str
    key_hash: str
    role: str
    name: str | None
    created_at: datetime
    revoked_at: datetime | None = None


class Store(Protocol):
    """A complaint and spot store. Adapters: :mod:`heatmap.store.sqlite`,
    :mod:`heatmap.store.postgis`."""

    url: str

    def close(self) -> None: ...

    def schema_version(self) -> int:
        """The applied migration version (0 for an empty database)."""
        ...

    def upgrade(self) -> list[int]:
        """Apply pending migrations in order; return the versions applied."""
        ...

    def secret(self) -> bytes:
        """The key of keyed hashes: ``HEATMAP_SECRET_KEY`` when set, else the store's own,
        made at the first upgrade (:func:`heatmap.store.secrets.hash_key`)."""
        ...

    def purge_personal_data(self, *, before: datetime) -> dict[str, int]:
        """Remove phone numbers and free text of closed complaints made before ``before``,
        and their copies (:mod:`heatmap.store.purge`); rows changed per table
        (:data:`heatmap.store.purge.PURGED`). Counts, spots and points stay."""
        ...

    def complaint_hashes(self, ticket_ids: Sequence[str]) -> pd.DataFrame:
        """``ticket_id, content_hash`` of those tickets that are stored."""
        ...

    def apply_ingest(self, batch: IngestWrite) -> dict[str, int]:
        """Store the batch; return ``read, inserted, updated, unchanged, quarantined``."""
        ...

    def load_complaints(
        self,
        *,
        since: datetime | None = None,
        pending_geocode: bool = False,
        ticket_ids: Sequence[str] | None = None,
        spot_ids: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Complaints with :data:`STORED_COMPLAINT_COLUMNS`; ``created_at`` tz-aware UTC.

        Filters combine: created since, still waiting for geocoding, these tickets,
        members of these spots.
        """
        ...

    def load_complaint_changes(self, ticket_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Recorded changes of complaints, oldest first (schema 8): :data:`CHANGE_COLUMNS`."""
        ...

    def save_geocodes(self, geocodes: pd.DataFrame) -> None:
        """Set ``lat, lon, precision, geo_score, matched_address, geo_reason`` by ticket_id."""
        ...

    def load_quarantine(self, *, limit: int | None = None) -> pd.DataFrame: ...

    def load_spots(
        self, *, statuses: Collection[str] | None = None, ids: Collection[str] | None = None
    ) -> pd.DataFrame:
        """Spots with :data:`SPOT_COLUMNS`, highest priority first."""
        ...

    def load_events(self, spot_id: str | None = None) -> pd.DataFrame: ...

    def apply_spot_changes(self, changes: SpotChanges) -> None: ...

    def replace_network(
        self, *, sites: pd.DataFrame | None = None, alarms: pd.DataFrame | None = None
    ) -> None:
        """Replace the stored sites and/or alarms (whichever is given), in one transaction."""
        ...

    def load_sites(self) -> pd.DataFrame:
        """Sites with :data:`heatmap.core.network.SITE_COLUMNS`."""
        ...

    def load_alarms(self) -> pd.DataFrame:
        """Alarms with :data:`heatmap.core.network.ALARM_COLUMNS`; times tz-aware UTC."""
        ...

    # --- exposure (schema 7) ---
    def replace_exposure(self, source: str, layer: pd.DataFrame) -> None:
        """Replace every cell of one exposure layer (``h3_cell, weight``), in one transaction.

        ``source`` is one of :data:`heatmap.store.exposure.EXPOSURE_SOURCES`; a cell given
        twice counts its weights summed. Raises :class:`heatmap.errors.UsageError` for an
        unknown source, :class:`heatmap.errors.InputError` for a bad layer.
        """
        ...

    def load_exposure(self, source: str) -> pd.DataFrame:
        """One exposure layer: ``h3_cell`` (text), ``weight`` (float), by cell; empty when none
        (also on a store not yet at schema 7, which :meth:`replace_exposure` refuses)."""
        ...

    # --- coverage (schema 9) ---
    def replace_coverage(self, layer: pd.DataFrame) -> None:
        """Replace the coverage layer (:data:`heatmap.core.coverage.COVERAGE_COLUMNS`, one row
        per H3 cell) in one transaction; a bad layer is an InputError and stores nothing."""
        ...

    def load_coverage(self) -> pd.DataFrame:
        """The coverage layer by cell; empty when none (also before schema 9)."""
        ...

    # --- api keys ---
    def save_api_key(self, key: ApiKeyRecord) -> None:
        """Store a new API key (its hash, never the secret)."""
        ...

    def load_api_key(self, key_id: str) -> ApiKeyRecord | None:
        """The key with this id (revoked ones too), or None."""
        ...

    def load_api_keys(self) -> list[ApiKeyRecord]:
        """Every key, oldest first."""
        ...

    def revoke_api_key(self, key_id: str, at: datetime) -> bool:
        """Mark a key revoked; False when there is no such key or it was revoked already."""
        ...

    def spots_version(self) -> int:
        """A counter every spot change bumps in the same transaction (-1 before schema 3)."""
        ...

    # --- close-out ---
    def load_outbox(
        self,
        *,
        statuses: Collection[str] | None = None,
        ids: Collection[int] | None = None,
        msisdn: str | None = None,
    ) -> pd.DataFrame:
        """SMS outbox rows (:data:`heatmap.closeout.schema.OUTBOX_COLUMNS`) by id; times UTC."""
        ...

    def due_outbox(self, *, now: datetime, limit: int) -> pd.DataFrame:
        """Pending or held rows whose ``next_attempt_at`` has come, earliest first."""
        ...

    def update_outbox(
        self, outbox_id: int, values: Mapping[str, object], *, only_if: Collection[str]
    ) -> bool:
        """Set ``values`` on one row if its status is in ``only_if``; whether it was."""
        ...

    def add_sms_report(self, outbox_id: int, *, at: datetime, code: int, text: str | None) -> None:
        """Keep a delivery report as the gateway sent it."""
        ...

    def load_sms_reports(self) -> pd.DataFrame:
        """Delivery reports: ``outbox_id, at, code, text``, oldest first."""
        ...

    def add_inbound(
        self, *, at: datetime, msisdn: str, outbox_id: int | None, kind: str, text: str | None
    ) -> None:
        """Log an SMS reply (its text already passed through the comment filter)."""
        ...

    def add_optout(self, msisdn: str, *, at: datetime, source: str) -> None:
        """Never send close-out SMS to this number again (a repeat changes nothing)."""
        ...

    def load_optouts(self) -> pd.DataFrame:
        """Opted-out numbers: ``msisdn, at, source``."""
        ...

    def record_rating(self, rating: Mapping[str, object], *, use_link_of: int | None = None) -> bool:
        """Store an answer; the one in force for its (spot, subscriber) is kept, superseded.

        With ``use_link_of`` the rating link of that outbox row is spent in the same
        transaction; False (and nothing stored) when it was spent already.
        """
        ...

    def load_ratings(
        self, *, current_only: bool = True, spot_ids: Collection[str] | None = None
    ) -> pd.DataFrame:
        """Ratings (:data:`heatmap.closeout.schema.RATING_ROW_COLUMNS`), oldest first."""
        ...

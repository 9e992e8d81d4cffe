"""The storage protocols by subject, and :class:`Store`, their union.

The service asks a store about six subjects, each its own tables and its own callers:

- :class:`SchemaStore`: the database itself — migrations, the hashing key, the purge
  that crosses every table (the CLI's ``init``/``db``/``purge`` and every opener);
- :class:`ComplaintStore`: complaints, their quarantine and recorded changes (ingest,
  geocoding, the complaints API);
- :class:`SpotStore`: spots, their events and the version the API index follows
  (detection, the engineer's workflow);
- :class:`GroundStore`: what is known of the ground under the spots — network sites and
  alarms, exposure and coverage layers (replaced whole, read whole);
- :class:`KeyStore`: HTTP API keys;
- :class:`OutboxStore`: close-out — the SMS outbox, delivery reports, replies, opt-outs
  and ratings.

The ground layers are one protocol rather than three because each is the same pair
(``replace_*`` in one transaction, ``load_*`` whole) with no caller using one without
the others' service. A function needing one subject takes that protocol; :class:`Store`
remains what :func:`heatmap.store.open_store` returns, so callers typed with it keep
working. Each adapter (:mod:`heatmap.store.sqlite`, :mod:`heatmap.store.postgis`) is
split into the same subjects, one module each.

Frames cross these seams, never SQL: the core never sees a connection, and an adapter
never applies business rules. Every multi-row change is one method, and each adapter
runs it in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

import pandas as pd

from heatmap.store.writes import ApiKeyRecord, IngestWrite, SpotChanges


class SchemaStore(Protocol):
    """The database: its URL, migrations, the key of keyed hashes, the personal-data purge."""

    url: str

    def close(self) -> None: ...

    def schema_version(self) -> int:
        """The applied migration version (0 for an empty database)."""
        ...

    def upgrade(self) -> list[int]:
        """Apply pending migrations in order; return the versions applied."""
        ...

    def secret(self) -> bytes:
        """The key of keyed hashes: the one the store was opened with (``HEATMAP_SECRET_KEY``,
        passed by the wiring) when given, else the store's own, made at the first upgrade
        (:func:`heatmap.store.secrets.hash_key`)."""
        ...

    def purge_personal_data(self, *, before: datetime) -> dict[str, int]:
        """Remove phone numbers and free text of closed complaints made before ``before``,
        and their copies (:mod:`heatmap.store.purge`); rows changed per table
        (:data:`heatmap.store.purge.PURGED`). Counts, spots and points stay."""
        ...


class ComplaintStore(Protocol):
    """Complaints as ingested and geocoded, their quarantine and recorded changes."""

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

    def load_member_tallies(self, spot_ids: Sequence[str]) -> pd.DataFrame:
        """The member complaints of these spots tallied, with :data:`MEMBER_TALLY_COLUMNS`:
        one row per spot, subscriber, segment and topic (a missing topic its own), with
        ``complaints`` (how many), ``first_at`` and ``last_at`` (the first and last
        ``created_at``, tz-aware UTC) and ``ltv`` (the highest, 0 when none). What recounting
        and prioritising a spot need, without reading its members whole. Ordered by those
        four, byte by byte, a missing topic first.
        """
        ...

    def load_complaint_changes(self, ticket_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Recorded changes of complaints, oldest first (schema 8): :data:`CHANGE_COLUMNS`."""
        ...

    def save_geocodes(self, geocodes: pd.DataFrame) -> None:
        """Set ``lat, lon, precision, geo_score, matched_address, geo_reason`` by ticket_id."""
        ...

    def load_quarantine(self, *, limit: int | None = None) -> pd.DataFrame: ...


class SpotStore(Protocol):
    """Spots, their events and the version every spot change bumps."""

    def load_spots(
        self, *, statuses: Collection[str] | None = None, ids: Collection[str] | None = None
    ) -> pd.DataFrame:
        """Spots with :data:`SPOT_COLUMNS`, highest priority first."""
        ...

    def load_events(self, spot_id: str | None = None) -> pd.DataFrame: ...

    def apply_spot_changes(self, changes: SpotChanges) -> None: ...
    def spots_version(self) -> int:
        """A counter every spot change bumps in the same transaction (-1 before schema 3)."""
        ...


class GroundStore(Protocol):
    """Network sites and alarms, exposure and coverage layers: each replaced whole, read whole."""

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


class KeyStore(Protocol):
    """HTTP API keys (hashes, never secrets)."""

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


class OutboxStore(Protocol):
    """Close-out: the SMS outbox, delivery reports, replies, opt-outs and ratings."""

    def load_outbox(
        self,
        *,
        statuses: Collection[str] | None = None,
        ids: Collection[int] | None = None,
        msisdn: str | None = None,
    ) -> pd.DataFrame:
        """SMS outbox rows (:data:`heatmap.domain.outbox.OUTBOX_COLUMNS`) by id; times UTC."""
        ...

    def load_outbox_row(self, outbox_id: int) -> dict[str, object] | None:
        """One outbox row as plain values, None when there is no such row: what
        ``load_outbox(ids=[outbox_id])`` holds, with ``None`` for a missing value (times
        as UTC :class:`pandas.Timestamp`), read without building a frame (a delivery
        report reads one row: a frame costs ten times the read)."""
        ...

    def load_outbox_rows(
        self, *, statuses: Collection[str] | None = None, msisdn: str | None = None
    ) -> list[dict[str, object]]:
        """The rows of ``load_outbox(statuses=…, msisdn=…)``, by id, each as
        :meth:`load_outbox_row` gives it (a reply reads its number's few rows)."""
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
        """Ratings (:data:`heatmap.domain.outbox.RATING_ROW_COLUMNS`), oldest first."""
        ...

    def reopen_votes(self, spot_id: str, event: str) -> tuple[str, int] | None:
        """What reopening a spot turns on, in one read: its status, and how many clients'
        answers in force for ``event`` say the problem persists (distinct subscribers of
        ``load_ratings(spot_ids=[spot_id])`` with that event and ``persists``); None when
        there is no such spot."""
        ...


class Store(SchemaStore, ComplaintStore, SpotStore, GroundStore, KeyStore, OutboxStore, Protocol):
    """A complaint and spot store: every subject. Adapters: :mod:`heatmap.store.sqlite`,
    :mod:`heatmap.store.postgis`."""

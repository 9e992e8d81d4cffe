"""The replay's store, remembering the recent complaints detection reads.

Every detection run reads the complaints of ``history_days`` (180) back, which over a
replay is all of them: tens of thousands of rows read and decoded again four times a
simulated day, although only the last hours' complaints are new and only spot
assignments change. :class:`RecentComplaints` stands for the replay's store: every call
goes to the store itself, and it keeps what ``load_complaints(since=…)`` last gave,
brought up to date from the writes that pass through it:

* an ingest marks its complaints' times: the next read takes again, from the store,
  every complaint made since the earliest of them (a stored ticket whose content changed
  makes it read everything again, as its old time is not known);
* spot changes set ``spot_id`` of their members, as the store's own update does;
* sites and alarms, which detection reads too, are read again after the network is
  replaced (the replay stores the OSS's alarm list when it changes);
* any other write but those known to leave complaints alone makes it read everything
  again.

The store orders complaints by ``created_at`` (ties as its index holds them); complaints
made from some time on, read again with the same query, come in the same order. What
it gives is the frame the store gives, to the dtype (a test compares them at every run),
each time a frame of its own (pandas copies on write: the caller's changes stay its own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

import pandas as pd

from heatmap.store.base import Store
from heatmap.store.frames import COMPLAINT_NUMBERS, COMPLAINT_TIMES, nullable
from heatmap.store.writes import IngestPart, IngestWrite, SpotChanges

__all__ = ["RecentComplaints", "remembering"]

#: Writes that leave complaints as they are (the SMS job, clients' answers, the network).
LEAVE_COMPLAINTS = frozenset(
    {
        "add_inbound",
        "add_optout",
        "add_sms_report",
        "record_rating",
        "reopen_votes",
        "update_outbox",
        "due_outbox",
        "replace_exposure",
        "replace_coverage",
        "secret",
        "schema_version",
        "spots_version",
        "complaint_hashes",
        "close",
    }
)


class RecentComplaints:
    """A store whose ``load_complaints(since=…)`` comes from what it last read and the
    writes since (see the module); every other call is the store's."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._frame: pd.DataFrame | None = None  # None: read everything at the next call
        self._from: pd.Timestamp | None = None  # the earliest time the frame holds complaints of
        self._stale_from: pd.Timestamp | None = None  # complaints made since then to read again
        self._network: dict[str, pd.DataFrame] = {}  # sites and alarms as last read

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if name.startswith("load_") or name in LEAVE_COMPLAINTS or not callable(found):
            return found
        return self._forgetting(found)

    def _forgetting(self, write: Callable[..., Any]) -> Callable[..., Any]:
        def forget_then_write(*args: Any, **kwargs: Any) -> Any:
            self._frame = None
            return write(*args, **kwargs)

        return forget_then_write

    def load_complaints(self, *, since: datetime | None = None, **filters: Any) -> pd.DataFrame:
        """The store's complaints; those since ``since`` alone, from what was read before."""
        if since is None or any(v for v in filters.values()):
            return self._store.load_complaints(since=since, **filters)
        start = pd.Timestamp(since)
        if self._frame is None or self._from is None or start < self._from:
            self._frame, self._from, self._stale_from = self._store.load_complaints(since=since), start, None
            return self._frame.copy(deep=False)
        frame = self._frame[(self._frame["created_at"] >= start).to_numpy()]
        if self._stale_from is not None:
            tail = max(start, self._stale_from)
            kept = frame[(frame["created_at"] < tail).to_numpy()]
            fresh = self._store.load_complaints(since=tail.to_pydatetime())
            frame = as_read(pd.concat([kept, fresh], ignore_index=True)) if len(kept) else fresh
        self._frame, self._from, self._stale_from = frame.reset_index(drop=True), start, None
        return self._frame.copy(deep=False)

    def load_sites(self) -> pd.DataFrame:
        """The store's sites, read again only after :meth:`replace_network`."""
        if "sites" not in self._network:
            self._network["sites"] = self._store.load_sites()
        return self._network["sites"].copy(deep=False)

    def load_alarms(self) -> pd.DataFrame:
        """The store's alarms, read again only after :meth:`replace_network`."""
        if "alarms" not in self._network:
            self._network["alarms"] = self._store.load_alarms()
        return self._network["alarms"].copy(deep=False)

    def replace_network(
        self, *, sites: pd.DataFrame | None = None, alarms: pd.DataFrame | None = None
    ) -> None:
        """The store's; the sites and alarms read again next time."""
        self._network.clear()
        self._store.replace_network(sites=sites, alarms=alarms)

    def apply_ingest(self, batch: IngestWrite) -> dict[str, int]:
        """The store's ingest; the times of its complaints marked to read again."""
        made: list[pd.Timestamp] = []
        first = batch.complaints
        watched = replace(batch, rest=_watching(batch.rest, made))
        try:
            counts = self._store.apply_ingest(watched)
        except BaseException:
            self._frame = None
            raise
        earliest = [t for t in [_earliest(first), *made] if t is not None]
        if counts.get("updated", 0):
            self._frame = None  # a changed ticket's old time is not known: read all again
        elif earliest:
            stale = min(earliest)
            self._stale_from = stale if self._stale_from is None else min(stale, self._stale_from)
        return counts

    def apply_spot_changes(self, changes: SpotChanges) -> None:
        """The store's spot changes; the members' ``spot_id`` set here too."""
        try:
            self._store.apply_spot_changes(changes)
        except BaseException:
            self._frame = None
            raise
        members = changes.members
        if self._frame is None or not len(members):
            return
        spot_of = dict(zip(members["ticket_id"].tolist(), nullable(members["spot_id"]), strict=True))
        tickets = self._frame["ticket_id"]
        hit = tickets.isin(list(spot_of)).to_numpy()
        if hit.any():
            spots = self._frame["spot_id"].astype(object).to_numpy(copy=True)
            spots[hit] = [spot_of[t] for t in tickets[hit].tolist()]
            self._frame = as_read(self._frame.assign(spot_id=spots))


def remembering(store: Store) -> Store:
    """``store`` as :class:`RecentComplaints`, for the product's functions to take."""
    return cast(Store, RecentComplaints(store))


def as_read(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the dtypes a store's read gives: text as ``str``, or ``object``
    holding None when no row has a value (times and numbers are kept)."""
    kept = set(COMPLAINT_NUMBERS) | set(COMPLAINT_TIMES)
    out = frame.copy()
    for name in out.columns:
        if name in kept:
            continue
        values = out[name]
        if values.notna().any():
            out[name] = values.astype("str")
        else:
            out[name] = pd.Series([None] * len(out), dtype=object, index=out.index)
    return out


def _earliest(complaints: pd.DataFrame) -> pd.Timestamp | None:
    if complaints.empty or "created_at" not in complaints:
        return None
    made = pd.to_datetime(complaints["created_at"], utc=True, errors="coerce").min()
    return None if pd.isna(made) else pd.Timestamp(made)


def _watching(parts: Iterable[IngestPart], made: list[pd.Timestamp]) -> Iterator[IngestPart]:
    """``parts`` as they come, the earliest time of each noted in ``made``."""
    for part in parts:
        earliest = _earliest(part.complaints)
        if earliest is not None:
            made.append(earliest)
        yield part

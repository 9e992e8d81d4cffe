"""Query pieces both stores build the same way: a WHERE clause in either driver's
placeholder style, the columns an outbox update may set.

sqlite3 takes ``?`` and one parameter per value, so ``column IN (?, ?, …)``; psycopg
takes ``%s`` and a whole list as one array parameter, so ``column = ANY(%s::text[])``
(one plan whatever the number of values). The conditions are the same on both stores.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from heatmap.domain.outbox import OUTBOX_COLUMNS
from heatmap.errors import StoreError
from heatmap.store.frames import iso_one

__all__ = [
    "Where",
    "complaint_filter",
    "outbox_filter",
    "outbox_names",
    "rating_filter",
    "reopen_votes_sql",
    "spot_filter",
]

Style = Literal["?", "%s"]


@dataclass
class Where:
    """AND-ed conditions and their parameters, in the order they were added."""

    style: Style
    clauses: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)

    def holds(self, clause: str) -> Where:
        """A condition without parameters."""
        self.clauses.append(clause)
        return self

    def equals(self, column: str, value: object) -> Where:
        self.clauses.append(f"{column} = {self.style}")
        self.params.append(value)
        return self

    def at_least(self, column: str, value: object, *, cast: str = "") -> Where:
        """``column >= value``; ``cast`` (a PostgreSQL type) types the parameter for psycopg."""
        self.clauses.append(f"{column} >= {self._mark(cast)}")
        self.params.append(value)
        return self

    def among(self, column: str, values: Iterable[object], *, cast: str = "text") -> Where:
        """``column`` is one of ``values`` (none: no row matches)."""
        chosen = list(values)
        if self.style == "?":
            self.clauses.append(f"{column} IN ({','.join('?' * len(chosen))})")
            self.params.extend(chosen)
        else:
            self.clauses.append(f"{column} = ANY(%s::{cast}[])")
            self.params.append(chosen)
        return self

    @property
    def sql(self) -> str:
        """The conditions joined (``1 = 1`` when there are none)."""
        return " AND ".join(self.clauses) or "1 = 1"

    def _mark(self, cast: str) -> str:
        return f"%s::{cast}" if self.style == "%s" and cast else self.style


def outbox_names(values: Mapping[str, object]) -> list[str]:
    """The outbox columns an update sets (not ``id``); :class:`StoreError` for any other."""
    names = list(values)
    unknown = set(names) - set(OUTBOX_COLUMNS[1:])
    if unknown or not names:
        raise StoreError(f"not outbox columns: {sorted(unknown) or 'none given'}")
    return names


# --- the filters of the stores' loads, the same on both ------------------------------
def complaint_filter(
    style: Style, *, since: datetime | None, pending_geocode: bool, spot_ids: Sequence[str] | None
) -> Where:
    """Complaints created since, still waiting for geocoding, members of these spots."""
    where = Where(style)
    if spot_ids is not None:
        where.among("spot_id", spot_ids)
    if since is not None:
        where.at_least("created_at", iso_one(since), cast="timestamptz")
    if pending_geocode:
        where.holds('"precision" IS NULL')
    return where


def spot_filter(style: Style, *, statuses: Collection[str] | None, ids: Collection[str] | None) -> Where:
    where = Where(style)
    for column, values in (("status", statuses), ("id", ids)):
        if values is not None:
            where.among(column, values)
    return where


def outbox_filter(
    style: Style, *, statuses: Collection[str] | None, ids: Collection[int] | None, msisdn: str | None
) -> Where:
    where = Where(style)
    if statuses is not None:
        where.among("status", statuses)
    if ids is not None:
        where.among("id", [int(i) for i in ids], cast="bigint")
    if msisdn is not None:
        where.equals("msisdn", msisdn)
    return where


def rating_filter(style: Style, *, current_only: bool, spot_ids: Collection[str] | None) -> Where:
    where = Where(style)
    if current_only:
        where.holds("superseded_at IS NULL")
    if spot_ids is not None:
        where.among("spot_id", spot_ids)
    return where


def reopen_votes_sql(style: Style) -> str:
    """A spot's status and its clients whose answer in force for an event says the problem
    persists (parameters: the event, the spot's id); no row when there is no such spot."""
    return (
        "SELECT status, (SELECT COUNT(DISTINCT subscriber_id) FROM ratings"
        f" WHERE ratings.spot_id = spots.id AND event = {style} AND persists <> 0"
        f" AND superseded_at IS NULL) FROM spots WHERE id = {style}"
    )

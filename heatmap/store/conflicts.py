"""The check both stores run before writing spot changes: nobody changed those spots meanwhile.

A change (:class:`heatmap.store.writes.SpotChanges`) names the status (``expected``)
and the ``updated_at`` (``seen``) each spot had when the change was computed. Inside
the write's transaction the adapter reads those spots' stored status and time with the
rows locked for writing (SQLite: ``BEGIN IMMEDIATE``, one writer at a time; PostGIS:
``SELECT … FOR UPDATE``) and hands them here, so of two writers that read the same
spot exactly one passes: the second sees the first's status or time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pandas as pd

from heatmap.errors import ConflictError

__all__ = ["guarded_ids", "refuse_moved"]


def guarded_ids(expected: Mapping[str, str], seen: Mapping[str, datetime]) -> list[str]:
    """The spots a change is guarded on, in the order they are checked."""
    return [*expected, *(spot_id for spot_id in seen if spot_id not in expected)]


def refuse_moved(
    stored: Mapping[str, tuple[object, object]],
    expected: Mapping[str, str],
    seen: Mapping[str, datetime],
) -> None:
    """:class:`ConflictError` for the first spot whose stored ``(status, updated_at)``
    (``stored``; a spot absent from it is gone) is not what the change was computed from."""
    for spot_id in guarded_ids(expected, seen):
        status, updated = stored.get(spot_id, ("gone", None))
        if spot_id in expected and status != expected[spot_id]:
            raise ConflictError(
                f"spot {spot_id} changed meanwhile (now {status}, "
                f"expected {expected[spot_id]}): reload and try again"
            )
        if spot_id in seen and not _same_moment(updated, seen[spot_id]):
            now = "gone" if spot_id not in stored else f"updated at {_shown(updated)}"
            raise ConflictError(
                f"spot {spot_id} changed meanwhile (now {now}, expected updated at"
                f" {_shown(seen[spot_id])}): reload and try again"
            )


def _moment(value: object) -> pd.Timestamp | None:
    """A stored or given time as a UTC timestamp (None when missing); naive times are UTC."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    moment = pd.Timestamp(value)
    return moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")


def _same_moment(stored: object, seen: object) -> bool:
    return _moment(stored) == _moment(seen)


def _shown(value: object) -> str:
    moment = _moment(value)
    return "never" if moment is None else moment.isoformat()

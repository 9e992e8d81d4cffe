"""Whether a spot still takes complaints at a moment: the join's time rule, told for people.

A detected spot takes a new complaint only within ``policy.join.active_hours`` of the last
detection run that found its place in excess (its ``found_at``; a spot stored before that
column existed is read from its ``created_at``, as :func:`heatmap.detect.join.attach` does).
A known issue is an area an engineer drew: it takes everything said inside it while open.
A closed spot (resolved, rejected, merged) takes nothing: the join reads only open spots.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import pandas as pd

from heatmap.domain import OPEN_STATUSES


class IntakeState(StrEnum):
    """Why a spot takes complaints or not."""

    TAKING = "taking"  # confirmed by detection within active_hours
    LAPSED = "lapsed"  # open, but detection has not found it again within active_hours
    KNOWN_ISSUE = "known_issue"  # drawn by an engineer: takes everything inside it
    CLOSED = "closed"  # resolved, rejected or merged


@dataclass(frozen=True)
class Intake:
    """A spot's intake at a moment.

    ``confirmed_at`` is when detection last found the spot (None for a known issue or a
    spot with no time at all); ``until`` the last moment a complaint joins it by time
    (None when time does not limit it: a known issue, or a closed spot); ``known_issue``
    whether an engineer drew it (open or closed).
    """

    state: IntakeState
    confirmed_at: datetime | None
    until: datetime | None
    known_issue: bool = False

    @property
    def taking(self) -> bool:
        return self.state in (IntakeState.TAKING, IntakeState.KNOWN_ISSUE)


def _moment(value: object) -> datetime | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if pd.isna(stamp):
        return None
    utc = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    moment: datetime = utc.to_pydatetime()
    return moment


def confirmed_at(spot: Mapping[str, object]) -> datetime | None:
    """When detection last found the spot: ``found_at``, else ``created_at`` (a detected spot
    stored before ``found_at`` existed); None for a known issue."""
    if spot.get("kind") == "known_issue":
        return None
    return _moment(spot.get("found_at")) or _moment(spot.get("created_at"))


def spot_intake(spot: Mapping[str, object], *, now: datetime, active_hours: float) -> Intake:
    """Whether ``spot`` (a stored spot's values) takes complaints made at ``now``."""
    found = confirmed_at(spot)
    is_open = str(spot.get("status")) in OPEN_STATUSES
    if spot.get("kind") == "known_issue":
        state = IntakeState.KNOWN_ISSUE if is_open else IntakeState.CLOSED
        return Intake(state, None, None, known_issue=True)
    if not is_open:
        return Intake(IntakeState.CLOSED, found, None)
    if found is None:  # no time to limit it by: the join lets it take complaints
        return Intake(IntakeState.TAKING, None, None)
    until = found + timedelta(hours=active_hours)
    return Intake(IntakeState.TAKING if now <= until else IntakeState.LAPSED, found, until)

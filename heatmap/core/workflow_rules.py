"""Rules an engineer's action must follow, whoever asks (CLI, API, engineer page).

Plain functions over values: the time is a parameter, the policy's cause list is given.

- A spot is resolved with a cause from the policy's list (``[causes]``); none, or one
  not in the list, is refused naming the allowed ones.
- An ETA is a moment after now. A bare date (``2026-11-25``) is midnight at the start
  of that day in Moscow time (UTC+3), as agents speak of dates; a time without an
  offset (``2026-11-25T18:00``) is Moscow time too; a time with an offset or ``Z`` is
  taken as given.
- Rejecting a spot needs a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from heatmap.errors import RuleError

#: The zone a date or a time without an offset is read in.
MOSCOW = ZoneInfo("Europe/Moscow")
#: What help texts say about how an ETA is read (CLI ``--help``, the API's schema).
ETA_HELP = (
    "A date (2026-11-25: midnight at its start, Moscow time, UTC+3) or an ISO 8601"
    " time (2026-11-25T18:00 is Moscow time; give +05:00 or Z for another zone);"
    " it must be later than now."
)


def read_moment(text: str, what: str = "ETA") -> datetime:
    """``text`` as an aware UTC time; a date or a time without an offset is Moscow time."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise RuleError(
            f"{what} must be a date (2026-11-25) or an ISO 8601 time"
            f" (2026-11-25T18:00, Moscow time unless an offset is given),"
            f" not {text!r}"
        ) from exc
    if not 2000 <= value.year <= 2100:
        raise RuleError(f"{what} must be a date between 2000 and 2100, not {text!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=MOSCOW)
    return value.astimezone(UTC)


def in_moscow(moment: datetime) -> str:
    """``2026-11-25 00:00 Moscow time``: a moment told back the way an ETA is given."""
    return f"{moment.astimezone(MOSCOW):%Y-%m-%d %H:%M} Moscow time"


def check_eta(eta: datetime, *, now: datetime) -> datetime:
    """``eta`` if it is later than ``now``; an ETA that has already passed is refused."""
    if eta.tzinfo is None:
        raise RuleError("an ETA must carry its time zone")
    if eta <= now:
        moscow = eta.astimezone(MOSCOW).strftime("%Y-%m-%d %H:%M")
        today = now.astimezone(MOSCOW).strftime("%Y-%m-%d %H:%M")
        raise RuleError(
            f"the ETA {moscow} Moscow time has already passed (now {today});"
            " give a later date, or a time today such as"
            f" {now.astimezone(MOSCOW).strftime('%Y-%m-%d')}T18:00"
        )
    return eta


def check_cause(cause: str | None, causes: Mapping[str, str]) -> str:
    """The cause a spot is resolved with: one of the policy's ``causes`` (name → title)."""
    allowed = ", ".join(causes)
    if cause is None or not cause.strip():
        raise RuleError(f"resolving a spot needs a cause; allowed: {allowed}")
    name = cause.strip()
    if name not in causes:
        raise RuleError(f"unknown cause {name!r}; allowed: {allowed}")
    return name


def check_reason(reason: str | None) -> str:
    """Why a spot is rejected: some text is required."""
    if reason is None or not reason.strip():
        raise RuleError("rejecting a spot needs a reason")
    return reason.strip()


def moscow_day_end(now: datetime) -> datetime:
    """The midnight that ends ``now``'s day in Moscow (what "due today" counts up to)."""
    local = now.astimezone(MOSCOW)
    start = datetime(local.year, local.month, local.day, tzinfo=MOSCOW)
    return (start + timedelta(days=1)).astimezone(UTC)

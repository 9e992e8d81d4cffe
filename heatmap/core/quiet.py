"""Quiet hours: no SMS during the recipient's local night. Pure: the time is a parameter.

``HEATMAP_QUIET_HOURS`` is ``START-END`` in local wall-clock hours (``21-9``: from
21:00 to 09:00), minutes allowed (``21:30-8:45``); ``none`` disables. A window may
wrap midnight (``21-9``) or not (``13-14``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from heatmap.errors import ConfigError

__all__ = ["DEFAULT_QUIET_HOURS", "QuietHours", "parse_quiet_hours", "release_at"]

DEFAULT_QUIET_HOURS = "21-9"
_SPEC = re.compile(r"\s*(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?\s*")


@dataclass(frozen=True)
class QuietHours:
    """A daily window of local time, ``start`` inclusive, ``end`` exclusive."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, local: time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def parse_quiet_hours(text: str | None) -> QuietHours | None:
    """``"21-9"`` → 21:00–09:00; ``"none"``/``"off"``/empty → None (no quiet hours)."""
    if text is None or text.strip().lower() in ("", "none", "off", "no"):
        return None
    match = _SPEC.fullmatch(text)
    if not match:
        raise ConfigError(
            f"quiet hours {text!r}: use START-END in local hours, e.g. 21-9 or 21:30-8:45, or none"
        )
    h1, m1, h2, m2 = (int(g) if g else 0 for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ConfigError(f"quiet hours {text!r}: hours are 0–23, minutes 0–59")
    start, end = time(h1, m1), time(h2, m2)
    if start == end:
        raise ConfigError(f"quiet hours {text!r}: start and end are the same time")
    return QuietHours(start, end)


def release_at(now: datetime, offset_minutes: int, quiet: QuietHours | None) -> datetime | None:
    """None when a message may go at ``now`` (aware) to someone at UTC+``offset_minutes``;
    else the moment (in ``now``'s zone) the window opens for them."""
    if quiet is None:
        return None
    zone = timezone(timedelta(minutes=offset_minutes))
    local = now.astimezone(zone)
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return None
    opens = local.replace(hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0)
    if opens <= local:
        opens += timedelta(days=1)
    return opens.astimezone(now.tzinfo)

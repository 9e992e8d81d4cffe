"""What a replay assumes: the world, the engineers and the clients, as one typed value.

Every number the simulation draws from is here, with its default and what it stands
for, so a report can be read next to the assumptions that made it. A TOML file
(``--config``) overrides any of them; unknown keys are refused.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from heatmap.errors import ConfigError

__all__ = ["CAUSES", "CHRONIC", "Cause", "ReplayConfig", "load_config"]


@dataclass(frozen=True)
class Cause:
    """One kind of incident: how often, how big, how it ends, how long a fix takes."""

    #: relative frequency among incidents
    weight: float
    #: radius of the affected area, metres (drawn uniformly in this range)
    radius_m: tuple[float, float]
    #: share of the affected subscribers who complain (drawn uniformly in this range)
    share: tuple[float, float]
    #: complaint times after the start: exponential with this mean, hours (most early)
    complaint_mean_hours: float
    #: the incident ends by itself after a median of this many hours (0: never)
    self_heal_hours: float
    #: engineers' time to fix once they take the spot: lognormal, median hours, sigma
    fix_median_hours: float
    fix_sigma: float
    #: chance that a fix does not hold (the spot is resolved, the incident goes on)
    fix_fails: float
    #: the topics complainants of this cause pick
    topics: tuple[str, ...]
    #: chance that the incident raises an alarm on its nearest site, and that the alarm
    #: is critical (else major); the alarm lasts as long as the incident
    alarm_share: float = 0.0
    alarm_critical: float = 0.0


_CAUSES: dict[str, Cause] = {
    "equipment_failure": Cause(
        3.0,
        (300, 700),
        (0.004, 0.012),
        8.0,
        0.0,
        10.0,
        0.8,
        0.10,
        ("no_coverage", "dropped_calls", "no_data"),
    ),
    "power": Cause(2.0, (400, 900), (0.004, 0.010), 4.0, 6.0, 5.0, 0.7, 0.05, ("no_coverage", "no_data")),
    "transport_link": Cause(
        1.5, (500, 1200), (0.003, 0.008), 6.0, 0.0, 14.0, 0.8, 0.10, ("no_data", "slow_data")
    ),
    "capacity": Cause(
        1.5,
        (300, 600),
        (0.002, 0.006),
        72.0,
        0.0,
        240.0,
        0.6,
        0.15,
        ("slow_data", "no_data", "voice_quality"),
    ),
    "coverage_gap": Cause(
        1.0,
        (200, 500),
        (0.002, 0.006),
        120.0,
        0.0,
        720.0,
        0.5,
        0.10,
        ("weak_signal_indoor", "no_coverage", "no_4g"),
    ),
}
#: Alarms by cause: the share of incidents raising one, and the share of those critical.
_ALARMS = {"equipment_failure": (0.8, 0.5), "power": (0.9, 0.6), "transport_link": (0.7, 0.3)}
_NO_ALARM = (0.0, 0.0)
#: The causes an incident can have (names are the policy's causes).
CAUSES: dict[str, Cause] = {
    name: replace(
        cause, alarm_share=_ALARMS.get(name, _NO_ALARM)[0], alarm_critical=_ALARMS.get(name, _NO_ALARM)[1]
    )
    for name, cause in _CAUSES.items()
}
#: Causes that never end by themselves and keep producing complaints while they last.
CHRONIC = frozenset({"capacity", "coverage_gap"})


def _default_capacity() -> dict[str, int]:
    return {
        "outage_response": 4,
        "ran_optimisation": 3,
        "capacity": 2,
        "construction_planning": 2,
        "transport_network": 2,
    }


@dataclass(frozen=True)
class ReplayConfig:
    """Everything a replay is run with; deterministic for ``seed``."""

    days: int = 30
    seed: int = 1
    start: datetime = datetime(2026, 9, 1, tzinfo=UTC)
    incidents_per_week: float = 4.0
    #: background complainants per day over the whole city, placed on registry houses
    #: drawn uniformly (so the background follows address density)
    background_per_day: float = 300.0
    #: the operator's subscribers per registry house (apartment buildings)
    subscribers_per_house: float = 60.0
    #: share of complainants who complain a second time
    repeat_share: float = 0.1
    #: network sites on a square grid of this spacing over the houses (0: no sites and
    #: no alarms, as for an operator that gives the product none)
    site_spacing_m: float = 1000.0
    #: alarms about nothing anyone complains of (mostly warnings and minor), a day over
    #: the city, and how long they last (exponential mean, hours)
    other_alarms_per_day: float = 3.0
    other_alarm_mean_hours: float = 4.0
    #: the NOC works alarmed faults from the alarm too: the share it fixes on its own, and
    #: its delay before the cause's time to fix begins, hours
    noc_fix_share: float = 1.0
    noc_dispatch_hours: float = 4.0
    #: complaints are ingested every this many hours (a CRM export each time)
    ingest_every_hours: int = 1
    #: detection runs every this many hours (an operator's scheduled job). Each run reads
    #: up to 180 days of complaints back: every 6 h (not 3) took 113 s CPU instead of 212
    #: over a 90-day St Petersburg replay, detecting 21 incidents (median 6.7 h) not 18 (6.9 h)
    detect_every_hours: int = 6
    #: spots worked at once per queue (all engineers of the queue together)
    capacity: dict[str, int] = field(default_factory=_default_capacity)
    #: hours an engineer spends on a spot with no network fault before rejecting it
    false_spot_hours: float = 4.0
    #: engineers work these local hours (UTC+3), outage response around the clock
    work_hours: tuple[int, int] = (9, 18)
    always_on: tuple[str, ...] = ("outage_response",)
    #: share of notified clients who answer the close-out SMS, and the mean delay, hours
    reply_share: float = 0.4
    reply_mean_hours: float = 3.0
    #: a client whose problem is still there says so with this chance (else rates 1-2)
    persists_share: float = 0.8
    #: the rating model: best rating, points lost per doubling of days waited, noise sd
    rating_best: float = 4.8
    rating_per_doubling: float = 0.6
    rating_noise: float = 0.7
    causes: dict[str, Cause] = field(default_factory=lambda: dict(CAUSES))

    def with_overrides(self, **values: Any) -> ReplayConfig:
        """A copy with the given fields changed (None means "not given")."""
        given = {k: v for k, v in values.items() if v is not None}
        return replace(self, **given) if given else self


def load_config(path: Path | None, base: ReplayConfig | None = None) -> ReplayConfig:
    """``base`` (default: the defaults) with the TOML file's values on top."""
    config = base or ReplayConfig()
    if path is None:
        return config
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the replay settings: {exc}") from exc
    known = {f.name for f in fields(ReplayConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown replay settings {unknown}; known: {sorted(known)}")
    values: dict[str, Any] = {}
    for name, value in data.items():
        values[name] = _read(path, name, value, getattr(config, name))
    return replace(config, **values)


def _read(path: Path, name: str, value: Any, current: Any) -> Any:
    """One TOML value, checked against the type of the default it replaces."""
    if name == "causes":
        return _causes(path, value, current)
    if name == "capacity":
        if not isinstance(value, dict) or not all(isinstance(v, int) and v >= 0 for v in value.values()):
            raise ConfigError(f"{path}: capacity is a table of queue = spots at once (>= 0)")
        return {**current, **value}
    if isinstance(current, tuple):
        return tuple(value) if isinstance(value, list) else _bad(path, name, "a list")
    if isinstance(current, datetime):
        if not isinstance(value, datetime):
            return _bad(path, name, "a date-time with an offset")
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(current, bool) or not isinstance(value, int | float) or isinstance(value, bool):
        return _bad(path, name, "a number")
    if isinstance(current, int) and not isinstance(value, int):
        return _bad(path, name, "a whole number")
    if value < 0 or (name.endswith("_every_hours") and value < 1):
        return _bad(path, name, "not negative" if value < 0 else "at least 1")
    return value


def _causes(path: Path, value: Any, current: dict[str, Cause]) -> dict[str, Cause]:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: causes must be a table per cause")
    causes = dict(current)
    names = {f.name for f in fields(Cause)}
    for cause, table in value.items():
        if cause not in causes or not isinstance(table, dict) or set(table) - names:
            raise ConfigError(
                f"{path}: [causes.{cause}]: causes are {sorted(causes)} with keys {sorted(names)}"
            )
        given: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()}
        causes[cause] = replace(causes[cause], **given)
    return causes


def _bad(path: Path, name: str, what: str) -> Any:
    raise ConfigError(f"{path}: {name} must be {what}")

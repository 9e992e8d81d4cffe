"""The simulated people: engineers deciding what to take and how long a fix takes, clients
deciding what to answer. Pure: a random generator and values in, decisions out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from heatmap.replay.config import ReplayConfig

__all__ = ["client_reply", "fix_hours", "incident_of", "on_duty", "rating"]

_LOCAL = ZoneInfo("Europe/Moscow")
#: Spots worked at once in a queue of the policy that the replay settings do not name.
OTHER_QUEUE_CAPACITY = 2
#: What clients text back: the close-out parser's own words for "still broken".
PERSISTS_TEXT = "не работает"


def incident_of(incidents: pd.Series) -> int:
    """The incident a spot is about: the one most of its complaints come from, when that is
    at least half of them; -1 (no network fault) otherwise. ``incidents`` per member."""
    if incidents.empty:
        return -1
    counts = incidents.value_counts()
    best = int(counts.index[0])
    if best < 0 or counts.iloc[0] * 2 < len(incidents):
        return -1
    return best


def on_duty(queue: str, now: datetime, config: ReplayConfig) -> bool:
    """Whether the queue's engineers work at ``now`` (local working hours, or always)."""
    if queue in config.always_on:
        return True
    start, end = config.work_hours
    return start <= now.astimezone(_LOCAL).hour < end


def fix_hours(cause: str | None, *, over: bool, config: ReplayConfig, rng: np.random.Generator) -> float:
    """Hours from taking a spot to its resolution: a quick check when the incident is
    ``over`` already, the false-spot investigation without one, else the cause's
    lognormal time to fix."""
    if cause is None:
        return config.false_spot_hours
    if over:
        return 1.0
    spec = config.causes[cause]
    return max(1.0, float(spec.fix_median_hours * rng.lognormal(0.0, spec.fix_sigma)))


def rating(waited_hours: float, *, config: ReplayConfig, rng: np.random.Generator) -> int:
    """A client's 1-5 for a fix that holds: the best rating, less ``rating_per_doubling``
    for each doubling of the days waited, with noise."""
    days = max(waited_hours, 0.0) / 24
    mean = config.rating_best - config.rating_per_doubling * float(np.log2(1 + days))
    return int(np.clip(round(mean + rng.normal(0, config.rating_noise)), 1, 5))


def client_reply(
    *, still_broken: bool, waited_hours: float, config: ReplayConfig, rng: np.random.Generator
) -> str:
    """The SMS a client answers with: "still broken" (or a 1-2) while the problem lasts,
    else a rating."""
    if still_broken:
        return PERSISTS_TEXT if rng.random() < config.persists_share else str(rng.integers(1, 3))
    return str(rating(waited_hours, config=config, rng=rng))


def free_slots(capacity: Mapping[str, int], working: Mapping[str, int]) -> dict[str, int]:
    """Spots each queue can still take: its capacity less those it works on now."""
    return {q: max(0, c - working.get(q, 0)) for q, c in capacity.items()}


def reply_at(sent_at: datetime, *, config: ReplayConfig, rng: np.random.Generator) -> datetime | None:
    """When a notified client answers, or None when they do not."""
    if rng.random() >= config.reply_share:
        return None
    return sent_at + timedelta(hours=float(rng.exponential(config.reply_mean_hours)) + 0.02)

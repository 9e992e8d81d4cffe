"""Outcomes of the spot workflow for analysts: :mod:`heatmap.core.outcomes` over a store or frames.

A spot's resolution is the first event whose ``to_status`` is ``resolved``; a reopen
is any event to ``reopened`` (see :func:`heatmap.core.outcomes.outcomes`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from heatmap.core import outcomes as pure
from heatmap.core.outcomes import OUTCOME_COLUMNS

if TYPE_CHECKING:
    from heatmap.analysis.loading import FrameSource

__all__ = ["OUTCOME_COLUMNS", "kpis", "outcomes"]


def outcomes(
    spots: FrameSource, events: FrameSource | None = None, *, now: datetime | str | None = None
) -> pd.DataFrame:
    """One row per spot (merged spots left out) with its ages, SLA and resolution.

    ``now`` defaults to the latest time in the data (spots' ``updated_at``, events'
    ``at``). ``age_hours`` counts from the spot's creation, ``problem_age_hours`` from
    its first complaint; ``hours_to_due`` is negative when the SLA is missed, and
    ``overdue`` is True for an open spot past ``due_at``. ``solved_within_1_day`` is
    empty while a spot younger than a day is still open (it may yet make it).

    ``spots`` (and ``events``) may be a store — a URL, a SQLite path or an open store —
    instead of its frame: ``outcomes(db_url)`` reads both the spots and their events.
    """
    spot_frame, event_frame = _frames(spots, events)
    return pure.outcomes(spot_frame, event_frame, now=now)


def kpis(table: FrameSource) -> pd.Series:
    """Headline figures from :func:`outcomes` (given a store instead, of its outcomes).

    ``share_solved_within_1_day`` is over the spots old enough to tell (resolved, or
    open for a day); ``reopen_rate`` over the spots ever resolved;
    ``complainants_in_resolved`` counts distinct complainants of resolved spots
    (the "complaints of N clients solved through spots" of DESIGN.md). Each is NaN
    when there is nothing to divide by yet.
    """
    return pure.kpis(table if isinstance(table, pd.DataFrame) else outcomes(table))


def _frames(spots: FrameSource, events: FrameSource | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The spots and events frames, loaded from a store where one is named instead;
    a store given for the spots and no events gives its events too."""
    if isinstance(spots, pd.DataFrame) and (events is None or isinstance(events, pd.DataFrame)):
        return spots, events
    from heatmap.analysis.loading import events_from, spots_from

    if events is None and not isinstance(spots, pd.DataFrame):
        events = spots
    return spots_from(spots), None if events is None else events_from(events)

"""Outcomes of the spot workflow: ages, SLA, time to resolve, reopen rate.

Computed from the spots and their events (``load_events``): a spot's resolution is
the first event whose ``to_status`` is ``resolved``; a reopen is any event to
``reopened``. Until the engineer workflow records those transitions, every spot is
open and the resolution figures are honestly empty (NaN), not zero.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from heatmap.domain import OPEN_STATUSES

if TYPE_CHECKING:
    from heatmap.analysis.loading import FrameSource

__all__ = ["OUTCOME_COLUMNS", "kpis", "outcomes"]

OUTCOME_COLUMNS: tuple[str, ...] = (
    "id",
    "status",
    "queue",
    "sla_hours",
    "subscribers",
    "created_at",
    "first_complaint_at",
    "due_at",
    "eta",
    "age_hours",
    "problem_age_hours",
    "hours_to_due",
    "overdue",
    "taken_at",
    "resolved_at",
    "hours_to_resolve",
    "solved_within_1_day",
    "reopens",
)
_HOUR = pd.Timedelta(hours=1)


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
    live = spot_frame[spot_frame["status"] != "merged"].copy()
    times = {
        n: pd.to_datetime(live[n], utc=True)
        for n in ("created_at", "first_complaint_at", "due_at", "eta", "updated_at")
        if n in live
    }
    history = _events(event_frame)
    at = _now(now, times.get("updated_at"), history["at"])
    first = _first_time(history, "in_progress"), _first_time(history, "resolved")
    table = pd.DataFrame(
        {
            "id": live["id"].to_numpy(),
            "status": live["status"].to_numpy(),
            "queue": live["queue"].to_numpy() if "queue" in live else None,
            "sla_hours": pd.to_numeric(live["sla_hours"]).to_numpy(float) if "sla_hours" in live else np.nan,
            "subscribers": live["subscribers"].to_numpy(),
        }
    )
    for name in ("created_at", "first_complaint_at", "due_at", "eta"):
        table[name] = times[name].to_numpy() if name in times else pd.NaT
        table[name] = pd.to_datetime(table[name], utc=True)
    open_ = table["status"].isin(OPEN_STATUSES).to_numpy()
    table["age_hours"] = (at - table["created_at"]) / _HOUR
    table["problem_age_hours"] = (at - table["first_complaint_at"]) / _HOUR
    table["hours_to_due"] = ((table["due_at"] - at) / _HOUR).where(open_)
    table["overdue"] = open_ & (table["due_at"] < at).to_numpy()
    table["taken_at"] = pd.to_datetime(first[0].reindex(table["id"]).to_numpy(), utc=True)
    table["resolved_at"] = pd.to_datetime(first[1].reindex(table["id"]).to_numpy(), utc=True)
    table["hours_to_resolve"] = (table["resolved_at"] - table["created_at"]) / _HOUR
    within = table["hours_to_resolve"] <= 24
    decided = table["resolved_at"].notna() | (table["age_hours"] >= 24)
    table["solved_within_1_day"] = within.astype("boolean").where(decided, pd.NA)
    reopens = history[history["to_status"] == "reopened"].groupby("spot_id").size()
    table["reopens"] = reopens.reindex(table["id"]).fillna(0).to_numpy("int64")
    return table.loc[:, list(OUTCOME_COLUMNS)]


def kpis(table: FrameSource) -> pd.Series:
    """Headline figures from :func:`outcomes` (given a store instead, of its outcomes).

    ``share_solved_within_1_day`` is over the spots old enough to tell (resolved, or
    open for a day); ``reopen_rate`` over the spots ever resolved;
    ``complainants_in_resolved`` counts distinct complainants of resolved spots
    (the "complaints of N clients solved through spots" of DESIGN.md). Each is NaN
    when there is nothing to divide by yet.
    """
    if not isinstance(table, pd.DataFrame):
        table = outcomes(table)
    resolved = table["resolved_at"].notna()
    decided = table["solved_within_1_day"].notna()
    return pd.Series(
        {
            "spots": len(table),
            "open": int(table["status"].isin(OPEN_STATUSES).sum()),
            "resolved": int((table["status"] == "resolved").sum()),
            "rejected": int((table["status"] == "rejected").sum()),
            "overdue_open": int(table["overdue"].sum()),
            "share_solved_within_1_day": _ratio(
                int(table["solved_within_1_day"].fillna(False).sum()), int(decided.sum())
            ),
            "median_hours_to_resolve": float(table["hours_to_resolve"].median())
            if resolved.any()
            else float("nan"),
            "reopen_rate": _ratio(int((table["reopens"] > 0).sum()), int(resolved.sum())),
            "complainants_in_resolved": int(table.loc[resolved, "subscribers"].sum()),
        },
        dtype=object,
    )


def _frames(spots: FrameSource, events: FrameSource | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The spots and events frames, loaded from a store where one is named instead;
    a store given for the spots and no events gives its events too."""
    if isinstance(spots, pd.DataFrame) and (events is None or isinstance(events, pd.DataFrame)):
        return spots, events
    from heatmap.analysis.loading import events_from, spots_from

    if events is None and not isinstance(spots, pd.DataFrame):
        events = spots
    return spots_from(spots), None if events is None else events_from(events)


def _events(events: pd.DataFrame | None) -> pd.DataFrame:
    if events is None or events.empty:
        return pd.DataFrame(
            {
                "spot_id": pd.Series(dtype=object),
                "at": pd.Series(dtype="datetime64[us, UTC]"),
                "to_status": pd.Series(dtype=object),
            }
        )
    out = events.loc[:, ["spot_id", "at", "to_status"]].copy()
    out["at"] = pd.to_datetime(out["at"], utc=True)
    return out


def _first_time(events: pd.DataFrame, status: str) -> pd.Series:
    hits = events[events["to_status"] == status]
    return hits.groupby("spot_id")["at"].min()


def _now(now: datetime | str | None, updated: pd.Series | None, event_times: pd.Series) -> pd.Timestamp:
    if now is not None:
        stamp = pd.Timestamp(now)
        return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    candidates = [s.max() for s in (updated, event_times) if s is not None and s.notna().any()]
    if not candidates:
        return pd.Timestamp(0, tz="UTC")
    return pd.Timestamp(max(candidates))


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")

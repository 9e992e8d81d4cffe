"""Outcomes of the spot workflow: ages, SLA, time to resolve, reopen rate (pure, over frames).

Computed from the spots and their events (``load_events``): a spot's resolution is
the first event whose ``to_status`` is ``resolved``; a reopen is any event to
``reopened``. Until the engineer workflow records those transitions, every spot is
open and the resolution figures are honestly empty (NaN), not zero.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from heatmap.domain import OPEN_STATUSES

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
    spots: pd.DataFrame, events: pd.DataFrame | None = None, *, now: datetime | str | None = None
) -> pd.DataFrame:
    """One row per non-merged spot: :data:`OUTCOME_COLUMNS`, times in UTC, ages in hours.

    ``now`` (default: the latest ``updated_at`` or event time) is when ages are taken;
    ``solved_within_1_day`` stays NA for an open spot younger than a day.
    """
    live = spots[spots["status"] != "merged"].copy()
    times = {
        n: pd.to_datetime(live[n], utc=True)
        for n in ("created_at", "first_complaint_at", "due_at", "eta", "updated_at")
        if n in live
    }
    history = _events(events)
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


def kpis(table: pd.DataFrame) -> pd.Series:
    """Headline counts and rates of an :func:`outcomes` table; a rate with nothing to
    divide by yet is NaN, never zero."""
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

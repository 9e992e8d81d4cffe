"""``heatmap report``: the close-out KPIs — spots, time to fix, ratings, SMS, reach.

Spot figures come from :func:`heatmap.core.outcomes.outcomes` (a spot is
resolved at its first ``resolved`` event; the reopen rate is over spots ever
resolved). Ratings are the answers in force (one per spot and client). A figure
with nothing to divide by is None, not zero.

With ``since``, each figure counts what happened from then on: spots opened since,
spots resolved since (by the time of their resolution, whenever they opened), the
one-day share over spots whose first day ended or that were resolved since, SMS
written and answers given since.

SMS parts: what an operator pays for. ``sms_parts`` is the parts of the messages the
gateway took, and ``share_sms_1_part`` … ``share_sms_3_parts_or_more`` how those
messages split by their count of parts.
"""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd

from heatmap.core.outcomes import kpis, outcomes
from heatmap.domain.outbox import SmsStatus
from heatmap.store.base import Store

__all__ = ["REPORT_KEYS", "closeout_report"]

S = SmsStatus
REPORT_KEYS: tuple[str, ...] = (
    "spots_opened",
    "spots_resolved",
    "share_resolved_within_1_day",
    "median_hours_to_resolve",
    "reopen_rate",
    "ratings",
    "rating_mean",
    "share_rated_4_5",
    "persists_answers",
    "sms_sent",
    "sms_delivered",
    "sms_undelivered",
    "sms_failed",
    "sms_held",
    "sms_ever_held",
    "sms_pending",
    "sms_cancelled",
    "sms_parts",
    "share_sms_1_part",
    "share_sms_2_parts",
    "share_sms_3_parts_or_more",
    "complainants_to_reach",
    "complainants_reached",
)
_DAY = pd.Timedelta(days=1)


def _number(value: float | int | None, digits: int = 3) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return None if math.isnan(value) else round(float(value), digits)


def closeout_report(
    store: Store, *, now: datetime, since: datetime | None = None
) -> dict[str, float | int | None]:
    """The KPIs at ``now``; with ``since``, of what happened since then (module docstring)."""
    start = pd.Timestamp(since) if since is not None else None
    table = outcomes(store.load_spots(), store.load_events(), now=now)
    opened, resolved, decided = table, table, table
    if start is not None:
        opened = table[table["created_at"] >= start]
        resolved = table[table["resolved_at"] >= start]
        decided = table[_day_decided_at(table) >= start]
    by_resolution, by_day = kpis(resolved), kpis(decided)
    outbox = store.load_outbox()
    if start is not None:
        outbox = outbox[outbox["created_at"] >= start]
    answers = store.load_ratings()
    if start is not None:
        answers = answers[answers["at"] >= start]
    rated = answers["rating"].dropna().astype(int)
    status = outbox["status"]
    accepted = status.isin([S.SENT, S.DELIVERED, S.UNDELIVERED])
    reached = outbox.loc[status.isin([S.SENT, S.DELIVERED]), "subscriber_id"].nunique()
    parts = pd.to_numeric(outbox.loc[accepted, "parts"], errors="coerce").dropna()
    report: dict[str, float | int | None] = {
        "spots_opened": len(opened),
        "spots_resolved": int(resolved["resolved_at"].notna().sum()),
        "share_resolved_within_1_day": _number(by_day["share_solved_within_1_day"]),
        "median_hours_to_resolve": _number(by_resolution["median_hours_to_resolve"], 2),
        "reopen_rate": _number(by_resolution["reopen_rate"]),
        "ratings": len(rated),
        "rating_mean": _number(float(rated.mean()) if len(rated) else None, 2),
        "share_rated_4_5": _number(float((rated >= 4).mean()) if len(rated) else None),
        "persists_answers": int(answers["persists"].sum()),
        "sms_sent": int(accepted.sum()),
        "sms_delivered": int((status == S.DELIVERED).sum()),
        "sms_undelivered": int((status == S.UNDELIVERED).sum()),
        "sms_failed": int((status == S.FAILED).sum()),
        "sms_held": int((status == S.HELD).sum()),
        "sms_ever_held": int((outbox["held_count"].fillna(0) > 0).sum()),
        "sms_pending": int(status.isin([S.PENDING, S.SENDING]).sum()),
        "sms_cancelled": int((status == S.CANCELLED).sum()),
        "sms_parts": int(parts.sum()),
        "share_sms_1_part": _share(parts == 1),
        "share_sms_2_parts": _share(parts == 2),
        "share_sms_3_parts_or_more": _share(parts >= 3),
        "complainants_to_reach": int(outbox["subscriber_id"].nunique()),
        "complainants_reached": int(reached),
    }
    assert tuple(report) == REPORT_KEYS
    return report


def _share(flags: pd.Series) -> float | None:
    return _number(float(flags.mean())) if len(flags) else None


def _day_decided_at(table: pd.DataFrame) -> pd.Series:
    """When a spot's one-day outcome was settled: its resolution within the day, else the
    end of its first day (NaT while it is still undecided)."""
    day_end = table["created_at"] + _DAY
    settled = table["resolved_at"].where(table["resolved_at"] <= day_end, day_end)
    return settled.where(table["solved_within_1_day"].notna())

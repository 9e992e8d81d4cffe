"""``heatmap report``: the close-out KPIs — spots, time to fix, ratings, SMS, reach.

Spot figures come from :func:`heatmap.analysis_outcomes.outcomes` (a spot is
resolved at its first ``resolved`` event; the reopen rate is over spots ever
resolved). Ratings are the answers in force (one per spot and client). A figure
with nothing to divide by is None, not zero.
"""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd

from heatmap.analysis_outcomes import kpis, outcomes
from heatmap.closeout.schema import SmsStatus
from heatmap.store.base import Store

__all__ = ["REPORT_KEYS", "closeout_report"]

S = SmsStatus
REPORT_KEYS: tuple[str, ...] = (
    "spots_opened", "spots_resolved", "share_resolved_within_1_day", "median_hours_to_resolve",
    "reopen_rate", "ratings", "rating_mean", "share_rated_4_5", "persists_answers",
    "sms_sent", "sms_delivered", "sms_undelivered", "sms_failed", "sms_held", "sms_ever_held",
    "sms_pending", "sms_cancelled", "complainants_to_reach", "complainants_reached",
)


def _number(value: float | int | None, digits: int = 3) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return None if math.isnan(value) else round(float(value), digits)


def closeout_report(store: Store, *, now: datetime, since: datetime | None = None
                    ) -> dict[str, float | int | None]:
    """The KPIs at ``now``; with ``since``, of spots opened and messages written since then."""
    start = pd.Timestamp(since) if since is not None else None
    table = outcomes(store.load_spots(), store.load_events(), now=now)
    if start is not None:
        table = table[table["created_at"] >= start]
    figures = kpis(table)
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
    report: dict[str, float | int | None] = {
        "spots_opened": len(table),
        "spots_resolved": int(table["resolved_at"].notna().sum()),
        "share_resolved_within_1_day": _number(figures["share_solved_within_1_day"]),
        "median_hours_to_resolve": _number(figures["median_hours_to_resolve"], 2),
        "reopen_rate": _number(figures["reopen_rate"]),
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
        "complainants_to_reach": int(outbox["subscriber_id"].nunique()),
        "complainants_reached": int(reached),
    }
    assert tuple(report) == REPORT_KEYS
    return report

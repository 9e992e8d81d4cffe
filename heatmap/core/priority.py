"""Spot priority: a weighted sum of factors, each part kept as the breakdown."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from heatmap.core.policy import FACTORS, Policy


def prioritise(
    spots: pd.DataFrame, complaints: pd.DataFrame, policy: Policy, *, now: datetime
) -> pd.DataFrame:
    """``spots`` (id, dominant_topic, last_complaint_at; ``excess`` when detection gave it)
    with ``priority``, ``breakdown`` and ``escalated`` (complainants at least doubled
    within the policy's hours).

    The ``excess`` factor is ``log2(1 + max(excess, 0))``: complainants above what the
    place explains. A spot without an excess (the count rule, a known issue, an old
    spot) counts its distinct complainants instead.

    ``complaints`` are the spots' members: spot_id, subscriber_id, segment, ltv,
    created_at. Counting is by complainant: a subscriber's repeated complaints
    count once, with their highest segment weight and LTV.
    """
    if spots.empty:
        return _unscored(spots)
    recent_from, doubling_from = complainant_windows(policy, now)
    members = complaints[complaints["spot_id"].isin(spots["id"])].copy()
    members["segment_w"] = members["segment"].map(policy.priority.segment).fillna(1.0)
    members["ltv0"] = members["ltv"].fillna(0.0)
    members["recent"] = members["created_at"] >= recent_from
    members["before"] = members["created_at"] < doubling_from
    per_subscriber = members.groupby(["spot_id", "subscriber_id"]).agg(
        segment_w=("segment_w", "max"),
        ltv=("ltv0", "max"),
        recent=("recent", "max"),
        before=("before", "max"),
    )
    return prioritise_complainants(spots, per_subscriber, policy, now=now)


def complainant_windows(policy: Policy, now: datetime) -> tuple[pd.Timestamp, pd.Timestamp]:
    """When complaining counts as ``recent`` (from then on) and as ``before`` (until then)."""
    recent_from = pd.Timestamp(now) - pd.Timedelta(hours=policy.priority.params.growth_window_hours)
    doubling_from = pd.Timestamp(now) - pd.Timedelta(hours=policy.escalation.doubling_hours)
    return recent_from, doubling_from


def prioritise_complainants(
    spots: pd.DataFrame, complainants: pd.DataFrame, policy: Policy, *, now: datetime
) -> pd.DataFrame:
    """:func:`prioritise` from the spots' complainants already tallied: one row per spot and
    subscriber, indexed by ``spot_id, subscriber_id`` in sorted order, with ``segment_w``
    (their highest segment weight), ``ltv`` (their highest, 0 when none), ``recent`` and
    ``before`` (whether they complained in and before the :func:`complainant_windows`)."""
    p = policy.priority
    out = spots.copy()
    if out.empty:
        return _unscored(out)
    per_spot = (
        complainants.groupby(level="spot_id")
        .agg(
            n=("segment_w", "size"),
            segment=("segment_w", "mean"),
            ltv=("ltv", "sum"),
            recent=("recent", "sum"),
            before=("before", "sum"),
        )
        .reindex(out["id"])
    )
    n = per_spot["n"].fillna(0).to_numpy(float)
    age = pd.Timestamp(now) - pd.to_datetime(out["last_complaint_at"], utc=True)
    hours = age.dt.total_seconds() / 3600.0
    factors = {
        "excess": np.log2(1 + np.clip(_excess(out, n), 0, None)),
        "segment": per_spot["segment"].fillna(1.0).to_numpy(float),
        "topic": out["dominant_topic"]
        .fillna("unknown")
        .map(p.topic_severity)
        .fillna(p.topic_severity.get("unknown", 1.0))
        .to_numpy(float),
        "ltv": np.log10(1 + per_spot["ltv"].fillna(0).to_numpy(float) / p.params.ltv_scale_rub),
        "recency": np.power(0.5, np.clip(hours.to_numpy(float), 0, None) / p.params.recency_half_life_hours),
        "growth": np.divide(
            per_spot["recent"].fillna(0).to_numpy(float), n, out=np.zeros(len(n)), where=n > 0
        ),
    }
    parts = {f: np.round(p.weights.get(f, 0.0) * factors[f], 3) for f in FACTORS}
    rule = policy.escalation
    before = per_spot["before"].fillna(0).to_numpy(float)
    escalated = (n >= rule.min_subscribers) & (n >= 2 * before)
    parts["escalation"] = np.where(escalated, rule.boost, 0.0)
    out["priority"] = np.round(sum(parts.values()), 2)
    out["escalated"] = escalated
    out["breakdown"] = [{f: float(v[i]) for f, v in parts.items()} for i in range(len(out))]
    return out


def _unscored(spots: pd.DataFrame) -> pd.DataFrame:
    out = spots.copy()
    out["priority"] = pd.Series(dtype=float)
    out["breakdown"] = pd.Series(dtype=object)
    out["escalated"] = pd.Series(dtype=bool)
    return out


def _excess(spots: pd.DataFrame, complainants: np.ndarray) -> np.ndarray:
    """The spot's ``excess`` where known (finite), else its distinct complainants."""
    if "excess" not in spots.columns:
        return complainants
    excess = pd.to_numeric(spots["excess"], errors="coerce").to_numpy(float)
    return np.where(np.isfinite(excess), excess, complainants)

"""Routing: the first matching rule of the policy sends a spot to a queue with an SLA."""

from __future__ import annotations

import pandas as pd

from heatmap.core.policy import Policy, RoutingRule


def route(spots: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """``spots`` with ``queue``, ``sla_hours``, ``due_at`` and ``routed_by`` (rule name).

    Needs dominant_topic, region, subscribers, priority, created_at; ``cause``,
    ``suggested_cause`` and ``alarm_severity`` (from :func:`heatmap.core.network.correlate`)
    and ``trend`` (from detection) when present.
    """
    out = spots.copy()
    decided = pd.Series(False, index=out.index)
    out["queue"] = None
    out["routed_by"] = None
    for rule in policy.routing:
        hit = _matches(out, rule) & ~decided
        out.loc[hit, "queue"] = rule.queue
        out.loc[hit, "routed_by"] = rule.name
        decided |= hit
    sla = {name: q.sla_hours for name, q in policy.queues.items()}
    out["sla_hours"] = out["queue"].map(sla).astype(float)
    created = pd.to_datetime(out["created_at"], utc=True)
    out["due_at"] = created + pd.to_timedelta(out["sla_hours"], unit="h")
    return out


def _column(spots: pd.DataFrame, name: str) -> pd.Series:
    if name in spots.columns:
        return spots[name].astype(object)
    return pd.Series(None, index=spots.index, dtype=object)


def _matches(spots: pd.DataFrame, rule: RoutingRule) -> pd.Series:
    hit = pd.Series(True, index=spots.index)
    if rule.topics is not None:
        hit &= spots["dominant_topic"].isin(rule.topics)
    if rule.regions is not None:
        hit &= spots["region"].isin(rule.regions)
    if rule.causes is not None:
        cause = _column(spots, "cause").where(
            _column(spots, "cause").notna(), _column(spots, "suggested_cause")
        )
        hit &= cause.isin(rule.causes)
    if rule.alarm_severities is not None:
        hit &= _column(spots, "alarm_severity").isin(rule.alarm_severities)
    if rule.trends is not None:
        hit &= _column(spots, "trend").isin(rule.trends)
    if rule.min_subscribers is not None:
        hit &= spots["subscribers"] >= rule.min_subscribers
    if rule.min_priority is not None:
        hit &= spots["priority"] >= rule.min_priority
    return hit

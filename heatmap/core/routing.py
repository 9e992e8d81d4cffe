"""Routing: the first matching rule of the policy sends a spot to a queue with an SLA."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from heatmap.core.policy import Policy, RoutingRule


def route(spots: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """``spots`` with ``queue``, ``sla_hours``, ``due_at`` and ``routed_by`` (rule name).

    Needs dominant_topic, region, subscribers, priority, created_at; ``cause``,
    ``suggested_cause`` and ``alarm_severity`` (from :func:`heatmap.core.network.correlate`)
    and ``trend`` (from detection) when present.
    """
    out = spots.copy()
    fields = _Fields.of(out)
    queue = np.full(len(out), None, dtype=object)
    routed_by = np.full(len(out), None, dtype=object)
    decided = np.zeros(len(out), dtype=bool)
    for rule in policy.routing:
        hit = fields.matches(rule) & ~decided
        queue[hit] = rule.queue
        routed_by[hit] = rule.name
        decided |= hit
    out["queue"] = pd.Series(queue, index=out.index, dtype=object)
    out["routed_by"] = pd.Series(routed_by, index=out.index, dtype=object)
    sla = {name: q.sla_hours for name, q in policy.queues.items()}
    out["sla_hours"] = out["queue"].map(sla).astype(float)
    created = pd.to_datetime(out["created_at"], utc=True)
    out["due_at"] = created + pd.to_timedelta(out["sla_hours"], unit="h")
    return out


def _values(spots: pd.DataFrame, name: str) -> list[object]:
    """A column's values as Python objects, None where missing (all None when absent)."""
    if name not in spots.columns:
        return [None] * len(spots)
    column = spots[name].astype(object)
    values: list[object] = column.where(column.notna(), None).tolist()
    return values


@dataclass(frozen=True)
class _Fields:
    """What the rules look at, read once from the spots: the labels as Python values (the
    cause is the engineer's, else the suggested one) and the counts as arrays."""

    topic: list[object]
    region: list[object]
    cause: list[object]
    alarm_severity: list[object]
    trend: list[object]
    subscribers: np.ndarray
    priority: np.ndarray

    @classmethod
    def of(cls, spots: pd.DataFrame) -> _Fields:
        cause, suggested = _values(spots, "cause"), _values(spots, "suggested_cause")
        return cls(
            topic=_values(spots, "dominant_topic"),
            region=_values(spots, "region"),
            cause=[c if c is not None else s for c, s in zip(cause, suggested, strict=True)],
            alarm_severity=_values(spots, "alarm_severity"),
            trend=_values(spots, "trend"),
            subscribers=spots["subscribers"].to_numpy(),
            priority=spots["priority"].to_numpy(),
        )

    def matches(self, rule: RoutingRule) -> np.ndarray:
        """Whether each spot meets every condition ``rule`` sets."""
        hit = np.ones(len(self.topic), dtype=bool)
        for values, allowed in (
            (self.topic, rule.topics),
            (self.region, rule.regions),
            (self.cause, rule.causes),
            (self.alarm_severity, rule.alarm_severities),
            (self.trend, rule.trends),
        ):
            if allowed is not None:
                chosen = set(allowed)
                hit &= np.fromiter((v in chosen for v in values), dtype=bool, count=len(values))
        if rule.min_subscribers is not None:
            hit &= np.asarray(self.subscribers >= rule.min_subscribers, dtype=bool)
        if rule.min_priority is not None:
            hit &= np.asarray(self.priority >= rule.min_priority, dtype=bool)
        return hit

"""Routing: each spot goes to the queue of the first rule of the policy it meets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatmap.core.policy import Policy, RoutingRule, load_policy
from heatmap.core.routing import route

TOPICS = ["no_signal", "slow_internet", "calls_drop", "voice_quality", None]
CAUSES = ["power_outage", "fiber_cut", "equipment_failure", "capacity", None, np.nan]
SEVERITIES = ["critical", "major", "minor", None]
TRENDS = ["new", "intensifying", "persistent", "diminishing", None]


def spots(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": [f"S{i}" for i in range(n)],
            "dominant_topic": rng.choice(np.array(TOPICS, dtype=object), n),
            "region": rng.choice(np.array(["Санкт-Петербург", "Вологодская область", None], dtype=object), n),
            "cause": rng.choice(np.array(CAUSES, dtype=object), n),
            "suggested_cause": rng.choice(np.array(CAUSES, dtype=object), n),
            "alarm_severity": rng.choice(np.array(SEVERITIES, dtype=object), n),
            "trend": rng.choice(np.array(TRENDS, dtype=object), n),
            "subscribers": rng.integers(1, 40, n),
            "priority": rng.uniform(0, 100, n),
            "created_at": pd.Timestamp("2026-11-20T12:00:00Z")
            + pd.to_timedelta(rng.integers(0, 99, n), unit="h"),
        }
    )


def meets(spot: dict[str, object], rule: RoutingRule) -> bool:
    """One spot against one rule, read as the policy says it."""

    def given(name: str) -> object:
        value = spot.get(name)
        return None if value is None or (isinstance(value, float) and np.isnan(value)) else value

    cause = given("cause") if given("cause") is not None else given("suggested_cause")
    labels = (
        (given("dominant_topic"), rule.topics),
        (given("region"), rule.regions),
        (cause, rule.causes),
        (given("alarm_severity"), rule.alarm_severities),
        (given("trend"), rule.trends),
    )
    if any(allowed is not None and value not in allowed for value, allowed in labels):
        return False
    if rule.min_subscribers is not None and not int(spot["subscribers"]) >= rule.min_subscribers:  # type: ignore[call-overload]
        return False
    return rule.min_priority is None or float(spot["priority"]) >= rule.min_priority  # type: ignore[arg-type]


def one_by_one(frame: pd.DataFrame, policy: Policy) -> list[tuple[str | None, str | None]]:
    found: list[tuple[str | None, str | None]] = []
    for spot in frame.to_dict(orient="records"):
        rule = next((r for r in policy.routing if meets(spot, r)), None)
        found.append((None, None) if rule is None else (rule.queue, rule.name))
    return found


def test_every_spot_takes_the_queue_of_the_first_rule_it_meets() -> None:
    policy = load_policy()
    for seed in range(20):
        frame = spots(60, seed)
        routed = route(frame, policy)
        assert list(zip(routed["queue"], routed["routed_by"], strict=True)) == one_by_one(frame, policy)
        assert routed["queue"].dtype == object and routed["routed_by"].dtype == object
        sla = routed["queue"].map({n: q.sla_hours for n, q in policy.queues.items()})
        assert routed["sla_hours"].equals(sla.astype(float))
        assert routed.index.equals(frame.index) and frame.columns.isin(routed.columns).all()


def test_spots_without_the_optional_labels_match_no_list_of_them() -> None:
    policy = load_policy()
    frame = spots(60, 99).drop(columns=["cause", "suggested_cause", "alarm_severity", "trend"])
    routed = route(frame.set_axis(range(100, 160)), policy)
    assert list(zip(routed["queue"], routed["routed_by"], strict=True)) == one_by_one(frame, policy)
    assert route(frame.iloc[:0], policy)["queue"].tolist() == []

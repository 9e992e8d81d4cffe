from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from heatmap.core.policy import FACTORS, default_policy_text, load_policy, parse_policy
from heatmap.core.priority import prioritise
from heatmap.core.routing import route
from heatmap.errors import ConfigError

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def spot(**overrides: object) -> dict[str, object]:
    base = {"id": "SP-1", "dominant_topic": "no_coverage", "region": "Вологодская область",
            "subscribers": 3, "last_complaint_at": NOW - timedelta(hours=1), "created_at": NOW}
    return {**base, **overrides}


def members(spot_id: str, subscribers: list[str], segment: str = "mass",
            ltv: float = 1000.0) -> pd.DataFrame:
    return pd.DataFrame({"spot_id": spot_id, "subscriber_id": subscribers, "segment": segment,
                         "ltv": ltv, "created_at": NOW - timedelta(hours=2)})


def test_default_policy_loads() -> None:
    policy = load_policy()
    assert set(policy.priority.weights) == set(FACTORS)
    assert policy.routing[-1].queue == "ran_optimisation"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("vip = 4.0", "platinum = 4.0"), "unknown keys ['platinum']"),
        (('queue = "capacity"', 'queue = "nowhere"'), "unknown queue 'nowhere'"),
        (("sla_hours = 4", "sla_hours = -4"), "sla_hours"),
        (("[priority.params]", "[priority.params"), "not valid TOML"),
    ],
)
def test_bad_policy_is_a_clear_config_error(edit: tuple[str, str], message: str) -> None:
    text = default_policy_text().replace(*edit)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_policy(text, origin="my.toml")


def test_breakdown_adds_up_to_the_score() -> None:
    scored = prioritise(pd.DataFrame([spot()]), members("SP-1", ["a", "b", "c"]), load_policy(),
                        now=NOW)
    breakdown = scored["breakdown"].iloc[0]
    assert set(breakdown) == {*FACTORS, "escalation"}
    assert scored["priority"].iloc[0] == pytest.approx(sum(breakdown.values()), abs=0.02)


def test_counting_is_by_complainant_not_complaint() -> None:
    policy = load_policy()
    repeat = prioritise(pd.DataFrame([spot()]), members("SP-1", ["a"] * 5), policy, now=NOW)
    single = prioritise(pd.DataFrame([spot()]), members("SP-1", ["a"]), policy, now=NOW)
    assert repeat["breakdown"].iloc[0] == single["breakdown"].iloc[0]


def test_vip_and_more_complainants_rank_higher() -> None:
    policy = load_policy()
    frame = pd.DataFrame([spot(id="mass"), spot(id="vip"), spot(id="many")])
    complaints = pd.concat([members("mass", ["a", "b", "c"]),
                            members("vip", ["d", "e", "f"], segment="vip"),
                            members("many", [f"s{i}" for i in range(30)])])
    scored = prioritise(frame, complaints, policy, now=NOW).set_index("id")["priority"]
    assert scored["vip"] > scored["mass"]
    assert scored["many"] > scored["mass"]


def test_old_spots_lose_recency() -> None:
    policy = load_policy()
    frame = pd.DataFrame([spot(id="fresh"), spot(id="stale", last_complaint_at=NOW - timedelta(days=9))])
    complaints = pd.concat([members("fresh", ["a"]), members("stale", ["b"])])
    scored = prioritise(frame, complaints, policy, now=NOW).set_index("id")
    assert scored.loc["fresh", "breakdown"]["recency"] > scored.loc["stale", "breakdown"]["recency"]


def test_routing_takes_the_first_matching_rule_and_sets_sla() -> None:
    policy = load_policy()
    frame = pd.DataFrame([
        spot(id="big", subscribers=40, priority=1.0),
        spot(id="gap", priority=1.0),
        spot(id="slow", dominant_topic="slow_data", priority=1.0),
        spot(id="other", dominant_topic="dropped_calls", priority=1.0),
    ])
    routed = route(frame, policy).set_index("id")
    assert routed["queue"].to_dict() == {"big": "outage_response", "gap": "construction_planning",
                                         "slow": "capacity", "other": "ran_optimisation"}
    assert routed.loc["big", "sla_hours"] == 4
    assert routed.loc["big", "due_at"] == pd.Timestamp(NOW) + pd.Timedelta(hours=4)


def test_fast_growing_spot_is_escalated() -> None:
    policy = load_policy()
    old = members("slow", [f"o{i}" for i in range(6)]).assign(
        created_at=NOW - timedelta(hours=48))
    growth = pd.concat([members("fast", [f"n{i}" for i in range(8)]),
                        members("fast", ["x1", "x2", "x3"]).assign(
                            created_at=NOW - timedelta(hours=48))])
    late = members("slow", ["s1"])
    frame = pd.DataFrame([spot(id="slow"), spot(id="fast")])
    scored = prioritise(frame, pd.concat([old, late, growth]), policy, now=NOW).set_index("id")
    assert scored.loc["fast", "escalated"] and not scored.loc["slow", "escalated"]
    assert scored.loc["fast", "breakdown"]["escalation"] == policy.escalation.boost

import math
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from heatmap.core.policy import FACTORS, default_policy_text, load_policy, parse_policy
from heatmap.core.priority import prioritise
from heatmap.core.routing import route
from heatmap.errors import ConfigError

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def spot(**overrides: object) -> dict[str, object]:
    base = {
        "id": "SP-1",
        "dominant_topic": "no_coverage",
        "region": "Вологодская область",
        "subscribers": 3,
        "last_complaint_at": NOW - timedelta(hours=1),
        "created_at": NOW,
    }
    return {**base, **overrides}


def members(spot_id: str, subscribers: list[str], segment: str = "mass", ltv: float = 1000.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "spot_id": spot_id,
            "subscriber_id": subscribers,
            "segment": segment,
            "ltv": ltv,
            "created_at": NOW - timedelta(hours=2),
        }
    )


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
        (
            ('trends = ["persistent"]', 'trends = ["chronic"]'),
            "routing.6.trends.0: Input should be 'new', 'intensifying', 'persistent' or 'diminishing'",
        ),
        (
            ("excess       = 10.0", "excess = 10.0\ncomplainants = 10.0"),
            "'complainants' is the old name of 'excess'",
        ),
    ],
)
def test_bad_policy_is_a_clear_config_error(edit: tuple[str, str], message: str) -> None:
    text = default_policy_text().replace(*edit)
    with pytest.raises(ConfigError) as caught:
        parse_policy(text, origin="my.toml")
    assert str(caught.value).startswith("my.toml: ") and message in str(caught.value)


def test_an_old_policy_files_complainants_weight_is_the_excess_weight() -> None:
    old = default_policy_text().replace("excess       = 10.0", "complainants = 7.5")
    policy = parse_policy(old, origin="old.toml")
    assert policy.priority.weights["excess"] == 7.5 and "complainants" not in policy.priority.weights


def test_breakdown_adds_up_to_the_score() -> None:
    scored = prioritise(pd.DataFrame([spot()]), members("SP-1", ["a", "b", "c"]), load_policy(), now=NOW)
    breakdown = scored["breakdown"].iloc[0]
    assert set(breakdown) == {*FACTORS, "escalation"}
    assert scored["priority"].iloc[0] == pytest.approx(sum(breakdown.values()), abs=0.02)


def test_priority_counts_the_excess_not_the_raw_count() -> None:
    policy = load_policy()
    dense = spot(id="dense", subscribers=20, observed=20.0, expected=18.0, excess=2.0)
    outage = spot(id="outage", subscribers=8, observed=8.0, expected=0.5, excess=7.5)
    complaints = pd.concat(
        [members("dense", [f"d{i}" for i in range(20)]), members("outage", [f"o{i}" for i in range(8)])]
    )
    scored = prioritise(pd.DataFrame([dense, outage]), complaints, policy, now=NOW).set_index("id")
    weight = policy.priority.weights["excess"]
    assert scored.loc["dense", "breakdown"]["excess"] == pytest.approx(weight * math.log2(3), abs=1e-3)
    assert scored.loc["outage", "breakdown"]["excess"] == pytest.approx(weight * math.log2(8.5), abs=1e-3)
    assert scored.loc["outage", "priority"] > scored.loc["dense", "priority"]


@pytest.mark.parametrize("excess", [None, float("nan"), "absent"])
def test_without_an_excess_priority_counts_distinct_complainants(excess: object) -> None:
    row = spot() if excess == "absent" else spot(excess=excess)
    scored = prioritise(pd.DataFrame([row]), members("SP-1", ["a", "b", "c", "a"]), load_policy(), now=NOW)
    assert scored["breakdown"].iloc[0]["excess"] == pytest.approx(10.0 * math.log2(4), abs=1e-3)


def test_a_negative_excess_adds_nothing() -> None:
    scored = prioritise(pd.DataFrame([spot(excess=-1.5)]), members("SP-1", ["a"]), load_policy(), now=NOW)
    assert scored["breakdown"].iloc[0]["excess"] == 0.0


def test_counting_is_by_complainant_not_complaint() -> None:
    policy = load_policy()
    repeat = prioritise(pd.DataFrame([spot()]), members("SP-1", ["a"] * 5), policy, now=NOW)
    single = prioritise(pd.DataFrame([spot()]), members("SP-1", ["a"]), policy, now=NOW)
    assert repeat["breakdown"].iloc[0] == single["breakdown"].iloc[0]


def test_vip_and_more_complainants_rank_higher() -> None:
    policy = load_policy()
    frame = pd.DataFrame([spot(id="mass"), spot(id="vip"), spot(id="many")])
    complaints = pd.concat(
        [
            members("mass", ["a", "b", "c"]),
            members("vip", ["d", "e", "f"], segment="vip"),
            members("many", [f"s{i}" for i in range(30)]),
        ]
    )
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
    frame = pd.DataFrame(
        [
            spot(id="big", subscribers=40, priority=1.0),
            spot(id="gap", priority=1.0),
            spot(id="slow", dominant_topic="slow_data", priority=1.0),
            spot(id="other", dominant_topic="dropped_calls", priority=1.0),
        ]
    )
    routed = route(frame, policy).set_index("id")
    assert routed["queue"].to_dict() == {
        "big": "outage_response",
        "gap": "construction_planning",
        "slow": "capacity",
        "other": "ran_optimisation",
    }
    assert routed.loc["big", "sla_hours"] == 4
    assert routed.loc["big", "due_at"] == pd.Timestamp(NOW) + pd.Timedelta(hours=4)


def test_fast_growing_spot_is_escalated() -> None:
    policy = load_policy()
    old = members("slow", [f"o{i}" for i in range(6)]).assign(created_at=NOW - timedelta(hours=48))
    growth = pd.concat(
        [
            members("fast", [f"n{i}" for i in range(8)]),
            members("fast", ["x1", "x2", "x3"]).assign(created_at=NOW - timedelta(hours=48)),
        ]
    )
    late = members("slow", ["s1"])
    frame = pd.DataFrame([spot(id="slow"), spot(id="fast")])
    scored = prioritise(frame, pd.concat([old, late, growth]), policy, now=NOW).set_index("id")
    assert scored.loc["fast", "escalated"] and not scored.loc["slow", "escalated"]
    assert scored.loc["fast", "breakdown"]["escalation"] == policy.escalation.boost


def test_routing_matches_the_trend_label() -> None:
    policy = load_policy()
    frame = pd.DataFrame(
        [
            spot(id="chronic", dominant_topic="dropped_calls", trend="persistent", priority=1.0),
            spot(id="chronic big", subscribers=40, trend="persistent", priority=1.0),
            spot(id="new", dominant_topic="dropped_calls", trend="new", priority=1.0),
            spot(id="old rule", dominant_topic="dropped_calls", trend=None, priority=1.0),
            spot(id="fading", dominant_topic="dropped_calls", trend="diminishing", priority=1.0),
        ]
    )
    routed = route(frame, policy).set_index("id")
    assert routed["queue"].to_dict() == {
        "chronic": "construction_planning",
        "chronic big": "construction_planning",
        "new": "ran_optimisation",
        "old rule": "ran_optimisation",
        "fading": "ran_optimisation",
    }
    assert routed.loc["chronic", "routed_by"] == "persistent spot"


def test_default_policy_sends_new_or_intensifying_spots_with_an_alarm_to_outage_response() -> None:
    policy = load_policy()
    frame = pd.DataFrame(
        [
            spot(id="new major", dominant_topic="dropped_calls", trend="new", alarm_severity="major"),
            spot(
                id="rising major",
                dominant_topic="dropped_calls",
                trend="intensifying",
                alarm_severity="major",
            ),
            spot(
                id="chronic major", dominant_topic="dropped_calls", trend="persistent", alarm_severity="major"
            ),
            spot(
                id="chronic critical",
                dominant_topic="dropped_calls",
                trend="persistent",
                alarm_severity="critical",
            ),
            spot(id="no trend critical", dominant_topic="dropped_calls", alarm_severity="critical"),
            spot(id="no trend major", dominant_topic="dropped_calls", alarm_severity="major"),
            spot(id="new minor", dominant_topic="dropped_calls", trend="new", alarm_severity="minor"),
        ]
    ).assign(priority=1.0)
    routed = route(frame, policy).set_index("id")["queue"].to_dict()
    assert routed == {
        "new major": "outage_response",
        "rising major": "outage_response",
        "chronic major": "construction_planning",
        "chronic critical": "outage_response",
        "no trend critical": "outage_response",
        "no trend major": "ran_optimisation",
        "new minor": "ran_optimisation",
    }


def test_a_trends_rule_is_a_condition_and_cannot_be_the_default() -> None:
    text = default_policy_text() + '\n[[routing]]\nname = "late"\ntrends = ["new"]\nqueue = "capacity"\n'
    with pytest.raises(ConfigError, match="the last routing rule must have no conditions"):
        parse_policy(text, origin="my.toml")

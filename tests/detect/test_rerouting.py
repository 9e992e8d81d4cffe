"""Re-routing of kept open spots when the policy's answer for them changes (pure, no store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from heatmap.core.policy import load_policy
from heatmap.detect.rerouting import reroute
from heatmap.detect.run import Detection, DetectParams, detect
from heatmap.domain.columns import SPOT_COLUMNS

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
PARAMS = DetectParams(method="h3", h3_res=9, min_subscribers=3, rule="count")
POLICY = load_policy()
SITES = pd.DataFrame(
    {
        "site_id": ["BS1"],
        "lat": [59.221],
        "lon": [39.881],
        "technology": ["LTE"],
        "band": [None],
        "azimuth": [None],
    }
)
ALARM = pd.DataFrame(
    {
        "site_id": ["BS1"],
        "severity": ["critical"],
        "start": [pd.Timestamp(NOW - timedelta(days=2))],
        "end": pd.Series([pd.NaT], dtype="datetime64[us, UTC]"),
        "kind": [None],
        "text": ["Cell down: RRU failure"],
    }
)


def complaints(n: int, *, start: int = 0, hours: int = 48) -> pd.DataFrame:
    """``n`` no-coverage complaints of distinct clients at one place, over the last ``hours``."""
    return pd.DataFrame(
        [
            {
                "ticket_id": f"T{i:05d}",
                "created_at": NOW - timedelta(hours=i % hours + 1),
                "subscriber_id": f"s{i}",
                "segment": "mass",
                "ltv": 100.0,
                "topic": "no_coverage",
                "region": "R",
                "address": None,
                "lat": 59.22,
                "lon": 39.88,
                "precision": "point",
                "spot_id": None,
            }
            for i in range(start, start + n)
        ]
    )


def run(stored: pd.DataFrame, spots: pd.DataFrame, *, at: datetime, alarm: bool) -> Detection:
    return detect(
        stored,
        spots,
        params=PARAMS,
        policy=POLICY,
        now=at,
        sites=SITES if alarm else None,
        alarms=ALARM if alarm else None,
    )


def stored_after(
    result: Detection, stored: pd.DataFrame, spots: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a store holds after writing ``result``: spots upserted, members moved."""
    spots = pd.concat([spots[~spots["id"].isin(result.spots["id"])], result.spots], ignore_index=True)
    where = result.members.set_index("ticket_id")["spot_id"]
    stored = stored.assign(
        spot_id=stored["ticket_id"].map(where).where(stored["ticket_id"].isin(where.index))
    )
    return stored, spots


def slow_spot(status: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A spot routed to construction planning (no coverage, no alarm), then ``status``,
    and its place's complaints doubled since (a new outage there)."""
    stored = complaints(4)
    first = run(stored, pd.DataFrame(columns=list(SPOT_COLUMNS)), at=NOW, alarm=False)
    stored, spots = stored_after(first, stored, pd.DataFrame(columns=list(SPOT_COLUMNS)))
    assert spots["queue"].tolist() == ["construction_planning"]
    spots["status"] = status
    return pd.concat([stored, complaints(6, start=100, hours=1)], ignore_index=True), spots


def kinds(result: Detection, kind: str) -> pd.DataFrame:
    return result.events[result.events["kind"] == kind]


def test_a_waiting_spot_the_policy_now_sends_to_a_faster_queue_is_moved_there() -> None:
    stored, spots = slow_spot("queued")
    result = run(stored, spots, at=LATER, alarm=True)
    spot = result.spots.iloc[0]
    assert (spot["id"], spot["status"], spot["queue"]) == (spots["id"].iloc[0], "queued", "outage_response")
    assert spot["sla_hours"] == 4
    assert pd.Timestamp(spot["due_at"]) == pd.Timestamp(LATER) + pd.Timedelta(hours=4)
    moved = kinds(result, "rerouted")
    assert moved["note"].tolist() == [
        "rerouted from construction_planning to outage_response by rule «active critical alarm»"
    ]
    assert moved["actor"].tolist() == ["router"]
    assert len(kinds(result, "escalated")) == 1
    # the same data again: it sits in the faster queue already; nothing is written twice
    stored, spots = stored_after(result, stored, spots)
    again = run(stored, spots, at=LATER + timedelta(minutes=5), alarm=True)
    assert again.spots["queue"].tolist() == ["outage_response"]
    assert pd.Timestamp(again.spots["due_at"].iloc[0]) == pd.Timestamp(spot["due_at"])
    assert kinds(again, "rerouted").empty and kinds(again, "reroute_advised").empty


def test_a_move_never_gives_a_spot_more_time_than_it_had() -> None:
    stored, spots = slow_spot("queued")
    spots["due_at"] = pd.Timestamp(LATER) + pd.Timedelta(hours=1)  # due before the new SLA would end
    result = run(stored, spots, at=LATER, alarm=True)
    spot = result.spots.iloc[0]
    assert spot["queue"] == "outage_response"
    assert pd.Timestamp(spot["due_at"]) == pd.Timestamp(LATER) + pd.Timedelta(hours=1)


def test_a_spot_in_work_stays_in_its_queue_and_is_told_once() -> None:
    stored, spots = slow_spot("in_progress")
    result = run(stored, spots, at=LATER, alarm=True)
    spot = result.spots.iloc[0]
    assert (spot["status"], spot["queue"], spot["sla_hours"]) == ("in_progress", "construction_planning", 720)
    assert spot["due_at"] == spots["due_at"].iloc[0]
    assert kinds(result, "rerouted").empty
    assert kinds(result, "reroute_advised")["note"].tolist() == [
        "the policy now routes it to outage_response by rule «active critical alarm»;"
        " left in construction_planning (in_progress)"
    ]
    stored, spots = stored_after(result, stored, spots)
    again = run(stored, spots, at=LATER + timedelta(minutes=5), alarm=True)
    assert again.spots["queue"].tolist() == ["construction_planning"]
    assert kinds(again, "reroute_advised").empty


def test_a_spot_is_never_moved_to_a_slower_queue() -> None:
    stored, spots = slow_spot("queued")
    moved = run(stored, spots, at=LATER, alarm=True)
    stored, spots = stored_after(moved, stored, spots)
    # the alarm is gone: the policy would send the spot back to construction planning
    calm = run(stored, spots, at=LATER + timedelta(hours=1), alarm=False)
    assert calm.spots["queue"].tolist() == ["outage_response"]
    assert calm.spots["due_at"].tolist() == spots["due_at"].tolist()
    assert kinds(calm, "rerouted").empty and kinds(calm, "reroute_advised").empty


def persistent_spot(**now: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A chronic spot routed to construction planning as stored, and as found again with ``now``."""
    stored = {
        "id": "P1",
        "status": "queued",
        "kind": "detected",
        "dominant_topic": "no_coverage",
        "region": "R",
        "subscribers": 8,
        "priority": 30.0,
        "created_at": pd.Timestamp(NOW - timedelta(days=20)),
        "cause": None,
        "suggested_cause": None,
        "alarm_site": None,
        "trend": "persistent",
        "queue": "construction_planning",
        "sla_hours": 720.0,
        "due_at": pd.Timestamp(NOW + timedelta(days=10)),
        "escalated": False,
    }
    found = pd.DataFrame([{**stored, "alarm_severity": None, **now}])
    return found, pd.DataFrame([stored]).set_index("id")


def test_a_persistent_spot_found_intensifying_with_a_major_alarm_goes_to_outage_response() -> None:
    found, previous = persistent_spot(trend="intensifying", alarm_site="BS1", alarm_severity="major")
    out, events = reroute(found, pd.Series([True]), previous, POLICY, NOW)
    assert out[["queue", "sla_hours"]].iloc[0].tolist() == ["outage_response", 4.0]
    assert events["note"].tolist() == [
        "rerouted from construction_planning to outage_response"
        " by rule «new or intensifying spot with an alarm»"
    ]


def test_a_change_that_routes_no_faster_leaves_the_spot_alone() -> None:
    # intensifying without an alarm: a coverage gap still, construction planning's
    found, previous = persistent_spot(trend="intensifying")
    out, events = reroute(found, pd.Series([True]), previous, POLICY, NOW)
    assert out["queue"].tolist() == ["construction_planning"] and events.empty
    # a known issue is the engineer's, whatever the policy says now
    found, previous = persistent_spot(kind="known_issue", alarm_site="BS1", alarm_severity="critical")
    out, events = reroute(found, pd.Series([True]), previous, POLICY, NOW)
    assert out["queue"].tolist() == ["construction_planning"] and events.empty


def test_a_reopened_spot_waits_in_its_queue_and_is_moved() -> None:
    found, previous = persistent_spot(status="reopened", alarm_site="BS1", alarm_severity="critical")
    out, events = reroute(found, pd.Series([True]), previous, POLICY, NOW)
    assert out["queue"].tolist() == ["outage_response"]
    assert events["kind"].tolist() == ["rerouted"]


def test_a_spot_in_work_is_told_again_when_a_new_burst_escalates_it() -> None:
    alarmed = {"status": "in_progress", "alarm_site": "BS1", "alarm_severity": "critical"}
    found, previous = persistent_spot(**alarmed)
    previous["alarm_site"] = "BS1"  # the policy sent it to outage response before this run
    _, quiet = reroute(found, pd.Series([True]), previous, POLICY, NOW)
    assert quiet.empty
    found, _ = persistent_spot(**alarmed, escalated=True)
    out, told = reroute(found, pd.Series([True]), previous, POLICY, NOW)
    assert out["queue"].tolist() == ["construction_planning"]
    assert told["kind"].tolist() == ["reroute_advised"]
    previous["escalated"] = True  # the same burst on the next run
    _, again = reroute(found, pd.Series([True]), previous, POLICY, NOW)
    assert again.empty

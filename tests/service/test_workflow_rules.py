"""The workflow rules through the service, on every store kind: a refused action changes
nothing (no event, no close-out SMS); a stale read is a conflict; queue counts."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from heatmap.core.policy import load_policy
from heatmap.core.workflow_rules import moscow_day_end
from heatmap.detect.run import DetectParams
from heatmap.errors import ConflictError, RuleError, TransitionError
from heatmap.service import detect_spots, ingest, known_issues, workflow
from heatmap.store import Store

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
POLICY = load_policy()


@pytest.fixture
def spot_id(store: Store, tmp_path: Path) -> str:
    header = "ticket_id,created_at,msisdn,segment,topic,description,lat,lon,region\n"
    lines = [
        f"R{i},2026-11-19T10:00:00+03:00,8916{zlib.crc32(str(i).encode()) % 10**7:07d},"
        f"mass,no_coverage,,{59.2200 + i * 1e-4},39.8800,R"
        for i in range(4)
    ]
    export = tmp_path / "rules.csv"
    export.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    ingest(store, [export], now=NOW, policy=POLICY)
    detect_spots(store, params=DetectParams(rule="count"), policy=POLICY, now=NOW)
    found = store.load_spots()
    assert len(found) == 1
    return str(found["id"].iloc[0])


@pytest.mark.parametrize(("cause", "says"), [(None, "needs a cause"), ("bogus", "unknown cause 'bogus'")])
def test_resolving_without_a_known_cause_changes_nothing(
    store: Store, spot_id: str, cause: str | None, says: str
) -> None:
    workflow.transition(store, spot_id, "take", actor="ivanov", now=NOW, policy=POLICY)
    events = len(store.load_events(spot_id))
    with pytest.raises(RuleError, match=f"{says}.*allowed: equipment_failure, power"):
        workflow.transition(store, spot_id, "resolve", actor="ivanov", now=NOW, policy=POLICY, cause=cause)
    assert workflow.load_spot(store, spot_id)["status"] == "in_progress"
    assert len(store.load_events(spot_id)) == events
    assert store.load_outbox().empty, "no close-out SMS for a refused resolution"
    done = workflow.transition(
        store, spot_id, "resolve", actor="ivanov", now=NOW, policy=POLICY, cause="radio_tuning"
    )
    assert (done["status"], done["cause"]) == ("resolved", "radio_tuning")
    assert len(store.load_outbox()) == 4


def test_an_eta_in_the_past_changes_nothing(store: Store, spot_id: str) -> None:
    with pytest.raises(RuleError, match="already passed"):
        workflow.set_eta(store, spot_id, NOW - timedelta(hours=1), actor="ivanov", now=NOW)
    assert pd.isna(workflow.load_spot(store, spot_id)["eta"])
    assert (store.load_events(spot_id)["kind"] != "eta").all()
    workflow.set_eta(store, spot_id, NOW + timedelta(hours=1), actor="ivanov", now=NOW)
    assert workflow.load_spot(store, spot_id)["eta"] == pd.Timestamp(NOW + timedelta(hours=1))


def test_an_eta_for_a_closed_spot_is_a_transition_error(store: Store, spot_id: str) -> None:
    workflow.transition(store, spot_id, "reject", actor="ivanov", now=NOW, policy=POLICY, note="test SIMs")
    with pytest.raises(TransitionError, match="open spots only"):
        workflow.set_eta(store, spot_id, NOW + timedelta(days=1), actor="ivanov", now=NOW)


def test_a_known_issue_needs_a_known_cause_and_a_future_eta(store: Store) -> None:
    area = known_issues.known_issue_area(lat=59.30, lon=39.90, radius_m=200)
    with pytest.raises(RuleError, match="unknown cause 'roadworks'"):
        known_issues.register_known_issue(
            store, area=area, cause="roadworks", actor="x", now=NOW, policy=POLICY
        )
    with pytest.raises(RuleError, match="already passed"):
        known_issues.register_known_issue(
            store,
            area=area,
            cause="planned_works",
            actor="x",
            now=NOW,
            policy=POLICY,
            eta=NOW - timedelta(days=1),
        )
    assert store.load_spots().empty


def test_acting_on_what_someone_changed_since_is_a_conflict(store: Store, spot_id: str) -> None:
    seen = pd.Timestamp(workflow.load_spot(store, spot_id)["updated_at"]).to_pydatetime()
    workflow.transition(
        store, spot_id, "take", actor="petrova", now=NOW + timedelta(minutes=1), policy=POLICY, seen=seen
    )
    with pytest.raises(ConflictError, match=r"changed .* after it was read: reload"):
        workflow.set_eta(
            store, spot_id, NOW + timedelta(days=1), actor="ivanov", now=NOW + timedelta(minutes=2), seen=seen
        )
    with pytest.raises(ConflictError):
        workflow.transition(
            store,
            spot_id,
            "reject",
            actor="ivanov",
            policy=POLICY,
            now=NOW + timedelta(minutes=2),
            note="dup",
            seen=seen,
        )
    spot = workflow.load_spot(store, spot_id)
    assert (spot["status"], spot["engineer"]) == ("in_progress", "petrova")
    fresh = pd.Timestamp(spot["updated_at"]).to_pydatetime()
    workflow.set_eta(
        store, spot_id, NOW + timedelta(days=1), actor="ivanov", now=NOW + timedelta(minutes=2), seen=fresh
    )


def test_the_queue_counts_due_today_and_age(store: Store, spot_id: str) -> None:
    spot = workflow.load_spot(store, spot_id)
    due = pd.Timestamp(spot["due_at"]).to_pydatetime()
    queue = str(spot["queue"])
    # a minute past midnight (Moscow) of the day the SLA ends: due today, not breached
    morning = moscow_day_end(due) - timedelta(days=1) + timedelta(minutes=1)
    assert morning < due
    view = workflow.queue_view(store, queue, now=morning, policy=POLICY)
    assert view["due_today"].iloc[0] and not view["breached"].iloc[0]
    created = pd.Timestamp(spot["created_at"]).to_pydatetime()
    assert view["age_hours"].iloc[0] == pytest.approx((morning - created).total_seconds() / 3600, abs=0.06)
    earlier = workflow.queue_view(store, queue, now=due - timedelta(days=2), policy=POLICY)
    assert not earlier["due_today"].iloc[0]
    late = workflow.queue_view(store, queue, now=due + timedelta(hours=1), policy=POLICY)
    assert late["breached"].iloc[0] and not late["due_today"].iloc[0]

"""Engineer workflow on every store kind: lifecycle, ETA, queues, known issues, joins."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from heatmap.core.policy import load_policy
from heatmap.core.script import load_templates
from heatmap.detect.run import DetectParams
from heatmap.errors import ConflictError, RuleError, TransitionError, UsageError
from heatmap.service import detect_spots, ingest, known_issues, workflow
from heatmap.store import SpotChanges, Store
from heatmap.store.base import EVENT_COLUMNS

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
HEADER = "ticket_id,created_at,msisdn,segment,topic,description,lat,lon,region\n"
POLICY = load_policy()


def write_export(
    path: Path, rows: list[tuple[str, float, float, str]], *, created: str = "2026-11-19T10:00:00+03:00"
) -> Path:
    lines = [
        f"{t},{created},8916{zlib.crc32(t.encode()) % 10**7:07d},mass,{topic},,{lat},{lon},R"
        for t, lat, lon, topic in rows
    ]
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def spot_id(store: Store, tmp_path: Path) -> str:
    rows = [(f"T{i}", 59.2200 + i * 1e-4, 39.8800, "no_coverage") for i in range(4)]
    ingest(store, [write_export(tmp_path / "a.csv", rows)], now=NOW, policy=POLICY)
    detect_spots(store, params=DetectParams(rule="count"), policy=POLICY, now=NOW)
    spots = store.load_spots()
    assert len(spots) == 1
    return str(spots["id"].iloc[0])


def test_lifecycle_with_history(store: Store, spot_id: str) -> None:
    taken = workflow.transition(store, spot_id, "take", actor="ivanov", now=NOW, policy=POLICY)
    assert (taken["status"], taken["engineer"]) == ("in_progress", "ivanov")
    workflow.transition(
        store,
        spot_id,
        "resolve",
        actor="ivanov",
        now=NOW + timedelta(hours=2),
        policy=POLICY,
        cause="equipment_failure",
        note="replaced RRU",
    )
    workflow.transition(
        store,
        spot_id,
        "reopen",
        actor="agent",
        now=NOW + timedelta(days=1),
        policy=POLICY,
        note="clients say it persists",
    )
    history = store.load_events(spot_id)
    moves = history[history["kind"] == "transition"][["from_status", "to_status", "actor"]]
    assert moves.values.tolist() == [
        ["new", "queued", "router"],
        ["queued", "in_progress", "ivanov"],
        ["in_progress", "resolved", "ivanov"],
        ["resolved", "reopened", "agent"],
    ]
    assert "replaced RRU" in history["note"].iloc[-2]
    assert workflow.load_spot(store, spot_id)["cause"] == "equipment_failure"


def test_a_transition_recounts_from_tallies_not_every_member(
    store: Store, spot_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A move recounts and re-prioritises the spot from its members tallied (a spot may hold
    thousands): the figures a recount of the members themselves gives, none read whole."""
    from heatmap.core.priority import prioritise
    from heatmap.detect.spots import recount

    later = NOW + timedelta(hours=30)  # the growth window (24 h) no longer holds the complaints
    members = store.load_complaints(spot_ids=[spot_id])
    before = store.load_spots(ids=[spot_id])
    expected = prioritise(recount(before, members), members, POLICY, now=later).iloc[0]
    read = store.load_complaints

    def whole(**given: object) -> pd.DataFrame:
        assert given.get("spot_ids") is None, "a spot's members read whole"
        return read(**given)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "load_complaints", whole)
    taken = workflow.transition(store, spot_id, "take", actor="ivanov", now=later, policy=POLICY)
    compared = ["complaints", "subscribers", "first_complaint_at", "last_complaint_at", "dominant_topic"]
    assert taken[compared].tolist() == expected[compared].tolist()
    assert (taken["priority"], taken["breakdown"]) == (expected["priority"], expected["breakdown"])
    stored = store.load_spots(ids=[spot_id]).iloc[0]
    assert (stored["priority"], stored["status"]) == (expected["priority"], "in_progress")


@pytest.mark.parametrize(("steps", "bad"), [((), "resolve"), (("take", "resolve"), "take"), ((), "reopen")])
def test_illegal_transition_is_refused_clearly(
    store: Store, spot_id: str, steps: tuple[str, ...], bad: str
) -> None:
    for step in steps:
        workflow.transition(
            store,
            spot_id,
            step,
            actor="x",
            now=NOW,
            policy=POLICY,
            cause="power" if step == "resolve" else None,
        )
    before = store.load_events(spot_id)
    with pytest.raises(TransitionError, match=f"spot {spot_id} is .*: it cannot become"):
        workflow.transition(store, spot_id, bad, actor="x", now=NOW, policy=POLICY)
    assert len(store.load_events(spot_id)) == len(before), "a refused move records nothing"


def test_reject_needs_a_reason(store: Store, spot_id: str) -> None:
    with pytest.raises(RuleError, match="reason"):
        workflow.transition(store, spot_id, "reject", actor="x", now=NOW, policy=POLICY)
    rejected = workflow.transition(
        store, spot_id, "reject", actor="x", now=NOW, policy=POLICY, note="test SIMs, not clients"
    )
    assert rejected["status"] == "rejected"


def test_eta_history_and_current_eta_in_the_script(store: Store, spot_id: str) -> None:
    first = datetime(2026, 11, 24, 15, tzinfo=UTC)
    second = datetime(2026, 11, 25, 15, tzinfo=UTC)
    workflow.set_eta(store, spot_id, first, actor="ivanov", now=NOW)
    workflow.set_eta(
        store, spot_id, second, actor="ivanov", now=NOW + timedelta(hours=1), note="parts delayed"
    )
    detail = workflow.spot_detail(store, spot_id, now=NOW, policy=POLICY, templates=load_templates())
    assert detail.eta_history["eta"].tolist() == [pd.Timestamp(first), pd.Timestamp(second)]
    assert detail.spot["eta"] == pd.Timestamp(second)
    assert detail.script.startswith("Вижу, что по вашему адресу уже ведутся работы по ")
    assert detail.script.endswith("Решение ожидается до 25 ноября.")


def test_queue_lists_sla_left_and_breaches(store: Store, spot_id: str) -> None:
    spot = workflow.load_spot(store, spot_id)
    queue = str(spot["queue"])
    fresh = workflow.queue_view(store, queue, now=NOW, policy=POLICY)
    assert fresh["id"].tolist() == [spot_id]
    assert fresh["sla_left_hours"].iloc[0] == pytest.approx(spot["sla_hours"])
    assert not fresh["breached"].iloc[0]
    late = workflow.queue_view(store, queue, now=NOW + timedelta(hours=spot["sla_hours"] + 1), policy=POLICY)
    assert late["breached"].iloc[0]
    with pytest.raises(UsageError, match="unknown queue"):
        workflow.queue_view(store, "nowhere", now=NOW, policy=POLICY)


def test_stale_change_is_a_conflict(store: Store, spot_id: str) -> None:
    spot = workflow.load_spot(store, spot_id).to_frame().T
    workflow.transition(store, spot_id, "take", actor="a", now=NOW, policy=POLICY)
    stale = SpotChanges(
        at=NOW,
        spots=spot,
        members=pd.DataFrame(columns=["ticket_id", "spot_id"]),
        events=pd.DataFrame(columns=list(EVENT_COLUMNS)),
        expected={spot_id: "queued"},
    )
    with pytest.raises(ConflictError, match="changed meanwhile"):
        store.apply_spot_changes(stale)
    assert workflow.load_spot(store, spot_id)["status"] == "in_progress"


def test_new_complaint_joins_an_open_spot_at_once(store: Store, spot_id: str, tmp_path: Path) -> None:
    before = workflow.load_spot(store, spot_id)
    rows = [("T9", 59.2201, 39.8801, "no_coverage"), ("FAR", 59.40, 39.50, "no_coverage")]
    report = ingest(store, [write_export(tmp_path / "b.csv", rows)], now=NOW, policy=POLICY)
    assert report.joined == 1
    after = workflow.load_spot(store, spot_id)
    assert (after["complaints"], after["subscribers"]) == (
        before["complaints"] + 1,
        before["subscribers"] + 1,
    )
    joined = store.load_complaints(ticket_ids=["T9", "FAR"]).set_index("ticket_id")["spot_id"]
    assert joined["T9"] == spot_id and pd.isna(joined["FAR"])
    detect_spots(store, params=DetectParams(rule="count"), policy=POLICY, now=NOW + timedelta(minutes=5))
    again = workflow.load_spot(store, spot_id)
    assert again["subscribers"] == after["subscribers"], "the batch run agrees with the join"


def test_a_complaint_older_than_the_spot_does_not_join_it(store: Store, spot_id: str, tmp_path: Path) -> None:
    """The place's ordinary complainants of the weeks before a problem are not its
    complainants: the spot's first complaint was made on 19 November."""
    older = write_export(
        tmp_path / "old.csv", [("OLD", 59.2201, 39.8801, "no_coverage")], created="2026-11-10T09:00:00+03:00"
    )
    newer = write_export(tmp_path / "new.csv", [("T9", 59.2202, 39.8801, "no_coverage")])
    report = ingest(store, [older, newer], now=NOW, policy=POLICY)
    assert report.joined == 1
    joined = store.load_complaints(ticket_ids=["OLD", "T9"]).set_index("ticket_id")["spot_id"]
    assert joined["T9"] == spot_id and pd.isna(joined["OLD"])


def test_after_its_active_hours_a_spot_takes_complaints_only_through_detection(
    store: Store, spot_id: str, tmp_path: Path
) -> None:
    """Detection found the spot at NOW; a complaint made a day and more later waits for
    the next detection run instead of joining at once (the burst may be over)."""
    assert workflow.load_spot(store, spot_id)["found_at"] == pd.Timestamp(NOW)
    later = NOW + timedelta(hours=POLICY.join.active_hours + 1)
    late = write_export(
        tmp_path / "late.csv", [("LATE", 59.2201, 39.8801, "no_coverage")], created=later.isoformat()
    )
    soon = write_export(
        tmp_path / "soon.csv",
        [("SOON", 59.2202, 39.8801, "no_coverage")],
        created=(NOW + timedelta(hours=3)).isoformat(),
    )
    report = ingest(store, [late, soon], now=later, policy=POLICY)
    assert report.joined == 1
    spot_of = store.load_complaints(ticket_ids=["LATE", "SOON"]).set_index("ticket_id")["spot_id"]
    assert spot_of["SOON"] == spot_id and pd.isna(spot_of["LATE"])
    detect_spots(store, params=DetectParams(rule="count"), policy=POLICY, now=later)
    spot = workflow.load_spot(store, spot_id)
    assert spot["found_at"] == pd.Timestamp(later)
    assert store.load_complaints(ticket_ids=["LATE"])["spot_id"].iloc[0] == spot_id


def test_known_issue_collects_complaints_inside(store: Store, spot_id: str, tmp_path: Path) -> None:
    far = [(f"K{i}", 59.3000 + i * 1e-4, 39.9000, "no_data") for i in range(2)]
    ingest(store, [write_export(tmp_path / "k.csv", far)], now=NOW, policy=POLICY)
    known = known_issues.register_known_issue(
        store,
        area=known_issues.known_issue_area(lat=59.3001, lon=39.9000, radius_m=300),
        cause="planned_works",
        actor="ivanov",
        now=NOW,
        policy=POLICY,
        eta=datetime(2026, 11, 22, 9, tzinfo=UTC),
        address="ул. Мира, 1",
    ).spot
    assert known["kind"] == "known_issue" and known["status"] == "in_progress"
    assert known["complaints"] == 2
    later = [("K9", 59.3002, 39.9001, "no_data")]
    ingest(store, [write_export(tmp_path / "k2.csv", later)], now=NOW, policy=POLICY)
    assert workflow.load_spot(store, str(known["id"]))["complaints"] == 3
    detail = workflow.spot_detail(store, str(known["id"]), now=NOW, policy=POLICY, templates=load_templates())
    assert "плановой модернизации сети" in detail.script and "22 ноября" in detail.script

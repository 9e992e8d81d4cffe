"""Close-out on every store kind: outbox with the resolution, the job, replies, ratings, report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pytest

from heatmap.closeout.gateways import FileGateway
from heatmap.closeout.links import LinkError, RatingLinks, link_key
from heatmap.closeout.notify import run_once
from heatmap.closeout.report import REPORT_KEYS, closeout_report
from heatmap.closeout.settings import CloseoutSettings
from heatmap.closeout.templates import SmsTemplates
from heatmap.core.policy import load_policy
from heatmap.errors import ConflictError
from heatmap.service import workflow
from heatmap.service.replies import handle_reply, rate_by_link, record_delivery
from heatmap.store import SpotChanges, Store

Kit = Any  # tests/closeout/conftest.py
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)  # 15:00 in Moscow
NIGHT = datetime(2026, 11, 20, 19, tzinfo=UTC)  # 22:00 in Moscow
MORNING = datetime(2026, 11, 21, 6, tzinfo=UTC)  # 09:00 in Moscow
POLICY = load_policy()


def number(i: int) -> str:
    return f"+7916{i:07d}"


def statuses(store: Store) -> list[str]:
    listed: list[str] = store.load_outbox()["status"].tolist()
    return listed


# --- the outbox, written with the resolution ------------------------------------------------
def test_resolving_writes_one_message_per_distinct_complainant(
    kit: Kit, store: Store, tmp_path: Path, spot_id: str
) -> None:
    # a second complaint by subscriber 0, and one complainant without a number
    extra = tmp_path / "more.csv"
    extra.write_text(
        "ticket_id,created_at,msisdn,subscriber_id,segment,topic,lat,lon,region\n"
        "T0b,2026-11-19T11:00:00+03:00,+79160000000,,mass,no_coverage,59.22,39.88,Вологодская\n"
        "T9,2026-11-19T11:00:00+03:00,,CRM-9,mass,no_coverage,59.22,39.88,Вологодская\n",
        encoding="utf-8",
    )
    from heatmap.service import ingest

    ingest(store, [extra], now=NOW, policy=POLICY)
    assert len(store.load_complaints(spot_ids=[spot_id])) == 6
    assert store.load_outbox().empty
    kit.resolve(spot_id)
    outbox = store.load_outbox()
    assert sorted(outbox["msisdn"]) == [number(i) for i in range(4)]
    assert set(outbox["status"]) == {"pending"} and set(outbox["event"]) == {"resolved:1"}
    # subscriber 0's latest complaint has no address: the zone comes from its region
    assert outbox.set_index("msisdn")["zone_source"].to_dict() == {
        number(0): "region",
        number(1): "city",
        number(2): "city",
        number(3): "city",
    }
    assert set(outbox["utc_offset_min"]) == {180}
    assert set(outbox["cause"]) == {"power"} and outbox["spot_id"].eq(spot_id).all()


def test_opted_out_numbers_are_not_written(kit: Kit, store: Store, spot_id: str) -> None:
    store.add_optout(number(1), at=NOW, source="sms")
    kit.resolve(spot_id)
    assert number(1) not in set(store.load_outbox()["msisdn"])
    assert len(store.load_outbox()) == 3


def test_a_refused_resolution_writes_no_message(store: Store, spot_id: str) -> None:
    workflow.transition(store, spot_id, "take", actor="eng", now=NOW, policy=POLICY)
    spot = workflow.load_spot(store, spot_id)
    from heatmap.closeout.outbox import resolution_outbox

    rows = resolution_outbox(store, spot, now=NOW)
    assert len(rows) == 4
    changed = spot.to_frame().T.assign(status="resolved")
    with pytest.raises(ConflictError):  # computed from "queued", but the spot is in_progress
        store.apply_spot_changes(
            SpotChanges(
                at=NOW,
                spots=changed,
                members=pd.DataFrame(columns=["ticket_id", "spot_id"]),
                events=store.load_events(spot_id).iloc[:0],
                expected={spot_id: "queued"},
                outbox=rows,
            )
        )
    assert store.load_outbox().empty, "the outbox shares the resolution's transaction"


def test_each_message_is_owed_once_and_a_new_resolution_owes_again(
    kit: Kit, store: Store, spot_id: str
) -> None:
    kit.resolve(spot_id)
    spot = workflow.load_spot(store, spot_id)
    from heatmap.closeout.outbox import plan_outbox
    from heatmap.closeout.zones import default_zone_book

    again = plan_outbox(
        spot,
        store.load_complaints(spot_ids=[spot_id]),
        optouts=set(),
        event="resolved:1",
        now=NOW,
        zones=default_zone_book(),
    )
    store.apply_spot_changes(
        SpotChanges(
            at=NOW,
            spots=spot.to_frame().T,
            members=pd.DataFrame(columns=["ticket_id", "spot_id"]),
            events=store.load_events(spot_id).iloc[:0],
            outbox=again,
        )
    )
    assert len(store.load_outbox()) == 4, "(spot, subscriber, event) is written once"
    workflow.transition(store, spot_id, "reopen", actor="agent", now=NOW, policy=POLICY)
    workflow.transition(store, spot_id, "take", actor="eng", now=NOW, policy=POLICY)
    workflow.transition(store, spot_id, "resolve", actor="eng", now=NOW, policy=POLICY, cause="power")
    assert store.load_outbox()["event"].value_counts().to_dict() == {"resolved:1": 4, "resolved:2": 4}


# --- the job --------------------------------------------------------------------------------
def test_night_messages_are_held_and_go_when_the_window_opens(
    kit: Kit, store: Store, spot_id: str, settings: CloseoutSettings, templates: SmsTemplates
) -> None:
    kit.resolve(spot_id, at=NIGHT)
    gateway = FileGateway(settings.sms_spool)
    assert run_once(store, gateway, now=NIGHT, settings=settings, templates=templates)["held"] == 4
    held = store.load_outbox()
    assert set(held["status"]) == {"held"} and set(held["held_count"]) == {1}
    assert set(held["next_attempt_at"]) == {pd.Timestamp(MORNING)}
    # still night an hour later: nothing due, nothing sent
    later = run_once(store, gateway, now=NIGHT + timedelta(hours=1), settings=settings, templates=templates)
    assert later["sent"] == 0 and gateway.messages() == []
    assert run_once(store, gateway, now=MORNING, settings=settings, templates=templates)["sent"] == 4
    sent = store.load_outbox()
    assert set(sent["status"]) == {"sent"} and set(sent["held_count"]) == {1}
    texts = [cast(str, m["text"]) for m in gateway.messages()]
    assert len(texts) == 4 and all("восстановили питание" in t for t in texts)
    assert all("https://tk.example.ru/r/" in t for t in texts)
    # the spool says when the job sent them (the wall clock showed a dry run sending at night)
    assert {m["at"] for m in gateway.messages()} == {MORNING.isoformat()}


def test_quiet_hours_none_sends_at_night(
    kit: Kit, store: Store, spot_id: str, settings: CloseoutSettings, templates: SmsTemplates
) -> None:
    kit.resolve(spot_id, at=NIGHT)
    loud = settings.model_copy(update={"quiet_hours": "none"})
    assert (
        run_once(store, FileGateway(settings.sms_spool), now=NIGHT, settings=loud, templates=templates)[
            "sent"
        ]
        == 4
    )


def test_failures_are_retried_with_backoff_then_failed_with_the_reason(
    kit: Kit, store: Store, spot_id: str, settings: CloseoutSettings, templates: SmsTemplates, tmp_path: Path
) -> None:
    kit.resolve(spot_id)
    broken = FileGateway(tmp_path)  # a directory: every write fails, the gateway is "down"
    first = run_once(store, broken, now=NOW, settings=settings, templates=templates)
    assert first["retrying"] == 1, "a gateway that is down stops the batch after one message"
    row = store.load_outbox().sort_values("attempts").iloc[-1]
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert row["next_attempt_at"] == pd.Timestamp(NOW + timedelta(seconds=60))
    assert "cannot write" in row["last_error"]
    at, loud = NOW, settings.model_copy(update={"quiet_hours": "none"})
    for _ in range(20):  # each pass spends one attempt: the batch stops at the dead gateway
        at += timedelta(hours=1)
        run_once(store, broken, now=at, settings=loud, templates=templates)
    outbox = store.load_outbox()
    assert set(outbox["status"]) == {"failed"} and set(outbox["attempts"]) == {3}
    assert outbox["last_error"].str.contains("gave up after 3 attempts").all()
    report = closeout_report(store, now=at)
    assert (report["sms_failed"], report["sms_sent"]) == (4, 0)


def test_an_interrupted_send_is_confirmed_not_repeated(
    kit: Kit, store: Store, spot_id: str, settings: CloseoutSettings, templates: SmsTemplates
) -> None:
    """The job died after the gateway took a message but before it recorded that."""
    kit.resolve(spot_id)
    gateway = FileGateway(settings.sms_spool)
    row = store.load_outbox().iloc[0]
    from heatmap.closeout.gateways import OutgoingSms

    assert store.update_outbox(
        int(row["id"]),
        {"status": "sending", "attempts": 1, "claimed_at": NOW, "gateway": "file", "text": "t"},
        only_if=["pending"],
    )
    gateway.send(OutgoingSms(int(row["id"]), 1, row["msisdn"], "t"))  # then the "crash"
    second = store.load_outbox().iloc[1]
    assert store.update_outbox(
        int(second["id"]),
        {"status": "sending", "attempts": 1, "claimed_at": NOW, "gateway": "file", "text": "t"},
        only_if=["pending"],
    )
    # (the second one crashed before the gateway got it)
    soon = run_once(store, gateway, now=NOW + timedelta(seconds=5), settings=settings, templates=templates)
    assert soon["sent"] == 2 and soon["confirmed"] == 0, "too early to judge the two"
    later = run_once(store, gateway, now=NOW + timedelta(minutes=5), settings=settings, templates=templates)
    assert (later["confirmed"], later["requeued"], later["sent"]) == (1, 1, 1)
    sent = [cast(int, m["id"]) for m in gateway.messages()]
    assert sorted(sent) == sorted(store.load_outbox()["id"].astype(int)), "each exactly once"
    assert set(statuses(store)) == {"sent"}


def test_opt_out_and_reopened_spots_cancel_waiting_messages(
    kit: Kit, store: Store, spot_id: str, settings: CloseoutSettings, templates: SmsTemplates
) -> None:
    kit.resolve(spot_id, at=NIGHT)
    gateway = FileGateway(settings.sms_spool)
    run_once(store, gateway, now=NIGHT, settings=settings, templates=templates)
    answer = handle_reply(
        store, msisdn="8 916 000-00-02", text="Стоп", now=NIGHT, policy=POLICY, templates=templates
    )
    assert answer.kind == "optout" and number(2) in set(store.load_optouts()["msisdn"])
    outbox = store.load_outbox().set_index("msisdn")
    assert outbox.loc[number(2), "status"] == "cancelled"
    workflow.transition(store, spot_id, "reopen", actor="agent", now=NIGHT, policy=POLICY)
    run_once(store, gateway, now=MORNING, settings=settings, templates=templates)
    assert set(statuses(store)) == {"cancelled"} and gateway.messages() == []


def test_a_client_hears_once_of_a_spot_fixed_twice_overnight(
    kit: Kit, store: Store, spot_id: str, settings: CloseoutSettings, templates: SmsTemplates
) -> None:
    kit.resolve(spot_id, at=NIGHT)
    gateway = FileGateway(settings.sms_spool)
    run_once(store, gateway, now=NIGHT, settings=settings, templates=templates)  # held
    workflow.transition(store, spot_id, "reopen", actor="agent", now=NIGHT, policy=POLICY)
    kit.resolve(spot_id, at=NIGHT + timedelta(hours=1))
    counts = run_once(store, gateway, now=MORNING, settings=settings, templates=templates)
    assert (counts["sent"], counts["cancelled"]) == (4, 4)
    outbox = store.load_outbox()
    assert set(outbox.loc[outbox["event"] == "resolved:2", "status"]) == {"sent"}
    assert len(gateway.messages()) == 4


# --- what comes back ------------------------------------------------------------------------
@pytest.fixture
def delivered(
    kit: Kit, store: Store, spot_id: str, settings: CloseoutSettings, templates: SmsTemplates
) -> pd.DataFrame:
    kit.resolve(spot_id)
    run_once(store, FileGateway(settings.sms_spool), now=NOW, settings=settings, templates=templates)
    return store.load_outbox().set_index("msisdn")


def test_delivery_reports_update_each_message(store: Store, delivered: pd.DataFrame) -> None:
    first, second = (int(delivered.loc[number(i), "id"]) for i in (0, 1))
    assert record_delivery(store, first, 8, at=NOW) is None  # already sent
    assert record_delivery(store, first, 1, at=NOW + timedelta(seconds=3)) == "delivered"
    assert record_delivery(store, first, 8, at=NOW + timedelta(seconds=4)) is None
    assert record_delivery(store, second, 2, at=NOW) == "undelivered"
    outbox = store.load_outbox().set_index("id")
    assert outbox.loc[first, "status"] == "delivered"
    assert outbox.loc[first, "delivered_at"] == pd.Timestamp(NOW + timedelta(seconds=3))
    assert outbox.loc[second, "status"] == "undelivered"
    assert store.load_sms_reports()["code"].tolist() == [8, 1, 8, 2]


def test_ratings_by_sms_replace_each_other_and_both_are_kept(
    store: Store, delivered: pd.DataFrame, templates: SmsTemplates
) -> None:
    later = NOW + timedelta(hours=2)
    first = handle_reply(
        store,
        msisdn=number(0),
        text="3 так себе, звоните 8-916-123-45-67",
        now=later,
        policy=POLICY,
        templates=templates,
    )
    assert (first.kind, first.message) == ("rating", "Спасибо за оценку!")
    handle_reply(
        store,
        msisdn=number(0),
        text="5 теперь отлично",
        now=later + timedelta(hours=1),
        policy=POLICY,
        templates=templates,
    )
    current = store.load_ratings()
    assert current[["rating", "comment", "channel"]].values.tolist() == [[5, "теперь отлично", "sms"]]
    every = store.load_ratings(current_only=False)
    assert every["rating"].tolist() == [3, 5]
    assert every["comment"].iloc[0] == "так себе, звоните [телефон скрыт]"
    assert every["superseded_at"].iloc[0] == pd.Timestamp(later + timedelta(hours=1))
    from heatmap import analysis

    ratings = analysis.load_ratings(store)
    assert ratings[["spot_id", "rating"]].values.tolist() == [[current["spot_id"].iloc[0], 5]]


def test_persisting_problems_reopen_the_spot_at_the_policy_threshold(
    store: Store, delivered: pd.DataFrame, templates: SmsTemplates, spot_id: str
) -> None:
    later = NOW + timedelta(hours=2)
    one = handle_reply(
        store, msisdn=number(0), text="нет, всё так же, бл@ть", now=later, policy=POLICY, templates=templates
    )
    assert (one.kind, one.reopened) == ("persists", False)
    assert workflow.load_spot(store, spot_id)["status"] == "resolved"
    # the same client again does not count twice
    assert not handle_reply(
        store, msisdn=number(0), text="0", now=later, policy=POLICY, templates=templates
    ).reopened
    two = handle_reply(
        store, msisdn=number(1), text="не работает", now=later, policy=POLICY, templates=templates
    )
    assert two.reopened and workflow.load_spot(store, spot_id)["status"] == "reopened"
    history = store.load_events(spot_id)
    assert history["actor"].iloc[-1] == "closeout" and "2 client" in history["note"].iloc[-1]
    comments = store.load_ratings(current_only=False)["comment"].dropna().tolist()
    assert comments == ["нет, всё так же, ***"]


def test_unmatched_and_unknown_replies_change_nothing(
    store: Store, delivered: pd.DataFrame, templates: SmsTemplates
) -> None:
    stranger = handle_reply(
        store, msisdn="+79990001122", text="5", now=NOW, policy=POLICY, templates=templates
    )
    unclear = handle_reply(
        store, msisdn=number(0), text="а когда починят?", now=NOW, policy=POLICY, templates=templates
    )
    assert (stranger.kind, unclear.kind) == ("unmatched", "unknown")
    assert stranger.message == "", "a number that got no close-out SMS is not answered"
    assert unclear.message.startswith("Ответьте цифрой")
    assert store.load_ratings().empty


def test_rating_links_are_single_use(store: Store, delivered: pd.DataFrame, spot_id: str) -> None:
    links = RatingLinks(link_key(store.secret()))
    outbox_id = int(delivered.loc[number(3), "id"])
    token = links.issue(outbox_id, NOW + timedelta(days=14))
    with pytest.raises(LinkError) as bad:
        rate_by_link(store, links, token, answer="7", comment=None, now=NOW, policy=POLICY)
    assert bad.value.reason == "choice"
    done = rate_by_link(
        store, links, token, answer="4", comment="Спасибо, Иван Петров", now=NOW, policy=POLICY
    )
    assert (done.kind, done.outbox_id) == ("rating", outbox_id)
    with pytest.raises(LinkError) as used:
        rate_by_link(store, links, token, answer="5", comment=None, now=NOW, policy=POLICY)
    assert used.value.reason == "used"
    ratings = store.load_ratings()
    assert ratings[["rating", "comment", "channel"]].values.tolist() == [[4, "Спасибо, [имя скрыто]", "link"]]


# --- the report -----------------------------------------------------------------------------
def test_report_figures(
    kit: Kit, store: Store, delivered: pd.DataFrame, templates: SmsTemplates, tmp_path: Path
) -> None:
    empty = closeout_report(store, now=NOW - timedelta(days=30), since=NOW + timedelta(days=1))
    assert tuple(empty) == REPORT_KEYS and empty["rating_mean"] is None
    record_delivery(store, int(delivered.loc[number(0), "id"]), 1, at=NOW)
    for i, text in ((0, "5"), (1, "4 ok"), (2, "2")):
        handle_reply(store, msisdn=number(i), text=text, now=NOW, policy=POLICY, templates=templates)
    other = kit.make_spot(3, first=100, lat=59.3000)  # still open
    assert other
    report = closeout_report(store, now=NOW + timedelta(days=2))
    assert report == {
        "spots_opened": 2,
        "spots_resolved": 1,
        "share_resolved_within_1_day": 0.5,
        "median_hours_to_resolve": 0.0,
        "reopen_rate": 0.0,
        "ratings": 3,
        "rating_mean": 3.67,
        "share_rated_4_5": 0.667,
        "persists_answers": 0,
        "sms_sent": 4,
        "sms_delivered": 1,
        "sms_undelivered": 0,
        "sms_failed": 0,
        "sms_held": 0,
        "sms_ever_held": 0,
        "sms_pending": 0,
        "sms_cancelled": 0,
        "sms_parts": 8,
        "share_sms_1_part": 0.0,
        "share_sms_2_parts": 1.0,
        "share_sms_3_parts_or_more": 0.0,
        "complainants_to_reach": 4,
        "complainants_reached": 4,
    }

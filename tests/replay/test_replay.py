"""Small replays with the real product in the loop: spots, engineers, SMS, answers, report."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from heatmap.core.policy import load_policy
from heatmap.errors import UsageError
from heatmap.replay.config import ReplayConfig
from heatmap.replay.report import KEYS, daily, notified_without_fault, outcome_report, spot_incidents
from heatmap.replay.run import ENGINEER
from heatmap.replay.session import ReplayResult, load_world, run_replay
from heatmap.replay.steps import Product

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "vologda_addresses.csv"
CONFIG = ReplayConfig(  # three days: detection every 3 h, for spots enough to work on
    days=3, seed=1, incidents_per_week=21, background_per_day=30, reply_share=0.9, detect_every_hours=3
)


@pytest.fixture(scope="module")
def result() -> ReplayResult:
    return run_replay(load_world(SAMPLE, CONFIG), CONFIG)


def test_the_product_ran_every_step(result: ReplayResult) -> None:
    frames = result.frames
    events = frames.events
    assert len(frames.complaints) == result.report["complaints"] > 100
    assert (events["actor"] == "detector").any()  # detection made the spots
    worked = events[events["actor"] == ENGINEER]
    assert set(worked["to_status"].dropna()) >= {"in_progress", "resolved"}
    assert (worked["kind"] == "eta").any()
    causes = worked["note"].dropna().str.extract(r"cause: (\w+)")[0].dropna()
    assert len(causes) and set(causes) <= set(load_policy().causes)
    sent = frames.outbox[frames.outbox["status"] == "sent"]
    assert len(sent) and set(sent["gateway"]) == {"file"}
    assert frames.ratings["rating"].notna().any()


def test_the_report_has_the_scripted_keys_and_adds_up(result: ReplayResult) -> None:
    report = result.report
    assert tuple(report)[: len(KEYS)] == KEYS
    frames = result.frames
    assert report["incidents"] == len(frames.incidents) > 0
    assert 0 < report["incidents_detected"] <= report["incidents"]
    assert report["spots"] >= report["incidents_detected"]
    sent = frames.outbox[frames.outbox["status"].isin(["sent", "delivered", "undelivered"])]
    assert report["complainants_notified"] == len(sent.drop_duplicates(["spot_id", "subscriber_id"]))
    assert 1 <= report["mean_rating"] <= 5
    assert report["reached_beyond_complainants"] > 0
    # a pure function of the frames: computed again, the same
    assert outcome_report(frames, subscribers_per_house=CONFIG.subscribers_per_house) == report
    days = daily(frames)
    assert list(days["day"]) == [1, 2, 3]
    assert days["resolved"].sum() == frames.events.query("to_status == 'resolved'")["spot_id"].nunique()


def test_notified_without_fault_counts_clients_whose_complaints_in_the_spot_are_background(
    result: ReplayResult,
) -> None:
    frames = result.frames
    sent = frames.outbox[frames.outbox["status"].isin(["sent", "delivered", "undelivered"])]
    incident = dict(zip(frames.truth["ticket_id"], frames.truth["incident"], strict=True))
    faults: dict[tuple[str, str], bool] = {}
    for row in frames.complaints.dropna(subset=["spot_id"]).itertuples():
        key = (str(row.spot_id), str(row.subscriber_id))
        faults[key] = faults.get(key, False) or incident[row.ticket_id] >= 0
    pairs = {(str(s), str(c)) for s, c in zip(sent["spot_id"], sent["subscriber_id"], strict=True)}
    by_hand = sum(1 for pair in pairs if not faults.get(pair, False))
    assert result.report["notified_without_fault"] == by_hand
    # every complaint background: every client notified had no fault
    quiet = replace(frames, truth=frames.truth.assign(incident=-1))
    assert notified_without_fault(sent, quiet) == len(pairs) > 0


def test_same_seed_same_outcomes(result: ReplayResult) -> None:
    again = run_replay(load_world(SAMPLE, CONFIG), CONFIG)
    assert again.report == result.report
    columns = ["spot_id", "at", "kind", "to_status"]
    pd.testing.assert_frame_equal(
        again.frames.events[columns].reset_index(drop=True),
        result.frames.events[columns].reset_index(drop=True),
    )


def test_a_fix_that_does_not_hold_is_reopened_by_the_clients() -> None:
    causes = {name: replace(cause, fix_fails=1.0) for name, cause in CONFIG.causes.items()}
    config = replace(CONFIG, causes=causes, reply_share=1.0, persists_share=1.0, reply_mean_hours=0.5, days=4)
    frames = run_replay(load_world(SAMPLE, config), config).frames
    reopened = frames.events[frames.events["to_status"] == "reopened"]
    assert len(reopened) and set(reopened["actor"]) == {"closeout"}
    assert frames.ratings["persists"].astype(bool).any()
    report = outcome_report(frames, subscribers_per_house=config.subscribers_per_house)
    assert report["reopen_rate"] is not None and report["reopen_rate"] > 0


def test_a_given_store_sqlite_or_postgis_and_never_one_in_use(store_url: str) -> None:
    config = replace(CONFIG, days=1, seed=2)
    world = load_world(SAMPLE, config)
    result = run_replay(world, config, db=store_url)
    assert result.report["complaints"] > 0
    assert len(result.frames.complaints) == result.report["complaints"]
    with pytest.raises(UsageError, match="empty store"):
        run_replay(world, config, db=store_url)


def test_joining_only_the_hour_when_no_spot_changed_joins_the_same(
    result: ReplayResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the replay reads back only the complaints in reach of a spot new or changed since the
    # last hour; the whole join window every hour, as `heatmap ingest` does, joins the same
    monkeypatch.setattr(Product, "narrow_joins", False)
    every_hour = run_replay(load_world(SAMPLE, CONFIG), CONFIG)
    assert every_hour.report == result.report
    columns = ["spot_id", "at", "kind", "to_status", "note"]
    pd.testing.assert_frame_equal(
        every_hour.frames.events[columns].reset_index(drop=True),
        result.frames.events[columns].reset_index(drop=True),
    )
    joined = result.frames.events[result.frames.events["kind"] == "joined"]
    assert len(joined)  # the joins were exercised


def test_alarms_reach_detection_and_routing() -> None:
    loud = {
        name: replace(cause, alarm_share=1.0, alarm_critical=1.0) for name, cause in CONFIG.causes.items()
    }
    config = replace(CONFIG, causes=loud, other_alarms_per_day=0.0)
    world = load_world(SAMPLE, config)
    result = run_replay(world, config)
    report, frames = result.report, result.frames
    assert report["sites"] == len(world.sites) > 10
    assert report["alarms"] == report["incidents_with_alarm"] > 0
    assert report["spots_with_alarm"] > 0
    moves = frames.events[frames.events["kind"].isin(["transition", "rerouted"])]
    routed = moves[moves["note"].fillna("").str.contains("«active critical alarm»")]
    assert report["spots_routed_by_alarm"] == routed["spot_id"].nunique() > 0
    # routed there when found, or re-routed there when the alarm came later
    assert routed["note"].str.contains("to outage_response by rule", regex=False).all()
    about = spot_incidents(frames).set_index("spot_id")["incident"]
    causes = world.incidents.set_index("incident")["cause"]
    alarmed = about.reindex(routed["spot_id"]).dropna().astype(int)
    assert set(causes.reindex(alarmed[alarmed >= 0])) <= {"equipment_failure", "power", "transport_link"}
    # without sites the product is given none, and the report says nothing of them
    bare = replace(config, site_spacing_m=0)
    quiet = run_replay(load_world(SAMPLE, bare), bare).report
    assert "sites" not in quiet and quiet["incidents"] == report["incidents"]

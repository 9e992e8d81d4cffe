"""The simulated network: sites over the houses, alarms of the incidents that raise one."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heatmap.core.network import ALARM_COLUMNS, SITE_COLUMNS, haversine_m
from heatmap.devtools.samples import read_addresses
from heatmap.replay.config import ReplayConfig
from heatmap.replay.network import alarms_at, plan_sites
from heatmap.replay.world import city_houses, plan_world

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "vologda_addresses.csv"
CONFIG = ReplayConfig(days=14, seed=5, incidents_per_week=10, background_per_day=50)


@pytest.fixture(scope="module")
def houses() -> pd.DataFrame:
    return city_houses(read_addresses(SAMPLE))


def test_one_site_per_square_with_houses_and_every_house_near_one(houses: pd.DataFrame) -> None:
    sites = plan_sites(houses, spacing_m=1000)
    assert tuple(sites.columns) == SITE_COLUMNS and sites["site_id"].is_unique
    d = haversine_m(
        houses["lat"].to_numpy()[:, None],
        houses["lon"].to_numpy()[:, None],
        sites["lat"].to_numpy()[None, :],
        sites["lon"].to_numpy()[None, :],
    )
    assert d.min(axis=1).max() < 1000 * np.sqrt(2)  # within its square's diagonal
    assert len(plan_sites(houses, spacing_m=500)) > 2 * len(sites)


def test_alarms_from_causes_that_raise_them_and_only_those(houses: pd.DataFrame) -> None:
    world = plan_world(houses, CONFIG)
    alarms, incidents = world.alarms, world.incidents
    mine = alarms[alarms["incident"] >= 0]
    assert len(mine) and set(alarms["site_id"]) <= set(world.sites["site_id"])
    cause = incidents.set_index("incident").loc[mine["incident"], "cause"]
    assert set(cause) <= {"equipment_failure", "power", "transport_link"}
    assert set(mine["severity"]) <= {"critical", "major"} and mine["end"].isna().all()
    assert (mine["start"].to_numpy() == incidents.set_index("incident").loc[mine["incident"], "start"]).all()
    others = alarms[alarms["incident"] < 0]
    assert len(others) and (others["end"] > others["start"]).all()
    # the NOC fixes an alarmed fault from its alarm: after its dispatch delay, only those
    fixed = incidents.set_index("incident")["noc_fix_at"]
    assert fixed.notna().sum() == len(mine)
    delay = fixed.loc[mine["incident"]].to_numpy() - mine["start"].to_numpy()
    assert (delay >= pd.Timedelta(hours=CONFIG.noc_dispatch_hours)).all()
    never = plan_world(houses, replace(CONFIG, noc_fix_share=0.0)).incidents
    assert never["noc_fix_at"].isna().all()
    # the complaints do not depend on the network: the same without sites
    bare = plan_world(houses, replace(CONFIG, site_spacing_m=0))
    pd.testing.assert_frame_equal(bare.complaints, world.complaints)
    assert bare.sites.empty and bare.alarms.empty
    # every incident of a cause that always raises one, critical
    causes = {n: replace(c, alarm_share=1.0, alarm_critical=1.0) for n, c in CONFIG.causes.items()}
    loud = plan_world(houses, replace(CONFIG, causes=causes)).alarms
    raising = incidents["cause"].isin(["equipment_failure", "power", "transport_link"])
    assert set(loud.loc[loud["incident"] >= 0, "incident"]) == set(incidents.loc[raising, "incident"])
    assert (loud.loc[loud["incident"] >= 0, "severity"] == "critical").all()


def test_the_alarm_list_at_a_time_ends_an_alarm_with_its_incident(houses: pd.DataFrame) -> None:
    world = plan_world(houses, CONFIG)
    alarm = world.alarms[world.alarms["incident"] >= 0].iloc[0]
    case = int(alarm["incident"])
    ends = np.full(len(world.incidents), np.datetime64("NaT", "ns"))
    before = alarms_at(world.alarms, ends, alarm["start"] - pd.Timedelta(minutes=1))
    assert tuple(before.columns[: len(ALARM_COLUMNS)]) == ALARM_COLUMNS
    assert case not in set(before["incident"])
    during = alarms_at(world.alarms, ends, alarm["start"] + pd.Timedelta(hours=1))
    assert during.loc[during["incident"] == case, "end"].isna().all()
    ends[case] = (alarm["start"] + pd.Timedelta(hours=2)).tz_localize(None).to_datetime64()
    still = alarms_at(world.alarms, ends, alarm["start"] + pd.Timedelta(hours=1))
    assert still.loc[still["incident"] == case, "end"].isna().all()  # the end has not come yet
    after = alarms_at(world.alarms, ends, alarm["start"] + pd.Timedelta(hours=3))
    ended = after.loc[after["incident"] == case, "end"]
    assert (ended == alarm["start"] + pd.Timedelta(hours=2)).all()
    others = after[after["incident"] < 0]
    assert (others["end"].isna() | (others["end"] <= alarm["start"] + pd.Timedelta(hours=3))).all()

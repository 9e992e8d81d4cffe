"""A spot's members tallied by the store (what a join recounts from), on every store kind."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from heatmap.core.policy import load_policy
from heatmap.detect.run import DetectParams
from heatmap.service import detect_spots, ingest
from heatmap.store import Store
from heatmap.store.columns import MEMBER_TALLY_COLUMNS

HEADER = "ticket_id,created_at,msisdn,segment,ltv,topic,description,lat,lon,region\n"
KEYS = ["spot_id", "subscriber_id", "segment", "topic"]

# Two places; one caller of each calls again, once about something else from another segment.
ROWS = [
    "A1,2026-11-19T10:00:00+03:00,89160000001,mass,100,no_coverage,,59.2200,39.8800,R",
    "A2,2026-11-19T13:30:00+03:00,89160000001,vip,,slow_data,,59.2201,39.8801,R",
    "A3,2026-11-19T11:00:00+03:00,89160000002,mass,50,no_coverage,,59.2202,39.8800,R",
    "A4,2026-11-19T12:15:00+03:00,89160000002,mass,70.5,no_coverage,,59.2200,39.8802,R",
    "A5,2026-11-19T12:00:00+03:00,89160000003,b2b,7000,,,59.2201,39.8800,R",
    "B1,2026-11-19T09:00:00+03:00,89160000011,mass,,dropped_calls,,59.3000,39.9500,R",
    "B2,2026-11-19T09:10:00+03:00,89160000012,premium,300,dropped_calls,,59.3001,39.9501,R",
    "B3,2026-11-19T09:20:00+03:00,89160000013,mass,0,voice_quality,,59.3002,39.9500,R",
    "FAR,2026-11-19T09:20:00+03:00,89160000099,mass,10,voice_quality,,59.9000,30.3000,R",
]


@pytest.fixture
def spot_ids(store: Store, tmp_path: Path, now: datetime) -> list[str]:
    path = tmp_path / "export.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    ingest(store, [path], now=now)
    detect_spots(store, params=DetectParams(min_subscribers=3, rule="count"), policy=load_policy(), now=now)
    ids = sorted(store.load_spots()["id"])
    assert len(ids) == 2
    return ids


def tallied_by_hand(members: pd.DataFrame) -> pd.DataFrame:
    """The members grouped in pandas: the reference for the store's tallies."""
    grouped = members.assign(ltv=members["ltv"].fillna(0.0)).groupby(KEYS, dropna=False)
    tallies = grouped.agg(
        complaints=("ticket_id", "size"),
        first_at=("created_at", "min"),
        last_at=("created_at", "max"),
        ltv=("ltv", "max"),
    ).reset_index()
    ordered = tallies.sort_values(KEYS, na_position="first", kind="stable").reset_index(drop=True)
    return ordered.astype({"complaints": "int64"})


def test_tallies_are_the_members_grouped(store: Store, spot_ids: list[str]) -> None:
    tallies = store.load_member_tallies(spot_ids)
    members = store.load_complaints(spot_ids=spot_ids)
    assert len(members) == 8, "every complaint but the far one is in a spot"
    assert list(tallies.columns) == list(MEMBER_TALLY_COLUMNS)
    assert tallies["complaints"].sum() == 8
    expected = tallied_by_hand(members)
    pd.testing.assert_frame_equal(tallies, expected, check_dtype=False)
    assert str(tallies["first_at"].dt.tz) == "UTC" and tallies["ltv"].dtype == float
    repeated = tallies[tallies["complaints"] == 2].iloc[0]
    assert (repeated["ltv"], repeated["last_at"] - repeated["first_at"]) == (70.5, pd.Timedelta(minutes=75))
    untopical = tallies.loc[tallies["topic"].isna(), "segment"]
    assert untopical.tolist() == ["b2b"], "no topic is a tally of its own"
    assert tallies.groupby("spot_id")["subscriber_id"].nunique().tolist() == [3, 3]


def test_tallies_of_one_spot_or_none(store: Store, spot_ids: list[str]) -> None:
    one = store.load_member_tallies([spot_ids[1], spot_ids[1]])
    assert set(one["spot_id"]) == {spot_ids[1]}
    assert one["complaints"].sum() == len(store.load_complaints(spot_ids=[spot_ids[1]]))
    for empty in (store.load_member_tallies([]), store.load_member_tallies(["no-such-spot"])):
        assert empty.empty and list(empty.columns) == list(MEMBER_TALLY_COLUMNS)

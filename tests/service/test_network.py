"""Network correlation with sites placed from real drive-test traces (Cork, Ireland)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from heatmap.core.network import correlate, estimate_sites
from heatmap.core.policy import load_policy
from heatmap.detect.run import DetectParams
from heatmap.io.network import read_alarms, read_drive_test, read_sites
from heatmap.service import detect_spots, ingest
from heatmap.store import Store

TRACES = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "telecom" / "5G-production-dataset.zip"
)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
POLICY = load_policy()


@pytest.fixture(scope="module")
def cork_sites() -> pd.DataFrame:
    return estimate_sites(read_drive_test(TRACES))


@pytest.mark.realdata
def test_sites_from_drive_test_sit_in_cork(cork_sites: pd.DataFrame) -> None:
    assert len(cork_sites) >= 50
    assert cork_sites["lat"].between(51.80, 52.00).all()
    assert cork_sites["lon"].between(-8.70, -8.20).all()
    assert cork_sites["site_id"].is_unique


@pytest.mark.realdata
def test_alarm_on_a_serving_site_routes_to_outage_response(
    store: Store, tmp_path: Path, cork_sites: pd.DataFrame
) -> None:
    site = cork_sites.sort_values("fixes", ascending=False).iloc[0]
    (tmp_path / "sites.csv").write_text(
        cork_sites.drop(columns="fixes").to_csv(index=False), encoding="utf-8"
    )
    (tmp_path / "alarms.csv").write_text(
        "site_id,severity,start,end,text\n"
        f"{site['site_id']},critical,2026-11-19T00:00:00+00:00,,Cell down: RRU failure\n"
        "NOPE,major,2026-11-19T00:00:00+00:00,2026-11-19T01:00:00+00:00,mains power lost\n"
        "BAD,unknown,yesterday,,\n",
        encoding="utf-8",
    )
    sites, site_problems = read_sites(tmp_path / "sites.csv")
    alarms, alarm_problems = read_alarms(tmp_path / "alarms.csv")
    assert (len(site_problems), len(alarm_problems)) == (0, 1)
    store.replace_network(sites=sites, alarms=alarms)
    assert len(store.load_sites()) == len(cork_sites)
    assert store.load_alarms()["site_id"].tolist() == [site["site_id"], "NOPE"]

    near = [(f"N{i}", site["lat"] + 0.0004 * (i % 3), site["lon"] + 0.0004 * (i // 3)) for i in range(6)]
    remote = [(f"R{i}", 52.30 + 0.0002 * i, -9.30) for i in range(5)]  # 40 km out, no site
    lines = [
        f"{t},2026-11-20T08:00:00+00:00,8916{i:07d},b2b,no_data,,{lat},{lon},Cork"
        for i, (t, lat, lon) in enumerate(near + remote)
    ]
    export = tmp_path / "cork.csv"
    export.write_text(
        "ticket_id,created_at,msisdn,segment,topic,description,lat,lon,region\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    ingest(store, [export], now=NOW, policy=POLICY)
    detect_spots(store, params=DetectParams(rule="count"), policy=POLICY, now=NOW)
    spots = store.load_spots()
    by_place = spots.assign(remote=spots["centroid_lat"] > 52.2).set_index("remote")
    alarmed, gap = by_place.loc[False], by_place.loc[True]
    assert alarmed["alarm_site"] == site["site_id"]
    assert alarmed["suggested_cause"] == "equipment_failure"
    assert alarmed["queue"] == "outage_response"
    assert gap["suggested_cause"] == "coverage_gap"
    assert gap["queue"] == "construction_planning"


def test_alarm_kinds_from_text_and_windows() -> None:
    spots = pd.DataFrame(
        {
            "id": ["A"],
            "centroid_lat": [59.0],
            "centroid_lon": [30.0],
            "dominant_topic": ["no_data"],
            "first_complaint_at": [pd.Timestamp("2026-11-19T00:00Z")],
            "last_complaint_at": [pd.Timestamp("2026-11-20T00:00Z")],
        }
    )
    sites = pd.DataFrame({"site_id": ["S1", "S2"], "lat": [59.001, 59.002], "lon": [30.0, 30.0]})
    alarms = pd.DataFrame(
        {
            "site_id": ["S1", "S2", "S2"],
            "severity": ["major", "minor", "critical"],
            "start": pd.to_datetime(["2026-11-19T06:00Z", "2026-11-19T06:00Z", "2026-11-01T00:00Z"]),
            "end": pd.to_datetime([None, None, "2026-11-02T00:00Z"], utc=True),
            "kind": [None, None, None],
            "text": ["Mains power failure", "E1 link down", "old"],
        }
    )
    found = correlate(spots, sites, alarms, reach_m=1000).iloc[0]
    assert found["sites"] == ["S1", "S2"]
    assert (found["alarm_site"], found["alarm_kind"]) == ("S1", "power"), (
        "the worst alarm during the window wins; the old critical one is over"
    )
    assert found["suggested_cause"] == "power"

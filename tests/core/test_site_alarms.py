"""Every alarm of the sites in reach of a spot, worst first (the engineer's spot page)."""

from __future__ import annotations

import pandas as pd

from heatmap.core.network import ALARM_COLUMNS, SITE_COLUMNS
from heatmap.core.site_alarms import SPOT_ALARM_COLUMNS, spot_alarms

LAT, LON = 59.2200, 39.8900
SPOT = pd.Series(
    {
        "id": "SP-1",
        "centroid_lat": LAT,
        "centroid_lon": LON,
        "first_complaint_at": pd.Timestamp("2026-11-19T08:00", tz="UTC"),
        "last_complaint_at": pd.Timestamp("2026-11-20T08:00", tz="UTC"),
    }
)
SITES = pd.DataFrame(
    [
        ["NEAR", LAT + 0.001, LON, "LTE", None, None],  # about 111 m
        ["MID", LAT + 0.003, LON, "LTE", None, None],  # about 334 m
        ["FAR", LAT + 0.1, LON, "LTE", None, None],  # 11 km: out of reach
    ],
    columns=list(SITE_COLUMNS),
)


def alarm(site: str, severity: str | None, start: str, end: str | None, text: str = "") -> list[object]:
    return [
        site,
        severity,
        pd.Timestamp(start, tz="UTC"),
        None if end is None else pd.Timestamp(end, tz="UTC"),
        None,
        text,
    ]


def test_every_alarm_of_the_sites_in_reach_worst_first() -> None:
    alarms = pd.DataFrame(
        [
            alarm("NEAR", "minor", "2026-11-19T09:00", "2026-11-19T10:00", "high temperature"),
            alarm("MID", "CRITICAL", "2026-11-01T00:00", "2026-11-02T00:00", "RRU failure"),
            alarm("MID", "critical", "2026-11-19T12:00", None, "Cell down"),
            alarm("NEAR", "major", "2026-11-20T01:00", None, "mains power lost"),
            alarm("FAR", "critical", "2026-11-19T12:00", None, "far away"),
            alarm("NEAR", None, "2026-11-18T00:00", None, "odd"),
        ],
        columns=list(ALARM_COLUMNS),
    )
    out = spot_alarms(SPOT, SITES, alarms, reach_m=500)
    assert list(out.columns) == list(SPOT_ALARM_COLUMNS)
    assert out["text"].tolist() == [
        "Cell down",  # critical, during the complaints, active
        "RRU failure",  # critical, but cleared weeks before
        "mains power lost",
        "high temperature",
        "odd",  # no severity: last
    ]
    assert out["severity"].tolist()[:4] == ["critical", "critical", "major", "minor"]
    assert out["during_complaints"].tolist() == [True, False, True, True, True]
    assert out["active"].tolist() == [True, False, True, False, True]
    assert out["kind"].tolist()[:4] == ["equipment", "equipment", "power", "equipment"]
    assert out["site_id"].tolist() == ["MID", "MID", "NEAR", "NEAR", "NEAR"]
    assert 100 < out["distance_m"].iloc[2] < 120


def test_no_sites_or_no_alarms_is_an_empty_list() -> None:
    empty_alarms = pd.DataFrame(columns=list(ALARM_COLUMNS))
    assert spot_alarms(SPOT, SITES, empty_alarms, reach_m=500).empty
    assert spot_alarms(SPOT, SITES.iloc[0:0], empty_alarms, reach_m=500).empty
    far_only = pd.DataFrame([alarm("FAR", "critical", "2026-11-19T12:00", None)], columns=list(ALARM_COLUMNS))
    out = spot_alarms(SPOT, SITES, far_only, reach_m=500)
    assert out.empty and list(out.columns) == list(SPOT_ALARM_COLUMNS)

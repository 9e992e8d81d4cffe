"""The incremental join by place and time: inside or in reach, not before the spot's first
complaint, not after its active hours."""

from __future__ import annotations

import pandas as pd
import shapely

from heatmap.detect.join import attach

FIRST = pd.Timestamp("2026-11-19 10:00", tz="UTC")
FOUND = pd.Timestamp("2026-11-20 12:00", tz="UTC")


def spots(**extra: object) -> pd.DataFrame:
    area = shapely.box(39.879, 59.219, 39.881, 59.221)
    frame = pd.DataFrame(
        {
            "id": ["SP-1"],
            "geometry": [area],
            "centroid_lat": [59.22],
            "kind": ["detected"],
            "first_complaint_at": [FIRST],
            "created_at": [FIRST + pd.Timedelta(hours=2)],
            "found_at": [FOUND],
        }
    )
    return frame.assign(**{k: [v] for k, v in extra.items()})


def points(*hours_after_found: float) -> pd.DataFrame:
    n = len(hours_after_found)
    return pd.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(n)],
            "lat": [59.22] * n,
            "lon": [39.88] * n,
            "created_at": [FOUND + pd.Timedelta(hours=h) for h in hours_after_found],
        }
    )


def joined(pts: pd.DataFrame, sp: pd.DataFrame, active_hours: float | None = 24.0) -> list[str]:
    return sorted(attach(pts, sp, reach_m=100, active_hours=active_hours)["ticket_id"])


def test_a_complaint_joins_within_the_active_hours_after_detection_found_the_spot() -> None:
    assert joined(points(-20, 0, 23.9, 24.0, 24.1, 200), spots()) == ["T0", "T1", "T2", "T3"]


def test_without_active_hours_every_later_complaint_joins() -> None:
    assert joined(points(-20, 24.1, 200), spots(), active_hours=None) == ["T0", "T1", "T2"]


def test_before_the_first_complaint_never_joins() -> None:
    before_first = (FIRST - FOUND) / pd.Timedelta(hours=1) - 1
    assert joined(points(before_first, -1), spots()) == ["T1"]


def test_a_spot_never_found_counts_from_its_creation() -> None:
    created = FIRST + pd.Timedelta(hours=2)
    sp = spots(found_at=pd.NaT)
    hours = (created - FOUND) / pd.Timedelta(hours=1)
    assert joined(points(hours + 23, hours + 25), sp) == ["T0"]


def test_a_known_issue_takes_what_is_said_inside_whenever() -> None:
    assert joined(points(500), spots(kind="known_issue")) == ["T0"]


def test_a_complaint_without_a_time_joins_by_place() -> None:
    pts = points(500).assign(created_at=pd.NaT)
    assert joined(pts, spots()) == ["T0"]


def test_out_of_reach_never_joins() -> None:
    pts = points(1).assign(lat=59.23)
    assert joined(pts, spots()) == []

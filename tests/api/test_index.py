"""The in-memory spot index on its own: which spot a point gets, distances, freshness."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pandas as pd
import shapely
from shapely.affinity import affine_transform

from heatmap.api.index import SpotIndex
from heatmap.core.script import load_templates
from heatmap.store.base import SPOT_COLUMNS

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
LAT, LON = 59.22, 39.88
M = 1 / 111_320  # degrees of latitude per metre


def spot(
    spot_id: str,
    lat: float,
    lon: float,
    radius_m: float,
    *,
    status: str = "queued",
    priority: float = 10.0,
    updated: datetime = NOW,
) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(SPOT_COLUMNS)
    # a circle of radius_m metres on the ground: degrees of longitude are cos(59.22°) shorter
    circle = shapely.Point(0, 0).buffer(radius_m * M, quad_segs=32)
    row.update(
        id=spot_id,
        status=status,
        priority=priority,
        centroid_lat=lat,
        centroid_lon=lon,
        geometry=affine_transform(circle, [1 / 0.5105, 0, 0, 1, lon, lat]),
        updated_at=pd.Timestamp(updated),
        eta=pd.NaT,
        complaints=3,
        subscribers=3,
        kind="detected",
    )
    return row


class FakeStore:
    def __init__(self, rows: list[dict[str, object]]) -> None:
        self.rows = rows
        self.version = 1

    def spots_version(self) -> int:
        return self.version

    def load_spots(self, *, statuses: list[str] | None = None, **_: object) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=list(SPOT_COLUMNS))
        return frame[frame["status"].isin(statuses)] if statuses else frame


def index_over(
    rows: list[dict[str, object]], clock: Callable[[], datetime] = lambda: NOW
) -> tuple[SpotIndex, FakeStore]:
    store = FakeStore(rows)
    index = SpotIndex(
        templates=load_templates(),
        reach_m=100,
        recent_days=14,
        recent_reach_m=500,
        check_interval_s=0.2,
        clock=clock,
        join_reach_m=100,
        active_hours=24,
    )
    index.refresh(store)  # type: ignore[arg-type]
    return index, store


def test_inside_overlapping_spots_the_higher_priority_wins() -> None:
    index, _ = index_over(
        [spot("A", LAT, LON, 200, priority=5), spot("B", LAT, LON + 100 * M / 0.5105, 200, priority=9)]
    )
    hit = index.lookup(LAT, LON)
    assert hit.spot is not None and hit.spot["id"] == "B" and hit.spot["covers"] is True
    assert set(index.candidates(LAT, LON, 100)) == {"A", "B"}


def test_a_spot_containing_the_point_beats_a_nearer_edge_of_another() -> None:
    index, _ = index_over(
        [spot("A", LAT, LON, 200, priority=1), spot("B", LAT, LON + 150 * M / 0.5105, 50, priority=99)]
    )
    hit = index.lookup(LAT, LON)  # inside A; B's edge is 100 m east
    assert hit.spot is not None and hit.spot["id"] == "A"
    assert index.candidates(LAT, LON, 100) == ["A"], "inside wins; others are not measured"
    outside = index.lookup(LAT, LON + 260 * M / 0.5105)  # 60 m east of both edges: priority
    assert outside.spot is not None and outside.spot["id"] == "B"


def test_outside_the_nearest_spot_in_reach_and_metres_are_metres() -> None:
    index, _ = index_over([spot("A", LAT, LON, 100), spot("B", LAT + 1000 * M, LON, 100, priority=50)])
    hit = index.lookup(LAT + 160 * M, LON)  # 60 m north of A's edge
    assert hit.spot is not None and hit.spot["id"] == "A" and not hit.spot["covers"]
    assert abs(float(hit.spot["distance_m"]) - 60) < 2  # type: ignore[arg-type]
    east = LON + 150 * M / 0.5105  # 50 m east of A's edge, in metres on the ground
    assert abs(float(index.lookup(LAT, east).spot["distance_m"]) - 50) < 2  # type: ignore[index,arg-type]
    assert index.lookup(LAT + 250 * M, LON).spot is None, "150 m out is beyond reach"
    assert index.candidates(LAT + 250 * M, LON, 100) == []


def test_resolved_spots_near_are_listed_until_they_are_old() -> None:
    index, _ = index_over(
        [
            spot("R", LAT, LON, 100, status="resolved", updated=NOW - timedelta(days=2)),
            spot("OLD", LAT, LON, 100, status="resolved", updated=NOW - timedelta(days=40)),
            spot("X", LAT, LON, 100, status="rejected"),
        ]
    )
    hit = index.lookup(LAT + 300 * M, LON)
    assert hit.spot is None
    assert [r["id"] for r in hit.recently_resolved] == ["R"]
    assert 195 < float(hit.recently_resolved[0]["distance_m"]) < 205  # type: ignore[arg-type]


def test_a_changed_counter_rebuilds_and_an_unchanged_one_does_not() -> None:
    index, store = index_over([spot("A", LAT, LON, 100)])
    assert not index.refresh(store)  # type: ignore[arg-type]
    store.rows.append(spot("B", LAT + 2000 * M, LON, 100))
    assert index.lookup(LAT + 2000 * M, LON).spot is None
    store.version += 1
    assert index.refresh(store)  # type: ignore[arg-type]
    assert index.lookup(LAT + 2000 * M, LON).spot["id"] == "B"  # type: ignore[index]
    assert index.rebuilds == 2 and index.open_count == 2


def test_due_lets_one_caller_check_per_interval() -> None:
    index, _ = index_over([spot("A", LAT, LON, 100)])
    index.check_interval_s = 0.0
    assert index.due()
    index.check_interval_s = 3600
    index._checked = time.monotonic() - 2 * index.check_interval_s  # long ago
    assert index.due() and not index.due(), "the first caller claims the check"


def test_a_built_index_stops_saying_a_spot_takes_complaints_once_its_window_closes() -> None:
    clock = [NOW]
    found = NOW - timedelta(hours=20)
    index, _ = index_over([{**spot("A", LAT, LON, 100), "found_at": pd.Timestamp(found)}], lambda: clock[0])
    for moment, taking in (
        (NOW, True),
        (found + timedelta(hours=24), True),
        (NOW + timedelta(hours=5), False),
    ):
        clock[0] = moment  # the index is not rebuilt: the spot's intake turns by the clock
        hit = index.lookup(LAT, LON)
        assert hit.spot is not None and hit.spot["taking_complaints"] is taking, moment
        spliced = json.loads(hit.spot_json)
        assert spliced == json.loads(json.dumps(hit.spot)), "the spliced JSON says what the card says"
        assert index.card("A") == {k: v for k, v in hit.spot.items() if k not in ("distance_m", "covers")}
        said = "принимает жалобы до 20 ноября, 19:00 мск" if taking else "не принимает с 20 ноября, 19:00"
        assert said in str(hit.spot["confirmation_text"])

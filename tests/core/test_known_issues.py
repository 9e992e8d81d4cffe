"""Which open known issue a registration repeats: area to a metre, cause, ETA, open only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import shapely

from heatmap.core.known_issues import repeated_known_issue

ETA = datetime(2026, 11, 22, 9, tzinfo=UTC)
SQUARE = shapely.box(39.88, 59.22, 39.89, 59.23)


def spots(*rows: dict[str, object]) -> pd.DataFrame:
    base = {"kind": "known_issue", "status": "in_progress", "cause": "planned_works", "eta": ETA}
    return pd.DataFrame([{**base, **row} for row in rows])


def test_the_oldest_open_identical_known_issue_is_found() -> None:
    stored = spots(
        {"id": "SP-NEW", "geometry": SQUARE, "created_at": ETA - timedelta(days=1)},
        {"id": "SP-OLD", "geometry": SQUARE.reverse(), "created_at": ETA - timedelta(days=2)},
        {"id": "SP-DONE", "geometry": SQUARE, "created_at": ETA - timedelta(days=3), "status": "resolved"},
        {"id": "SP-FOUND", "geometry": SQUARE, "created_at": ETA - timedelta(days=4), "kind": "detected"},
    )
    found = repeated_known_issue(stored, area=SQUARE, cause="planned_works", eta=ETA)
    assert found == "SP-OLD"


def test_a_centimetre_is_the_same_place_and_ten_metres_is_not() -> None:
    stored = spots({"id": "SP-A", "geometry": SQUARE, "created_at": ETA})
    nudged = shapely.affinity.translate(SQUARE, xoff=1e-7)
    moved = shapely.affinity.translate(SQUARE, xoff=2e-4)
    assert repeated_known_issue(stored, area=nudged, cause="planned_works", eta=ETA) == "SP-A"
    assert repeated_known_issue(stored, area=moved, cause="planned_works", eta=ETA) is None


def test_cause_and_eta_must_match_and_no_eta_matches_no_eta() -> None:
    stored = spots({"id": "SP-A", "geometry": SQUARE, "created_at": ETA, "eta": None})
    assert repeated_known_issue(stored, area=SQUARE, cause="planned_works", eta=None) == "SP-A"
    assert repeated_known_issue(stored, area=SQUARE, cause="planned_works", eta=ETA) is None
    assert repeated_known_issue(stored, area=SQUARE, cause="known_outage", eta=None) is None
    assert repeated_known_issue(spots(), area=SQUARE, cause="planned_works", eta=None) is None

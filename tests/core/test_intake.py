"""Whether a spot takes complaints at a moment (the join's time rule) and how it is said."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import shapely

from heatmap.core.intake import IntakeState, spot_intake
from heatmap.detect.join import attach
from heatmap.render.intake import intake_text

FOUND = datetime(2026, 12, 7, 11, tzinfo=UTC)  # 14:00 Moscow time
HOURS = 24.0


def detected(**values: object) -> dict[str, object]:
    return {"status": "queued", "kind": "detected", "found_at": FOUND, "created_at": FOUND, **values}


@pytest.mark.parametrize(
    ("after", "state"),
    [
        (timedelta(0), IntakeState.TAKING),
        (timedelta(hours=HOURS), IntakeState.TAKING),
        (timedelta(hours=HOURS, microseconds=1), IntakeState.LAPSED),
    ],
)
def test_a_detected_spot_takes_complaints_for_active_hours_after_it_was_found(
    after: timedelta, state: IntakeState
) -> None:
    intake = spot_intake(detected(), now=FOUND + after, active_hours=HOURS)
    assert intake.state is state and intake.taking is (state is IntakeState.TAKING)
    assert intake.confirmed_at == FOUND and intake.until == FOUND + timedelta(hours=HOURS)


def test_it_says_what_the_join_does_at_the_edge_of_the_window() -> None:
    """The same spot and moments through :func:`heatmap.detect.join.attach`."""
    area = shapely.box(39.8, 59.2, 39.9, 59.3)
    spots = pd.DataFrame([{**detected(), "id": "S", "geometry": area, "centroid_lat": 59.25}])
    for after in (timedelta(hours=HOURS), timedelta(hours=HOURS, seconds=1)):
        made = FOUND + after
        points = pd.DataFrame([{"ticket_id": "T", "lat": 59.25, "lon": 39.85, "created_at": made}])
        joined = not attach(points, spots, reach_m=0.0, active_hours=HOURS).empty
        assert joined is spot_intake(spots.iloc[0].to_dict(), now=made, active_hours=HOURS).taking


def test_a_spot_stored_before_found_at_is_read_from_its_creation_as_the_join_does() -> None:
    created = FOUND - timedelta(hours=5)
    intake = spot_intake(detected(found_at=pd.NaT, created_at=created), now=FOUND, active_hours=HOURS)
    assert intake.confirmed_at == created and intake.until == created + timedelta(hours=HOURS)


def test_a_known_issue_takes_everything_while_open_and_a_closed_spot_nothing() -> None:
    far = FOUND + timedelta(days=30)
    issue = spot_intake(detected(kind="known_issue"), now=far, active_hours=HOURS)
    assert issue.taking and issue.until is None and issue.confirmed_at is None
    assert intake_text(issue).startswith("Известная проблема: принимает все жалобы")
    closed_issue = spot_intake(detected(kind="known_issue", status="resolved"), now=far, active_hours=HOURS)
    assert not closed_issue.taking and intake_text(closed_issue).startswith("Известная проблема закрыта")
    closed = spot_intake(detected(status="resolved"), now=FOUND, active_hours=HOURS)
    assert not closed.taking and closed.until is None
    assert (
        intake_text(closed)
        == "Подтверждено детекцией: 7 декабря, 14:00 мск; пятно закрыто — жалобы не принимает"
    )


def test_times_are_told_in_moscow_time() -> None:
    intake = spot_intake(detected(found_at="2026-12-07T11:00:00"), now=FOUND, active_hours=HOURS)
    assert intake_text(intake) == (
        "Подтверждено детекцией: 7 декабря, 14:00 мск; принимает жалобы до 8 декабря, 14:00 мск"
    )

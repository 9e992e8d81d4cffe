"""Known issues on every store kind: registering the same one twice makes one spot, and the
second registration says it found it; another cause, ETA or area, or a closed first one,
makes a new spot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import shapely

from heatmap.core.policy import load_policy
from heatmap.service import ingest, known_issues, workflow
from heatmap.store import Store

from .test_workflow import write_export

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
ETA = datetime(2026, 11, 22, 9, tzinfo=UTC)
POLICY = load_policy()
SQUARE = "POLYGON((39.88 59.22, 39.89 59.22, 39.89 59.23, 39.88 59.23, 39.88 59.22))"
#: The same square drawn from another corner, the other way round.
SQUARE_REDRAWN = "POLYGON((39.89 59.23, 39.89 59.22, 39.88 59.22, 39.88 59.23, 39.89 59.23))"


def register(
    store: Store,
    area: shapely.Geometry,
    *,
    cause: str = "planned_works",
    eta: datetime | None = ETA,
    now: datetime = NOW,
    actor: str = "ivanov",
) -> known_issues.KnownIssue:
    return known_issues.register_known_issue(
        store, area=area, cause=cause, actor=actor, now=now, policy=POLICY, eta=eta, address="ул. Мира, 1"
    )


def test_registering_the_same_known_issue_again_adds_nothing(store: Store, tmp_path: Path) -> None:
    inside = [(f"K{i}", 59.3000 + i * 1e-4, 39.9000, "no_data") for i in range(2)]
    ingest(store, [write_export(tmp_path / "k.csv", inside)], now=NOW, policy=POLICY)
    area = known_issues.known_issue_area(lat=59.3001, lon=39.9000, radius_m=300)
    first = register(store, area)
    assert not first.existing and first.spot["complaints"] == 2
    before = (store.load_spots(), store.load_events(str(first.spot["id"])), store.load_complaints())
    # a retry an hour later by someone else, the circle drawn again from the same figures
    again = register(
        store,
        known_issues.known_issue_area(lat=59.3001, lon=39.9000, radius_m=300),
        now=NOW + timedelta(hours=1),
        actor="petrova",
    )
    assert again.existing and again.spot["id"] == first.spot["id"]
    assert again.spot["complaints"] == 2 and again.spot["engineer"] == "ivanov"
    after = (store.load_spots(), store.load_events(str(first.spot["id"])), store.load_complaints())
    for was, now in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(was, now)


def test_a_polygon_drawn_from_another_corner_is_the_same_area(store: Store) -> None:
    first = register(store, known_issues.known_issue_area(polygon=SQUARE), eta=None)
    again = register(store, known_issues.known_issue_area(polygon=SQUARE_REDRAWN), eta=None)
    assert again.existing and again.spot["id"] == first.spot["id"]
    assert len(store.load_spots()) == 1


def test_another_cause_eta_or_area_is_another_known_issue(store: Store) -> None:
    area = known_issues.known_issue_area(polygon=SQUARE)
    first = register(store, area)
    others = [
        register(store, area, cause="known_outage"),
        register(store, area, eta=ETA + timedelta(days=1)),
        register(store, area, eta=None),
        register(store, shapely.affinity.translate(area, xoff=0.001)),  # ~57 m east
    ]
    assert not any(o.existing for o in others)
    ids = {str(first.spot["id"]), *(str(o.spot["id"]) for o in others)}
    assert len(ids) == 5 and len(store.load_spots()) == 5


def test_a_closed_known_issue_is_history_and_the_same_works_again_are_a_new_spot(store: Store) -> None:
    area = known_issues.known_issue_area(polygon=SQUARE)
    first = register(store, area)
    workflow.transition(
        store, str(first.spot["id"]), "resolve", actor="ivanov", now=NOW, policy=POLICY, cause="planned_works"
    )
    later = register(store, area, now=NOW + timedelta(hours=1))
    assert not later.existing and later.spot["id"] != first.spot["id"]
    assert later.spot["status"] == "in_progress"

"""The spot index's cards: what a rebuild leaves to a spot's first lookup is made then,
kept, and says what a card made from scratch at that moment says."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pandas as pd

from heatmap.api.cards import spot_card
from heatmap.api.index import SpotIndex
from heatmap.render.intake import intake_fields

from .test_index import LAT, LON, NOW, M, index_over, spot

EAST = M / 0.5105  # degrees of longitude per metre at LAT

ROWS = [
    {**spot("FOUND", LAT, LON, 100, priority=9), "found_at": pd.Timestamp(NOW - timedelta(hours=20))},
    {
        **spot("ETA", LAT + 1000 * M, LON, 100, status="in_progress"),
        "found_at": pd.Timestamp(NOW - timedelta(hours=30)),
        "eta": pd.Timestamp(NOW + timedelta(hours=2)),
        "cause": "power_outage",
    },
    {**spot("KNOWN", LAT, LON + 1000 * EAST, 100), "kind": "known_issue"},
    {**spot("OLDER", LAT + 1000 * M, LON + 1000 * EAST, 100), "created_at": pd.Timestamp(NOW)},
]


def from_scratch(index: SpotIndex, row: dict[str, object], now: datetime, *, late: bool) -> dict[str, object]:
    """The card of ``row`` at ``now`` as the index's parts define it, made anew; ``late``:
    told as overdue once its ETA has passed (a lookup's card is, ``SpotIndex.card`` not)."""
    eta = row.get("eta")
    late = late and isinstance(eta, pd.Timestamp) and eta.to_pydatetime() < now
    card = spot_card(row, index.templates, now=now if late else None, cause_titles=index.cause_titles)
    return {**card, **intake_fields(row, now=now, active_hours=index.active_hours)}


def test_a_rebuild_leaves_intakes_and_late_cards_to_the_first_lookup_and_keeps_them() -> None:
    clock = [NOW]
    index, _ = index_over(ROWS, lambda: clock[0])
    made = index._snapshot.on_demand  # type: ignore[union-attr]
    assert not made.intakes and not made.late, "the build made neither"
    index.lookup(LAT, LON)
    assert set(made.intakes) == {index._snapshot.by_id["FOUND"]} and not made.late  # type: ignore[union-attr]
    clock[0] = NOW + timedelta(hours=3)  # past ETA's eta
    index.lookup(LAT + 1000 * M, LON)
    chosen = index._snapshot.by_id["ETA"]  # type: ignore[union-attr]
    kept = made.late[chosen], made.intakes[chosen]
    index.lookup(LAT + 1000 * M, LON)
    assert made.late[chosen] is kept[0] and made.intakes[chosen] is kept[1], "made once, then kept"


def test_lookups_and_cards_say_what_a_card_made_at_that_moment_says() -> None:
    clock = [NOW]
    index, _ = index_over(ROWS, lambda: clock[0])
    where = {"FOUND": (LAT, LON), "ETA": (LAT + 1000 * M, LON), "KNOWN": (LAT, LON + 1000 * EAST)}
    where["OLDER"] = (LAT + 1000 * M, LON + 1000 * EAST)
    for hours in (0, 3, 5, 30):  # before and after ETA's eta, FOUND's window, OLDER's window
        clock[0] = NOW + timedelta(hours=hours)
        for row in ROWS:
            expected = from_scratch(index, row, clock[0], late=True)
            hit = index.lookup(*where[str(row["id"])])
            assert hit.spot is not None and hit.spot.pop("covers") is True and hit.spot.pop("distance_m") == 0
            assert hit.spot == expected, (row["id"], hours)
            assert json.loads(hit.spot_json) == {**expected, "distance_m": 0.0, "covers": True}
            # the complaints route's card says the same: past the ETA, "срок прошёл"
            assert index.card(str(row["id"])) == expected

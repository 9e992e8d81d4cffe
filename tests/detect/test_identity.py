"""Stable spot identity through the whole detection run (pure, no store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from heatmap.core.policy import load_policy
from heatmap.detect.run import Detection, DetectParams, detect
from heatmap.store.base import SPOT_COLUMNS

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
PARAMS = DetectParams(method="h3", h3_res=9, min_subscribers=3, rule="count")


def complaints(groups: list[tuple[float, float, int]], start: int = 0, prefix: str = "s") -> pd.DataFrame:
    rows = []
    n = start
    for lat, lon, k in groups:
        for _ in range(k):
            rows.append(
                {
                    "ticket_id": f"T{n:05d}",
                    "created_at": NOW - timedelta(hours=n % 48 + 1),
                    "subscriber_id": f"{prefix}{n}",
                    "segment": "mass",
                    "ltv": 100.0,
                    "topic": "no_coverage",
                    "region": "R",
                    "address": None,
                    "matched_address": None,
                    "lat": lat,
                    "lon": lon,
                    "precision": "point",
                    "spot_id": None,
                }
            )
            n += 1
    return pd.DataFrame(rows)


def apply(
    stored: pd.DataFrame, spots: pd.DataFrame, result_spots: pd.DataFrame, members: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a store does with a detection result: upsert spots, move members."""
    merged = pd.concat([spots[~spots["id"].isin(result_spots["id"])], result_spots], ignore_index=True)
    stored = stored.copy()
    where = members.set_index("ticket_id")["spot_id"]
    hit = stored["ticket_id"].isin(where.index)
    stored.loc[hit, "spot_id"] = stored.loc[hit, "ticket_id"].map(where)
    return stored, merged


def empty_spots() -> pd.DataFrame:
    return pd.DataFrame(columns=list(SPOT_COLUMNS))


def run(
    stored: pd.DataFrame, spots: pd.DataFrame, at: datetime = NOW
) -> tuple[pd.DataFrame, pd.DataFrame, Detection]:
    result = detect(stored, spots, params=PARAMS, policy=load_policy(), now=at)
    return (*apply(stored, spots, result.spots, result.members), result)


def test_rerun_keeps_ids_and_more_complaints_grow_the_same_spot() -> None:
    stored = complaints([(59.22, 39.88, 4), (59.30, 40.00, 5)])
    stored, spots, first = run(stored, empty_spots())
    ids = sorted(first.spots["id"])
    stored, spots, second = run(stored, spots)
    assert sorted(second.spots["id"]) == ids
    assert second.members.empty
    grown = pd.concat([stored, complaints([(59.22, 39.88, 3)], start=100)], ignore_index=True)
    _, spots, third = run(grown, spots)
    assert sorted(third.spots["id"]) == ids
    assert third.spots.set_index("id")["subscribers"].max() == 7
    assert "grown" in set(third.events["kind"])


def test_engineer_fields_survive_redetection() -> None:
    stored, spots, _ = run(complaints([(59.22, 39.88, 4)]), empty_spots())
    spots.loc[:, ["status", "engineer", "eta", "queue"]] = [
        "in_progress",
        "ivanov",
        pd.Timestamp("2026-11-25T00:00Z"),
        "capacity",
    ]
    _, _, again = run(stored, spots)
    row = again.spots.iloc[0]
    assert (row["status"], row["engineer"], row["queue"]) == ("in_progress", "ivanov", "capacity")
    assert row["eta"] == pd.Timestamp("2026-11-25T00:00Z")


def test_merge_keeps_the_older_spot() -> None:
    import h3

    a = h3.latlng_to_cell(59.22, 39.88, 9)
    ring = list(h3.grid_ring(a, 2))
    b = ring[0]
    between = next(c for c in h3.grid_ring(a, 1) if h3.grid_distance(c, b) == 1)
    pa, pb, pm = (h3.cell_to_latlng(c) for c in (a, b, between))
    older = complaints([(*pa, 3)])
    stored, spots, first = run(older, empty_spots())
    old_id = first.spots["id"].iloc[0]
    stored = pd.concat([stored, complaints([(*pb, 3)], start=200)], ignore_index=True)
    stored, spots, second = run(stored, spots, NOW + timedelta(hours=1))
    young_id = (set(second.spots["id"]) - {old_id}).pop()
    stored = pd.concat([stored, complaints([(*pm, 3)], start=300)], ignore_index=True)
    _, spots, third = run(stored, spots, NOW + timedelta(hours=2))
    final = third.spots.set_index("id")
    assert final.loc[young_id, "status"] == "merged"
    assert final.loc[young_id, "merged_into"] == old_id
    assert final.loc[old_id, "status"] != "merged"
    assert final.loc[old_id, "subscribers"] == 9


def test_split_keeps_the_id_with_the_bigger_part() -> None:
    import h3

    a = h3.latlng_to_cell(59.22, 39.88, 9)
    b = next(c for c in h3.grid_ring(a, 2))
    m = next(c for c in h3.grid_ring(a, 1) if h3.grid_distance(c, b) == 1)
    pa, pb, pm = (h3.cell_to_latlng(c) for c in (a, b, m))
    stored = complaints([(*pa, 5), (*pm, 3), (*pb, 3)])
    stored, spots, first = run(stored, empty_spots())
    assert len(first.spots) == 1
    whole = first.spots["id"].iloc[0]
    # The bridge goes quiet: its complaints age out of the window.
    stored.loc[stored["lat"] == pm[0], "created_at"] = NOW - timedelta(days=60)
    _, _, second = run(stored, spots)
    parts = second.spots.set_index("id")
    assert whole in parts.index and parts.loc[whole, "subscribers"] == 5
    split = second.events[second.events["kind"] == "split"]
    assert split["related_spot_id"].tolist() == [whole]


def test_resolved_spot_is_history_and_new_complaints_make_a_new_spot() -> None:
    stored, spots, first = run(complaints([(59.22, 39.88, 4)]), empty_spots())
    spots.loc[:, "status"] = "resolved"
    fresh = pd.concat([stored, complaints([(59.22, 39.88, 3)], start=50)], ignore_index=True)
    _, _, again = run(fresh, spots)
    assert len(again.spots) == 1
    assert again.spots["id"].iloc[0] != first.spots["id"].iloc[0]


def test_new_spots_are_queued_with_a_routing_event() -> None:
    _, _, result = run(complaints([(59.22, 39.88, 4)]), empty_spots())
    assert result.spots["status"].tolist() == ["queued"]
    kinds = result.events["kind"].tolist()
    assert kinds == ["created", "transition"]
    assert np.isfinite(result.spots["priority"]).all()


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(3, 8), min_size=1, max_size=6), st.lists(st.integers(0, 4), min_size=6, max_size=6)
)
def test_growing_spots_keep_their_ids_and_reruns_change_nothing(sizes: list[int], growth: list[int]) -> None:
    # Groups 5 km apart never touch: only growth happens between the runs.
    centres = [(59.0 + 0.05 * i, 39.0) for i in range(len(sizes))]
    stored = complaints([(lat, lon, k) for (lat, lon), k in zip(centres, sizes, strict=True)])
    stored, spots, first = run(stored, empty_spots())
    by_centre = {round(r.centroid_lat, 2): r.id for r in first.spots.itertuples()}
    assert len(by_centre) == len(sizes)
    extra = [(lat, lon, g) for (lat, lon), g in zip(centres, growth, strict=False) if g]
    if extra:
        stored = pd.concat([stored, complaints(extra, start=10_000)], ignore_index=True)
    stored, spots, second = run(stored, spots, NOW + timedelta(minutes=1))
    assert {round(r.centroid_lat, 2): r.id for r in second.spots.itertuples()} == by_centre
    expected = [k + (growth[i] if i < len(growth) else 0) for i, k in enumerate(sizes)]
    got = second.spots.set_index("id")["subscribers"]
    assert [got[by_centre[round(c[0], 2)]] for c in centres] == expected
    _, _, third = run(stored, spots, NOW + timedelta(minutes=2))
    assert third.members.empty and set(third.spots["id"]) == set(by_centre.values())
    assert not (third.events["kind"].isin(["created", "split", "merged"])).any()


def test_too_few_complainants_make_no_spot_and_leave_open_spots_alone() -> None:
    _, spots, _ = run(complaints([(59.22, 39.88, 4)]), empty_spots())
    lonely = complaints([(59.40, 39.50, 2)], start=500)
    _, _, again = run(lonely, spots)  # the old spot's complaints aged out; two new callers
    assert again.spots.empty and again.members.empty
    _, _, nothing = run(lonely, empty_spots())
    assert nothing.spots.empty

"""Workflow outcomes, KPIs and reach as pure functions over frames (heatmap.core)."""

from __future__ import annotations

import math

import h3
import pandas as pd
import pytest
import shapely

from heatmap.core.density import REACH_COLUMNS, check_density, reach
from heatmap.core.outcomes import OUTCOME_COLUMNS, kpis, outcomes
from heatmap.errors import InputError, UsageError

T0 = pd.Timestamp("2026-11-01T08:00:00Z")


def _spots() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["fast", "late", "merged"],
            "status": ["resolved", "queued", "merged"],
            "queue": ["radio", "radio", "radio"],
            "sla_hours": [24.0, 24.0, 24.0],
            "subscribers": [5, 7, 2],
            "created_at": [T0, T0, T0],
            "first_complaint_at": [T0 - pd.Timedelta(hours=2), T0, T0],
            "due_at": [T0 + pd.Timedelta(hours=24)] * 3,
            "eta": [pd.NaT] * 3,
            "updated_at": [T0] * 3,
        }
    )


def _events() -> pd.DataFrame:
    hours = pd.Timedelta(hours=1)
    return pd.DataFrame(
        {
            "spot_id": ["fast", "fast", "fast", "fast"],
            "at": [T0 + hours, T0 + 10 * hours, T0 + 12 * hours, T0 + 14 * hours],
            "to_status": ["in_progress", "resolved", "reopened", "resolved"],
        }
    )


def test_outcomes_from_frames_and_the_kpis_of_them() -> None:
    table = outcomes(_spots(), _events(), now=T0 + pd.Timedelta(hours=30))
    assert list(table.columns) == list(OUTCOME_COLUMNS)
    assert list(table["id"]) == ["fast", "late"]  # the merged spot is left out
    fast, late = table.iloc[0], table.iloc[1]
    assert fast["hours_to_resolve"] == 10.0 and bool(fast["solved_within_1_day"])
    assert fast["reopens"] == 1 and fast["problem_age_hours"] == 32.0
    assert bool(late["overdue"]) and late["hours_to_due"] == -6.0
    assert not bool(late["solved_within_1_day"])  # open for more than a day
    figures = kpis(table)
    assert figures["spots"] == 2 and figures["open"] == 1 and figures["overdue_open"] == 1
    assert figures["share_solved_within_1_day"] == 0.5
    assert figures["reopen_rate"] == 1.0 and figures["complainants_in_resolved"] == 5


def test_a_young_open_spot_is_undecided_and_rates_wait_for_data() -> None:
    table = outcomes(_spots().iloc[[1]], None, now=T0 + pd.Timedelta(hours=3))
    assert pd.isna(table["solved_within_1_day"].iloc[0])
    figures = kpis(table)
    assert math.isnan(figures["share_solved_within_1_day"]) and math.isnan(figures["reopen_rate"])


def test_density_is_checked_and_summed_per_cell() -> None:
    cell = h3.latlng_to_cell(59.22, 39.89, 9)
    frame = pd.DataFrame(
        {"h3_cell": [cell.upper(), cell, str(h3.str_to_int(cell))], "subscribers": [1, 2, 3]}
    )
    checked = check_density(frame)
    assert checked.to_dict("records") == [{"h3_cell": cell, "subscribers": 6.0, "res": 9}]
    with pytest.raises(InputError, match="invalid H3 cell or a missing or negative"):
        check_density(pd.DataFrame({"h3_cell": [cell], "subscribers": [-1]}))
    with pytest.raises(InputError, match="needs columns"):
        check_density(pd.DataFrame({"h3_cell": [cell]}))


def test_reach_counts_the_cells_inside_a_spot() -> None:
    centre = h3.latlng_to_cell(59.22, 39.89, 9)
    inside = sorted(h3.grid_disk(centre, 1))
    outside = sorted(h3.grid_ring(centre, 4))[:2]
    density = pd.DataFrame({"h3_cell": inside + outside, "subscribers": [10] * len(inside) + [100] * 2})
    area = shapely.geometry.shape(h3.cells_to_geo(inside)).buffer(1e-6)  # GeoJSON: lng, lat
    spots = pd.DataFrame(
        {
            "id": ["s"],
            "status": ["queued"],
            "subscribers": [20],
            "geometry": [area],
        }
    )
    table = reach(spots, density)
    assert list(table.columns) == list(REACH_COLUMNS)
    row = table.iloc[0]
    assert row["affected"] == 70.0 and row["density_cells"] == 7
    assert row["helped_not_complained"] == 50.0 and not row["short"]
    with pytest.raises(UsageError):
        reach(spots, density, how="nearest")

"""Coverage per H3 cell from drive-test fixes: medians, sample counts, what is left out."""

from __future__ import annotations

from collections.abc import Sequence

import h3
import numpy as np
import pandas as pd
import pytest

from heatmap.core.coverage import (
    COVERAGE_COLUMNS,
    cells_of_area,
    compare_with_surroundings,
    coverage_cells,
)
from heatmap.errors import UsageError

HERE = (59.2290, 39.8696)


def fixes(levels: Sequence[tuple[float, float, float | None, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(levels, columns=["lat", "lon", "rsrp", "rssi"])


def test_a_cell_keeps_the_median_not_the_mean_and_counts_its_fixes() -> None:
    lat, lon = HERE
    layer = coverage_cells(
        fixes([(lat, lon, -100, -80), (lat, lon, -102, -81), (lat, lon, -60, None), (lat, lon, -101, -82)]),
        res=9,
    )
    assert list(layer.columns) == list(COVERAGE_COLUMNS)
    assert len(layer) == 1
    row = layer.iloc[0]
    assert row["h3_cell"] == h3.latlng_to_cell(lat, lon, 9) and row["res"] == 9
    assert row["rsrp_median"] == -100.5, "one fix beside a site does not lift the cell"
    assert (row["rsrp_samples"], row["rssi_samples"], row["rssi_median"]) == (4, 3, -81.0)


def test_impossible_levels_and_fixes_without_a_place_count_for_nothing() -> None:
    lat, lon = HERE
    layer = coverage_cells(
        fixes(
            [
                (lat, lon, -200, -80),
                (lat, lon, 0, None),
                (0.0, 0.0, -90, -70),
                (np.nan, lon, -90, -70),
                (lat, lon, -95, -300),
            ]
        )
    )
    row = layer.iloc[0]
    assert len(layer) == 1 and row["rsrp_samples"] == 1 and row["rsrp_median"] == -95
    assert row["rssi_samples"] == 1 and row["rssi_median"] == -80


def test_cells_with_too_few_fixes_are_left_out_and_nothing_gives_an_empty_layer() -> None:
    lat, lon = HERE
    far = (lat + 0.05, lon)
    layer = coverage_cells(fixes([(lat, lon, -90, None)] * 3 + [(*far, -110, None)]), min_samples=2)
    assert len(layer) == 1 and layer.iloc[0]["rsrp_median"] == -90
    empty = coverage_cells(fixes([(np.nan, np.nan, -90, None)]))
    assert empty.empty and list(empty.columns) == list(COVERAGE_COLUMNS)
    with pytest.raises(UsageError):
        coverage_cells(fixes([]), res=16)
    with pytest.raises(UsageError):
        coverage_cells(fixes([]), min_samples=0)


def test_a_spots_cells_are_compared_with_their_surroundings() -> None:
    centre = h3.latlng_to_cell(*HERE, 9)
    ring = sorted(h3.grid_ring(centre, 1))
    layer = pd.DataFrame(
        {
            "h3_cell": [centre, *ring],
            "res": 9,
            "rsrp_median": [-112.0, *[-90.0 + i for i in range(len(ring))]],
            "rsrp_samples": 10,
            "rssi_median": np.nan,
            "rssi_samples": 0,
        }
    )
    said = compare_with_surroundings(layer, [centre], rings=1)
    assert said["cells_dbm"] == -112.0 and said["surroundings_dbm"] == -87.5
    assert said["difference_db"] == -24.5
    assert (said["cells_measured"], said["surroundings_measured"]) == (1, 6)
    unmeasured = compare_with_surroundings(layer, [h3.latlng_to_cell(0.0, 0.0, 9)])
    assert unmeasured["difference_db"] is None and unmeasured["cells_measured"] == 0


def test_the_cells_of_a_spot_are_those_whose_centres_it_covers() -> None:
    import shapely

    lat, lon = HERE
    big = shapely.box(lon - 0.01, lat - 0.005, lon + 0.01, lat + 0.005)
    cells = cells_of_area(big, HERE, 9)
    assert len(cells) > 5 and h3.latlng_to_cell(lat, lon, 9) in cells
    tiny = shapely.Point(lon, lat).buffer(1e-5)
    assert cells_of_area(tiny, HERE, 9) == [h3.latlng_to_cell(lat, lon, 9)]

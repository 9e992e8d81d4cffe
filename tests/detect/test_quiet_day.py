"""A quiet day: no single cell stands out anywhere in the city, yet a dozen complainants
spread over a few neighbouring cells of a dense centre within hours are a spot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from heatmap.detect.expected import build_cells, scan_windows
from heatmap.detect.expected import test_cells as cell_tests
from heatmap.detect.exposure import address_layer, layer_points
from heatmap.detect.run import DetectParams, label_points
from heatmap.devtools.samples_planted import PlantSpec, distance_m, generate_planted, synthetic_town

NOW = datetime(2026, 11, 30, tzinfo=UTC)
COLUMNS = ["subscriber_id", "lat", "lon", "created_at", "precision"]
SPREAD = 12


def quiet_day() -> tuple[pd.DataFrame, pd.DataFrame]:
    """An ordinary month over a town and, in its last day, 12 complainants on houses
    within 300 m of a house in the dense centre (the last 12 rows); the address density."""
    lat, lon = synthetic_town(7, houses=1500)
    month = generate_planted(lat, lon, now=NOW, seed=7, spec=PlantSpec(planted=0)).complaints
    centre = int(np.argmin(np.hypot(lat - 59.2, lon - 39.9)))
    near = np.flatnonzero(distance_m(lat, lon, lat[centre], lon[centre]) <= 300.0)
    rng = np.random.default_rng(7)
    pick = rng.choice(near, SPREAD, replace=False)
    spread = pd.DataFrame(
        {
            "subscriber_id": [f"s{i}" for i in range(SPREAD)],
            "lat": lat[pick],
            "lon": lon[pick],
            "created_at": [NOW - timedelta(hours=float(h)) for h in rng.uniform(1, 20, SPREAD)],
            "precision": "house",
        }
    )
    return pd.concat([month[COLUMNS], spread], ignore_index=True), layer_points(address_layer(lat, lon))


@pytest.mark.parametrize("method", ["h3", "dbscan"])
def test_a_spread_concentration_is_found_on_a_day_no_single_cell_stands_out(method: str) -> None:
    points, exposure = quiet_day()
    cells = build_cells(points, exposure, res=9, history=None, window_days=30.0)
    windows = scan_windows(30.0, (1.0, 3.0, 7.0))
    _, tests = cell_tests(points, cells, windows=windows, now=pd.Timestamp(NOW), q=0.003, min_subscribers=3)
    assert not tests.significant.any(), "the premise: no cell is in excess by itself"
    assert 0 < tests.cutoff <= 0.003 / sum(tests.tested.values()) * (1 + 1e-9)
    labels = label_points(points, DetectParams(method=method), exposure=exposure, now=NOW)
    assert (labels[-SPREAD:] >= 0).sum() >= 8, "the day's concentration is a spot"
    assert (labels[:-SPREAD] >= 0).sum() <= 2, "the month's ordinary complainants stay out"

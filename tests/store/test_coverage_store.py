"""The coverage layer on every store kind: replaced whole, read back as written, bad ones refused."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest

from heatmap.core.coverage import COVERAGE_COLUMNS
from heatmap.errors import InputError
from heatmap.store import Store


def layer(cells: list[tuple[float, float, float | None, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "h3_cell": h3.latlng_to_cell(lat, lon, 9),
                "res": 9,
                "rsrp_median": rsrp,
                "rsrp_samples": n if rsrp is not None else 0,
                "rssi_median": -70.5,
                "rssi_samples": n,
            }
            for lat, lon, rsrp, n in cells
        ]
    )


def test_a_layer_is_stored_and_replaced_whole(store: Store) -> None:
    assert store.load_coverage().empty
    assert list(store.load_coverage().columns) == list(COVERAGE_COLUMNS)
    first = layer([(59.22, 39.87, -101.5, 12), (59.23, 39.88, None, 4)])
    store.replace_coverage(first)
    back = store.load_coverage()
    expected = first.sort_values("h3_cell").reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected.astype(back.dtypes.to_dict()))
    assert np.isnan(back.loc[back["rsrp_samples"] == 0, "rsrp_median"]).all()
    store.replace_coverage(layer([(60.0, 30.0, -80.0, 3)]))
    assert store.load_coverage()["rsrp_median"].tolist() == [-80.0]


def test_a_bad_layer_stores_nothing(store: Store) -> None:
    store.replace_coverage(layer([(59.22, 39.87, -101.5, 12)]))
    bad = layer([(59.0, 39.0, -90.0, 5)])
    bad.loc[0, "h3_cell"] = "not a cell"
    with pytest.raises(InputError):
        store.replace_coverage(bad)
    twice = pd.concat([layer([(59.0, 39.0, -90.0, 5)])] * 2)
    with pytest.raises(InputError):
        store.replace_coverage(twice)
    assert store.load_coverage()["rsrp_median"].tolist() == [-101.5]

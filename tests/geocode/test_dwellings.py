"""Dwellings per registry house: what a house weighs in the exposure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from heatmap.geocode.dwellings import MAX_DWELLINGS, house_weights, registry_dwellings
from heatmap.geocode.gazetteer import build_gazetteer, load_gazetteer, save_gazetteer


def test_premises_where_given_else_area_over_the_registrys_area_per_flat() -> None:
    rooms = pd.Series(["100", "10", "Не заполнено", "", "0", "99999"])
    area = pd.Series(["5000", "500,0", "2 500", "Незаполнено", "", "750"])
    got = registry_dwellings(rooms, area, 6)
    # 50 m² per flat from the two houses that give both; typos (0, 99,999) are not flats
    assert got[:3].tolist() == [100.0, 10.0, 50.0]
    assert np.isnan(got[3]) and np.isnan(got[4])
    assert got[5] == 15.0


def test_an_area_in_the_wrong_unit_is_not_a_city() -> None:
    got = registry_dwellings(pd.Series(["40", ""]), pd.Series(["2000", "90000000"]), 2)
    assert got.tolist() == [40.0, 40.0]  # capped at the largest house that gives its flats


def test_without_size_columns_every_house_is_unknown() -> None:
    assert np.isnan(registry_dwellings(None, None, 3)).all()
    assert np.isnan(registry_dwellings(pd.Series([str(MAX_DWELLINGS + 1)]), None, 1)).all()


def test_weights_take_the_median_house_where_unknown_and_1_with_none_known() -> None:
    assert house_weights(np.array([10.0, np.nan, 30.0, 20.0])).tolist() == [10.0, 20.0, 30.0, 20.0]
    assert house_weights(np.array([np.nan, np.nan])).tolist() == [1.0, 1.0]


def test_gazetteer_keeps_dwellings_and_reads_an_older_file(tmp_path: Path) -> None:
    registry = pd.DataFrame(
        {
            "LAT": ["59.2201", "59.2301"],
            "LON": ["39.8801", "39.8901"],
            "HOUSE_ID": ["1", "2"],
            "ADDRESS": [
                "обл. Вологодская, г. Вологда, ул. Мира, д. 1",
                "обл. Вологодская, г. Вологда, ул. Мира, д. 3",
            ],
            "ROOM_COUNT_LIVE": ["120", "Не заполнено"],
            "AREA_LIVE": ["6000", "Незаполнено"],
        }
    )
    entries, _ = build_gazetteer(registry)
    assert entries["dwellings"].iloc[0] == 120.0 and np.isnan(entries["dwellings"].iloc[1])
    path = save_gazetteer(entries, tmp_path / "g.parquet")
    assert load_gazetteer(path)["dwellings"].iloc[0] == 120.0
    entries.drop(columns="dwellings").to_parquet(tmp_path / "old.parquet", index=False)
    assert load_gazetteer(tmp_path / "old.parquet")["dwellings"].isna().all()

"""The gazetteer's nearest house as the address of a spot its complaints left without one."""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatmap.detect.nearest_house import NEAREST_HOUSE_MARK, nearest_addresses, with_nearest_addresses

#: Metres per degree of latitude (near enough for these distances).
_M_PER_DEG = 111_195.0


def houses() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lat": [59.2200, 59.2300, float("nan")],
            "lon": [39.8800, 39.8800, 39.8800],
            "address": ["ул. А, д. 1", "ул. Б, д. 2", "ул. В, д. 3"],
        }
    )


def test_the_nearest_house_within_reach_names_the_point() -> None:
    north = 59.2200 + np.array([100.0, 140.0, 160.0, 5000.0]) / _M_PER_DEG
    lon = np.full(len(north), 39.8800)
    found = nearest_addresses(north, lon, houses(), reach_m=150.0)
    assert found.tolist() == ["ул. А, д. 1", "ул. А, д. 1", None, None]


def test_the_nearer_of_two_houses_wins_and_a_point_without_coordinates_gets_none() -> None:
    lat = np.array([59.2290, float("nan")])
    found = nearest_addresses(lat, np.array([39.8800, 39.8800]), houses(), reach_m=1500.0)
    assert found.tolist() == ["ул. Б, д. 2", None]


def test_no_houses_name_nothing() -> None:
    empty = houses().iloc[:0]
    assert nearest_addresses(np.array([59.22]), np.array([39.88]), empty).tolist() == [None]


def test_only_a_spot_without_address_is_named_and_marked() -> None:
    spots = pd.DataFrame(
        {
            "centroid_lat": [59.2201, 59.2201, 59.2201, 59.3000],
            "centroid_lon": [39.8800, 39.8800, 39.8800, 39.8800],
            "address": [None, "", "ул. Своя, д. 9", None],
        }
    )
    entries = houses().assign(point_precision=["house", "house", "house"])
    shared = pd.DataFrame(
        {"lat": [59.3000], "lon": [39.8800], "address": ["ул. Общая"], "point_precision": ["street"]}
    )
    out = with_nearest_addresses(spots, pd.concat([entries, shared], ignore_index=True))
    assert _texts(out["address"]) == [
        "ул. А, д. 1" + NEAREST_HOUSE_MARK,
        "ул. А, д. 1" + NEAREST_HOUSE_MARK,
        "ул. Своя, д. 9",
        None,
    ], "a shared street point is not a house"
    assert _texts(spots["address"]) == [None, "", "ул. Своя, д. 9", None], "the input is not changed"


def _texts(column: pd.Series) -> list[object]:
    """The column's values, None for a missing one (pandas 3 reads None as NaN in text)."""
    return [None if pd.isna(v) else v for v in column]

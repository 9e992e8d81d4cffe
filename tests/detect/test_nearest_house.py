"""The gazetteer's nearest house as the address of a spot its complaints left without one;
else the street or settlement of a point that several houses share."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from heatmap.detect.nearest_house import (
    NEAREST_HOUSE_MARK,
    SHARED_POINT_MARK,
    nearest_addresses,
    with_nearest_addresses,
)
from heatmap.geocode import build_gazetteer

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
        "ул. Общая" + SHARED_POINT_MARK["street"],
    ], "a shared street point names the street, not a house"
    assert _texts(spots["address"]) == [None, "", "ул. Своя, д. 9", None], "the input is not changed"


def _texts(column: pd.Series) -> list[object]:
    """The column's values, None for a missing one (pandas 3 reads None as NaN in text)."""
    return [None if pd.isna(v) else v for v in column]


#: The registry's lines for д. Искра (Pskov oblast): all its houses on one point, two streets;
#: a street of Дно on a point of its own; a house of Дно with its own point.
ISKRA = """LAT,LON,HOUSE_ID,ADDRESS
57.772209,29.874157,7671933,"обл. Псковская, р-н. Дновский, д. Искра, ул. Зиновьева, д. 14"
57.772209,29.874157,7671946,"обл. Псковская, р-н. Дновский, д. Искра, ул. Зиновьева, д. 16"
57.772209,29.874157,7671959,"обл. Псковская, р-н. Дновский, д. Искра, ул. Зиновьева, д. 17"
57.772209,29.874157,7671985,"обл. Псковская, р-н. Дновский, д. Искра, ул. Центральная, д. 10"
57.772209,29.874157,7671998,"обл. Псковская, р-н. Дновский, д. Искра, ул. Центральная, д. 12"
57.772209,29.874157,7672009,"обл. Псковская, р-н. Дновский, д. Искра, ул. Центральная, д. 14"
57.772209,29.874157,8340076,"обл. Псковская, р-н. Дновский, д. Искра, ул. Центральная, д. 14 А"
57.580000,29.840000,1,"обл. Псковская, р-н. Дновский, г. Дно, ул. Ленина, д. 1"
57.580000,29.840000,2,"обл. Псковская, р-н. Дновский, г. Дно, ул. Ленина, д. 3"
57.580000,29.840000,3,"обл. Псковская, р-н. Дновский, г. Дно, ул. Ленина, д. 5"
57.590000,29.840000,4,"обл. Псковская, р-н. Дновский, г. Дно, ул. Советская, д. 2"
"""


def pskov(tmp_path: Path) -> pd.DataFrame:
    (tmp_path / "registry.csv").write_text(ISKRA, encoding="utf-8")
    entries, _ = build_gazetteer(tmp_path / "registry.csv")
    assert set(entries["point_precision"]) == {"settlement", "street", "house"}
    return entries


def spots_at(*points: tuple[float, float]) -> pd.DataFrame:
    lat, lon = zip(*points, strict=True)
    return pd.DataFrame({"centroid_lat": lat, "centroid_lon": lon, "address": [None] * len(points)})


def test_a_village_on_one_point_names_its_spot_after_the_village(tmp_path: Path) -> None:
    """The outside review's spot of 122 complainants at д. Искра went without an address."""
    north = 57.772209 + np.array([0.0, 200.0, 900.0, 1100.0]) / _M_PER_DEG
    out = with_nearest_addresses(spots_at(*((lat, 29.874157) for lat in north)), pskov(tmp_path))
    village = "обл. Псковская, р-н. Дновский, д. Искра" + SHARED_POINT_MARK["settlement"]
    assert _texts(out["address"]) == [village, village, village, None]
    assert village.endswith("(ближайший населённый пункт)")


def test_a_street_on_one_point_names_the_street_and_a_house_near_wins(tmp_path: Path) -> None:
    street = 57.580000 + np.array([0.0, 250.0, 350.0]) / _M_PER_DEG
    near_house = 57.590000 - 140.0 / _M_PER_DEG  # nearer the house than any shared point
    out = with_nearest_addresses(
        spots_at(*((lat, 29.84) for lat in street), (near_house, 29.84)), pskov(tmp_path)
    )
    lenina = "обл. Псковская, р-н. Дновский, г. Дно, ул. Ленина" + SHARED_POINT_MARK["street"]
    assert _texts(out["address"]) == [
        lenina,
        lenina,
        None,
        "обл. Псковская, р-н. Дновский, г. Дно, ул. Советская, д. 2" + NEAREST_HOUSE_MARK,
    ]
    assert lenina.endswith("(ближайшая улица)")


def test_a_house_within_reach_wins_over_a_nearer_shared_point(tmp_path: Path) -> None:
    entries = pskov(tmp_path)
    entries.loc[entries["address"].str.endswith("д. 2"), ["lat", "lon"]] = [
        57.772209 + 120 / _M_PER_DEG,
        29.874157,
    ]
    out = with_nearest_addresses(spots_at((57.772209, 29.874157)), entries)
    assert _texts(out["address"]) == [
        "обл. Псковская, р-н. Дновский, г. Дно, ул. Советская, д. 2" + NEAREST_HOUSE_MARK
    ]

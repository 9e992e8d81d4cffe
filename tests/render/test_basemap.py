"""The gazetteer's basemap: houses, street names along their houses, settlement names."""

from __future__ import annotations

import pandas as pd
import pytest

from heatmap.devtools.samples import sample_file
from heatmap.geocode import build_gazetteer
from heatmap.render.basemap import HOUSE_ZOOM, STREET_ZOOM, build_basemap


@pytest.fixture(scope="module")
def entries() -> pd.DataFrame:
    built, _ = build_gazetteer(sample_file("vologda_addresses.csv"))
    return built


def _registry(rows: list[tuple[str, str, str, float, float]]) -> pd.DataFrame:
    """Entries of a made-up registry: (street type, street, house, lat, lon) in Тестово."""
    return pd.DataFrame(
        [
            {
                "locality": "тестовая|тестово",
                "settlement": "тестово",
                "street_type": kind,
                "street": street,
                "house": house,
                "lat": lat,
                "lon": lon,
                "address": f"обл. Тестовая, г. Тестово, {kind}. {street.title()}, д. {house}",
            }
            for kind, street, house, lat, lon in rows
        ]
    )


def test_every_house_with_coordinates_is_a_point(entries: pd.DataFrame) -> None:
    layer = build_basemap(entries)
    located = entries.dropna(subset=["lat", "lon"]).drop_duplicates(["lat", "lon", "address"])
    assert layer.houses == len(located) > 1000
    everything = (-180.0, -90.0, 180.0, 90.0)
    houses = [f for f in layer.features(everything, HOUSE_ZOOM) if f["properties"]["kind"] == "house"]
    assert len(houses) == layer.houses
    thinned = [
        f for f in layer.features(everything, 16, max_houses=100) if f["properties"]["kind"] == "house"
    ]
    assert len(thinned) == 100
    assert not [
        f for f in layer.features(everything, HOUSE_ZOOM - 1) if f["properties"]["kind"] == "house"
    ], "a whole region is not drawn house by house"


def test_zoomed_out_settlements_are_named_zoomed_in_streets(entries: pd.DataFrame) -> None:
    layer = build_basemap(entries)
    vologda = (39.75, 59.15, 40.0, 59.3)
    far = {f["properties"]["kind"] for f in layer.features(vologda, STREET_ZOOM - 1)}
    near = {f["properties"]["kind"] for f in layer.features(vologda, STREET_ZOOM)}
    assert "settlement" in far and "street" not in far
    assert "street" in near and "settlement" not in near
    names = {f["properties"]["name"] for f in layer.features(vologda, 10)}
    assert "г. Вологда" in names, names
    streets = {
        f["properties"]["name"] for f in layer.features(vologda, 16) if f["properties"]["kind"] == "street"
    }
    assert "ул. Пролетарская" in streets, sorted(streets)[:20]


def test_a_street_name_lies_along_its_houses_and_a_long_street_is_named_per_stretch() -> None:
    # ул. Прямая runs north-east (45° on the ground at this latitude's scale), 2 km long
    rows = []
    for i in range(40):
        step = i * 0.00035
        rows.append(("ул", "прямая", str(i + 1), 60.0 + step, 30.0 + step * 2.0))
    rows += [("пер", "короткий", "1", 60.1, 30.0), ("пер", "короткий", "3", 60.1, 30.002)]
    layer = build_basemap(_registry(rows))
    labels = layer.streets
    straight = labels[labels["name"] == "ул. Прямая"]
    assert 3 <= len(straight) <= 6, "about one name per 450 m"
    assert straight["angle"].between(-50, -40).all(), straight["angle"].tolist()
    short = labels[labels["name"] == "пер. Короткий"]
    assert len(short) == 1 and abs(float(short["angle"].iloc[0])) < 1, "east-west: level text"
    assert list(layer.settlements["name"]) == ["г. Тестово"]


def test_a_view_gets_only_what_lies_inside_it() -> None:
    rows = [("ул", "левая", "1", 60.0, 30.0), ("ул", "правая", "1", 60.0, 31.0)]
    layer = build_basemap(_registry(rows))
    left = layer.features((29.9, 59.9, 30.1, 60.1), 16)
    assert {f["properties"]["name"] for f in left} == {
        "ул. Левая",
        "обл. Тестовая, г. Тестово, ул. Левая, д. 1",
    }
    assert all(f["geometry"]["coordinates"] == [30.0, 60.0] for f in left)


def test_a_zoomed_out_view_is_thinned_and_carries_no_addresses() -> None:
    rows = [
        ("ул", f"улица{i // 60}", str(i % 60 + 1), 60.0 + (i // 80) * 1e-3, 30.0 + (i % 80) * 1e-3)
        for i in range(6_000)
    ]
    layer = build_basemap(_registry(rows))
    view = (29.0, 59.0, 31.0, 61.0)

    def houses(zoom: int) -> list[dict[str, object]]:
        return [f["properties"] for f in layer.features(view, zoom) if f["properties"]["kind"] == "house"]

    assert len(houses(HOUSE_ZOOM)) == 5_000 and len(houses(HOUSE_ZOOM + 1)) == 6_000
    assert all("name" not in p for p in houses(15))
    assert all(str(p["name"]).startswith("обл. Тестовая") for p in houses(16))

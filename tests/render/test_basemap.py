"""The gazetteer's basemap: houses, street names along their houses, settlement names."""

from __future__ import annotations

import math

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


def _towns(count: int, *, spacing_deg: float) -> pd.DataFrame:
    """``count`` small towns on a row ``spacing_deg`` apart, the first the largest."""
    rows = []
    for t in range(count):
        for h in range(count - t + 1):
            rows.append(
                {
                    "locality": f"тестовая|город{t}",
                    "settlement": f"город{t}",
                    "street_type": "ул",
                    "street": "мира",
                    "house": str(h + 1),
                    "lat": 60.0 + h * 1e-4,
                    "lon": 30.0 + t * spacing_deg,
                    "address": f"обл. Тестовая, г. Город{t}, ул. Мира, д. {h + 1}",
                }
            )
    return pd.DataFrame(rows)


def _boxes_overlap(features: list[dict[str, object]], zoom: int) -> list[tuple[str, str]]:
    """Pairs of settlement labels whose boxes (8 px a letter, 16 px high, centred) overlap
    on screen at ``zoom``."""
    placed = []
    for f in features:
        p, (lon, lat) = f["properties"], f["geometry"]["coordinates"]  # type: ignore[index]
        if p["kind"] == "settlement":  # type: ignore[index]
            x, y = _world_pixels(float(lat), float(lon), zoom)
            placed.append((p["name"], x, y, 8 * len(p["name"])))  # type: ignore[index]
    return [
        (a[0], b[0])
        for i, a in enumerate(placed)
        for b in placed[i + 1 :]
        if abs(a[1] - b[1]) < (a[3] + b[3]) / 2 and abs(a[2] - b[2]) < 16
    ]


def _world_pixels(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    size = 256 * 2**zoom
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2
    return (lon + 180) / 360 * size, y * size


def test_settlement_names_zoomed_out_do_not_cover_each_other() -> None:
    """A region of small towns (Leningrad oblast: 659 settlements) was named town by town at
    every zoom below the streets': zoomed out to the region, hundreds of names lay on top of
    each other in one unreadable smear. A name is now drawn from the zoom at which it
    covers no larger town's name; the largest is named at every zoom."""
    layer = build_basemap(_towns(30, spacing_deg=0.02))  # 30 towns 1.1 km apart
    everything = (-180.0, -90.0, 180.0, 90.0)
    for zoom in range(5, STREET_ZOOM):
        drawn = layer.features(everything, zoom)
        names = [f["properties"]["name"] for f in drawn if f["properties"]["kind"] == "settlement"]
        assert "г. Город0" in names, (zoom, names)
        assert not _boxes_overlap(drawn, zoom), zoom
    wide = [f for f in layer.features(everything, 8) if f["properties"]["kind"] == "settlement"]
    close = [
        f for f in layer.features(everything, STREET_ZOOM - 1) if f["properties"]["kind"] == "settlement"
    ]
    assert len(wide) < 5 and len(close) == 30, "zoomed in, every town has room for its name"


def test_a_hyphenated_settlement_is_named_as_the_registry_writes_it() -> None:
    """Omsk's 'с. Увало-Ядрино' (keyed 'увало ядрино') was labelled 'Увало ядрино' on the
    agents' map, 'с. Любино-Малороссы' 'Любино малороссы': the key, capitalised."""
    rows = [
        {
            "locality": f"омская|{key}",
            "settlement": key,
            "street_type": "ул",
            "street": "центральная",
            "house": "1",
            "lat": 55.0 + i,
            "lon": 73.0,
            "address": f"обл. Омская, р-н. Любинский, с. {written}, ул. Центральная, д. 1",
        }
        for i, (key, written) in enumerate(
            [("увало ядрино", "Увало-Ядрино"), ("любино малороссы", "Любино-Малороссы")]
        )
    ]
    layer = build_basemap(pd.DataFrame(rows))
    names = {f["properties"]["name"] for f in layer.features((-180.0, -90.0, 180.0, 90.0), 5)}
    assert {"с. Увало-Ядрино", "с. Любино-Малороссы"} <= names, names


def test_a_settlement_is_not_named_after_its_district() -> None:
    """Omsk's 'рп. Любинский' was labelled 'р-н. Любинский', the district part of its
    addresses, which comes first and holds the same word."""
    row = {
        "locality": "омская|любинский",
        "settlement": "любинский",
        "street_type": "ул",
        "street": "ленина",
        "house": "1",
        "lat": 55.15,
        "lon": 72.7,
        "address": "обл. Омская, р-н. Любинский, рп. Любинский, ул. Ленина, д. 1",
    }
    layer = build_basemap(pd.DataFrame([row]))
    names = {f["properties"]["name"] for f in layer.features((-180.0, -90.0, 180.0, 90.0), 5)}
    assert names == {"рп. Любинский"}, names

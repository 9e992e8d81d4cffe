"""The geocoder on a real registry (Saint Petersburg): hand-written addresses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from heatmap.geocode.gazetteer import build_gazetteer, haversine_km, read_cities
from heatmap.geocode.matcher import GazetteerGeocoder

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def spb(data_dir: Path) -> tuple[pd.DataFrame, GazetteerGeocoder]:
    entries, skipped = build_gazetteer(
        data_dir / "addresses" / "housedata_spb_20160308.csv.gz",
        cities=read_cities(data_dir / "cities" / "city.csv"),
    )
    assert skipped["marked_duplicate"] > 500  # the file has many "(дубль N)" rows
    return entries, GazetteerGeocoder(entries, default_city="Санкт-Петербург")


def truth(entries: pd.DataFrame, address: str) -> tuple[float, float]:
    row = entries[entries.address == address]
    assert len(row) == 1, address
    return float(row.lat.iloc[0]), float(row.lon.iloc[0])


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Санкт-Петербург, Суворовский пр., д. 42", "г. Санкт-Петербург, пр-кт. Суворовский, д. 42"),
        ("СПб, 13-я линия В.О., 24", "г. Санкт-Петербург, линия. 13-я В.О., д. 24, лит. Б"),
        ("Колпино, ул. Коммуны 1", "г. Санкт-Петербург, г. Колпино, ул. Коммуны, д. 1"),
        ("спб институтский проспект 4 корпус 1 кв 12", "г. Санкт-Петербург, пр-кт. Институтский, д. 4, к. 1"),
        ("Питер, Енотаевская ул., дом 10, литера Б", "г. Санкт-Петербург, ул. Енотаевская, д. 10 литера Б"),
        ("Московский проспект 134А", "г. Санкт-Петербург, пр-кт. Московский, д. 134, к. А"),
        ("ул. Комисара Смирнова 8", "г. Санкт-Петербург, ул. Комиссара Смирнова, д. 8"),
    ],
)
def test_handwritten_addresses(spb: tuple[pd.DataFrame, GazetteerGeocoder], text: str, address: str) -> None:
    entries, geocoder = spb
    lat, lon = truth(entries, address)
    row = geocoder.geocode([text]).iloc[0]
    assert row.precision == "house", row.reason
    assert float(haversine_km(lat, lon, row.lat, row.lon)) * 1000 < 50


def test_other_cities_and_garbage_are_not_house(spb: tuple[pd.DataFrame, GazetteerGeocoder]) -> None:
    _, geocoder = spb
    frame = geocoder.geocode(
        ["Москва, ул. Тверская, 7", "Невский", "Lenina 5", "г. Санкт-Петербург, ул. Несуществующая 1"]
    )
    assert list(frame.precision) == ["none", "street", "none", "settlement"]

"""Shared fixtures for the geocoder tests: a tiny synthetic registry and the real data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from heatmap.geocode.gazetteer import build_gazetteer
from heatmap.geocode.matcher import GazetteerGeocoder

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

#: (address, lat, lon): a small town and a village in the housing registry format.
REGISTRY = [
    ("обл. Вологодская, г. Вологда, ул. Мира, д. 1", 59.2200, 39.8800),
    ("обл. Вологодская, г. Вологда, ул. Мира, д. 3", 59.2210, 39.8810),
    ("обл. Вологодская, г. Вологда, ул. Мира, д. 5", 59.2220, 39.8820),
    ("обл. Вологодская, г. Вологда, ул. Мира, д. 12а", 59.2230, 39.8830),
    ("обл. Вологодская, г. Вологда, ул. Мира, д. 14, к. 1", 59.2240, 39.8840),
    ("обл. Вологодская, г. Вологда, ул. Мира, д. 14, к. 2", 59.2241, 39.8841),
    ("обл. Вологодская, г. Вологда, ул. Мира, д. 16/1", 59.2250, 39.8850),
    ("обл. Вологодская, г. Вологда, пр-кт. Победы, д. 31", 59.2100, 39.8700),
    ("обл. Вологодская, г. Вологда, пр-кт. Победы, д. 33", 59.2105, 39.8705),
    ("обл. Вологодская, г. Вологда, ул. 2-я Линия, д. 7", 59.2300, 39.9000),
    ("обл. Вологодская, г. Вологда, ул. 3-я Линия, д. 7", 59.2400, 39.9100),
    ("обл. Вологодская, г. Вологда, ул. Академическая Б., д. 4", 59.2500, 39.9200),
    ("обл. Вологодская, г. Вологда, ул. Маршала Конева, д. 9", 59.2600, 39.9300),
    ("обл. Вологодская, г. Вологда, ул. Пролетарская, д. 18, стр. 2", 59.2700, 39.9400),
    ("обл. Вологодская, г. Вологда, ул. Пролетарская, д. 20, лит. А", 59.2710, 39.9410),
    ("обл. Вологодская, г. Вологда, ш. Окружное, д. 5", 59.1800, 39.8000),
    ("обл. Вологодская, г. Вологда, ул. Ёлочная, д. 2", 59.1900, 39.8100),
    ("обл. Вологодская, г. Вологда, ул. Ёлочная, д. 2 (дубль 1)", 59.1901, 39.8101),
    ("обл. Вологодская, р-н. Бабаевский, д. Тимошино, ул. Мира, д. 39", 60.1041, 36.1883),
    ("обл. Вологодская, р-н. Бабаевский, д. Кийно, д. 12", 60.2825, 36.3018),
    ("обл. Вологодская, р-н. Бабаевский, д. Кийно, д. 14", 60.2830, 36.3020),
    ("обл. Вологодская, г. Череповец, ул. Гагарина, д. 16", 59.1312, 37.9030),
    ("обл. Вологодская, г. Череповец, ул. Уникальная, д. 1", 59.1400, 37.9100),
    ("обл. Вологодская, р-н. Тотемский, с. Красное, ул. Садовая, д. 2", 59.9000, 42.7000),
    ("г. Санкт-Петербург, г. Красное Село, пр-кт. Ленина, д. 67", 59.7380, 30.0870),
    ("г. Санкт-Петербург, ул. Губина, д. 18, лит. А", 59.9130, 30.4540),
    ("г. Санкт-Петербург, г. Колпино, ул. Губина, д. 18", 59.7500, 30.5900),
    ("г. Санкт-Петербург, г. Колпино, ул. Коммуны, д. 1", 59.7515, 30.5930),
    ("г. Москва, г. Зеленоград, к. 1117", 55.9900, 37.2000),
    ("г. Москва, пер. Кутузовский, д. 3", 55.7550, 37.5600),
    ("г. Москва, пр-кт. Кутузовский, д. 3", 55.7500, 37.5900),
    ("г. Москва, ул. Планетная, д. 27", 55.8050, 37.5400),
    ("г. Москва, ул. Планерная, д. 5", 55.8600, 37.4400),
]


#: One city's houses for the readings of addresses without a city (test_readings.py).
ONE_CITY = [
    ("обл. Вологодская, г. Вологда, ул. Науки, д. 7", 59.2000, 39.8000),
    ("обл. Вологодская, г. Вологда, ул. Науки, д. 9", 59.2010, 39.8010),
    ("обл. Вологодская, г. Вологда, ул. Мира, д. 1", 59.2200, 39.8800),
    ("обл. Вологодская, г. Вологда, ул. Лесная, д. 3", 59.2300, 39.8900),
    ("обл. Вологодская, г. Вологда, ул. Лесной, д. 5", 59.2400, 39.9000),
    ("обл. Вологодская, г. Вологда, мкр. Первый микрорайон ГПЗ-23, д. 1", 59.2110, 39.8134),
    ("обл. Вологодская, г. Вологда, ул. 2-я Линия, д. 7", 59.2300, 39.9000),
]


#: Streets two and three edits from written typos, for the first-letter rule (test_typos.py).
TYPO_CITY = [
    ("обл. Вологодская, г. Вологда, ул. Тележная, д. 13", 59.2000, 39.8000),
    ("обл. Вологодская, г. Вологда, ул. Южная, д. 13", 59.2500, 39.9000),
    ("обл. Вологодская, г. Вологда, ул. Балтийская, д. 12", 59.2300, 39.8500),
    ("обл. Вологодская, г. Вологда, ул. Мира, д. 1", 59.2200, 39.8800),
]

#: A region of small towns, none dominant: a street name in two of them (Лесная), a name
#: with an initial, numbered and lettered micro-districts (test_region_towns.py).
REGION_TOWNS = [
    ("обл. Ленинградская, р-н. Гатчинский, г. Гатчина, ул. Гречишкина, д. 13", 59.5600, 30.1200),
    ("обл. Ленинградская, р-н. Лодейнопольский, г. Лодейное Поле, ул. И.Ярославцева, д. 7", 60.7300, 33.5400),
    ("обл. Ленинградская, р-н. Выборгский, п. Пруды, ул. Лесная, д. 1", 60.5000, 28.9000),
    ("обл. Ленинградская, р-н. Кировский, г. Кировск, ул. Лесная, д. 3", 59.8700, 30.9900),
    ("обл. Ленинградская, р-н. Кировский, г. Кировск, ул. Набережная, д. 5", 59.8800, 30.9800),
    ("обл. Ленинградская, р-н. Волховский, г. Новая Ладога, мкр. А, д. 13", 60.1100, 32.3100),
    ("обл. Ленинградская, р-н. Сланцевский, г. Сланцы, ул. Жуковского, д. 7а", 59.1200, 28.0900),
]


def registry_entries(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    """Gazetteer entries of (address, lat, lon) rows written as the housing registry."""
    frame = pd.DataFrame(
        {
            "ADDRESS": [a for a, _, _ in rows],
            "LAT": [str(x) for _, x, _ in rows],
            "LON": [str(y) for _, _, y in rows],
            "HOUSE_ID": [str(i) for i in range(len(rows))],
        }
    )
    entries, _skipped = build_gazetteer(frame)
    return entries


@pytest.fixture(scope="session")
def small_entries() -> pd.DataFrame:
    return registry_entries(REGISTRY)


@pytest.fixture(scope="session")
def one_city_entries() -> pd.DataFrame:
    return registry_entries(ONE_CITY)


@pytest.fixture(scope="session")
def one_city_geocoder(one_city_entries: pd.DataFrame) -> GazetteerGeocoder:
    """A gazetteer of one city: an address without a city is in it."""
    return GazetteerGeocoder(one_city_entries)


@pytest.fixture(scope="session")
def small_geocoder(small_entries: pd.DataFrame) -> GazetteerGeocoder:
    return GazetteerGeocoder(small_entries)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not (DATA / "addresses").is_dir():
        pytest.skip(f"shared data not found at {DATA}")
    return DATA


@pytest.fixture(scope="session")
def region_geocoder() -> GazetteerGeocoder:
    return GazetteerGeocoder(registry_entries(REGION_TOWNS))


@pytest.fixture(scope="session")
def typo_city_geocoder() -> GazetteerGeocoder:
    return GazetteerGeocoder(registry_entries(TYPO_CITY))

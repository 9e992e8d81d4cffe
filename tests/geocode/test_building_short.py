"""Moscow's short "строение": "20 с3" is house 20, building 3, as the registry writes
"д. 20, стр. 3" (1,836 of Moscow's 33,294 registry houses have a building number)."""

from __future__ import annotations

import pandas as pd
import pytest

from heatmap.geocode import GazetteerGeocoder, build_gazetteer

REGISTRY = pd.DataFrame(
    {
        "LAT": [55.8340, 55.8345, 55.7900, 55.8360],
        "LON": [37.5220, 37.5230, 37.5400, 37.5250],
        "ADDRESS": [
            "г. Москва, ул. Коптевская, д. 20, стр. 3",
            "г. Москва, ул. Коптевская, д. 20, стр. 1",
            "г. Москва, пр-кт. Ленинградский, д. 48/2, стр. 1",
            "г. Москва, ул. Перелета, д. 8, корп. 1, стр. 5",
        ],
        "HOUSE_ID": [1, 2, 3, 4],
    }
)


@pytest.fixture(scope="module")
def moscow() -> GazetteerGeocoder:
    return GazetteerGeocoder(build_gazetteer(REGISTRY)[0])


@pytest.mark.parametrize(
    ("text", "lat"),
    [
        ("Коптевская 20 с3", 55.8340),
        ("Москва, Коптевская 20 с3", 55.8340),
        ("ул. Коптевская, д. 20 с1", 55.8345),
        ("Ленинградский пр-т 48/2 с1", 55.7900),
        ("ул Перелета 8 к1 с5", 55.8360),
        ("Коптевская 20 ст3", 55.8340),
    ],
)
def test_a_building_written_c_and_its_number_is_that_building(
    moscow: GazetteerGeocoder, text: str, lat: float
) -> None:
    """'Коптевская 20 с3' answered none ('улица «коптевская 20 с3» не найдена'), with
    'Москва, ' a settlement, and 'Ленинградский пр-т 48/2 с1' read 'ленинградский' as a
    settlement; 'с3' glued was read as a word, unlike '20с3' and '20 с 3'."""
    found_lat, _lon, precision, _score, matched, reason = moscow.answers([text])[0]
    assert precision == "house", reason
    assert found_lat == pytest.approx(lat) and matched is not None and "стр." in matched


def test_c_and_a_number_alone_is_no_building(moscow: GazetteerGeocoder) -> None:
    """Only after a house number: 'с3' alone is no house."""
    assert moscow.answers(["с3"])[0][2] != "house"

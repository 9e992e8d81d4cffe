"""Two-edit typos in a street name: a guess keeps the name's first letter, and only streets
starting with it are its rivals (people seldom misspell a name's first letter)."""

from __future__ import annotations

import pytest

from heatmap.geocode.matcher import GazetteerGeocoder


@pytest.fixture(scope="module")
def city(typo_city_geocoder: GazetteerGeocoder) -> GazetteerGeocoder:
    """Тележная and Южная (house 13 on both), Балтийская (house 12), Мира."""
    return typo_city_geocoder


def test_a_rival_with_another_first_letter_does_not_block_the_guess(city: GazetteerGeocoder) -> None:
    """ "Теженая" is two edits from Тележная and three from Южная, which has house 13 too
    (was: no house, the rival blocked the guess)."""
    lat, _lon, precision, score, matched, reason = city.answers(["Вологда, ул. Теженая, д. 13"])[0]
    assert precision == "house", reason
    assert lat == pytest.approx(59.2000) and matched is not None and "Тележная" in matched
    assert score < 0.9  # a guess


def test_a_guess_keeps_the_first_letter(city: GazetteerGeocoder) -> None:
    """ "Алтайская" (a street the gazetteer lacks) is two edits from Балтийская, which has
    house 12: not that street (was: house on Балтийская)."""
    assert city.answers(["Вологда, ул. Алтайская, д. 12"])[0][2] != "house"
    assert city.answers(["Вологда, ул. Балтийкаяс, д. 12"])[0][2] == "house"  # its own typo

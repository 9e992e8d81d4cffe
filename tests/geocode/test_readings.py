"""Readings added for addresses written without a city (issue 21's first class): a short
name with a letter dropped, a street whose name starts before its type word; and a
looser street key that must keep the street's number."""

from __future__ import annotations

import pytest

from heatmap.geocode.matcher import GazetteerGeocoder


@pytest.fixture(scope="module")
def city(one_city_geocoder: GazetteerGeocoder) -> GazetteerGeocoder:
    return one_city_geocoder


def _answer(g: GazetteerGeocoder, text: str) -> tuple[float, float, str, float, str | None, str | None]:
    return g.answers([text])[0]


@pytest.mark.parametrize("text", ["Наки, дом 7", "ул Наки, д7", "г. Вологда, ул. Наки, д. 9"])
def test_a_letter_dropped_from_a_name_of_five(city: GazetteerGeocoder, text: str) -> None:
    lat, _lon, precision, score, matched, _ = _answer(city, text)
    assert precision == "house" and matched is not None and "Науки" in matched
    assert lat in (59.2000, 59.2010) and score < 0.9  # a guess: never a confident house


@pytest.mark.parametrize(
    "text",
    [
        "Наки, дом 11",  # no such house on Науки: not that street for sure
        "Мирп, д. 1",  # four letters to four: another word, not a typo
        "Мра, д. 1",  # three letters: never guessed
        "Лесн, д. 3",  # Лесная and Лесной are both one letter away
        "Лесн, д. 5",  # Лесной has it, Лесная (as close) has not: still a choice
    ],
)
def test_a_short_name_is_not_guessed_without_proof(city: GazetteerGeocoder, text: str) -> None:
    assert _answer(city, text)[2] != "house"


@pytest.mark.parametrize(
    "text", ["Первый микрорайон ГПЗ-23, дом 1", "Первый микрорайон ГПЗ-23 д.1", "ул. Мира, д. 1"]
)
def test_an_unknown_word_before_the_type_word_starts_the_name(city: GazetteerGeocoder, text: str) -> None:
    _lat, _lon, precision, score, _matched, reason = _answer(city, text)
    assert precision == "house", reason
    assert score < 1.0 or text.startswith("ул. Мира")


def test_an_unknown_word_before_the_type_word_is_no_street_of_its_own(city: GazetteerGeocoder) -> None:
    # not a word of the name either: the street is not found, so no house
    assert _answer(city, "Неведомый микрорайон ГПЗ-23, дом 1")[2] != "house"


@pytest.mark.parametrize("text", ["Вологда, ул. 5-я Линия, д. 7", "Вологда, Пятая линия, 7", "5-я Линия 7"])
def test_a_numbered_street_is_not_another_number(city: GazetteerGeocoder, text: str) -> None:
    """Only "2-я Линия" is known, and it has house 7: "5-я Линия, 7" is not that house
    (the looser key drops one-character words, numbers among them; was house, score 0.95)."""
    assert _answer(city, text)[2] != "house"
    assert _answer(city, "Вологда, 2-я Линия, 7")[2] == "house"

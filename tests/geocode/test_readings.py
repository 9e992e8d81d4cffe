"""Readings added for addresses written without a city (issue 21's first class): a short
name with a letter dropped, a street whose name starts before its type word; a looser
street key that must keep the street's number; a microdistrict whose name holds its own
type word ("мкр. Первый микрорайон ГПЗ-23")."""

from __future__ import annotations

import pandas as pd
import pytest

from heatmap.geocode.matcher import GazetteerGeocoder
from heatmap.geocode.normalise import parse_address


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


@pytest.mark.parametrize(
    ("text", "house"),
    [
        ("мкр. Первый микрорайон ГПЗ-23", None),
        ("мкр. Первый микрорайон ГПЗ-23, д. 5", "5"),
        ("МИКРОРАЙОН ПЕРВЫЙ МИКРОРАЙОН ГПЗ-23, 10/2", "10/2"),
        ("обл. Вологодская, г. Вологда, мкр. Первый микрорайон ГПЗ-23, д. 1", "1"),
    ],
)
def test_the_streets_own_type_word_inside_its_name(text: str, house: str | None) -> None:
    """ "мкр. Первый микрорайон ГПЗ-23" is one microdistrict, not a settlement "Первый" and a
    street "ГПЗ-23" (was: settlement ("мкр", "первый"), street "гпз-23")."""
    p = parse_address(text)
    assert (p.street_type, p.street) == ("мкр", "первый микрорайон гпз-23")
    assert [name for _t, name in p.settlements] == (["вологда"] if "Вологда" in text else [])
    assert (p.house.number if p.house else None) == house


@pytest.mark.parametrize(
    "text",
    [
        "мкр. Первый микрорайон ГПЗ-23, д. 1",
        "мкр Первый микрорайон ГПЗ-23 дом 1",
        "Вологда, мкр. Первый микрорайон ГПЗ-23, 1",
    ],
)
def test_a_microdistrict_named_with_its_type_word_is_found(city: GazetteerGeocoder, text: str) -> None:
    """With or without the city (was: none, "населённого пункта «первый» нет" without it)."""
    lat, _lon, precision, score, matched, reason = _answer(city, text)
    assert precision == "house", reason
    assert lat == pytest.approx(59.2110) and matched is not None and "ГПЗ-23, д. 1" in matched
    assert score == 1.0 if text.startswith("Вологда") else score < 0.9  # no city: a guess


@pytest.mark.parametrize(
    "text", ["мкр. Первый микрорайон ГПЗ-23", "г. Вологда, мкр. Первый микрорайон ГПЗ-23"]
)
def test_a_microdistrict_without_a_house_is_the_microdistrict(city: GazetteerGeocoder, text: str) -> None:
    lat, _lon, precision, _score, matched, reason = _answer(city, text)
    assert precision == "street" and reason is not None
    assert lat == pytest.approx(59.2110) and matched is not None and "гпз-23" in matched


def test_another_microdistrict_with_the_type_word_is_not_this_one(city: GazetteerGeocoder) -> None:
    assert _answer(city, "мкр. Неведомый микрорайон ГПЗ-23, д. 1")[2] != "house"


def test_a_gazetteer_built_before_the_type_word_was_read_still_finds_it(
    one_city_entries: pd.DataFrame,
) -> None:
    """Gazetteer files built earlier keep the registry's street as "гпз-23" (key "гпз-23
    микрорайон"): the looser key still finds the house, a little less sure."""
    entries = one_city_entries
    mkr = entries["street_type"] == "мкр"
    old = entries.assign(
        street=entries["street"].where(~mkr, "гпз-23"),
        street_key=entries["street_key"].where(~mkr, "гпз-23 микрорайон"),
        street_loose_key=entries["street_loose_key"].where(~mkr, "гпз-23 микрорайон"),
    )
    lat, _lon, precision, score, _matched, reason = _answer(
        GazetteerGeocoder(old), "Вологда, мкр. Первый микрорайон ГПЗ-23, д. 1"
    )
    assert precision == "house" and lat == pytest.approx(59.2110), reason
    assert 0.9 <= score < 1.0

"""Writings of small towns' addresses (Leningrad oblast): a village named by a type word
("ИВАНОВСКИЙ ОСТРОВ Д."), a given name written as an initial or left out ("М.Горького" for
ул. Максима Горького), numbered micro-districts ("1 мкр", "микр. 1", "Тихвин 1-й 5")."""

from __future__ import annotations

import pytest

from heatmap.geocode.keys import street_key, street_loose_key
from heatmap.geocode.matcher import GazetteerGeocoder
from heatmap.geocode.normalise import parse_address, tokenize

from .conftest import registry_entries

#: (address, lat, lon) in the housing registry's writing; every house on its own point.
TOWNS = [
    ("обл. Ленинградская, р-н. Волховский, д. Ивановский Остров, д. 1", 60.0100, 32.0100),
    ("обл. Ленинградская, р-н. Гатчинский, д. Остров, ул. Вокзальная, д. 7", 59.3000, 30.2000),
    ("обл. Ленинградская, р-н. Лодейнопольский, д. Старая Слобода, д. 21", 60.7000, 33.4000),
    ("обл. Ленинградская, р-н. Сланцевский, г. Сланцы, ул. Максима Горького, д. 11", 59.1100, 28.0800),
    ("обл. Ленинградская, р-н. Гатчинский, г. Гатчина, ул. К.Маркса, д. 49", 59.5700, 30.1300),
    ("обл. Ленинградская, р-н. Тосненский, г. Любань, ул. Карла Маркса, д. 6", 59.3500, 31.2400),
    ("обл. Ленинградская, р-н. Тосненский, г. Любань, б-р. Алексея Толстого, д. 5", 59.3600, 31.2500),
    ("обл. Ленинградская, р-н. Тихвинский, г. Тихвин, мкр. 1-й, д. 5", 59.6400, 33.5200),
    ("обл. Ленинградская, р-н. Тихвинский, г. Тихвин, мкр. 1-й, д. 6", 59.6410, 33.5210),
    ("обл. Ленинградская, р-н. Тихвинский, г. Тихвин, мкр. 3-й, д. 5", 59.6500, 33.5400),
    ("обл. Ленинградская, р-н. Тихвинский, г. Тихвин, ул. Мира, д. 7", 59.6600, 33.5600),
]


@pytest.fixture(scope="module")
def towns() -> GazetteerGeocoder:
    return GazetteerGeocoder(registry_entries(TOWNS))


def _house_at(geocoder: GazetteerGeocoder, text: str, lat: float) -> None:
    got_lat, _lon, precision, _score, _matched, reason = geocoder.answers([text])[0]
    assert precision == "house", (text, reason)
    assert got_lat == pytest.approx(lat), text


# --------------------------------------------------------------------------- a type word in a village's name


@pytest.mark.parametrize(
    ("text", "settlement"),
    [
        ("ВЫНДИН ОСТРОВ Д., УЛИЦА МИРА, 5", "вындин остров"),
        ("Вындин Остров д., ул. Мира, д. 5", "вындин остров"),
        ("СТАРАЯ СЛОБОДА Д., Д.21", "старая слобода"),
        ("КРАСНОЕ СЕЛО Г., ПР-КТ ЛЕНИНА, 67", "красное село"),
        ("д. Остров, Вокзальная, д.7", "остров"),
        ("деревня Остров Вокзальная у. 7", "остров"),
    ],
)
def test_a_type_word_inside_a_settlements_name(text: str, settlement: str) -> None:
    """ "ОСТРОВ" before the village's "Д.," is its name's word, not a street type (was
    (('остров', 'вындин'),): a settlement typed остров); "д. Остров," is a village, not a
    dangling house marker (was: street «остров» in settlement «вокзальная»)."""
    p = parse_address(text)
    assert p.settlements[-1][1] == settlement
    assert p.settlements[-1][0] in ("д", "г")
    assert p.house is not None and p.house.number


@pytest.mark.parametrize(
    ("text", "street"), [("д. ул. Мира 5", "мира"), ("ул. Мира, д., 5", "мира"), ("Мира ул. д. 5", "мира")]
)
def test_a_dangling_house_marker_stays_dangling(text: str, street: str) -> None:
    p = parse_address(text)
    assert (p.street, p.settlements, p.house and p.house.number) == (street, (), "5")


@pytest.mark.parametrize(
    ("text", "lat"),
    [
        ("ИВАНОВСКИЙ ОСТРОВ Д., Д.1", 60.0100),
        ("Ивановский Остров д., 1", 60.0100),
        ("ОСТРОВ Д., ВОКЗАЛЬНАЯ УЛИЦА, 7", 59.3000),
        ("д. Остров, Вокзальная, д.7", 59.3000),
        ("деревня Остров Вокзальная у. 7", 59.3000),
        ("СТАРАЯ СЛОБОДА Д., Д.21", 60.7000),
    ],
)
def test_a_village_named_with_a_type_word_is_found(towns: GazetteerGeocoder, text: str, lat: float) -> None:
    """(was: none, "улица «ивановский» не найдена", for the first two and the fourth)"""
    _house_at(towns, text, lat)


# --------------------------------------------------------------------------- initials and given names


@pytest.mark.parametrize(
    "written", ["М.Горького", "М. Горького", "Максима Горького", "Горького", "М Горького"]
)
def test_a_given_name_as_an_initial_or_left_out_has_one_loose_key(written: str) -> None:
    assert street_loose_key(written, "ул") == street_loose_key("Максима Горького", "ул") == "горького"


@pytest.mark.parametrize("name", ["М. Посадская", "Б. Пушкарская", "Малая Посадская"])
def test_big_and_small_before_a_nominative_stay_in_the_loose_key(name: str) -> None:
    """ "М." before an adjective is Малая, not an initial."""
    assert street_loose_key(name, "ул").split()[0] in ("б", "м")


def test_a_given_name_alone_is_kept() -> None:
    assert street_loose_key("Максима", "ул") == "максима"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("К.Маркса, 49", ["маркса", ",", "49"]),
        ("М.Горького ул., 5", ["горького", "ул", ",", "5"]),
        ("г.Вологда, у.Мира, д.5", ["г", "вологда", ",", "у", "мира", ",", "д", "5"]),
        ("д.Кийно, д.12", ["д", "кийно", ",", "д", "12"]),
    ],
)
def test_an_initial_glued_to_a_name_is_dropped_without_a_type_before(text: str, kept: list[str]) -> None:
    """As "ул. К.Маркса" is read (the registry's key "маркса"); one-letter types stay."""
    assert tokenize(text) == kept


@pytest.mark.parametrize(
    ("text", "lat"),
    [
        ("Сланцы, ул. М.Горького, д. 11", 59.1100),
        ("Сланцы, М. Горького ул., 11", 59.1100),
        ("СЛАНЦЫ Г., М.ГОРЬКОГО УЛИЦА, Д.11", 59.1100),
        ("Сланцы, Горького, 11", 59.1100),
        ("Любань, ул. К.Маркса, 6", 59.3500),
        ("Любань, К. Маркса ул., д. 6", 59.3500),
        ("Гатчина, ул. Карла Маркса, 49", 59.5700),
        ("Гатчина, М.Горького, 19", None),
        ("К.Маркса, 49", 59.5700),
    ],
)
def test_a_street_written_with_an_initial_or_without_the_given_name(
    towns: GazetteerGeocoder, text: str, lat: float | None
) -> None:
    """(was: the town's point, "улица «горького» не найдена в населённом пункте")"""
    if lat is None:  # no street of Горький in Гатчина: not Сланцы's
        assert towns.answers([text])[0][2] != "house"
    else:
        _house_at(towns, text, lat)


@pytest.mark.parametrize("text", ["Любань, ул. Льва Толстого, 5", "Любань, Л. Толстого, д. 5"])
def test_another_given_name_is_another_street(towns: GazetteerGeocoder, text: str) -> None:
    """ "Льва Толстого" is not б-р Алексея Толстого (the loose keys are both "толстого")."""
    assert towns.answers([text])[0][2] != "house"


@pytest.mark.parametrize("text", ["Любань, А. Толстого, д. 5", "Любань, Толстого, д. 5"])
def test_the_same_given_name_or_none_is_the_street(towns: GazetteerGeocoder, text: str) -> None:
    _house_at(towns, text, 59.3600)


def test_a_misspelt_surname_is_not_near_every_given_names_street(towns: GazetteerGeocoder) -> None:
    """Without a town "К.Маркас" is one edit from Гатчина's "маркса" only: Любань's Карла
    Маркса is compared by its whole name."""
    _house_at(towns, "К.Маркас, 49", 59.5700)


# --------------------------------------------------------------------------- numbered micro-districts


@pytest.mark.parametrize(
    ("text", "street"),
    [("Тихвин, мкр. 1, 5", "1"), ("Тихвин, микр. 1, 5", "1"), ("Тихвин, микрорайон 1, 5", "микрорайон 1")],
)
def test_a_number_after_a_nameless_micro_district_names_it(text: str, street: str) -> None:
    """(was: house 1 of a street with no name, the 5 dropped as a flat)"""
    p = parse_address(text)
    assert (p.street_type, p.street, p.house and p.house.number) == ("мкр", street, "5")


def test_a_second_number_after_a_named_street_is_still_a_flat() -> None:
    p = parse_address("Тихвин, ул. Мира, 7, 12")
    assert (p.street, p.house and p.house.number) == ("мира", "7")


@pytest.mark.parametrize("name", ["6 й", "6-й", "6"])
def test_an_ordinal_ending_cut_off_is_dropped(name: str) -> None:
    """ "Пикалево 6-й 13": the settlement's key made "6-й" into "6 й"."""
    assert street_key(name) == "6"


@pytest.mark.parametrize(
    "text",
    [
        "Тихвин, 1 микрорайон, д. 5",
        "Тихвин, 1-й микрорайон, д. 5",
        "Тихвин, микр. 1, д. 5",
        "Тихвин, микр. 1, 5",
        "Тихвин, мкр. 1, 5",
        "Тихвин, 1 мкр, д. 5",
        "Тихвин, 1 мкр., 5",
        "ТИХВИН Г., 1 МИКРОРАЙОН, Д.5",
        "г. Тихвин 1-й 5",
        "Тихвин 1 мкр 5",
    ],
)
def test_a_numbered_micro_district_in_every_writing(towns: GazetteerGeocoder, text: str) -> None:
    _house_at(towns, text, 59.6400)


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("Тихвин, 6, дом 20", "6"),
        ("пгт. Им Свердлова, 1, д. 45 к2", "1"),  # (was: the 1 dropped, a typed settlement before it)
        ("линия 2, д. 5", "линия 2"),
        ("ул. 2-я линия, 5, д. 7", "2-я линия 5"),
    ],
)
def test_a_number_alone_before_the_house_names_the_street(text: str, street: str) -> None:
    """A number written as a part of its own after a settlement, then "д." and the house:
    the street named by that number (a micro-district written without its type)."""
    assert parse_address(text).street == street


@pytest.mark.parametrize("text", ["Тихвин, 1, д. 5", "г Тихвин, 1, дом 5", "ТИХВИН Г., 1, Д.5"])
def test_a_micro_district_written_without_its_type(towns: GazetteerGeocoder, text: str) -> None:
    _house_at(towns, text, 59.6400)

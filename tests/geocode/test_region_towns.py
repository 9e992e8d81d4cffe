"""A region of small towns, none dominant (as Leningrad oblast's registry): typos without a
city, names written with an initial, names loosened to their type word alone, a town before
a street named by a type word."""

from __future__ import annotations

import pytest

from heatmap.geocode.matcher import GazetteerGeocoder


@pytest.fixture(scope="module")
def region(region_geocoder: GazetteerGeocoder) -> GazetteerGeocoder:
    """Гатчина, Лодейное Поле, Пруды and Кировск (Лесная in both), Новая Ладога, Сланцы."""
    return region_geocoder


@pytest.mark.parametrize(
    ("text", "lat"),
    [
        ("ул Гречишуина, 13", 59.5600),  # a typo, no city: one street in the region
        ("Жуоквского, дом 7а", 59.1200),
        ("ул. Лесня, д. 3", 59.8700),  # Лесная of two towns: the house decides, as written right
    ],
)
def test_a_typo_without_a_city_is_read_in_the_whole_region(
    region: GazetteerGeocoder, text: str, lat: float
) -> None:
    _lat, _lon, precision, score, _matched, reason = region.answers([text])[0]
    assert precision == "house", reason
    assert _lat == pytest.approx(lat) and score < 0.9  # the town is a guess


def test_a_typo_in_two_distant_towns_without_the_house_is_not_guessed(region: GazetteerGeocoder) -> None:
    for text in ("ул. Лесня, д. 2", "ул. Лесная, д. 2"):
        assert region.answers([text])[0][2] == "none", text


def test_a_typo_in_a_name_with_an_initial(region: GazetteerGeocoder) -> None:
    """The registry keys "И.Ярославцева" without its initial: the misspelt name is looked
    for without it too (was: settlement only)."""
    lat, _lon, precision, score, _matched, reason = region.answers(
        ["город Лодейное Поле, И.Ярослаавцева улица, 7"]
    )[0]
    assert precision == "house", reason
    assert lat == pytest.approx(60.7300) and score < 0.9


@pytest.mark.parametrize("text", ["мкр. 5-й д.13", "Новая Ладога, 5-й мкр., д. 13"])
def test_a_numbered_name_is_not_its_type_word_alone(region: GazetteerGeocoder, text: str) -> None:
    """ "5-й мкр." loosened is "микрорайон", as is "мкр. А" (its letter dropped): not that
    street (was: house 13 of мкр. А, 100 km away for the address without a town)."""
    assert region.answers([text])[0][2] != "house"


@pytest.mark.parametrize("text", ["Кировск Набережная д. 5", "Кировск Набережная улица д. 5, кв. 12"])
def test_a_town_before_a_street_named_by_a_type_word(region: GazetteerGeocoder, text: str) -> None:
    """ "Набережная" read as the type of a street "Кировск": the town and ул. Набережная
    (was: the town's point)."""
    lat, _lon, precision, _score, _matched, reason = region.answers([text])[0]
    assert precision == "house", reason
    assert lat == pytest.approx(59.8800)

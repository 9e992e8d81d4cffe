"""The address parser: types before/after/missing, house parts, ignored parts."""

from __future__ import annotations

import pytest

from heatmap.geocode.normalise import (
    House,
    looks_foreign,
    parse_address,
    region_key,
    settlement_key,
    street_key,
    street_loose_key,
    tokenize,
)


@pytest.mark.parametrize(
    ("text", "street_type", "key"),
    [
        ("ул. Мира, д. 5", "ул", "мира"),
        ("улица Мира 5", "ул", "мира"),
        ("у. Мира 5", "ул", "мира"),
        ("Мира ул., 5", "ул", "мира"),
        ("Мира улица 5", "ул", "мира"),
        ("Мира 5", None, "мира"),
        ("пр-т Победы 31", "пр-кт", "победы"),
        ("просп. Победы 31", "пр-кт", "победы"),
        ("проспект Победы, д. 31", "пр-кт", "победы"),
        ("Победы проспект 31", "пр-кт", "победы"),
        ("пер. Садовый 3", "пер", "садовый"),
        ("Садовый переулок 3", "пер", "садовый"),
        ("б-р Новаторов 63", "б-р", "новаторов"),
        ("бульвар Новаторов 63", "б-р", "новаторов"),
        ("ш. Окружное 5", "ш", "окружное"),
        ("Окружное шоссе 5", "ш", "окружное"),
        ("наб. Макарова 12", "наб", "макарова"),
        ("набережная Макарова 12", "наб", "макарова"),
        ("пл. Ленина 1", "пл", "ленина"),
        ("площадь Ленина 1", "пл", "ленина"),
        ("мкр Южный 4", "мкр", "южный"),
        ("микрорайон Южный 4", "мкр", "южный"),
        ("микр. Южный 4", "мкр", "южный"),  # a CRM's abbreviation (was: the street "микр южный")
        ("микр-н Южный 4", "мкр", "южный"),
        ("аллея Долгопрудная 1", "аллея", "долгопрудная"),
        ("проезд Шокальского 29", "проезд", "шокальского"),
        ("Шокальского проезд 29", "проезд", "шокальского"),
        ("тупик Заводской 2", "туп", "заводской"),
    ],
)
def test_street_types_before_after_or_missing(text: str, street_type: str | None, key: str) -> None:
    p = parse_address(text)
    assert p.street_type == street_type
    assert p.street_key == key
    assert p.house is not None
    assert p.house.number in ("1", "2", "3", "4", "5", "12", "29", "31", "63")


@pytest.mark.parametrize(
    "text",
    [
        "2-я Линия 7",
        "Вторая линия 7",
        "2 линия 7",
        "линия 2-я, д. 7",
        "ул. 2-я Линия, д. 7",
        "2-ая линия, 7",
        "линия 2, д. 7",
    ],
)
def test_numbered_streets_share_one_key(text: str) -> None:
    p = parse_address(text)
    assert p.street_key == "2 линия"
    assert p.house_key == "7"


def test_numbered_street_keys_are_order_free() -> None:
    assert street_key("2-я Березовая") == street_key("Березовая 2-я") == "2 березовая"
    assert street_key("Вторая Березовая") == "2 березовая"
    assert street_key("Сетуньский 1-й") == street_key("1-й Сетуньский")
    assert street_key("Академическая Б.") == street_key("Большая Академическая")
    assert street_key("8 Марта") == "8 марта"
    assert street_key("2-я Березовая") != street_key("3-я Березовая")


def test_yo_and_case_fold() -> None:
    assert street_key("Ёлочная") == street_key("ЕЛОЧНАЯ") == "елочная"
    assert settlement_key("Посёлок") == "поселок"


def test_loose_key_drops_titles_and_imeni() -> None:
    assert street_loose_key("Маршала Конева") == "конева"
    assert street_key("им. Лебедевой") == street_key("имени Лебедевой") == "лебедевой"


@pytest.mark.parametrize(
    ("text", "house"),
    [
        ("Мира 12а", House("12", "а")),
        ("Мира 12 А", House("12", "а")),
        ("Мира 12-а", House("12", "а")),
        ("Мира, д. 12а", House("12", "а")),
        ("Мира 12/1", House("12/1")),
        ("Мира 12к1", House("12", corpus="1")),
        ("Мира 12 корп 1", House("12", corpus="1")),
        ("Мира, д. 12, к. 1", House("12", corpus="1")),
        ("Мира, д. 12, корп. 1, стр. 2", House("12", corpus="1", building="2")),
        ("Мира 12 строение 2", House("12", building="2")),
        ("Мира, д. 20, лит. А", House("20", literal="а")),
        ("Мира д 20 литера А", House("20", literal="а")),
        ("аллея. 2-я Березовая, д. 13/15, лит. А,Б,В", House("13/15", literal="абв")),
        ("Мира, дом 5, кв. 17", House("5")),
        ("Мира 5-17", House("5")),
        ("Мира 5, подъезд 2, этаж 3, кв 17", House("5")),
        ("Мира 5, под. 2, эт. 3", House("5")),
        ("ул.Мира,д.5,кв.17", House("5")),
    ],
)
def test_house_parts(text: str, house: House) -> None:
    assert parse_address(text).house == house


def test_house_keys() -> None:
    h = House("12", "а", corpus="1", building="2")
    assert h.key == "12а к1 с2"
    assert House("8", corpus="а").loose_key == House("8", "а").loose_key == "8а"
    assert House("20", literal="а").loose_key == "20а"
    assert House("16/1").base == "16"


def test_d_means_village_or_house() -> None:
    p = parse_address("обл. Вологодская, р-н. Бабаевский, д. Тимошино, ул. Мира, д. 39")
    assert p.region == "вологодская"
    assert p.district == "бабаевский"
    assert p.settlements == (("д", "тимошино"),)
    assert (p.street_type, p.street_key, p.house_key) == ("ул", "мира", "39")
    q = parse_address("деревня Кийно, дом 12")
    assert q.settlement == "кийно" and q.settlement_type == "д" and q.street is None
    assert q.house_key == "12"


@pytest.mark.parametrize(
    ("text", "stype", "name"),
    [
        ("г. Вологда, ул. Мира 1", "г", "вологда"),
        ("город Вологда, ул. Мира 1", "г", "вологда"),
        ("пос. Лесной, ул. Мира 1", "п", "лесной"),
        ("п. Лесной, ул. Мира 1", "п", "лесной"),
        ("поселок Лесной, ул. Мира 1", "п", "лесной"),
        ("с. Устье, ул. Мира 1", "с", "устье"),
        ("село Устье, ул. Мира 1", "с", "устье"),
        ("пгт Вохтога, ул. Мира 1", "пгт", "вохтога"),
        ("Вологда, ул. Мира 1", None, "вологда"),
    ],
)
def test_settlement_types(text: str, stype: str | None, name: str) -> None:
    p = parse_address(text)
    assert (p.settlement_type, p.settlement) == (stype, name)
    assert p.street_key == "мира"


def test_regions_districts_postal_and_country() -> None:
    p = parse_address("160000, Россия, Вологодская обл., Бабаевский р-н, г. Бабаево, ул. Мира, 5")
    assert p.postal_code == "160000"
    assert p.region == "вологодская" and p.region_type == "обл"
    assert p.district == "бабаевский"
    assert p.settlement == "бабаево" and p.house_key == "5"
    k = parse_address("Респ. Карелия, г. Сегежа, ул. 8 Марта, д. 1")
    assert k.region == "карелия" and k.region_type == "респ"
    assert k.street_key == "8 марта" and k.house_key == "1"
    assert region_key("Республика Карелия") == "карелия"
    assert parse_address("Пермский край, г. Пермь, ул. Ленина 1").region_type == "край"


def test_federal_city_is_region_and_settlement() -> None:
    p = parse_address("г. Санкт-Петербург, г. Колпино, ул. Коммуны, д. 1")
    assert p.region == "санкт петербург"
    assert [n for _t, n in p.settlements] == ["санкт петербург", "колпино"]
    assert parse_address("СПб, Невский пр., 28").settlement == "санкт петербург"


def test_no_commas_and_glued_tokens() -> None:
    p = parse_address("д. г Москва ш Открытое д.21 кор.9")
    assert (p.settlement, p.street_type, p.street_key, p.house_key) == ("москва", "ш", "открытое", "21 к9")
    q = parse_address("г.Череповец,ул.Гагарина,д.16,кв.5")
    assert (q.settlement, q.street_key, q.house_key) == ("череповец", "гагарина", "16")


def test_address_key_is_stable_across_spellings() -> None:
    a = parse_address("обл. Вологодская, г. Вологда, ул. Мира, д. 12а")
    b = parse_address("Вологодская область, город Вологда, улица Мира, дом 12 А")
    assert a.key == b.key == "вологодская|вологда|ул|мира|12а"


@pytest.mark.parametrize("text", ["", "   ", ",,,", "???", "12345", "кв. 5"])
def test_garbage_never_raises(text: str) -> None:
    p = parse_address(text)
    assert p.street is None or p.street == ""
    assert p.settlement is None


def test_none_input() -> None:
    assert parse_address(None).raw == ""


def test_tokenize_splits_glued_markers() -> None:
    assert tokenize("ул.Седова,д.41") == ["ул", "седова", ",", "д", "41"]
    assert tokenize("12к1") == ["12", "к", "1"]


def test_foreign_detection() -> None:
    assert looks_foreign("1600 Pennsylvania Ave, Washington")
    assert looks_foreign("Moskva, ulitsa Tverskaya 7")
    assert not looks_foreign("Москва, Tverskaya plaza, 7")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Мира 19/20-171", "19/20"),  # fraction and flat
        ("Мира, д. 2/73-75", "2/73"),  # fraction and range
        ("Мира 22-24Б", "22б"),
        ("Мира 13-а-105", "13а"),
        ("Мира 9 А-77", "9а"),
        ("Мира, д. 13a", "13а"),  # a Latin letter
        ("Мира, д. 24а/б", "24а"),
        ("Зеленоград, корп. 2305А", "к2305а"),
    ],
)
def test_house_number_forms(text: str, key: str) -> None:
    assert parse_address(text).house_key == key


def test_type_words_that_are_names() -> None:
    assert parse_address("Вологда, Набережная, 10").street_key == "набережная"
    assert parse_address("г. Остров, ул. Мира, 1").settlement == "остров"
    assert parse_address("г. Санкт-Петербург, г. Красное Село, ул. Мира, д. 2").settlement == ("красное село")
    assert parse_address("обл. Омская, г. Омск, ул. 5 Линия, д. 168").street_key == "5 линия"
    assert parse_address("Омск, 5-я линия, 168").street_key == "5 линия"
    assert street_loose_key("Пошехонское шоссе", "ул") == street_loose_key("Пошехонское", "ш")


def test_registry_settlement_levels() -> None:
    p = parse_address("обл. Ленинградская, р-н. Всеволожский, мкр. Сертолово-1, ул. Лесная, д. 9")
    assert p.settlement == "сертолово 1" and p.street_key == "лесная"
    q = parse_address("обл. Ленинградская, р-н. Всеволожский, тер. Дубровка гп, ул. Советская, д. 4")
    assert q.settlement == "дубровка" and q.settlement_type == "пгт"


def test_initials_are_dropped() -> None:
    assert parse_address("Омск, ул. П.Г.Косенкова, д. 2").street_key == "косенкова"
    assert parse_address("Череповец, ул. П.Окинина, д. 8").street_key == "окинина"
    assert parse_address("Череповец, ул.П.Окинина 8").settlement == "череповец"


def test_corpus_written_as_literal() -> None:
    assert parse_address("ул. Восстания, д. 42, к. Литера А").house == House("42", literal="а")
    assert parse_address("Восстания 42 корп. литера а").house == House("42", literal="а")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("у. Ереванская, д28", "28"),
        ("ул. Мира, д52-а", "52а"),
        ("ул. Мира, д44-в", "44в"),
        ("УЛ. МИРА, Д64", "64"),
        ("ул. Мира, д14к2", "14 к2"),
        ("ул. Мира, Д397к1, литера А", "397 к1 ла"),
        ("ул. Мира, д. 3 кБ", "3 кб"),
        ("ул. Мира, 30 кА", "30 ка"),
        ("ул. Мира, 53 ка", "53 ка"),
        ("ул. Мира, 3 к. а", "3 ка"),
        ("ул. Мира, 134 ка, кв. 5", "134 ка"),
        ("ул. Мира, д. 26 кВ", "26 кв"),
        ("ул. Мира, д. 26, кв. 5", "26"),
        ("Подольск, 12 км, 3", "3"),
    ],
)
def test_letters_and_corpora_written_loosely(text: str, key: str) -> None:
    assert parse_address(text).house_key == key


def test_upper_case_types_after_the_names() -> None:
    p = parse_address("ЕКАТЕРИНБУРГ Г., ПРОСПЕКТ АКАДЕМИКА САХАРОВА, Д.62")
    assert p.settlement == "екатеринбург" and p.street_type == "пр-кт"
    assert p.street_key == street_key("Академика Сахарова") and p.house_key == "62"
    q = parse_address("ВОЛОГДА Г., МИРА УЛ., Д.5 КА")
    assert q.settlement == "вологда" and q.street_key == "мира" and q.house_key == "5 ка"


def test_glued_token_table_keeps_markers_of_their_own() -> None:
    assert tokenize("5 кв 12") == ["5", "кв", "12"]
    assert tokenize("12 км") == ["12", "км"]
    assert tokenize("2 Ак2") == ["2", "а", "к", "2"]

"""The comment filter: obscenity with its disguises, personal data in its formats, no collateral."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from heatmap.closeout.comment_filter import MASKS, find_sensitive, is_obscene, mask_comment

PROFANITY = Path(__file__).resolve().parents[3] / "shared" / "data" / "profanity" / "ru.txt"


@pytest.mark.parametrize(
    "text",
    [
        "хуй",
        "нахуй",
        "охуеть",
        "пиздец",
        "распиздяй",
        "ебать",
        "заебали",
        "уёбок",
        "выёбываться",
        "долбоёб",
        "блядь",
        "блять",
        "мудак",
        "пидорас",
        "залупа",
        "гандон",
        "шлюха",
        "сука",
        "сучка",
        "похер",
        "херня",
        "говно",
        "жопа",
        "обосрались",
        "ссыкло",
        "ёб твою мать",
        # disguises: ё/е, look-alike Latin letters and digits, spaces and symbols, stars, repeats
        "ебёт",
        "ебет",
        "xyй",
        "XУЙ",
        "6ля",
        "cyka",
        "бл@ть",
        "х у й",
        "п.и.з.д.е.ц",
        "пи-здец",
        "х*й",
        "е*ать",
        "хууууй",
        "Пи3дец",
        "ПИЗДЕЦ",
        # transliterated
        "blyat",
        "pizdec",
        "nahui",
        "suka",
        "zaebal",
    ],
)
def test_obscenities_are_masked(text: str) -> None:
    masked = mask_comment(f"связи нет, {text}, 3 дня")
    assert masked == "связи нет, ***, 3 дня", masked


@pytest.mark.parametrize(
    "word",
    [
        # ordinary words that share letters with obscenities
        "застрахуйте",
        "себе",
        "себя",
        "себестоимость",
        "хлеб",
        "небо",
        "требую",
        "погреб",
        "ребята",
        "сразу",
        "ссылка",
        "ссора",
        "ссадина",
        "мудрый",
        "мандарин",
        "мандат",
        "команда",
        "Херсон",
        "херес",
        "бляха",
        "скрипка",
        "оскорбление",
        "колеблется",
        "сук",
        "сучок",
        "веб",
        "вебинар",
        "веб-камера",
        "Ебург",
        "хулиган",
        "худо",
        "хутор",
        "потребитель",
        "рассказ",
        "страхуй",
        "сукно",
        "мандала",
        "шлюз",
        "гребень",
        "усреднение",
        "ссуда",
        # list entries that are ordinary vocabulary (the list mixes them in)
        "запаздывание",
        "розетка",
        "сила",
        "кровавый",
        "проникать",
        "возведение",
        "буфер",
        # English
        "hue",
        "ebay",
        "pizza",
        "Sukie",
        "hero",
        "mud",
        "Hui",
    ],
)
def test_ordinary_words_are_left_alone(word: str) -> None:
    assert not is_obscene(word), word
    assert mask_comment(f"Про {word} и связь") == f"Про {word} и связь"


@pytest.mark.realdata
def test_most_of_the_public_obscenity_list_is_masked() -> None:
    words = [w.strip() for w in PROFANITY.read_text(encoding="utf-8").splitlines() if w.strip()]
    core = re.compile(r"(ху[йеяюи]|пизд|[её]б|бля|муд[аои]|манд|пид[оа]р|залуп|г[ао]ндон|шлюх)")
    rooted = [w for w in words if core.search(w.lower().replace("ё", "е"))]
    masked = [w for w in rooted if find_sensitive(w)]
    # the rest are compounds and rare spellings (e.g. "кривохуй", "всконаёбить")
    assert len(masked) / len(rooted) > 0.93, (len(masked), len(rooted))
    assert sum(bool(find_sensitive(w)) for w in words) > 3400


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("+7 (916) 123-45-67", "phone"),
        ("8-916-123-45-67", "phone"),
        ("89161234567", "phone"),
        ("+79161234567", "phone"),
        ("8 916 1234567", "phone"),
        ("8(8172)72-12-34", "phone"),
        ("(212) 555-1234", "phone"),
        ("212-555-1234", "phone"),
        ("718 229-5905", "phone"),
        ("+1 212 555 1234", "phone"),
        ("555-1234", "phone"),
        ("тел. 72-12-34", "phone"),
        ("ivan.petrov@mail.ru", "email"),
        ("ivan (at) yandex (dot) ru", "email"),
        ("4276 1600 1234 5678", "card"),
        ("4276160012345678", "card"),
        ("5469-3800-1234-5678", "card"),
        ("паспорт 45 06 123456", "passport"),
        ("серия 4506 номер 123456", "passport"),
        ("45 06 123456", "passport"),
        ("112-233-445 95", "snils"),
        ("СНИЛС 11223344595", "snils"),
        ("Меня зовут Иван Петров", "name"),
        ("Петров Иван Сергеевич", "name"),
        ("Сидоров А.В.", "name"),
        ("А.В. Сидоров", "name"),
        ("My name is John Smith", "name"),
        ("Thanks,\nNina", "name"),
        ("Mr. Brown", "name"),
        ("с уважением, Анна Смирнова", "name"),
    ],
)
def test_personal_data_is_masked(text: str, kind: str) -> None:
    spans = find_sensitive(f"Пишу: {text}. Спасибо")
    assert [s.kind for s in spans] == [kind], spans
    assert MASKS[kind] in mask_comment(f"Пишу: {text}. Спасибо")  # type: ignore[operator]


@pytest.mark.parametrize(
    "text",
    [
        "Связь пропала 12.11.2026 в 10:30",
        "скорость 1.5 Мбит/с, пинг 120 мс",
        "заплатил 1 500 руб, потерял 1 000 000 нервов",
        "дом 94-08 214 street",
        "1041-1047 Rogers Ave",
        "complaint 1-1-88977741",
        "ул. К.Маркса, д. 12",
        "На Большом В.О. нет 4G",
        "Request 915216 for 40.670147, -73.866584",
        "FDR Drive North",
        "LTE band 3, 1800 МГц",
        "в 2025 году",
        "квартира 125, этаж 9",
    ],
)
def test_numbers_and_places_that_are_not_personal_data(text: str) -> None:
    assert find_sensitive(text) == [], find_sensitive(text)


def test_masking_keeps_the_rest_of_the_comment() -> None:
    text = (
        "Всё заработало, спасибо! Если что — звоните +7 916 123-45-67 или пишите "
        "anna@example.ru. Анна Петровна, кв. 5"
    )
    assert mask_comment(text) == (
        "Всё заработало, спасибо! Если что — звоните [телефон скрыт] "
        "или пишите [e-mail скрыт]. [имя скрыто], кв. 5"
    )
    assert mask_comment(None) is None and mask_comment("") == ""

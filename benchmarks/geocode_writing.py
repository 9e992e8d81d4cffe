"""Pieces of addresses as people write them: a registry address split, typos, and the
settlement, street, house and flat parts in their many writings (see geocode_cases)."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

#: Ways people write each registry street type.
STREET_FORMS: dict[str, list[str]] = {
    "ул": ["ул.", "ул", "улица", "у."],
    "пр-кт": ["пр-т", "просп.", "проспект", "пр."],
    "пер": ["пер.", "переулок"],
    "б-р": ["б-р", "бульвар", "бул."],
    "ш": ["ш.", "шоссе"],
    "наб": ["наб.", "набережная"],
    "пл": ["пл.", "площадь"],
    "мкр": ["мкр", "мкр.", "микрорайон"],
    "аллея": ["аллея"],
    "линия": ["линия"],
    "проезд": ["проезд", "пр-д"],
    "туп": ["туп.", "тупик"],
    "кв-л": ["кв-л", "квартал"],
}
#: The full upper-case type word a CRM writes ("ПРОСПЕКТ АКАДЕМИКА САХАРОВА").
STREET_FULL: dict[str, str] = {
    "ул": "улица",
    "пр-кт": "проспект",
    "пер": "переулок",
    "б-р": "бульвар",
    "ш": "шоссе",
    "наб": "набережная",
    "пл": "площадь",
    "мкр": "микрорайон",
    "проезд": "проезд",
    "туп": "тупик",
    "кв-л": "квартал",
    "аллея": "аллея",
    "линия": "линия",
}
SETTLEMENT_FORMS: dict[str, list[str]] = {
    "г": ["г.", "г", "город"],
    "п": ["п.", "пос.", "поселок", "посёлок"],
    "д": ["д.", "дер.", "деревня"],
    "с": ["с.", "село"],
    "пгт": ["пгт", "пгт."],
    "рп": ["рп", "р.п."],
}
CITY_NICKNAMES = {"Санкт-Петербург": ["СПб", "Санкт-Петербург", "С-Пб", "Питер"]}
#: Stems usually written with ё that registries write with е.
YO_STEMS = (
    "зелен",
    "молодежн",
    "березов",
    "озерн",
    "семенов",
    "федоров",
    "артем",
    "звездн",
    "королев",
    "черн",
    "весел",
    "пугачев",
    "ковалев",
    "соловьев",
    "киселев",
    "медведев",
)
_PART = re.compile(r"^([^\s.]+)\.?\s+(.*)$")
_KEYBOARD_NEIGHBOURS = "йцукенгшщзхъфывапролджэячсмитьбю"


@dataclass(frozen=True)
class Registry:
    """A registry address split into the parts a writer needs."""

    settlements: tuple[tuple[str, str], ...]
    street_type: str | None
    street: str | None
    number: str  # "12", "12а", "13/15", "9 Д"
    corpus: str | None
    building: str | None
    literal: str | None


def split_registry(address: str) -> Registry | None:
    """Split a registry address ("обл. X, г. Y, ул. Z, д. 1, к. 2") into its parts."""
    settlements: list[tuple[str, str]] = []
    stype = street = house = corpus = building = literal = None
    for part in address.split(", "):
        m = _PART.match(part.strip())
        if not m:
            return None
        t, value = m.group(1).lower(), m.group(2).strip()
        if t in ("обл", "респ", "край", "р-н"):
            continue
        if t == "д" and house is None and (street is not None or value[:1].isdigit()):
            house = value
        elif t in SETTLEMENT_FORMS and house is None and street is None:
            settlements.append((t, value))
        elif t == "к" and house:
            corpus = value
        elif t == "стр" and house:
            building = value
        elif t in ("лит", "литера") and house:
            literal = value
        elif house is None and street is None:
            stype, street = t, value
        else:
            return None
    if house is None or not settlements or not re.match(r"^\d+\s?[а-яА-Я]?(/\d+[а-яА-Я]?)?$", house):
        return None
    if literal is not None and not re.match(r"^[а-яА-Я]$", literal):
        return None  # "лит. А,Б,В": several buildings
    if any(v is not None and not re.match(r"^(\d+[а-яА-Я]?|[а-яА-Я])$", v) for v in (corpus, building)):
        return None  # "к. Корпус 2": a registry artefact, not a way of writing
    return Registry(tuple(settlements), stype, street, house.replace(" ", ""), corpus, building, literal)


# --------------------------------------------------------------------------- pieces


def typo(word: str, rng: random.Random) -> str:
    """One edit inside a word (first letter kept): swap, drop, double or replace a letter."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(("swap", "drop", "double", "replace"))
    if op == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    letter = rng.choice([c for c in _KEYBOARD_NEIGHBOURS if c != word[i].lower()])
    return word[:i] + letter + word[i + 1 :]


def city_part(reg: Registry, rng: random.Random, upper_type_after: bool = False) -> str:
    parts = []
    outer = list(reg.settlements)
    if len(outer) > 1 and rng.random() < 0.5:
        outer = outer[1:]  # "Колпино, ..." without the federal city
    for stype, name in outer:
        shown = rng.choice(CITY_NICKNAMES.get(name, [name]))
        if upper_type_after:
            parts.append(f"{name.upper()} {stype.upper()}.")
        elif rng.random() < 0.4 or shown != name:
            parts.append(shown)
        else:
            parts.append(f"{rng.choice(SETTLEMENT_FORMS.get(stype, [stype + '.']))} {name}")
    return ", ".join(parts)


def street_name(reg: Registry) -> str:
    return reg.street or ""


def street_part(reg: Registry, rng: random.Random, where: str, name: str | None = None) -> str:
    text = name if name is not None else street_name(reg)
    if not reg.street:
        return ""
    forms = STREET_FORMS.get(reg.street_type or "", [f"{reg.street_type}."])
    if where == "missing" and reg.street_type != "линия":
        return text
    if where == "after":
        return f"{text} {rng.choice(forms)}"
    return f"{rng.choice(forms)} {text}"


def house_part(reg: Registry, rng: random.Random, style: str = "plain") -> str:
    """The house part; ``style`` picks how letters and corpora are written."""
    m = re.match(r"^(\d+(?:/\d+)?)([а-яА-Я]?)$", reg.number)
    num, letter = (m.group(1), m.group(2)) if m else (reg.number, "")
    marker = rng.choice(["", "д. ", "д.", "дом "])
    if letter:
        if style == "letter":
            letter_text = rng.choice(
                [
                    letter.lower(),
                    letter.upper(),
                    f" {letter.upper()}",
                    f"-{letter.lower()}",
                    f" {letter.lower()}",
                    f"-{letter.upper()}",
                ]
            )
            marker = rng.choice(["", "д. ", "д.", "д", "Д", "дом "])
        else:
            letter_text = rng.choice([letter.lower(), letter.upper()])
        text = f"{marker}{num}{letter_text}"
    else:
        if style == "letter":
            marker = rng.choice(["д", "Д", "д.", "Д."])
        text = f"{marker}{num}"
    if reg.corpus:
        c = reg.corpus
        if c.isdigit():
            text += rng.choice([f"к{c}", f" к{c}", f" корп. {c}", f", к. {c}", f" корпус {c}", f" к.{c}"])
        else:
            text += rng.choice(
                [
                    f" к{c.upper()}",
                    f" к{c.lower()}",
                    f" к. {c.lower()}",
                    f" к.{c.upper()}",
                    f", к. {c}",
                    f" корп. {c}",
                    f" корпус {c.upper()}",
                ]
            )
    if reg.building:
        text += rng.choice([f" стр. {reg.building}", f" строение {reg.building}", f", стр {reg.building}"])
    if reg.literal:
        text += rng.choice(
            [
                f" лит. {reg.literal}",
                f", литера {reg.literal}",
                f" лит {reg.literal}",
                f" литер {reg.literal.lower()}",
            ]
        )
    return text


def flat_part(rng: random.Random) -> str:
    return rng.choice(
        [
            f", кв. {rng.randrange(1, 300)}",
            f" кв {rng.randrange(1, 300)}",
            f", подъезд {rng.randrange(1, 9)}, эт. {rng.randrange(1, 17)}",
            f", кв.{rng.randrange(1, 300)}",
            f", под. {rng.randrange(1, 9)}",
            f", {rng.randrange(1, 9)} подъезд, {rng.randrange(1, 17)} этаж",
        ]
    )


def join_parts(parts: list[str], rng: random.Random) -> str:
    sep = ", " if rng.random() < 0.8 else " "
    return sep.join(p for p in parts if p)

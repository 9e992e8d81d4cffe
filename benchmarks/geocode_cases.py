"""Registry addresses written the ways people and CRMs write them, with the registry's points as truth.

Every case is one registry house (``point_precision == "house"``) rewritten in one
*class* of writing (see :data:`CLASSES`); the truth is the registry's own point.
Cases that could not name one house are not written: a house whose loose key
(letter, corpus and literal in one slot) is shared by another house of the same
street, a typo that turns the name into another street's, a street without its
city when the gazetteer has that street in more than one settlement.

Usage (as a module): ``write_cases(entries, n_per_class=200, seed=7)`` → frame with
``case_class, text, lat, lon, truth``. As a script it writes a CSV::

    python benchmarks/geocode_cases.py REGISTRY.csv.gz --city Псков --out cases.csv
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from heatmap.geocode.keys import settlement_key, street_key  # noqa: E402

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
    "ул": "улица", "пр-кт": "проспект", "пер": "переулок", "б-р": "бульвар", "ш": "шоссе",
    "наб": "набережная", "пл": "площадь", "мкр": "микрорайон", "проезд": "проезд",
    "туп": "тупик", "кв-л": "квартал", "аллея": "аллея", "линия": "линия",
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
    "зелен", "молодежн", "березов", "озерн", "семенов", "федоров", "артем", "звездн",
    "королев", "черн", "весел", "пугачев", "ковалев", "соловьев", "киселев", "медведев",
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
    if any(v is not None and not re.match(r"^(\d+[а-яА-Я]?|[а-яА-Я])$", v)
           for v in (corpus, building)):
        return None  # "к. Корпус 2": a registry artefact, not a way of writing
    return Registry(tuple(settlements), stype, street, house.replace(" ", ""), corpus,
                    building, literal)


# --------------------------------------------------------------------------- pieces


def typo(word: str, rng: random.Random) -> str:
    """One edit inside a word (first letter kept): swap, drop, double or replace a letter."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(("swap", "drop", "double", "replace"))
    if op == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == "drop":
        return word[:i] + word[i + 1:]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    letter = rng.choice([c for c in _KEYBOARD_NEIGHBOURS if c != word[i].lower()])
    return word[:i] + letter + word[i + 1:]


def _city(reg: Registry, rng: random.Random, upper_type_after: bool = False) -> str:
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


def _name(reg: Registry) -> str:
    return reg.street or ""


def _street(reg: Registry, rng: random.Random, where: str, name: str | None = None) -> str:
    text = name if name is not None else _name(reg)
    if not reg.street:
        return ""
    forms = STREET_FORMS.get(reg.street_type or "", [f"{reg.street_type}."])
    if where == "missing" and reg.street_type != "линия":
        return text
    if where == "after":
        return f"{text} {rng.choice(forms)}"
    return f"{rng.choice(forms)} {text}"


def _house(reg: Registry, rng: random.Random, style: str = "plain") -> str:
    """The house part; ``style`` picks how letters and corpora are written."""
    m = re.match(r"^(\d+(?:/\d+)?)([а-яА-Я]?)$", reg.number)
    num, letter = (m.group(1), m.group(2)) if m else (reg.number, "")
    marker = rng.choice(["", "д. ", "д.", "дом "])
    if letter:
        if style == "letter":
            letter_text = rng.choice([
                letter.lower(), letter.upper(), f" {letter.upper()}", f"-{letter.lower()}",
                f" {letter.lower()}", f"-{letter.upper()}",
            ])
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
            text += rng.choice([f"к{c}", f" к{c}", f" корп. {c}", f", к. {c}", f" корпус {c}",
                                f" к.{c}"])
        else:
            text += rng.choice([
                f" к{c.upper()}", f" к{c.lower()}", f" к. {c.lower()}", f" к.{c.upper()}",
                f", к. {c}", f" корп. {c}", f" корпус {c.upper()}",
            ])
    if reg.building:
        text += rng.choice([f" стр. {reg.building}", f" строение {reg.building}",
                            f", стр {reg.building}"])
    if reg.literal:
        text += rng.choice([f" лит. {reg.literal}", f", литера {reg.literal}",
                            f" лит {reg.literal}", f" литер {reg.literal.lower()}"])
    return text


def _flat(rng: random.Random) -> str:
    return rng.choice([
        f", кв. {rng.randrange(1, 300)}", f" кв {rng.randrange(1, 300)}",
        f", подъезд {rng.randrange(1, 9)}, эт. {rng.randrange(1, 17)}",
        f", кв.{rng.randrange(1, 300)}", f", под. {rng.randrange(1, 9)}",
        f", {rng.randrange(1, 9)} подъезд, {rng.randrange(1, 17)} этаж",
    ])


def _join(parts: list[str], rng: random.Random) -> str:
    sep = ", " if rng.random() < 0.8 else " "
    return sep.join(p for p in parts if p)


# --------------------------------------------------------------------------- classes

Writer = Callable[[Registry, random.Random], str | None]


def _type_before(reg: Registry, rng: random.Random) -> str:
    return _join([_city(reg, rng), _street(reg, rng, "before"), _house(reg, rng)], rng)


def _type_after(reg: Registry, rng: random.Random) -> str:
    return _join([_city(reg, rng), _street(reg, rng, "after"), _house(reg, rng)], rng)


def _type_missing(reg: Registry, rng: random.Random) -> str:
    return _join([_city(reg, rng), _street(reg, rng, "missing"), _house(reg, rng)], rng)


def _upper_crm(reg: Registry, rng: random.Random) -> str:
    full = STREET_FULL.get(reg.street_type or "", reg.street_type or "")
    name = _name(reg)
    street = f"{full} {name}" if rng.random() < 0.5 else f"{name} {full}"
    house = _house(reg, rng).replace("д. ", "Д.").replace("дом ", "Д.")
    return ", ".join([_city(reg, rng, upper_type_after=True), street.upper(), house.upper()])


def _case(reg: Registry, rng: random.Random) -> str:
    text = _join([_city(reg, rng), _street(reg, rng, rng.choice(["before", "after"])),
                  _house(reg, rng)], rng)
    return text.lower() if rng.random() < 0.5 else text.upper()


def _yo(reg: Registry, rng: random.Random) -> str | None:
    name = _name(reg)
    if "ё" in name:
        written = name.replace("ё", "е")
    else:
        low = name.lower()
        stem = next((s for s in YO_STEMS if s in low), None)
        if stem is None:
            return None
        at = low.index(stem) + stem.rindex("е")
        written = name[:at] + ("Ё" if name[at].isupper() else "ё") + name[at + 1:]
    return _join([_city(reg, rng), _street(reg, rng, "before", written), _house(reg, rng)], rng)


def _typo_name(reg: Registry, rng: random.Random, edits: int) -> str | None:
    words = _name(reg).split()
    longest = max(range(len(words)), key=lambda k: len(words[k]), default=None)
    if longest is None or len(words[longest]) < (5 if edits == 1 else 8):
        return None
    word = words[longest]
    for _ in range(edits):
        word = typo(word, rng)
    words[longest] = word
    return " ".join(words)


def _typo1(reg: Registry, rng: random.Random) -> str | None:
    name = _typo_name(reg, rng, 1)
    where = rng.choice(["before", "after", "missing"])
    return name and _join([_city(reg, rng), _street(reg, rng, where, name), _house(reg, rng)], rng)


def _typo2(reg: Registry, rng: random.Random) -> str | None:
    name = _typo_name(reg, rng, 2)
    return name and _join([_city(reg, rng), _street(reg, rng, "before", name), _house(reg, rng)],
                          rng)


def _no_city(reg: Registry, rng: random.Random) -> str:
    where = rng.choice(["before", "after", "missing"])
    return _join([_street(reg, rng, where), _house(reg, rng)], rng)


def _typo_no_city(reg: Registry, rng: random.Random) -> str | None:
    name = _typo_name(reg, rng, 1)
    if name is None:
        return None
    house = _house(reg, rng).replace("д. ", rng.choice(["д", "д.", "д. "]))
    return _join([_street(reg, rng, rng.choice(["before", "missing"]), name), house], rng)


def _letter(reg: Registry, rng: random.Random) -> str | None:
    if not re.search(r"[а-яА-Я]$", reg.number) and not reg.literal:
        return None
    return _join([_city(reg, rng), _street(reg, rng, rng.choice(["before", "after"])),
                  _house(reg, rng, "letter")], rng)


def _corpus(reg: Registry, rng: random.Random) -> str | None:
    if not reg.corpus:
        return None
    return _join([_city(reg, rng), _street(reg, rng, rng.choice(["before", "missing"])),
                  _house(reg, rng)], rng)


def _flat_class(reg: Registry, rng: random.Random) -> str:
    text = _join([_city(reg, rng), _street(reg, rng, rng.choice(["before", "after"])),
                  _house(reg, rng)], rng)
    return text + _flat(rng)


def _glued(reg: Registry, rng: random.Random) -> str:
    forms = {"ул": ["у.", "ул.", "ул"]}.get(reg.street_type or "", STREET_FORMS.get(
        reg.street_type or "", [f"{reg.street_type}."]))
    house = _house(reg, rng).replace("д. ", "д").replace("дом ", "Д")
    if not house[:1].isalpha():
        house = rng.choice(["д", "Д", "д."]) + house
    form = rng.choice(forms)
    street = f"{form}{rng.choice(['', ' ']) if form.endswith('.') else ' '}{_name(reg)}"
    return f"{_city(reg, rng)}, {street},{rng.choice(['', ' '])}{house}"


#: Classes of writing: name → (what it is, writer, needs the city left out).
CLASSES: dict[str, tuple[str, Writer, bool]] = {
    "type_before": ("type word before the name, usual abbreviations", _type_before, False),
    "type_after": ("type word after the name (Мира ул.)", _type_after, False),
    "type_missing": ("no type word (Мира 5)", _type_missing, False),
    "upper_crm": ("CRM upper case, types after (ВОЛОГДА Г., УЛИЦА МИРА, Д.5)", _upper_crm, False),
    "case": ("all lower or all upper case", _case, False),
    "yo": ("ё written as е or е as ё", _yo, False),
    "typo1": ("one typo in the street name", _typo1, False),
    "typo2": ("two typos in a long street name", _typo2, False),
    "no_city": ("no settlement named", _no_city, True),
    "typo_no_city": ("a typo and no settlement (у. Ереваснкая, д28)", _typo_no_city, True),
    "letter": ("house letters in every writing (12а, 12 А, д52-а, Д64А, лит. А)", _letter, False),
    "corpus": ("corpora in every writing (к1, корп. 1, кБ, 3 к. а)", _corpus, False),
    "flat": ("flats, entrances, floors after the house", _flat_class, False),
    "glued": ("glued and compact (у.Мира,д5, Д64)", _glued, False),
}


def _eligible(entries: pd.DataFrame) -> pd.DataFrame:
    """House-level entries whose loose writing names one house of their street."""
    houses = entries[entries["point_precision"] == "house"]
    loose = entries.groupby(["locality", "street_key", "house_loose_key"])["house"].transform("size")
    base = entries.groupby(["locality", "street_key", "house_base"])["house"].transform("size")
    streets = entries.groupby("street_key")["locality"].transform("nunique")
    out = houses.assign(
        unique_loose=(loose == 1).loc[houses.index],
        unique_base=(base == 1).loc[houses.index],
        one_place=(streets == 1).loc[houses.index],
    )
    return out[out["unique_loose"]]


def write_cases(entries: pd.DataFrame, *, n_per_class: int, seed: int,
                classes: list[str] | None = None) -> pd.DataFrame:
    """Cases for every class: ``case_class, text, lat, lon, truth`` (truth = registry address)."""
    pool = _eligible(entries).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    known_streets = set(entries["street_key"])
    regs = [split_registry(str(a)) for a in pool["address"]]
    rows = []
    for k, name in enumerate(classes or list(CLASSES)):
        _desc, writer, no_city = CLASSES[name]
        rng = random.Random(seed * 1000 + k)
        taken = 0
        for i in rng.sample(range(len(pool)), len(pool)):
            reg = regs[i]
            if reg is None or not reg.street or (no_city and not pool.at[i, "one_place"]):
                continue
            text = writer(reg, rng)
            if text is None:
                continue
            if name.startswith("typo") and _typo_is_another_street(text, reg, known_streets):
                continue
            rows.append((name, text, pool.at[i, "lat"], pool.at[i, "lon"], pool.at[i, "address"]))
            taken += 1
            if taken >= n_per_class:
                break
    return pd.DataFrame(rows, columns=["case_class", "text", "lat", "lon", "truth"])


def _typo_is_another_street(text: str, reg: Registry, known: set[str]) -> bool:
    """The misspelt name is exactly another street's name: the writer named that street."""
    own = (reg.street or "").split()
    lowered = {w.lower() for w in own}
    written = [w for w in re.split(r"[,\s]+", text) if len(w) >= 4 and w.lower() not in lowered]
    for word in written:
        for k, w in enumerate(own):
            if len(w) >= 5 and abs(len(w) - len(word)) <= 2 and w[0].lower() == word[0].lower():
                name = " ".join([*own[:k], word, *own[k + 1:]])
                if street_key(name) in known:
                    return True
    return False


def city_entries(entries: pd.DataFrame, city: str) -> pd.DataFrame:
    """Entries of one city and the settlements inside it ("санкт петербург/колпино")."""
    key = settlement_key(city)
    outer = entries["locality"].str.split("|", n=1).str[1].str.split("/").str[0]
    return entries[outer == key].reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("registry", type=Path)
    parser.add_argument("--city", required=True, help="settlement whose houses are written")
    parser.add_argument("--n-per-class", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    from heatmap.geocode import build_gazetteer

    entries, _ = build_gazetteer(args.registry)
    cases = write_cases(city_entries(entries, args.city), n_per_class=args.n_per_class,
                        seed=args.seed)
    cases.to_csv(args.out, index=False)
    print(f"{len(cases)} cases written to {args.out}")


if __name__ == "__main__":
    main()

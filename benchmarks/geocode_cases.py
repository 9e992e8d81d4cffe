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
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.geocode_writing import (  # noqa: E402
    STREET_FORMS,
    STREET_FULL,
    YO_STEMS,
    Registry,
    city_part,
    flat_part,
    house_part,
    join_parts,
    split_registry,
    street_name,
    street_part,
    typo,
)
from heatmap.geocode.keys import settlement_key, street_key  # noqa: E402

# --------------------------------------------------------------------------- classes

Writer = Callable[[Registry, random.Random], str | None]


def _usual(reg: Registry, rng: random.Random, where: str, name: str | None = None) -> str:
    """City, street (type ``where``: before, after, missing) and house, as usually joined."""
    return join_parts([city_part(reg, rng), street_part(reg, rng, where, name), house_part(reg, rng)], rng)


def _type_before(reg: Registry, rng: random.Random) -> str:
    return _usual(reg, rng, "before")


def _type_after(reg: Registry, rng: random.Random) -> str:
    return _usual(reg, rng, "after")


def _type_missing(reg: Registry, rng: random.Random) -> str:
    return _usual(reg, rng, "missing")


def _upper_crm(reg: Registry, rng: random.Random) -> str:
    full = STREET_FULL.get(reg.street_type or "", reg.street_type or "")
    name = street_name(reg)
    street = f"{full} {name}" if rng.random() < 0.5 else f"{name} {full}"
    house = house_part(reg, rng).replace("д. ", "Д.").replace("дом ", "Д.")
    return ", ".join([city_part(reg, rng, upper_type_after=True), street.upper(), house.upper()])


def _case(reg: Registry, rng: random.Random) -> str:
    text = join_parts(
        [city_part(reg, rng), street_part(reg, rng, rng.choice(["before", "after"])), house_part(reg, rng)],
        rng,
    )
    return text.lower() if rng.random() < 0.5 else text.upper()


def _yo(reg: Registry, rng: random.Random) -> str | None:
    name = street_name(reg)
    if "ё" in name:
        written = name.replace("ё", "е")
    else:
        low = name.lower()
        stem = next((s for s in YO_STEMS if s in low), None)
        if stem is None:
            return None
        at = low.index(stem) + stem.rindex("е")
        written = name[:at] + ("Ё" if name[at].isupper() else "ё") + name[at + 1 :]
    return _usual(reg, rng, "before", written)


def _typo_name(reg: Registry, rng: random.Random, edits: int) -> str | None:
    words = street_name(reg).split()
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
    return name and _usual(reg, rng, where, name)


def _typo2(reg: Registry, rng: random.Random) -> str | None:
    name = _typo_name(reg, rng, 2)
    return name and _usual(reg, rng, "before", name)


def _no_city(reg: Registry, rng: random.Random) -> str:
    where = rng.choice(["before", "after", "missing"])
    return join_parts([street_part(reg, rng, where), house_part(reg, rng)], rng)


def _typo_no_city(reg: Registry, rng: random.Random) -> str | None:
    name = _typo_name(reg, rng, 1)
    if name is None:
        return None
    house = house_part(reg, rng).replace("д. ", rng.choice(["д", "д.", "д. "]))
    return join_parts([street_part(reg, rng, rng.choice(["before", "missing"]), name), house], rng)


def _letter(reg: Registry, rng: random.Random) -> str | None:
    if not re.search(r"[а-яА-Я]$", reg.number) and not reg.literal:
        return None
    return join_parts(
        [
            city_part(reg, rng),
            street_part(reg, rng, rng.choice(["before", "after"])),
            house_part(reg, rng, "letter"),
        ],
        rng,
    )


def _corpus(reg: Registry, rng: random.Random) -> str | None:
    if not reg.corpus:
        return None
    return join_parts(
        [city_part(reg, rng), street_part(reg, rng, rng.choice(["before", "missing"])), house_part(reg, rng)],
        rng,
    )


def _flat_class(reg: Registry, rng: random.Random) -> str:
    text = join_parts(
        [city_part(reg, rng), street_part(reg, rng, rng.choice(["before", "after"])), house_part(reg, rng)],
        rng,
    )
    return text + flat_part(rng)


def _glued(reg: Registry, rng: random.Random) -> str:
    forms = {"ул": ["у.", "ул.", "ул"]}.get(
        reg.street_type or "", STREET_FORMS.get(reg.street_type or "", [f"{reg.street_type}."])
    )
    house = house_part(reg, rng).replace("д. ", "д").replace("дом ", "Д")
    if not house[:1].isalpha():
        house = rng.choice(["д", "Д", "д."]) + house
    form = rng.choice(forms)
    street = f"{form}{rng.choice(['', ' ']) if form.endswith('.') else ' '}{street_name(reg)}"
    return f"{city_part(reg, rng)}, {street},{rng.choice(['', ' '])}{house}"


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


def write_cases(
    entries: pd.DataFrame,
    *,
    n_per_class: int,
    seed: int,
    classes: list[str] | None = None,
    among: pd.Series | None = None,
) -> pd.DataFrame:
    """Cases for every class: ``case_class, text, lat, lon, truth`` (truth = registry address);
    ``among``: a mask of the entries whose houses may be written (all by default)."""
    eligible = _eligible(entries)
    if among is not None:
        eligible = eligible[among.loc[eligible.index]]
    pool = eligible.sample(frac=1.0, random_state=seed).reset_index(drop=True)
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
                name = " ".join([*own[:k], word, *own[k + 1 :]])
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
    cases = write_cases(city_entries(entries, args.city), n_per_class=args.n_per_class, seed=args.seed)
    cases.to_csv(args.out, index=False)
    print(f"{len(cases)} cases written to {args.out}")


if __name__ == "__main__":
    main()

"""Benchmark the offline geocoder on registry addresses rewritten the way people write them.

Builds one gazetteer from the Vologda, Saint Petersburg and Moscow housing
registries, samples house-level entries, rewrites each address (region dropped,
types expanded/abbreviated/moved/omitted, letter and corpus forms, flats,
typos, case — fixed seed), geocodes them and reports:

* house-level hit rate: precision ``house`` within 50 m of the registry point;
* confident wrong answers: score ≥ 0.9 and more than 1 km off;
* throughput in addresses per second (gazetteer loaded, cold answer cache).

Usage: ``python benchmarks/bench_geocode.py [--n 6000] [--seed 7] [--json]``
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from heatmap.geocode.gazetteer import build_gazetteer, haversine_km, read_cities  # noqa: E402
from heatmap.geocode.matcher import GazetteerGeocoder  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SOURCES = {
    "Vologda": "housedata_vologodskaya_20161006.csv.gz",
    "Saint Petersburg": "housedata_spb_20160308.csv.gz",
    "Moscow": "housedata_moskow_20170614.csv.gz",
}

#: Ways people write each street type (registry abbreviation → variants).
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
SETTLEMENT_FORMS: dict[str, list[str]] = {
    "г": ["г.", "г", "город"],
    "п": ["п.", "пос.", "поселок", "посёлок"],
    "д": ["д.", "дер.", "деревня"],
    "с": ["с.", "село"],
    "пгт": ["пгт", "пгт."],
    "рп": ["рп", "р.п."],
}
ORDINAL_WORDS = {
    "1": "Первая",
    "2": "Вторая",
    "3": "Третья",
    "4": "Четвертая",
    "5": "Пятая",
    "6": "Шестая",
    "7": "Седьмая",
    "8": "Восьмая",
    "9": "Девятая",
    "10": "Десятая",
}
CITY_NICKNAMES = {
    "Санкт-Петербург": ["СПб", "Санкт-Петербург", "С-Пб", "Питер"],
    "Москва": ["Москва", "Мск", "МОСКВА"],
}
_PART = re.compile(r"^([^\s.]+)\.?\s+(.*)$")


@dataclass
class RegistryAddress:
    region: str | None
    settlements: list[tuple[str, str]]
    street_type: str | None
    street: str | None
    house: str
    corpus: str | None
    building: str | None
    literal: str | None


def split_registry(address: str) -> RegistryAddress | None:
    """Split a registry address ("обл. X, г. Y, ул. Z, д. 1, к. 2") into its parts."""
    region = None
    settlements: list[tuple[str, str]] = []
    stype = street = house = corpus = building = literal = None
    for part in address.split(", "):
        m = _PART.match(part.strip())
        if not m:
            return None
        t, value = m.group(1).lower(), m.group(2).strip()
        if t in ("обл", "респ", "край"):
            region = f"{value} {'обл.' if t == 'обл' else t}"
        elif t == "р-н":
            continue
        elif t == "д" and house is None and (street is not None or value[:1].isdigit()):
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
    if house is None or not settlements or not re.match(r"^\d", house):
        return None
    return RegistryAddress(region, settlements, stype, street, house, corpus, building, literal)


def typo(word: str, rng: random.Random) -> str:
    """One edit in a word of at least 6 letters: swap, drop, double or replace a letter."""
    if len(word) < 6:
        return word
    i = rng.randrange(1, len(word) - 2)
    op = rng.choice(("swap", "drop", "double", "vowel"))
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    vowels = "аеиоуяы"
    for j in range(i, len(word)):
        if word[j] in vowels:
            return word[:j] + rng.choice([v for v in vowels if v != word[j]]) + word[j + 1 :]
    return word


def street_name_variant(name: str, rng: random.Random) -> str:
    """Reorder qualifiers and ordinals the way people say them."""
    words = name.split()
    qual = {"Б.": "Большая", "М.": "Малая", "Ср.": "Средняя", "Бол.": "Большая"}
    if words and words[-1] in qual and rng.random() < 0.7:
        words = [qual[words[-1]], *words[:-1]]
    m = re.match(r"^(\d+)-(я|й|е|ая)$", words[-1]) if words else None
    if m and rng.random() < 0.6:
        words = [words[-1], *words[:-1]]  # "Парковая 8-я" -> "8-я Парковая"
    first = re.match(r"^(\d+)-(я|й|ая)$", words[0]) if words else None
    if first and rng.random() < 0.4:
        num = first.group(1)
        if num in ORDINAL_WORDS and rng.random() < 0.5 and first.group(2) in ("я", "ая"):
            words[0] = ORDINAL_WORDS[num]
        else:
            words[0] = num + rng.choice(["-я", "", "-ая"]) if first.group(2) != "й" else num + "-й"
    return " ".join(words)


def rewrite(reg: RegistryAddress, rng: random.Random, with_typo: bool, strict: bool) -> str:
    """Write a registry address as a person would.

    ``strict`` keeps every house part as a part (no literal dropped, no corpus
    letter merged into the number): used when the street has another house with
    the same number, so that the rewritten address still names one house.
    """
    parts: list[str] = []
    if rng.random() < 0.1:
        parts.append(str(rng.randrange(100000, 199999)))
    if reg.region and rng.random() < 0.2:
        parts.append(reg.region)
    outer = reg.settlements
    if len(outer) > 1 and rng.random() < 0.5:
        outer = outer[1:]  # drop the federal city: "Колпино, ..."
    for stype, name in outer:
        shown = rng.choice(CITY_NICKNAMES.get(name, [name]))
        r = rng.random()
        if r < 0.4 or shown != name:
            parts.append(shown)
        else:
            parts.append(f"{rng.choice(SETTLEMENT_FORMS.get(stype, [stype + '.']))} {name}")
    if reg.street:
        name = street_name_variant(reg.street, rng)
        if with_typo:
            words = name.split()
            longest = max(range(len(words)), key=lambda k: len(words[k]))
            words[longest] = typo(words[longest], rng)
            name = " ".join(words)
        forms = STREET_FORMS.get(reg.street_type or "", [f"{reg.street_type}."])
        r = rng.random()
        if r < 0.25 and reg.street_type not in ("линия",):
            parts.append(name)
        elif r < 0.55:
            parts.append(f"{name} {rng.choice(forms)}")
        else:
            parts.append(f"{rng.choice(forms)} {name}")
    house = reg.house
    if " " in house and re.match(r"^\d+ [а-яА-Я]$", house):
        house = house.replace(" ", "")
    m = re.match(r"^(\d+)([а-яА-Я])$", house)
    if m and rng.random() < 0.5:
        house = m.group(1) + rng.choice([" ", "-", ""]) + rng.choice([m.group(2).upper(), m.group(2).lower()])
    house = rng.choice(["", "д. ", "д.", "дом "]) + house
    if reg.corpus:
        if reg.corpus.isdigit():
            house += rng.choice(
                [f"к{reg.corpus}", f" корп. {reg.corpus}", f", к. {reg.corpus}", f" корпус {reg.corpus}"]
            )
        elif strict:
            house += rng.choice([f", к. {reg.corpus}", f" корп. {reg.corpus}"])
        elif reg.corpus.isalpha() and not re.search(r"[а-яА-Я]$", house):
            house += rng.choice([reg.corpus.lower(), f" {reg.corpus}", f", к. {reg.corpus}"])
        else:
            house += rng.choice([f", к. {reg.corpus}", f" корп. {reg.corpus}"])
    if reg.building:
        house += rng.choice([f" стр. {reg.building}", f" строение {reg.building}", f", стр {reg.building}"])
    if reg.literal and strict:
        house += rng.choice([f" лит. {reg.literal}", f", литера {reg.literal}"])
    elif reg.literal and "," not in reg.literal and rng.random() < 0.7:
        house += rng.choice([f" лит. {reg.literal}", f" литера {reg.literal}", f", лит {reg.literal}"])
    parts.append(house)
    r = rng.random()
    if r < 0.2:
        parts.append(f"кв. {rng.randrange(1, 300)}")
    elif r < 0.3:
        parts[-1] += f"-{rng.randrange(1, 300)}" if not reg.corpus and not reg.building else ""
    elif r < 0.4:
        parts.append(f"подъезд {rng.randrange(1, 9)}, эт. {rng.randrange(1, 17)}")
    sep = ", " if rng.random() < 0.8 else " "
    text = sep.join(parts)
    r = rng.random()
    if r < 0.15:
        text = text.lower()
    elif r < 0.2:
        text = text.upper()
    return text


def run(n: int, seed: int, data: Path) -> dict[str, object]:
    cities = read_cities(data / "cities" / "city.csv")
    t0 = time.perf_counter()
    frames = []
    skipped_all: dict[str, dict[str, int]] = {}
    for label, name in SOURCES.items():
        entries, skipped = build_gazetteer(data / "addresses" / name, cities=cities)
        frames.append(entries.assign(_source=label))
        skipped_all[label] = skipped
    gaz = pd.concat(frames, ignore_index=True)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    geocoder = GazetteerGeocoder(gaz.drop(columns="_source"))
    index_s = time.perf_counter() - t0

    rng = random.Random(seed)
    rows = []
    # houses sharing a number on one street: their rewrite must keep every house part
    same_number = gaz.groupby(["locality", "street_key", "house_base"])["house"].transform("size")
    gaz = gaz.assign(strict_=same_number > 1)
    per_source = n // len(SOURCES)
    for label in SOURCES:
        pool = gaz[(gaz["_source"] == label) & (gaz["point_precision"] == "house")]
        order = pool.sample(frac=1.0, random_state=seed).itertuples()
        taken = 0
        for entry in order:
            reg = split_registry(str(entry.address))
            if reg is None:
                continue
            with_typo = rng.random() < 0.1
            text = rewrite(reg, rng, with_typo, bool(entry.strict_))
            rows.append((label, text, with_typo, entry.lat, entry.lon, entry.address))
            taken += 1
            if taken >= per_source:
                break
    sample = pd.DataFrame(rows, columns=["source", "text", "typo", "lat", "lon", "truth"])

    t0, c0 = time.perf_counter(), time.process_time()
    answers = geocoder.geocode(sample["text"].tolist())
    geocode_s, geocode_cpu = time.perf_counter() - t0, time.process_time() - c0

    dist_m = (
        haversine_km(
            sample["lat"].to_numpy(),
            sample["lon"].to_numpy(),
            answers["lat"].to_numpy(),
            answers["lon"].to_numpy(),
        )
        * 1000.0
    )
    dist_m = np.where(np.isnan(dist_m), np.inf, dist_m)
    hit = (answers["precision"].to_numpy() == "house") & (dist_m <= 50.0)
    confident = answers["score"].to_numpy() >= 0.9
    wrong = confident & (dist_m > 1000.0)
    result: dict[str, object] = {
        "n": len(sample),
        "gazetteer_entries": len(gaz),
        "build_seconds": round(build_s, 2),
        "index_seconds": round(index_s, 2),
        "house_hit_rate": round(float(hit.mean()), 4),
        "confident_wrong": int(wrong.sum()),
        "confident_beyond_50m": int((confident & (dist_m > 50.0)).sum()),
        "answered_share": round(float((answers["precision"] != "none").mean()), 4),
        "addresses_per_second": round(len(sample) / geocode_s, 1),
        "addresses_per_cpu_second": round(len(sample) / max(geocode_cpu, 1e-9), 1),
        "typo_house_hit_rate": round(float(hit[sample["typo"].to_numpy()].mean()), 4),
        "precision_counts": answers["precision"].value_counts().to_dict(),
        "by_source": {
            label: round(float(hit[(sample["source"] == label).to_numpy()].mean()), 4) for label in SOURCES
        },
        "skipped": skipped_all,
        "seed": seed,
    }
    misses = sample.assign(
        precision=answers["precision"],
        score=answers["score"],
        matched=answers["matched"],
        reason=answers["reason"],
        dist_m=dist_m,
    )[~hit]
    result["_misses"] = misses
    result["_wrong"] = misses[wrong[~hit]]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=6000, help="addresses to geocode (all cities)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data directory")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--show-misses", type=int, default=0, metavar="K", help="print K misses (for debugging)"
    )
    args = parser.parse_args()
    if not (args.data / "addresses").is_dir():
        parser.error(f"no address registries under {args.data}")
    result = run(args.n, args.seed, args.data)
    misses = result.pop("_misses")
    wrong = result.pop("_wrong")
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(
            f"Geocoder benchmark (seed {result['seed']}, {result['n']} addresses, "
            f"gazetteer {result['gazetteer_entries']} entries, "
            f"built in {result['build_seconds']} s, indexed in {result['index_seconds']} s)"
        )
        table = [
            ("house-level within 50 m", f"{result['house_hit_rate']:.2%}", ">= 97%"),
            ("  with a typo in the street", f"{result['typo_house_hit_rate']:.2%}", ""),
            *[(f"  {k}", f"{v:.2%}", "") for k, v in result["by_source"].items()],  # type: ignore[attr-defined]
            ("confident wrong (score>=0.9, >1 km)", str(result["confident_wrong"]), "0"),
            ("  score>=0.9 but >50 m off", str(result["confident_beyond_50m"]), ""),
            ("throughput, addresses/s", f"{result['addresses_per_second']:,.0f}", ">= 5,000"),
            ("  per CPU second", f"{result['addresses_per_cpu_second']:,.0f}", ""),
            ("precisions", json.dumps(result["precision_counts"]), ""),
        ]
        width = max(len(r[0]) for r in table)
        for name, value, target in table:
            print(f"{name:<{width}}  {value:>12}  {target}")
    if args.show_misses:
        cols = ["text", "truth", "precision", "score", "matched", "reason", "dist_m"]
        with pd.option_context("display.width", 250, "display.max_colwidth", 70):
            print(misses[cols].head(args.show_misses).to_string())
            print(wrong[cols].to_string())


if __name__ == "__main__":
    main()

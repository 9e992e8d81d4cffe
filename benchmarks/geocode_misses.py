"""The geocoder's misses on one city's cases, sorted into kinds of writing (for tuning).

Writes as many cases per class as the half has (``--n-per-class``, default 5,000), as
:mod:`benchmarks.bench_geocode` does, and sorts every case that is not a house within
50 m into the first kind it fits (:data:`KINDS`): what the registry address or the
written text holds that a miss of that kind has in common. Prints the count per kind
and per class of writing, and a few misses of each kind.

Look only at the half being tuned on (``--half A``, the default); the other is held out.

Usage: ``python benchmarks/geocode_misses.py [--city "Leningrad oblast"] [--half A]
[--n-per-class 5000] [--examples 8]``
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_geocode import CITIES, DATA, run_city  # noqa: E402
from benchmarks.geocode_writing import split_registry  # noqa: E402
from heatmap.geocode.gazetteer import read_cities  # noqa: E402
from heatmap.geocode.rules import _TYPE_WORDS  # noqa: E402

_INITIAL = re.compile(r"(?<![А-Яа-яЁё])[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]")


def _settlement(truth: str) -> str:
    """The innermost settlement's name in a registry address (lower case)."""
    reg = split_registry(truth)
    return reg.settlements[-1][1].lower() if reg and reg.settlements else ""


def _street(truth: str) -> tuple[str, str]:
    """The street's type and name in a registry address."""
    reg = split_registry(truth)
    return (reg.street_type or "", reg.street or "") if reg else ("", "")


#: Kinds of misses, in the order they are tried: name → test of (case row).
KINDS: dict[str, Callable[[pd.Series], bool]] = {
    "settlement name holds a type word (Ивановский Остров д.)": lambda r: any(
        w in _TYPE_WORDS for w in _settlement(r["truth"]).split()
    ),
    "initial-abbreviated name (М.Горького)": lambda r: bool(
        _INITIAL.search(_street(r["truth"])[1]) or _INITIAL.search(r["text"])
    ),
    "numbered microdistrict or street (6-й мкр.)": lambda r: (
        _street(r["truth"])[0] == "мкр" or _street(r["truth"])[1][:1].isdigit()
    ),
    "settlement with a number (Тесово 4)": lambda r: any(c.isdigit() for c in _settlement(r["truth"])),
    "kilometre of a road (км. Варшавская линия 46)": lambda r: _street(r["truth"])[0] == "км",
    "typo": lambda r: str(r["case_class"]).startswith("typo"),
    "street in several places, no settlement": lambda r: "нескольких" in str(r["reason"]),
}


def kind_of(row: pd.Series) -> str:
    return next((name for name, fits in KINDS.items() if fits(row)), "other")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", default="Leningrad oblast", choices=list(CITIES))
    parser.add_argument("--half", choices=["A", "B"], default="A")
    parser.add_argument("--n-per-class", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--examples", type=int, default=8)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    cities = read_cities(args.data / "cities" / "city.csv")
    _, judged, _ = run_city(args.city, args.data, cities, args.n_per_class, args.seed, args.half)
    misses = judged[~judged["hit"]].copy()
    misses["kind"] = misses.apply(kind_of, axis=1)
    print(f"{args.city}, half {args.half}, seed {args.seed}: {len(misses)} misses of {len(judged)} cases")
    table = misses.pivot_table(index="kind", columns="case_class", values="text", aggfunc="count")
    with pd.option_context("display.width", 250, "display.max_columns", 30, "display.max_colwidth", 80):
        print(misses["kind"].value_counts().to_string())
        print(table.fillna(0).astype(int).to_string())
        for kind, group in misses.groupby("kind"):
            print(f"\n== {kind}")
            print(group[["case_class", "text", "precision", "reason"]].head(args.examples).to_string())


if __name__ == "__main__":
    main()

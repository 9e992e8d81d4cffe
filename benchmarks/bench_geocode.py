"""Benchmark the offline geocoder per class of writing, on cities it was not tuned on.

For each city: the gazetteer is built from its region's registry and cut to the
city (the city and the settlements inside it), the case generator
(:mod:`benchmarks.geocode_cases`) writes its houses in every class of writing
with the registry's points as truth, and the geocoder answers without a city hint.

Cities: tuned on **Vologda** and **Saint Petersburg** (``--tuning``); held out,
never looked at while tuning: **Pskov**, **Arkhangelsk**, **Veliky Novgorod** and
**Petrozavodsk** (the default). Omsk's registry has wrong coordinates: not used.
Never used until 2026-12-07 (``--cities Moscow "Leningrad oblast" --half A|B``):
**Moscow** and **Leningrad oblast**, the whole region as one gazetteer (many small
towns; a street name in several of them). ``--half`` writes the cases of one half only,
fixed before any case was looked at: Leningrad oblast's settlements, Moscow's streets,
by CRC32 of their key (even: A, looked at; odd: B, held out). Held out whole, never
looked at: **Pskov oblast** (the whole region, small towns like Leningrad oblast's;
from 2026-12-07).

Reports per class and overall: house-level within 50 m; ``house`` answers more than
50 m off; score >= 0.9 answers more than 1 km off; ``house`` answers for houses of
streets cut from the gazetteer (none can be right); in-process addresses/s (cold
cache); the whole ``heatmap geocode-file`` command on 3,000 and on 100,000 addresses
written from the first city (start-up included), beside the same files in-process
(:mod:`benchmarks.geocode_command`); the gazetteer build for Saint Petersburg.

Usage: ``python benchmarks/bench_geocode.py [--tuning] [--cities L...] [--half A|B]
[--n-per-class 215] [--json]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.geocode_cases import CLASSES, city_entries, write_cases  # noqa: E402
from benchmarks.geocode_command import run_command, startup, timed  # noqa: E402
from heatmap.geocode.answers import answers_frame  # noqa: E402
from heatmap.geocode.gazetteer import build_gazetteer, haversine_km, read_cities  # noqa: E402
from heatmap.geocode.matcher import GazetteerGeocoder  # noqa: E402
from heatmap.geocode.normalise import clear_caches  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
#: city label → (registry file, settlement name; None: the whole region).
CITIES: dict[str, tuple[str, str | None]] = {
    "Vologda": ("housedata_vologodskaya_20161006.csv.gz", "Вологда"),
    "Saint Petersburg": ("housedata_spb_20160308.csv.gz", "Санкт-Петербург"),
    "Pskov": ("housedata_pskovskaya_20161003.csv.gz", "Псков"),
    "Arkhangelsk": ("housedata_arkhangelskaya-20161010.csv.gz", "Архангельск"),
    "Veliky Novgorod": ("housedata_novgorodskaya_20160930.csv.gz", "Великий Новгород"),
    "Petrozavodsk": ("housedata_karelia_20160920.csv.gz", "Петрозаводск"),
    "Moscow": ("housedata_moskow_20170614.csv.gz", "Москва"),
    "Leningrad oblast": ("housedata_lenoblast_20160920.csv.gz", None),
    "Pskov oblast": ("housedata_pskovskaya_20161003.csv.gz", None),
}
TUNING = ("Vologda", "Saint Petersburg")
HELD_OUT = ("Pskov", "Arkhangelsk", "Veliky Novgorod", "Petrozavodsk")
TARGETS = {
    "house_hit": 0.98,
    "house_off_50m": 0.001,
    "confident_wrong": 0,
    "command_per_s": 5000.0,
    "command_100k_per_s": 20000.0,
    "in_process_per_s": 30000.0,
    "build_s": 5.0,
}


def half_mask(entries: pd.DataFrame, whole_region: bool, half: str | None) -> pd.Series | None:
    """Entries of one half (``A``: CRC32 even, ``B``: odd) of a region's settlements or a
    city's streets; None for no half."""
    if half is None:
        return None
    keys = entries["locality"] if whole_region else entries["street_key"]
    odd = keys.map(lambda k: zlib.crc32(str(k).encode()) % 2 == 1)
    return odd if half == "B" else ~odd


def _judge(cases: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    dist_m = (
        haversine_km(
            cases["lat"].to_numpy(),
            cases["lon"].to_numpy(),
            answers["lat"].to_numpy(),
            answers["lon"].to_numpy(),
        )
        * 1000.0
    )
    dist_m = np.where(np.isnan(dist_m), np.inf, dist_m)
    house = answers["precision"].to_numpy() == "house"
    return cases.assign(
        precision=answers["precision"].to_numpy(),
        score=answers["score"].to_numpy(),
        matched=answers["matched"].to_numpy(),
        reason=answers["reason"].to_numpy(),
        dist_m=dist_m,
        hit=house & (dist_m <= 50.0),
        house_off=house & (dist_m > 50.0),
        confident_wrong=(answers["score"].to_numpy() >= 0.9) & (dist_m > 1000.0),
    )


def _figures(judged: pd.DataFrame) -> dict[str, float | int]:
    houses = int((judged["precision"] == "house").sum())
    return {
        "n": len(judged),
        "house_hit": round(float(judged["hit"].mean()), 4) if len(judged) else 0.0,
        "house_answers": houses,
        "house_off_50m": int(judged["house_off"].sum()),
        "house_off_share": round(float(judged["house_off"].sum()) / max(houses, 1), 5),
        "confident_wrong": int(judged["confident_wrong"].sum()),
        "none": int((judged["precision"] == "none").sum()),
    }


def run_city(
    label: str, data: Path, cities: pd.DataFrame, n_per_class: int, seed: int, half: str | None = None
) -> tuple[dict[str, object], pd.DataFrame, pd.DataFrame]:
    registry, city = CITIES[label]
    t0 = time.perf_counter()
    region, _ = build_gazetteer(data / "addresses" / registry, cities=cities)
    build_s = time.perf_counter() - t0
    entries = region if city is None else city_entries(region, city)
    among = half_mask(entries, city is None, half)
    cases = write_cases(entries, n_per_class=n_per_class, seed=seed, among=among)
    clear_caches()  # the parser's memory of the build and the case writing
    t0 = time.perf_counter()
    geocoder = GazetteerGeocoder(entries)
    index_s = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    answered = geocoder.answers(cases["text"].tolist())
    geocode_s, geocode_cpu = time.perf_counter() - t0, time.process_time() - c0
    answers = answers_frame(answered)
    judged = _judge(cases, answers).assign(city=label)
    absent = run_absent(entries, n_per_class // 2, seed, among)
    result: dict[str, object] = {
        "city": label,
        "entries": len(entries),
        "region_build_s": round(build_s, 2),
        "index_s": round(index_s, 3),
        "in_process_per_s": round(len(cases) / geocode_s),
        "in_process_per_cpu_s": round(len(cases) / max(geocode_cpu, 1e-9)),
        **_figures(judged),
        "by_class": {c: _figures(g) for c, g in judged.groupby("case_class", sort=False)},
        "absent_streets": absent,
    }
    return result, judged, entries


def run_absent(entries: pd.DataFrame, n: int, seed: int, among: pd.Series | None = None) -> dict[str, int]:
    """Houses of streets the gazetteer lacks (a registry of apartment buildings lacks many
    streets): a tenth of the city's streets is cut from the gazetteer and their houses
    are written as people write them. No ``house`` answer can be right."""
    keys = pd.Series(entries["street_key"].unique())
    cut = set(keys.sample(frac=0.1, random_state=seed))
    kept = entries[~entries["street_key"].isin(cut)]
    gone = entries[entries["street_key"].isin(cut) & (True if among is None else among)]
    classes = ["type_before", "type_missing", "typo1", "no_city", "letter", "corpus"]
    cases = write_cases(gone, n_per_class=n, seed=seed, classes=classes)
    answers = GazetteerGeocoder(kept).geocode(cases["text"].tolist())
    prec = answers["precision"]
    return {
        "n": len(cases),
        "house": int((prec == "house").sum()),
        "house_score_0_9": int(((prec == "house") & (answers["score"] >= 0.9)).sum()),
        "street": int((prec == "street").sum()),
        "settlement_or_none": int(prec.isin(["settlement", "none"]).sum()),
    }


def run_build(data: Path) -> dict[str, float]:
    """Gazetteer build for Saint Petersburg's registry, in-process and as a command."""
    src = data / "addresses" / CITIES["Saint Petersburg"][0]
    t0, c0 = time.perf_counter(), time.process_time()
    entries, _ = build_gazetteer(src)
    in_process, in_process_cpu = time.perf_counter() - t0, time.process_time() - c0
    with tempfile.TemporaryDirectory() as tmp:
        command, command_cpu = timed(
            [
                sys.executable,
                "-m",
                "heatmap",
                "gazetteer",
                "build",
                str(src),
                "--out",
                str(Path(tmp, "spb.parquet")),
            ],
            1,
        )
    return {
        "entries": len(entries),
        "in_process_s": round(in_process, 2),
        "in_process_cpu_s": round(in_process_cpu, 2),
        "command_s": round(command, 2),
        "command_cpu_s": round(command_cpu, 2),
    }


def _print(result: dict[str, object]) -> None:
    half = f", half {result['half']}" if result.get("half") else ""
    print(
        f"Geocoder benchmark, seed {result['seed']}; cities {', '.join(result['cities'])} "
        f"({result['which']}{half})"
    )
    print(f"{'class':<14} {'n':>6} {'house<=50m':>11} {'house>50m':>10} {'conf>1km':>9} {'none':>6}")
    by_class: dict[str, dict[str, float]] = result["by_class"]  # type: ignore[assignment]
    for name, f in [*by_class.items(), ("OVERALL", result["overall"])]:  # type: ignore[list-item]
        print(
            f"{name:<14} {f['n']:>6} {f['house_hit']:>11.2%} {f['house_off_50m']:>10} "
            f"{f['confident_wrong']:>9} {f['none']:>6}"
        )
    for city in result["per_city"]:  # type: ignore[attr-defined]
        print(
            f"  {city['city']:<16} entries {city['entries']:>6}  house<=50m "
            f"{city['house_hit']:.2%}  house>50m {city['house_off_50m']}  "
            f"in-process {city['in_process_per_s']:,}/s ({city['in_process_per_cpu_s']:,} per "
            "CPU second)"
        )
    absent = {
        k: sum(c["absent_streets"][k] for c in result["per_city"])  # type: ignore[attr-defined]
        for k in ("n", "house", "house_score_0_9", "street", "settlement_or_none")
    }
    print(
        f"streets cut from the gazetteer ({absent['n']} addresses, no house can be right): "
        f"house {absent['house']} (score >= 0.9: {absent['house_score_0_9']}), "
        f"street {absent['street']}, settlement or none {absent['settlement_or_none']}"
    )
    overall: dict[str, float] = result["overall"]  # type: ignore[assignment]
    print(
        f"house answers >50 m off: {overall['house_off_share']:.3%} of house answers "
        f"(target <= 0.1 %), confident >1 km: {overall['confident_wrong']} (target 0)"
    )
    _print_speed(result)
    if "build" in result:
        b: dict[str, float] = result["build"]  # type: ignore[assignment]
        print(
            f"gazetteer build, Saint Petersburg ({b['entries']} entries): "
            f"{b['in_process_s']} s in-process (CPU {b['in_process_cpu_s']} s), {b['command_s']} s "
            f"as a command (CPU {b['command_cpu_s']} s; target <= 5 s)"
        )


def _print_speed(result: dict[str, object]) -> None:
    """In-process and whole-command addresses/s beside their targets (CPU seconds: the
    machine is shared; wall times and the load are printed beside)."""
    per_city: list[dict[str, float]] = result["per_city"]  # type: ignore[assignment]
    n = sum(c["n"] for c in per_city)
    cpu = sum(c["n"] / c["in_process_per_cpu_s"] for c in per_city)
    print(
        f"in-process, {n:,} cases of {len(per_city)} cities (fresh geocoder, no gazetteer load): "
        f"{n / cpu:,.0f} addresses per CPU second (target >= {TARGETS['in_process_per_s']:,.0f})"
    )
    for key, target in (("command", "command_per_s"), ("command_100k", "command_100k_per_s")):
        c: dict[str, float] | None = result.get(key)  # type: ignore[assignment]
        if c is None:
            continue
        print(
            f"geocode-file on {c['n']:,} addresses ({c['distinct']:,} distinct, {c['city']}): "
            f"command {c['per_cpu_s']:,}/s by CPU ({c['cpu_seconds']} s), {c['per_s']:,}/s by wall "
            f"({c['seconds']} s, load {c['load_before']}); target >= {TARGETS[target]:,.0f}/s, "
            "start-up included"
        )
        if c.get("parquet_only_per_cpu_s"):
            print(
                f"  with the gazetteer's Parquet file alone (no compact .index.json beside it): "
                f"{c['parquet_only_per_cpu_s']:,}/s by CPU"
            )
        print(
            f"  the same file in-process: {c['in_process_per_cpu_s']:,} addresses per CPU second "
            f"(gazetteer load {c['in_process_load_cpu_s']} s CPU besides; target >= "
            f"{TARGETS['in_process_per_s']:,.0f})"
        )
    if "startup" in result:
        h: dict[str, float] = result["startup"]  # type: ignore[assignment]
        print(f"`heatmap --help` alone: {h['help_seconds']} s, CPU {h['help_cpu_seconds']} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tuning", action="store_true", help="the tuning cities, not held-out")
    parser.add_argument("--cities", nargs="*", help="city labels (default: the held-out ones)")
    parser.add_argument("--half", choices=["A", "B"], help="cases of one half only (see above)")
    parser.add_argument("--n-per-class", type=int, default=215)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data directory")
    parser.add_argument("--no-command", action="store_true", help="skip the whole-command runs")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--show-misses",
        type=int,
        default=0,
        metavar="K",
        help="print K misses and every house answer > 50 m off (debugging)",
    )
    args = parser.parse_args()
    if not (args.data / "addresses").is_dir():
        parser.error(f"no address registries under {args.data}")
    labels = args.cities or list(TUNING if args.tuning else HELD_OUT)
    if not args.json:
        print(
            f"load average before the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
            f"on {os.cpu_count()} CPUs (wall times are shared with it; CPU times less so)"
        )
    cities = read_cities(args.data / "cities" / "city.csv")
    per_city, judged_all = [], []
    command_input: tuple[str, pd.DataFrame] | None = None
    for label in labels:
        res, judged, entries = run_city(label, args.data, cities, args.n_per_class, args.seed, args.half)
        per_city.append(res)
        judged_all.append(judged)
        command_input = command_input or (label, entries)
    judged = pd.concat(judged_all, ignore_index=True)
    result: dict[str, object] = {
        "seed": args.seed,
        "half": args.half,
        "cities": labels,
        "which": "tuning"
        if set(labels) <= set(TUNING)
        else ("held out" if not set(labels) & set(TUNING) else "mixed"),
        "overall": _figures(judged),
        "by_class": {c: _figures(judged[judged["case_class"] == c]) for c in CLASSES},
        "per_city": per_city,
    }
    if not args.no_command and command_input is not None:
        result["command"] = run_command(*command_input, n=3000, seed=args.seed, with_parquet_only=True)
        result["command_100k"] = run_command(*command_input, n=100_000, seed=args.seed, runs=2)
        result["startup"] = startup()
        result["build"] = run_build(args.data)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print(result)
    if args.show_misses:
        cols = ["city", "case_class", "text", "truth", "precision", "score", "matched", "reason", "dist_m"]
        with pd.option_context("display.width", 250, "display.max_colwidth", 60):
            print(judged[~judged["hit"]][cols].head(args.show_misses).to_string())
            print(judged[judged["house_off"]][cols].to_string())


if __name__ == "__main__":
    main()

"""Detection quality benchmark: planted concentrations over real address registries.

    python benchmarks/bench_quality.py [--seeds 3] [--first-seed 1] [--quick] [--json FILE] [--data DIR]

For each city, the houses of its registry (``../shared/data/addresses``, read with the
gazetteer builder: house-level points of that settlement only) carry, per seed, one
export with 12 planted concentrations (8–30 complainants within 200 m of a random
house, in the last 7 days) over a background of one complainant per 7 houses per 30
days placed by address density, and one background-only export
(:mod:`heatmap.devtools.samples_planted`). Every detection configuration runs at its default
settings, with no per-city tuning: H3 and DBSCAN, each with the expected-count rule
(exposure: the same houses' address density) and with the old fixed-count rule.

Vologda, Saint Petersburg and Arkhangelsk are the tuning cities; Moscow, Velikiy
Novgorod, Pskov and Petrozavodsk are held out: nobody looked at them while choosing
defaults (Pskov and Petrozavodsk joined after the DBSCAN spot test changed, so they had
not been seen by any detection change; Cherepovets and Vyborg joined when the H3 discs
and q = 0.003 were chosen, on seeds 0-19 of the first seven, so none of their figures
had been seen; Omsk joined after the whole window's weight in a spot's own test was
chosen, on seeds 0-99 of the tuning cities — only the 7,269 houses whose registry points
lie in the city, since most of that file's points are geocoded elsewhere), and they are
reported apart. Targets (issue 15)
are printed as met/missed; missing one never changes the exit status.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.quality_score import (  # noqa: E402
    MATCH_M,
    Score,
    Summary,
    score_background,
    score_planted,
    spot_table,
    summarise,
)
from heatmap.devtools.samples_planted import PlantSpec, generate_planted  # noqa: E402

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CONFIGS: tuple[tuple[str, str], ...] = (
    ("h3", "expected"),
    ("h3", "count"),
    ("dbscan", "expected"),
    ("dbscan", "count"),
)
POINT_COLUMNS = ["lat", "lon", "subscriber_id", "precision", "created_at"]
TARGETS = {
    "recall": "recall ≥ 95 %",
    "top": "≥ 95 % of the N largest spots planted",
    "outranked": "no unplanted spot larger than the smallest planted one",
    "false": "≤ 1 false spot per 100k background complainants",
}


@dataclass(frozen=True)
class City:
    name: str
    registry: str
    settlement: str
    held_out: bool


CITIES = (
    City("Vologda", "housedata_vologodskaya", "вологда", held_out=False),
    City("Saint Petersburg", "housedata_spb", "санкт петербург", held_out=False),
    City("Arkhangelsk", "housedata_arkhangelskaya", "архангельск", held_out=False),
    City("Moscow", "housedata_moskow", "москва", held_out=True),
    City("Velikiy Novgorod", "housedata_novgorodskaya", "великий новгород", held_out=True),
    City("Pskov", "housedata_pskovskaya", "псков", held_out=True),
    City("Petrozavodsk", "housedata_karelia", "петрозаводск", held_out=True),
    City("Cherepovets", "housedata_vologodskaya", "череповец", held_out=True),
    City("Vyborg", "housedata_lenoblast", "выборг", held_out=True),
    City("Omsk", "housedata_omsk", "омск", held_out=True),
)


def config_name(config: tuple[str, str]) -> str:
    return f"{config[0]} {config[1]}"


# ---------------------------------------------------------------- detection


def expected_rule_available() -> bool:
    """Whether the detector takes ``rule`` and ``label_points`` takes exposure and now."""
    from heatmap.detect.run import DetectParams, label_points

    has_rule = "rule" in {f.name for f in dataclasses.fields(DetectParams)}
    takes = inspect.signature(label_points).parameters
    return has_rule and "exposure" in takes and "now" in takes


def exposure_points(lat: np.ndarray, lon: np.ndarray) -> pd.DataFrame:
    from heatmap.detect.exposure import address_layer, layer_points

    return layer_points(address_layer(lat, lon))


def detect(
    points: pd.DataFrame, config: tuple[str, str], *, exposure: pd.DataFrame | None, new_interface: bool
) -> tuple[np.ndarray, float]:
    """Labels of one default-settings run and its wall time in seconds."""
    from heatmap.detect import run

    label: Callable[..., np.ndarray] = run.label_points
    make_params: Callable[..., object] = run.DetectParams  # `rule` only in the new interface
    params = make_params(method=config[0])
    kwargs: dict[str, object] = {}
    if new_interface:
        params = make_params(method=config[0], rule=config[1])
        kwargs = {"exposure": exposure, "now": NOW}
    start = time.perf_counter()
    labels = label(points, params, **kwargs)
    return np.asarray(labels), time.perf_counter() - start


# ---------------------------------------------------------------- data


def load_houses(data: Path, city: City) -> pd.DataFrame:
    """House-level registry points of the city's own settlement (``lat, lon``)."""
    from heatmap.geocode.gazetteer import build_gazetteer, read_cities

    source = sorted((data / "addresses").glob(f"{city.registry}*.csv.gz"))
    if not source:
        raise SystemExit(f"no registry {city.registry}*.csv.gz under {data / 'addresses'}")
    entries, _ = build_gazetteer(source[0], cities=read_cities(data / "cities" / "city.csv"))
    keep = (entries["settlement"] == city.settlement) & (entries["point_precision"] == "house")
    return entries.loc[keep, ["lat", "lon"]].reset_index(drop=True)


# ---------------------------------------------------------------- the run


@dataclass
class CityRun:
    city: City
    houses: int
    exposure_seconds: float
    planted: dict[str, list[Score]]
    background: dict[str, list[Score]]

    def summary(self, name: str) -> Summary:
        return summarise(self.planted[name], self.background[name])


def run_city(
    city: City,
    houses: pd.DataFrame,
    configs: Sequence[tuple[str, str]],
    seeds: Sequence[int],
    new_interface: bool,
) -> CityRun:
    lat, lon = houses["lat"].to_numpy(), houses["lon"].to_numpy()
    start = time.perf_counter()
    exposure = exposure_points(lat, lon) if new_interface else None
    out = CityRun(
        city,
        len(houses),
        time.perf_counter() - start,
        {config_name(c): [] for c in configs},
        {config_name(c): [] for c in configs},
    )
    for seed in seeds:
        planted = generate_planted(lat, lon, now=NOW, seed=seed)
        alone = generate_planted(lat, lon, now=NOW, seed=seed, spec=PlantSpec(planted=0))
        for config in configs:
            name = config_name(config)
            labels, secs = detect(
                planted.complaints[POINT_COLUMNS], config, exposure=exposure, new_interface=new_interface
            )
            out.planted[name].append(
                score_planted(
                    spot_table(planted.complaints, labels),
                    planted.centres,
                    seconds=secs,
                    complaints=len(planted.complaints),
                )
            )
            labels, secs = detect(
                alone.complaints[POINT_COLUMNS], config, exposure=exposure, new_interface=new_interface
            )
            out.background[name].append(
                score_background(
                    spot_table(alone.complaints, labels),
                    background=alone.background,
                    seconds=secs,
                    complaints=len(alone.complaints),
                )
            )
    return out


def warm_up(houses: pd.DataFrame, configs: Sequence[tuple[str, str]], new_interface: bool) -> None:
    """One untimed run per configuration, so imports and caches are not timed."""
    lat, lon = houses["lat"].to_numpy()[:500], houses["lon"].to_numpy()[:500]
    export = generate_planted(lat, lon, now=NOW, seed=0, spec=PlantSpec(planted=2))
    exposure = exposure_points(lat, lon) if new_interface else None
    for config in configs:
        detect(export.complaints[POINT_COLUMNS], config, exposure=exposure, new_interface=new_interface)


# ---------------------------------------------------------------- output


def _pct(x: float) -> str:
    return "—" if x != x else f"{100 * x:.0f} %"


def summary_cells(s: Summary) -> list[str]:
    smallest = "—" if s.smallest_planted is None else str(s.smallest_planted)
    return [
        f"{_pct(s.recall)} ({s.found}/{s.planted})",
        f"{_pct(s.top_share)} ({s.top_planted}/{s.planted})",
        f"{s.largest_unplanted} / {smallest}",
        f"{s.outranked}/{s.exports}",
        "—" if s.background == 0 else f"{s.false_per_100k:,.0f} ({s.false_spots})",
        str(s.largest_false),
        f"{s.seconds_median:.3f} / {s.seconds_max:.3f}",
    ]


HEADERS = [
    "recall",
    "top-N planted",
    "max unpl / min pl",
    "outranked",
    "false /100k (n)",
    "max false",
    "detect s med/max",
]
LEGEND = (
    f"recall: planted concentrations with a spot centroid within {MATCH_M:.0f} m of their "
    "centre; a spot counts as planted by the same test. top-N planted: planted share of "
    "the N largest spots (N = number planted, 12), by distinct complainants. max unpl / min "
    "pl: largest unplanted spot / smallest planted spot, over all exports. outranked: exports "
    "where an unplanted spot is larger than the smallest planted one. false /100k (n): "
    "spots per 100k background complainants on background-only exports (spot count); max "
    "false: the largest of them. detect s: label_points wall time per export."
)


def city_table(run: CityRun, names: Sequence[str], seeds: int) -> Table:
    planted = run.planted[names[0]]
    complaints = sum(s.complaints for s in planted) // max(len(planted), 1)
    background = run.background[names[0]][0].background if planted else 0
    group = "held out" if run.city.held_out else "tuning"
    table = Table(
        title=f"{run.city.name} ({group}): {run.houses:,} houses, {background:,} "
        f"background complainants, ~{complaints:,} complaints per planted "
        f"export, {seeds} seed(s)",
        title_justify="left",
    )
    for header in ["configuration", *HEADERS]:
        table.add_column(header, justify="left" if header == "configuration" else "right")
    for name in names:
        table.add_row(name, *summary_cells(run.summary(name)))
    return table


def pooled(runs: Sequence[CityRun], name: str) -> Summary:
    return summarise(
        [s for r in runs for s in r.planted[name]], [s for r in runs for s in r.background[name]]
    )


def overall_table(runs: Sequence[CityRun], names: Sequence[str]) -> Table:
    tuning = ", ".join(r.city.name for r in runs if not r.city.held_out) or "none"
    held_out = ", ".join(r.city.name for r in runs if r.city.held_out) or "none"
    table = Table(
        title=f"Overall: tuning cities ({tuning}) vs held-out cities ({held_out})", title_justify="left"
    )
    for header in ["configuration", "held out", *HEADERS]:
        table.add_column(header, justify="left" if header == "configuration" else "right")
    for name in names:
        for held in (False, True):
            group = [r for r in runs if r.city.held_out is held]
            if group:
                table.add_row(name, "yes" if held else "no", *summary_cells(pooled(group, name)))
    return table


def target_lines(runs: Sequence[CityRun], names: Sequence[str]) -> list[str]:
    """One line per target and configuration: met only when met on every group."""
    lines = []
    groups = {
        label: [r for r in runs if r.city.held_out is held]
        for label, held in (("tuning", False), ("held out", True))
    }
    for key, text in TARGETS.items():
        for name in names:
            verdicts, figures = [], []
            for label, group in groups.items():
                if group:
                    s = pooled(group, name)
                    verdicts.append(s.targets()[key])
                    figures.append(f"{label} {_target_figure(s, key)}")
            word = "met" if all(verdicts) else "MISSED"
            lines.append(f"target {text:<56} {name:<16} {word:<7} {'; '.join(figures)}")
    return lines


def _target_figure(s: Summary, key: str) -> str:
    if key == "recall":
        return _pct(s.recall)
    if key == "top":
        return _pct(s.top_share)
    if key == "outranked":
        return f"{s.outranked}/{s.exports} exports outranked"
    return f"{s.false_per_100k:.1f}" if s.background else "—"


def as_json(runs: Sequence[CityRun], names: Sequence[str], meta: dict[str, object]) -> dict[str, object]:
    cities = [
        {
            "city": r.city.name,
            "registry": r.city.registry,
            "held_out": r.city.held_out,
            "houses": r.houses,
            "exposure_seconds": r.exposure_seconds,
            "configs": {
                n: {
                    "summary": r.summary(n).as_dict(),
                    "planted": [s.as_dict() for s in r.planted[n]],
                    "background_only": [s.as_dict() for s in r.background[n]],
                }
                for n in names
            },
        }
        for r in runs
    ]
    overall = {
        n: {
            label: pooled([r for r in runs if r.city.held_out is held], n).as_dict()
            for label, held in (("tuning", False), ("held_out", True))
        }
        for n in names
    }
    return {**meta, "cities": cities, "overall": overall}


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds per city (default 3)")
    parser.add_argument("--quick", action="store_true", help="one seed per city")
    parser.add_argument(
        "--first-seed",
        type=int,
        default=1,
        help="the first seed (default 1; q and the H3 discs were chosen on seeds 0-19, "
        "so --first-seed 40 reports on seeds nobody looked at)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure here")
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT.parent / "shared" / "data",
        help="the shared data directory (default ../shared/data)",
    )
    parser.add_argument(
        "--city", action="append", choices=[c.name for c in CITIES], help="only this city (repeatable)"
    )
    args = parser.parse_args(argv)
    console = Console(width=150)
    count = 1 if args.quick else args.seeds
    seeds = list(range(args.first_seed, args.first_seed + count))
    new_interface = expected_rule_available()
    configs = [c for c in CONFIGS if new_interface or c[1] == "count"]
    names = [config_name(c) for c in configs]
    if not new_interface:
        console.print(
            "[bold yellow]the expected-count rule is not available in heatmap.detect "
            "yet: only the count rule runs[/]"
        )
    cities = [c for c in CITIES if not args.city or c.name in args.city]
    runs: list[CityRun] = []
    for index, city in enumerate(cities):
        houses = load_houses(args.data, city)
        if index == 0:
            warm_up(houses, configs, new_interface)
        runs.append(run_city(city, houses, configs, seeds, new_interface))
        console.print(city_table(runs[-1], names, len(seeds)))
    console.print(overall_table(runs, names))
    console.print(LEGEND, highlight=False)
    for line in target_lines(runs, names):
        console.print(line, highlight=False)
    if args.json:
        meta: dict[str, object] = {
            "now": NOW.isoformat(),
            "seeds": seeds,
            "spec": dataclasses.asdict(PlantSpec()),
            "expected_rule_available": new_interface,
            "match_m": MATCH_M,
        }
        args.json.write_text(json.dumps(as_json(runs, names, meta), indent=2, default=str), encoding="utf-8")
        console.print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

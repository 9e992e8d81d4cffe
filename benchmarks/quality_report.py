"""Tables, target lines and JSON of ``bench_quality.py``'s runs.

A city's run holds, per configuration, the scores of its planted exports of each kind
(:data:`KINDS`: week-long bursts, and month-long chronic concentrations when asked for)
and of its background-only exports. Issue 15's targets are judged on the bursts, the
concentrations the issue describes; the month-long kind is reported beside them under
the same four targets, so that a change which loses chronic problems shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.table import Table

from benchmarks.quality_score import MATCH_M, Score, Summary, summarise

#: Kinds of planted export: name → (label in tables, days before ``now`` the planted
#: complaints fall within; None: the generator's default, the last 7 days).
KINDS: dict[str, tuple[str, float | None]] = {
    "burst": ("", None),
    "chronic": (", month-long", 30.0),
}
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


@dataclass
class CityRun:
    city: City
    houses: int
    exposure_seconds: float
    #: kind → configuration → one score per planted export
    planted: dict[str, dict[str, list[Score]]] = field(default_factory=dict)
    background: dict[str, list[Score]] = field(default_factory=dict)

    def summary(self, name: str, kind: str = "burst") -> Summary:
        return summarise(self.planted[kind][name], self.background[name])


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
    "false: the largest of them. detect s: label_points wall time per export. Rows marked "
    "month-long: the same concentrations (same places, sizes and background) with their "
    "complaints spread over the whole 30 days instead of the last 7."
)


def kinds_of(runs: Sequence[CityRun]) -> list[str]:
    return [k for k in KINDS if runs and k in runs[0].planted]


def city_table(run: CityRun, names: Sequence[str], seeds: int) -> Table:
    planted = run.planted["burst"][names[0]]
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
    for kind in kinds_of([run]):
        for name in names:
            table.add_row(name + KINDS[kind][0], *summary_cells(run.summary(name, kind)))
    return table


def pooled(runs: Sequence[CityRun], name: str, kind: str = "burst") -> Summary:
    return summarise(
        [s for r in runs for s in r.planted[kind][name]], [s for r in runs for s in r.background[name]]
    )


def overall_table(runs: Sequence[CityRun], names: Sequence[str]) -> Table:
    tuning = ", ".join(r.city.name for r in runs if not r.city.held_out) or "none"
    held_out = ", ".join(r.city.name for r in runs if r.city.held_out) or "none"
    table = Table(
        title=f"Overall: tuning cities ({tuning}) vs held-out cities ({held_out})", title_justify="left"
    )
    for header in ["configuration", "held out", *HEADERS]:
        table.add_column(header, justify="left" if header == "configuration" else "right")
    for kind in kinds_of(runs):
        for name in names:
            for held in (False, True):
                group = [r for r in runs if r.city.held_out is held]
                if group:
                    cells = summary_cells(pooled(group, name, kind))
                    table.add_row(name + KINDS[kind][0], "yes" if held else "no", *cells)
    return table


def target_lines(runs: Sequence[CityRun], names: Sequence[str]) -> list[str]:
    """One line per target, kind and configuration: met only when met on every group.
    The month-long kind is shown under the same targets but marked as outside them."""
    lines = []
    groups = {
        label: [r for r in runs if r.city.held_out is held]
        for label, held in (("tuning", False), ("held out", True))
    }
    for kind in kinds_of(runs):
        if kind != "burst":
            lines.append("month-long plants (the targets are set on week-long bursts; shown, not judged):")
        for key, text in TARGETS.items():
            for name in names:
                verdicts, figures = [], []
                for label, group in groups.items():
                    if group:
                        s = pooled(group, name, kind)
                        verdicts.append(s.targets()[key])
                        figures.append(f"{label} {_target_figure(s, key)}")
                word = ("met" if all(verdicts) else "MISSED") if kind == "burst" else "—"
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
    kinds = kinds_of(runs)
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
                    "planted": [s.as_dict() for s in r.planted["burst"][n]],
                    "background_only": [s.as_dict() for s in r.background[n]],
                    **{f"{k}_summary": r.summary(n, k).as_dict() for k in kinds if k != "burst"},
                    **{f"{k}_planted": [s.as_dict() for s in r.planted[k][n]] for k in kinds if k != "burst"},
                }
                for n in names
            },
        }
        for r in runs
    ]
    overall = {
        n: {
            label + ("" if kind == "burst" else f"_{kind}"): pooled(
                [r for r in runs if r.city.held_out is held], n, kind
            ).as_dict()
            for kind in kinds
            for label, held in (("tuning", False), ("held_out", True))
        }
        for n in names
    }
    return {**meta, "cities": cities, "overall": overall}

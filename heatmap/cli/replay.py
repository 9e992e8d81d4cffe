"""``heatmap replay``: months of a city through the whole product, judged by outcome."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from heatmap.cli.common import DbOption, JsonOption, PolicyOption, wired
from heatmap.cli.output import emit_json, err, out, table
from heatmap.errors import UsageError

if TYPE_CHECKING:
    from heatmap.replay.config import ReplayConfig
    from heatmap.replay.session import ReplayResult
    from heatmap.replay.world import World
    from heatmap.settings import Settings

__all__ = ["register", "replay"]


def register(app: typer.Typer) -> None:
    """Add ``heatmap replay`` to ``app``."""
    app.command("replay")(replay)


def replay(
    registry: Annotated[
        Path,
        typer.Option(
            help="Address registry CSV (LAT, LON, ADDRESS; .csv.gz too), e.g. one of "
            "../shared/data/addresses."
        ),
    ],
    days: Annotated[int | None, typer.Option(help="Simulated days (30).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the world and the people (1).")] = None,
    incidents_per_week: Annotated[float | None, typer.Option(help="Incidents a week (4).")] = None,
    background_per_day: Annotated[
        float | None, typer.Option(help="Background complainants a day over the city (300).")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="TOML with any other replay setting (engineers, clients, causes)."),
    ] = None,
    policy: PolicyOption = None,
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option(help="Two policies run on the same world and seed, reported side by side."),
    ] = None,
    plots: Annotated[
        Path | None, typer.Option(help="Write a PNG of spots open/resolved per day here.")
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Simulate D days of a city (incidents, engineers, clients) with the real product in the
    loop, on a store of its own, and report the outcomes."""
    from heatmap.replay.config import load_config
    from heatmap.replay.session import load_world

    services = wired(db, policy=policy)
    db, policy = services.configured_db(), services.settings.policy  # HEATMAP_DB, HEATMAP_POLICY too
    if days is not None and days < 1:
        raise UsageError("--days must be at least 1")
    if compare is not None and db is not None:
        raise UsageError("--compare runs each policy in a temporary SQLite store: drop --db")
    if not registry.is_file():
        raise UsageError(f"no registry at {registry}")
    settings = load_config(config).with_overrides(
        days=days, seed=seed, incidents_per_week=incidents_per_week, background_per_day=background_per_day
    )
    world = load_world(registry, settings)
    if compare is None:
        result = _run(world, settings, policy, db, json, "replay", services.settings)
        _plot(plots, result, "replay")
        if json:
            emit_json({**result.report, **_speed(result), "settings": _settings(settings)})
            return
        _print(result.report)
        cpu = ", ".join(f"{k} {v:.0f}" for k, v in result.frames.cpu_seconds.items())
        err.print(
            f"Replayed {settings.days} days in {result.seconds:.0f} s, {result.cpu_seconds:.0f} s CPU"
            f" (seed {settings.seed}, load {result.load:.1f}); CPU seconds by step: {cpu}."
        )
        return
    a, b = (_run(world, settings, p, None, json, p.name, services.settings) for p in compare)
    _plot(plots, a, "A")
    _plot(plots, b, "B")
    if json:
        emit_json(
            {
                "a": a.report,
                "b": b.report,
                "policies": [str(p) for p in compare],
                "settings": _settings(settings),
            }
        )
        return
    _print_compare(a.report, b.report, compare)


def _run(
    world: World,
    settings: ReplayConfig,
    policy: Path | None,
    db: str | None,
    quiet: bool,
    name: str,
    wired: Settings,
) -> ReplayResult:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from heatmap.replay.session import run_replay

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
        transient=False,
    ) as progress:
        task = progress.add_task(f"{escape(name)}: simulated days", total=settings.days)
        return run_replay(
            world,
            settings,
            policy=policy,
            db=db,
            on_day=lambda _day: progress.advance(task),
            closeout=wired.closeout,
            secret_key=wired.store.secret_key,
        )


def _settings(settings: ReplayConfig) -> dict[str, Any]:
    """The headline assumptions the figures were made with (the rest: the defaults or
    ``--config``)."""
    names = (
        "days",
        "seed",
        "incidents_per_week",
        "background_per_day",
        "subscribers_per_house",
        "ingest_every_hours",
        "detect_every_hours",
        "capacity",
        "reply_share",
        "site_spacing_m",
        "other_alarms_per_day",
    )
    values = {n: getattr(settings, n) for n in names}
    return {**values, "start": settings.start.isoformat()}


def _speed(result: ReplayResult) -> dict[str, Any]:
    """How long the replay took, in all and by step (wall clock and CPU of this process), and
    the machine's load at the end (the CPUs are shared: wall seconds depend on it)."""
    frames = result.frames
    return {
        "seconds": round(result.seconds, 1),
        "cpu_seconds": round(result.cpu_seconds, 1),
        "load_average": round(result.load, 2),
        "seconds_by_step": {k: round(v, 1) for k, v in frames.wall_seconds.items()},
        "cpu_seconds_by_step": {k: round(v, 1) for k, v in frames.cpu_seconds.items()},
    }


def _plot(plots: Path | None, result: ReplayResult, name: str) -> None:
    if plots is None:
        return
    from heatmap.replay.plot import daily_png

    path = daily_png(result.days, plots / f"replay-{name}-daily.png", title=name)
    err.print(f"Wrote {path}", markup=False)


def _print(report: dict[str, Any]) -> None:
    from heatmap.replay.report import NOTES, as_text

    out.print(
        table(
            "Replay outcomes",
            ["figure", "value", "what it counts"],
            [(k, as_text(v), NOTES.get(k, "")) for k, v in report.items()],
        )
    )


def _print_compare(a: dict[str, Any], b: dict[str, Any], names: tuple[Path, Path]) -> None:
    from heatmap.replay.report import as_text
    from heatmap.replay.session import compare

    rows = [(k, as_text(x), as_text(y), as_text(d)) for k, x, y, d in compare(a, b)]
    out.print(
        table(
            "Replay: policies compared on the same world",
            ["figure", f"A {names[0].name}", f"B {names[1].name}", "B − A"],
            rows,
        )
    )

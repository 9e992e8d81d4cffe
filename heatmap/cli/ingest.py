"""``heatmap ingest``: CRM exports into the store, bad rows quarantined."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from heatmap import service
from heatmap.cli.common import DbOption, JsonOption, NowOption, PolicyOption, ProfileOption, wired
from heatmap.cli.output import emit_json, err, out, progress_bar, table


def ingest(
    files: Annotated[list[Path], typer.Argument(help="CRM exports: .csv, .jsonl or .parquet.")],
    db: DbOption = None,
    gazetteer: Annotated[
        Path | None,
        typer.Option(
            "--gazetteer",
            help="Geocode address rows at once with this gazetteer (default HEATMAP_GAZETTEER).",
        ),
    ] = None,
    policy: PolicyOption = None,
    profile: ProfileOption = None,
    accept_mostly_bad: Annotated[
        bool, typer.Option(help="Exit 0 even when one reason quarantined half of a file's rows or more.")
    ] = False,
    now: NowOption = None,
    json: JsonOption = False,
) -> None:
    """Load CRM exports: validate, deduplicate, quarantine bad rows.

    A file in another shape (a Russian CRM's, NYC 311's) is read through a mapping
    profile; a header lacking a required column is refused before anything is stored."""
    from heatmap.io.profiles import load_profile

    services = wired(db, policy=policy, gazetteer=gazetteer, profile=profile)
    mapping = load_profile(services.settings.profile)

    store = services.store
    city = services.settings.city
    entries = services.gazetteer_entries()
    geocoder = services.geocoder(entries)
    with progress_bar(json) as progress:
        task = progress.add_task("ingest", total=None)  # rows; a file's count is known once read
        geocoding = progress.add_task("geocode", total=None, visible=False)

        def validated(path: str, rows: int) -> None:
            progress.update(task, description=f"ingest {escape(Path(path).name)}", advance=rows)

        def geocoded(done: int, total: int) -> None:
            progress.update(geocoding, completed=done, total=total, visible=True)

        report = service.ingest(
            store,
            files,
            now=services.now(now),
            geocoder=geocoder,
            city=city,
            progress=validated,
            geocoding=geocoded,
            policy=services.policy,
            gazetteer_entries=entries,
            profile=mapping,
        )
    if json:
        said = [
            {"file": f, "reason": r, "rows": n, "read": read} for f, r, n, read in report.mostly_bad
        ]  # the key only when there is one
        emit_json({**report.totals, **({"mostly_bad": said} if said else {})})
    else:
        _ingest_summary(report)
    for path, reason, rows, read in report.mostly_bad:
        err.print(
            f"[red]{escape(Path(path).name)}: {rows} of {read} rows quarantined for one reason:[/]"
            f" {escape(reason)}. Is it the right profile (`heatmap profile guess {escape(path)}`)?"
            + ("" if accept_mostly_bad else " (--accept-mostly-bad to exit 0)")
        )
    if report.mostly_bad and not accept_mostly_bad:
        raise typer.Exit(1)


def _ingest_summary(report: service.IngestReport) -> None:
    out.print(
        table(
            "Ingest",
            ["file", *service.COUNT_KEYS],
            [[path, *counts.values()] for path, counts in report.files],
        )
    )
    if report.totals["quarantined"]:
        err.print(f"[yellow]{report.totals['quarantined']} row(s) quarantined[/]: see `heatmap quarantine`.")
    if report.geocoded:
        err.print("Geocoded: " + ", ".join(f"{k} {v}" for k, v in report.geocoded.items()))
    if report.joined:
        err.print(f"{report.joined} complaint(s) joined open spots at once.")

"""``heatmap``: every step of the flow as a sub-command (DESIGN.md, "Contract for scripts").

Exit codes: 0 on success (also when rows were quarantined), 1 on failure,
2 on bad usage. ``--json`` prints one JSON object on stdout and nothing else.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.text import Text

from heatmap import service
from heatmap.cli import api, closeout, density, detect, ingest, places, profile, purge, queue, replay, views
from heatmap.cli.common import NOW_FORMATS, DbOption, JsonOption, now_or, store_at, wired
from heatmap.cli.network import network_app
from heatmap.cli.output import emit_json, err, out, table
from heatmap.cli.spot import spot_app
from heatmap.errors import HeatmapError, UsageError

app = typer.Typer(
    name="heatmap",
    help="Teplokarty: complaints about network quality turned into spots on a map.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
samples_app = typer.Typer(help="Synthetic CRM exports for demos and tests.", no_args_is_help=True)


def init(db: DbOption = None) -> None:
    """Create the store (or bring its schema up to date)."""
    store = store_at(db)
    applied = service.init_store(store)
    err.print(
        f"[green]Store ready[/] at {escape(store.url)} (schema {store.schema_version()}"
        f"{', applied ' + ', '.join(map(str, applied)) if applied else ', up to date'})."
    )


def db_upgrade(db: DbOption = None) -> None:
    """Apply pending schema migrations."""
    init(db)


def quarantine(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="Show at most this many rows.")] = 50,
    file: Annotated[
        str | None, typer.Option("--file", help="Only rows of files whose path contains this.")
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason", help="Only rows with a reason of this code, or containing this (en or ru, any case)."
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the reasons: en or ru.")] = "en",
    json: JsonOption = False,
) -> None:
    """List quarantined rows with their line, reasons (and their codes) and raw content."""
    from heatmap.io.reasons import localised, matches, pick_language

    rows = store_at(db).load_quarantine(limit=None if file or reason else limit)
    if file:
        rows = rows[rows["source"].str.contains(file, regex=False)]
    if reason:
        rows = rows[[matches(str(r), reason) for r in rows["reasons"]]]
    rows = localised(rows.head(limit), pick_language(lang))
    if json:
        emit_json({"rows": rows.to_dict(orient="records")})
        return
    out.print(
        table(
            f"Quarantine (first {limit})",
            ["source", "line", "reasons", "raw"],
            rows[["source", "line", "reasons", "raw"]].itertuples(index=False),
        )
    )


#: ``--now`` of ``samples generate``: its default is the committed samples' time, not the clock.
SamplesNowOption = Annotated[
    datetime | None,
    typer.Option(
        "--now",
        help="The time the export ends at (ISO 8601, UTC if no offset); default 2026-11-20T12:00Z,"
        " the committed samples' time.",
        formats=NOW_FORMATS,
    ),
]


def samples_generate(
    n: Annotated[int, typer.Option("--n", min=10, help="Rows to generate.")] = 2500,
    seed: Annotated[int, typer.Option(min=0, max=2**32 - 1, help="Random seed.")] = 1,
    out_file: Annotated[Path, typer.Option("--out", help=".csv, .jsonl or .parquet")] = Path(
        "crm_export.csv"
    ),
    addresses: Annotated[
        Path | None,
        typer.Option(help="Registry CSV (LAT, LON, ADDRESS); default data/samples/vologda_addresses.csv."),
    ] = None,
    now: SamplesNowOption = None,
) -> None:
    """Generate a CRM export with planted spots, repeat callers and bad rows; says how many
    complainants the planted spots have (a small export's may have fewer than detection's
    minimum, HEATMAP_DETECT_MIN_SUBSCRIBERS)."""
    from heatmap.devtools.samples import SAMPLES_NOW, generate_export, plants_told, read_addresses
    from heatmap.io.writers import write_table

    at = SAMPLES_NOW if now is None else now_or(now)
    frame, plants = generate_export(read_addresses(addresses), n=n, seed=seed, now=at)
    write_table(frame, out_file, for_spreadsheets=False)  # an export for ingest, as a CRM's
    minimum = wired().settings.detection.min_subscribers
    err.print(f"Wrote {len(frame)} rows to {out_file}: {plants_told(plants, minimum=minimum)}", markup=False)


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo's files.")] = Path("demo-out"),
) -> None:
    """Run the whole flow on the bundled samples into a fresh SQLite file."""
    from heatmap.devtools.demo import run_demo

    run_demo(out_dir, settings=wired().settings)


def _register() -> None:
    """Every command and group, in the order ``heatmap --help`` lists them."""
    app.add_typer(db_app, name="db")
    app.add_typer(samples_app, name="samples")
    app.add_typer(places.gazetteer_app, name="gazetteer")
    app.add_typer(spot_app, name="spot")
    app.add_typer(network_app, name="network")
    for module in (queue, api, closeout, density, detect, profile, purge, replay):
        module.register(app)
    app.command()(init)
    db_app.command("upgrade")(db_upgrade)
    app.command()(ingest.ingest)
    app.command()(quarantine)
    app.command()(views.spots)
    app.command("map")(views.map_)
    samples_app.command("generate")(samples_generate)
    app.command()(places.geocode)
    app.command("geocode-file")(places.geocode_file)
    app.command("export")(views.export_)
    app.command()(demo)


_register()


def main() -> None:
    """Entry point: errors of the package become a message and exit code 1 (2 for usage).

    Typer itself reports bad usage (unknown command or option) with exit code 2.
    """
    try:
        app()
    except HeatmapError as exc:
        # a path in it must stay whole; a file's text in it is text, not Rich markup or emoji
        err.print(Text.assemble(("error:", "red"), f" {exc}"), soft_wrap=True)
        sys.exit(2 if isinstance(exc, UsageError) else 1)

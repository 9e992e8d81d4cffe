"""``heatmap``: every step of the flow as a sub-command (DESIGN.md, "Contract for scripts").

Exit codes: 0 on success (also when rows were quarantined), 1 on failure,
2 on bad usage. ``--json`` prints one JSON object on stdout and nothing else.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from heatmap import service
from heatmap.cli.api import register as register_api
from heatmap.cli.closeout import register as register_closeout
from heatmap.cli.common import (
    DbOption,
    JsonOption,
    NowOption,
    PolicyOption,
    ProfileOption,
    now_or,
    store_at,
)
from heatmap.cli.density import register as register_density
from heatmap.cli.detect import register as register_detect
from heatmap.cli.output import emit_json, err, out, table
from heatmap.cli.profile import register as register_profile
from heatmap.cli.purge import register as register_purge
from heatmap.cli.replay import register as register_replay
from heatmap.cli.workflow import known_issue, network_app, queue, spot_app
from heatmap.errors import HeatmapError, UsageError

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(
    name="heatmap",
    help="Teplokarty: complaints about network quality turned into spots on a map.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
gazetteer_app = typer.Typer(help="Offline address gazetteer.", no_args_is_help=True)
samples_app = typer.Typer(help="Synthetic CRM exports for demos and tests.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(samples_app, name="samples")
app.add_typer(gazetteer_app, name="gazetteer")
app.add_typer(spot_app, name="spot")
app.add_typer(network_app, name="network")
app.command("queue")(queue)
app.command("known-issue")(known_issue)
register_api(app)
register_closeout(app)
register_density(app)
register_detect(app)
register_profile(app)
register_purge(app)
register_replay(app)


@app.command()
def init(db: DbOption = None) -> None:
    """Create the store (or bring its schema up to date)."""
    store = store_at(db)
    applied = service.init_store(store)
    err.print(
        f"[green]Store ready[/] at {store.url} (schema {store.schema_version()}"
        f"{', applied ' + ', '.join(map(str, applied)) if applied else ', up to date'})."
    )


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Apply pending schema migrations."""
    init(db)


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="CRM exports: .csv, .jsonl or .parquet.")],
    db: DbOption = None,
    gazetteer: Annotated[
        Path | None,
        typer.Option(
            "--gazetteer",
            envvar="HEATMAP_GAZETTEER",
            help="Geocode address rows at once with this gazetteer.",
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
    from heatmap.core.policy import load_policy
    from heatmap.io.profiles import load_profile
    from heatmap.settings import load_settings

    mapping = load_profile(profile)

    store = store_at(db)
    city = load_settings().city
    entries = _gazetteer(gazetteer)
    geocoder = _geocoder(entries, city)
    with _progress(json) as progress:
        task = progress.add_task("ingest", total=None)  # rows; a file's count is known once read

        def validated(path: str, rows: int) -> None:
            progress.update(task, description=f"ingest {Path(path).name}", advance=rows)

        report = service.ingest(
            store,
            files,
            now=now_or(now),
            geocoder=geocoder,
            city=city,
            progress=validated,
            policy=load_policy(policy),
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
            f"[red]{Path(path).name}: {rows} of {read} rows quarantined for one reason:[/]"
            f" {reason}. Is it the right profile (`heatmap profile guess {path}`)?"
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


@app.command()
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


@app.command()
def spots(
    db: DbOption = None,
    status: Annotated[str | None, typer.Option(help="Only spots with this status.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or geojson.")] = "table",
) -> None:
    """List spots, highest priority first."""
    from heatmap.render.geo import spot_properties, spots_geojson

    if fmt not in ("table", "json", "geojson"):
        raise UsageError(f"--format must be table, json or geojson, not {fmt!r}")
    frame = store_at(db).load_spots(statuses=[status] if status else None)
    if fmt == "geojson":
        emit_json(spots_geojson(frame))
    elif fmt == "json":
        emit_json({"spots": [spot_properties(r) for r in frame.to_dict(orient="records")]})
    else:
        columns = [
            "id",
            "status",
            "priority",
            "subscribers",
            "excess",
            "trend",
            "complaints",
            "dominant_topic",
            "queue",
            "address",
        ]
        shown = frame.reindex(columns=columns).round({"excess": 1}).astype(object).fillna("")
        out.print(table(f"Spots ({len(frame)})", columns, shown.itertuples(index=False)))


@app.command("map")
def map_(
    out_file: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path("map.html"),
    db: DbOption = None,
    gazetteer: Annotated[
        Path | None,
        typer.Option(
            "--gazetteer",
            envvar="HEATMAP_GAZETTEER",
            help="Draw its houses, street and settlement names under the spots.",
        ),
    ] = None,
    tiles: Annotated[
        str,
        typer.Option(
            "--tiles",
            envvar="HEATMAP_TILES_URL",
            help="A tile server ({z}/{x}/{y}); without one the file needs no internet.",
        ),
    ] = "",
) -> None:
    """Write one self-contained HTML map (opens offline): spots by priority with why each is
    one, complaint hexes, the gazetteer's basemap, a legend."""
    from heatmap.render.map import spot_map

    store = store_at(db)
    spot_map(
        store.load_spots(), store.load_complaints(), gazetteer=_gazetteer(gazetteer), tiles_url=tiles
    ).save(out_file)
    err.print(f"Map written to {out_file}")


@samples_app.command("generate")
def samples_generate(
    n: Annotated[int, typer.Option("--n", min=10, help="Rows to generate.")] = 2500,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    out_file: Annotated[Path, typer.Option("--out", help=".csv, .jsonl or .parquet")] = Path(
        "crm_export.csv"
    ),
    addresses: Annotated[
        Path | None,
        typer.Option(help="Registry CSV (LAT, LON, ADDRESS); default data/samples/vologda_addresses.csv."),
    ] = None,
    now: NowOption = None,
) -> None:
    """Generate a CRM export with planted spots, repeat callers and bad rows."""
    from heatmap.devtools.samples import SAMPLES_NOW, generate_export, read_addresses
    from heatmap.io.writers import write_table

    frame, plants = generate_export(read_addresses(addresses), n=n, seed=seed, now=now or SAMPLES_NOW)
    write_table(frame, out_file, for_spreadsheets=False)  # an export for ingest, as a CRM's
    err.print(f"Wrote {len(frame)} rows with {len(plants)} planted spots to {out_file}")


@gazetteer_app.command("build")
def gazetteer_build(
    sources: Annotated[list[Path], typer.Argument(help="Registry CSVs (LAT, LON, ADDRESS; .gz ok).")],
    out_file: Annotated[Path, typer.Option("--out", help="Gazetteer file to write (.parquet).")],
    cities: Annotated[
        Path | None, typer.Option(help="city.csv with city centres: skip points far from their settlement.")
    ] = None,
    address_column: Annotated[str, typer.Option(help="Column with the address text.")] = "ADDRESS",
    lat_column: Annotated[str, typer.Option(help="Column with latitude.")] = "LAT",
    lon_column: Annotated[str, typer.Option(help="Column with longitude.")] = "LON",
    id_column: Annotated[str | None, typer.Option(help="Column with a house id.")] = "HOUSE_ID",
    sep: Annotated[str, typer.Option(help="Field separator.")] = ",",
    json: JsonOption = False,
) -> None:
    """Build a gazetteer from address registries; unusable rows are counted by reason."""
    from heatmap.geocode import build_gazetteer, save_gazetteer

    entries, skipped = build_gazetteer(
        sources,
        address_column=address_column,
        lat_column=lat_column,
        lon_column=lon_column,
        id_column=id_column,
        sep=sep,
        cities=cities,
    )
    save_gazetteer(entries, out_file)
    if json:
        emit_json({"entries": len(entries), "skipped": skipped})
        return
    out.print(
        table(
            f"Gazetteer {out_file}: {len(entries)} entries",
            ["skipped because", "rows"],
            [(k, v) for k, v in skipped.items() if v],
        )
    )


@app.command()
def geocode(
    db: DbOption = None,
    gazetteer: Annotated[
        Path | None,
        typer.Option("--gazetteer", envvar="HEATMAP_GAZETTEER", help="Gazetteer built by `gazetteer build`."),
    ] = None,
    city: Annotated[
        str | None, typer.Option(envvar="HEATMAP_CITY", help="Settlement for addresses that name none.")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Geocode the stored complaints still waiting for a point."""
    entries = _gazetteer(gazetteer)
    geocoder = _geocoder(entries, city)
    if geocoder is None:
        raise UsageError("no gazetteer: pass --gazetteer PATH or set HEATMAP_GAZETTEER")
    counts = service.geocode_pending(store_at(db), geocoder, city=city, gazetteer_entries=entries)
    if json:
        emit_json(counts)
        return
    out.print(table("Geocoded", ["precision", "complaints"], sorted(counts.items())))


@app.command("geocode-file")
def geocode_file(
    in_file: Annotated[Path, typer.Argument(help="CSV with an address column.")],
    gazetteer: Annotated[Path, typer.Option(envvar="HEATMAP_GAZETTEER", help="Gazetteer file.")],
    out_file: Annotated[Path, typer.Option("--out", help="CSV to write.")],
    column: Annotated[
        str | None, typer.Option(help="Name of the address column (default: the profile's address column).")
    ] = None,
    city: Annotated[
        str | None, typer.Option(envvar="HEATMAP_CITY", help="Settlement for addresses that name none.")
    ] = None,
    profile: ProfileOption = None,
) -> None:
    """Geocode a CSV: rows kept in order with lat, lon, precision, score, matched, reason added
    (reason, in Russian, for answers below house)."""
    from heatmap.geocode.files import geocode_csv
    from heatmap.io.profiles import load_profile

    counts = geocode_csv(
        in_file, column, gazetteer, out_file, city=city, profile=load_profile(profile) if profile else None
    )
    err.print(
        f"Wrote {sum(counts.values())} rows to {out_file}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    )


@app.command("export")
def export_(
    what: Annotated[str, typer.Option("--what", help="complaints, spots or ratings.")],
    fmt: Annotated[str, typer.Option("--format", help="geoparquet, geojson or csv.")],
    out_file: Annotated[Path, typer.Option("--out", help="File to write (replaced atomically).")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Export complaints, spots or ratings for analysts; phone numbers are pseudonymised."""
    from heatmap.io.export import export

    store = store_at(db)
    try:
        result = export(store, what=what, fmt=fmt, out=out_file)
    finally:
        store.close()
    if json:
        emit_json({"what": result.what, "format": result.fmt, "rows": result.rows, "out": str(result.path)})
        return
    err.print(
        f"Wrote {result.rows} {result.what} to {result.path} ({result.fmt}); phone numbers pseudonymised."
    )


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo's files.")] = Path("demo-out"),
) -> None:
    """Run the whole flow on the bundled samples into a fresh SQLite file."""
    from heatmap.devtools.demo import run_demo

    run_demo(out_dir)


def _gazetteer(path: Path | None) -> pd.DataFrame | None:
    """The entries of the gazetteer at ``path`` (None without one)."""
    if path is None:
        return None
    from heatmap.geocode import load_gazetteer

    return load_gazetteer(path)


def _geocoder(entries: pd.DataFrame | None, city: str | None = None) -> service.Geocoder | None:
    if entries is None:
        return None
    from heatmap.geocode import GazetteerGeocoder
    from heatmap.settings import load_settings

    return GazetteerGeocoder(entries, default_city=city or load_settings().city)


class _Quiet:
    def add_task(self, *_a: object, **_k: object) -> int:
        return 0

    def advance(self, *_a: object, **_k: object) -> None:
        return None

    def update(self, *_a: object, **_k: object) -> None:
        return None

    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None


def _progress(quiet: bool) -> _Quiet:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    if quiet or not err.is_terminal:
        return _Quiet()
    return Progress(  # type: ignore[return-value]
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def main() -> None:
    """Entry point: errors of the package become a message and exit code 1 (2 for usage).

    Typer itself reports bad usage (unknown command or option) with exit code 2.
    """
    try:
        app()
    except HeatmapError as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(2 if isinstance(exc, UsageError) else 1)

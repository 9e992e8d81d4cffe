"""``heatmap gazetteer build``, ``heatmap geocode`` and ``heatmap geocode-file``: addresses to points."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from heatmap import service
from heatmap.cli.common import CityOption, DbOption, GazetteerOption, JsonOption, ProfileOption, wired
from heatmap.cli.output import emit_json, err, out, progress_bar, table
from heatmap.errors import UsageError

gazetteer_app = typer.Typer(help="Offline address gazetteer.", no_args_is_help=True)

NO_GAZETTEER = "no gazetteer: pass --gazetteer PATH or set HEATMAP_GAZETTEER"


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


def geocode(
    db: DbOption = None,
    gazetteer: GazetteerOption = None,
    city: CityOption = None,
    json: JsonOption = False,
) -> None:
    """Geocode the stored complaints still waiting for a point."""
    services = wired(db, gazetteer=gazetteer, city=city)
    entries = services.gazetteer_entries()
    geocoder = services.geocoder(entries)
    if geocoder is None:
        raise UsageError(NO_GAZETTEER)
    with progress_bar(json) as progress:
        task = progress.add_task("geocode", total=None)
        counts = service.geocode_pending(
            services.store,
            geocoder,
            city=services.settings.city,
            gazetteer_entries=entries,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if json:
        emit_json(counts)
        return
    if not counts:
        err.print(
            "Geocoded nothing: no complaint is waiting for a point"
            " (ingest with --gazetteer geocodes as it goes)."
        )
        return
    out.print(table("Geocoded", ["precision", "complaints"], sorted(counts.items())))


def geocode_file(
    in_file: Annotated[Path, typer.Argument(help="CSV with an address column.")],
    out_file: Annotated[Path, typer.Option("--out", help="CSV to write.")],
    gazetteer: Annotated[
        Path | None, typer.Option(help="Gazetteer file (default HEATMAP_GAZETTEER; one is needed).")
    ] = None,
    column: Annotated[
        str | None, typer.Option(help="Name of the address column (default: the profile's address column).")
    ] = None,
    city: CityOption = None,
    profile: ProfileOption = None,
) -> None:
    """Geocode a CSV: rows kept in order with lat, lon, precision, score, matched, reason added
    (reason, in Russian, for answers below house)."""
    from heatmap.geocode.files import geocode_csv
    from heatmap.io.profiles import load_profile

    settings = wired(gazetteer=gazetteer, city=city, profile=profile).settings
    if settings.gazetteer is None:
        raise UsageError(NO_GAZETTEER)
    counts = geocode_csv(
        in_file,
        column,
        settings.gazetteer,
        out_file,
        city=settings.city,
        profile=load_profile(settings.profile) if settings.profile else None,
    )
    err.print(
        f"Wrote {sum(counts.values())} rows to {out_file}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
        markup=False,
    )

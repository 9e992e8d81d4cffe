"""``heatmap spots``, ``heatmap map`` and ``heatmap export``: what the store holds, for people."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from heatmap.cli.common import DbOption, JsonOption, store_at, wired
from heatmap.cli.output import emit_json, err, out, table
from heatmap.errors import UsageError


def spots(
    db: DbOption = None,
    status: Annotated[str | None, typer.Option(help="Only spots with this status.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or geojson.")] = "table",
) -> None:
    """List spots, highest priority first (json and geojson also say when detection last
    confirmed each and whether it still takes complaints)."""
    from heatmap.render.geo import spot_properties, spots_geojson

    if fmt not in ("table", "json", "geojson"):
        raise UsageError(f"--format must be table, json or geojson, not {fmt!r}")
    services = wired(db)
    frame = services.store.load_spots(statuses=[status] if status else None)
    now, hours = services.now(None), services.policy.join.active_hours
    if fmt == "geojson":
        emit_json(spots_geojson(frame, now=now, active_hours=hours))
    elif fmt == "json":
        rows = frame.to_dict(orient="records")
        emit_json({"spots": [spot_properties(r, now=now, active_hours=hours) for r in rows]})
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


def map_(
    out_file: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path("map.html"),
    db: DbOption = None,
    gazetteer: Annotated[
        Path | None,
        typer.Option(
            "--gazetteer",
            help="Draw its houses, street and settlement names under the spots (default HEATMAP_GAZETTEER).",
        ),
    ] = None,
    tiles: Annotated[
        str | None,
        typer.Option(
            "--tiles",
            help="A tile server ({z}/{x}/{y}), default HEATMAP_TILES_URL; without one the file needs"
            " no internet.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write one self-contained HTML map (opens offline): spots by priority with why each is
    one, complaint hexes, the gazetteer's basemap, a legend."""
    from heatmap.render.map import spot_map

    services = wired(db, gazetteer=gazetteer)
    store = services.store
    spot_map(
        store.load_spots(),
        store.load_complaints(),
        gazetteer=services.gazetteer_entries(),
        tiles_url=services.settings.api.tiles_url if tiles is None else tiles,
        now=services.now(None),
        active_hours=services.policy.join.active_hours,
    ).save(out_file)
    err.print(f"Map written to {out_file}", markup=False)


def export_(
    what: Annotated[str, typer.Option("--what", help="complaints, spots or ratings.")],
    fmt: Annotated[str, typer.Option("--format", help="geoparquet, geojson or csv.")],
    out_file: Annotated[Path, typer.Option("--out", help="File to write (replaced atomically).")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Export complaints, spots or ratings for analysts; phone and account numbers are pseudonymised."""
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
        f"Wrote {result.rows} {result.what} to {result.path} ({result.fmt});"
        " phone and account numbers pseudonymised.",
        markup=False,
    )

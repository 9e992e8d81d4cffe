"""``heatmap density``: the exposure layers detection's expected counts follow."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from heatmap.cli.common import DbOption, JsonOption, store_at
from heatmap.cli.output import emit_json, err, out, table

if TYPE_CHECKING:
    from heatmap.service.exposure import LayerSummary

density_app = typer.Typer(
    help="Exposure layers: where the people who could complain are (subscriber density, gazetteer houses).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``heatmap density load|show``."""
    app.add_typer(density_app, name="density")


@density_app.command("load")
def load(
    file: Annotated[
        Path, typer.Argument(help="CSV or Parquet with h3_cell, subscribers (any H3 resolution).")
    ],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Store a subscriber density layer; detection then expects complaints where subscribers are."""
    from heatmap.service.exposure import load_subscriber_density, read_density_file

    density = read_density_file(file)
    store = store_at(db)
    try:
        summary = load_subscriber_density(store, density, origin=str(file))
    finally:
        store.close()
    if json:
        emit_json(
            {
                "source": summary.source,
                "cells": summary.cells,
                "subscribers": summary.weight,
                "resolutions": summary.as_dict()["resolutions"],
            }
        )
        return
    err.print(
        f"Loaded {summary.cells} cells with {summary.weight:,.0f} subscribers"
        f" (H3 resolution {_resolutions(summary)}) from {file}.",
        markup=False,
    )


@density_app.command("show")
def show(db: DbOption = None, json: JsonOption = False) -> None:
    """What exposure the store holds, per source (the first one that is not empty is used)."""
    from heatmap.service.exposure import exposure_summary

    store = store_at(db)
    try:
        layers = exposure_summary(store)
    finally:
        store.close()
    if json:
        emit_json({s.source: {k: v for k, v in s.as_dict().items() if k != "source"} for s in layers})
        return
    out.print(
        table(
            "Exposure layers",
            ["source", "cells", "total weight", "resolutions"],
            [(s.source, s.cells, f"{s.weight:g}", _resolutions(s)) for s in layers],
        )
    )


def _resolutions(summary: LayerSummary) -> str:
    return ", ".join(f"{r} ({n} cells)" for r, n in summary.resolutions.items()) or "—"

"""``heatmap network …``: network inputs (sites, alarms, drive-test coverage)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from heatmap.cli.common import DbOption, JsonOption, wired
from heatmap.cli.output import emit_json, err
from heatmap.errors import UsageError

network_app = typer.Typer(help="Network inputs: sites and alarms.", no_args_is_help=True)


@network_app.command("load")
def network_load(
    sites: Annotated[Path | None, typer.Option(help="Sites CSV: site_id, lat, lon, …")] = None,
    alarms: Annotated[Path | None, typer.Option(help="Alarms CSV: site_id, severity, start, …")] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Replace the stored sites and/or alarms with these files."""
    from heatmap.io.network import read_alarms, read_sites

    if sites is None and alarms is None:
        raise UsageError("give --sites and/or --alarms")
    site_frame, site_problems = read_sites(sites) if sites else (None, [])
    alarm_frame, alarm_problems = read_alarms(alarms) if alarms else (None, [])
    wired(db).store.replace_network(sites=site_frame, alarms=alarm_frame)
    summary = {
        "sites": None if site_frame is None else len(site_frame),
        "alarms": None if alarm_frame is None else len(alarm_frame),
        "skipped": len(site_problems) + len(alarm_problems),
    }
    for problem in [*site_problems, *alarm_problems][:20]:
        err.print(f"[yellow]skipped[/] {escape(problem)}")
    if json:
        emit_json(summary)
    else:
        err.print(
            f"Loaded {summary['sites']} sites, {summary['alarms']} alarms"
            f" ({summary['skipped']} rows skipped)."
        )


@network_app.command("sites-from-drive-test")
def sites_from_drive_test(
    trace: Annotated[Path, typer.Argument(help="G-NetTrack Pro CSV or a zip of them.")],
    out_file: Annotated[Path, typer.Option("--out", help="Sites CSV to write.")],
) -> None:
    """Estimate site positions from drive-test traces (strongest-signal centres per node)."""
    from heatmap.core.network import estimate_sites
    from heatmap.io.network import read_drive_test
    from heatmap.io.writers import write_table

    sites = estimate_sites(read_drive_test(trace))
    write_table(sites, out_file)
    err.print(f"Estimated {len(sites)} sites into {out_file}", markup=False)


@network_app.command("coverage-from-drive-test")
def coverage_from_drive_test(
    trace: Annotated[Path, typer.Argument(help="G-NetTrack Pro CSV or a zip of them.")],
    res: Annotated[
        int, typer.Option(min=5, max=12, help="H3 resolution of the cells (9: about 170 m across).")
    ] = 9,
    min_samples: Annotated[int, typer.Option(min=1, help="Leave out cells with fewer fixes.")] = 3,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Store the median signal level (RSRP, RSSI; dBm) and sample count per H3 cell measured
    by drive tests, replacing the stored coverage; the map pages draw it under the spots."""
    from heatmap.core.coverage import coverage_cells
    from heatmap.io.network import read_drive_test

    fixes = read_drive_test(trace)
    layer = coverage_cells(fixes, res=res, min_samples=min_samples)
    wired(db).store.replace_coverage(layer)
    summary = {
        "fixes": len(fixes),
        "cells": len(layer),
        "median_rsrp_dbm": None
        if layer["rsrp_median"].isna().all()
        else float(layer["rsrp_median"].median()),
    }
    if json:
        emit_json(summary)
    else:
        err.print(
            f"Stored coverage of {summary['cells']} cells (H3 res {res}) from"
            f" {summary['fixes']} fixes; median RSRP of the cells"
            f" {summary['median_rsrp_dbm']} dBm."
        )

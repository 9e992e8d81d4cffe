"""Coverage from drive tests: the median signal level and the sample count per H3 cell.

A drive test logs fixes (where the phone was and what it heard). Per cell, the median is
kept rather than the mean: a car parked beside a site, or one dropout, must not move a
cell's level. RSRP (LTE/5G reference signal, dBm) and RSSI (received power, dBm, every
technology) are kept side by side; a level outside what a phone can report is dropped.
"""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd

from heatmap.core.cells import cells_of
from heatmap.errors import UsageError

#: Columns of a coverage layer (one row per H3 cell).
COVERAGE_COLUMNS: tuple[str, ...] = (
    "h3_cell",
    "res",
    "rsrp_median",
    "rsrp_samples",
    "rssi_median",
    "rssi_samples",
)
#: Levels a phone can report (dBm): RSRP per 3GPP TS 36.133 (−156 … −31), RSSI wider.
RSRP_RANGE = (-156.0, -31.0)
RSSI_RANGE = (-125.0, -10.0)
#: Cells of this resolution are about 170 m across: a street block.
DEFAULT_RES = 9


def coverage_cells(fixes: pd.DataFrame, *, res: int = DEFAULT_RES, min_samples: int = 1) -> pd.DataFrame:
    """Per H3 cell of ``res``: the median RSRP and RSSI (dBm) and how many fixes gave each.

    ``fixes`` has ``lat, lon`` and ``rsrp`` and/or ``rssi`` (dBm). A fix without a place, or
    a level outside :data:`RSRP_RANGE` / :data:`RSSI_RANGE`, counts for nothing; a cell
    with fewer than ``min_samples`` usable fixes (with either level) is left out. By cell.
    """
    if not 0 <= res <= 15:
        raise UsageError(f"H3 resolution must be 0 … 15, not {res}")
    if min_samples < 1:
        raise UsageError(f"min_samples must be at least 1, not {min_samples}")
    lat = pd.to_numeric(fixes["lat"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(fixes["lon"], errors="coerce").to_numpy(float)
    placed = (
        np.isfinite(lat)
        & np.isfinite(lon)
        & (np.abs(lat) <= 90)
        & (np.abs(lon) <= 180)
        & ~((lat == 0) & (lon == 0))
    )  # a phone without a fix logs 0, 0
    levels = {
        name: _level(fixes, name, bounds) for name, bounds in (("rsrp", RSRP_RANGE), ("rssi", RSSI_RANGE))
    }
    usable = placed & (np.isfinite(levels["rsrp"]) | np.isfinite(levels["rssi"]))
    if not usable.any():
        return pd.DataFrame(
            {c: pd.Series(dtype=object if c == "h3_cell" else float) for c in COVERAGE_COLUMNS}
        )
    cells = cells_of(lat[usable], lon[usable], res)
    frame = pd.DataFrame({"cell": cells, "rsrp": levels["rsrp"][usable], "rssi": levels["rssi"][usable]})
    grouped = frame.groupby("cell", sort=False)
    out = pd.DataFrame(
        {
            "rsrp_median": grouped["rsrp"].median(),
            "rsrp_samples": grouped["rsrp"].count(),
            "rssi_median": grouped["rssi"].median(),
            "rssi_samples": grouped["rssi"].count(),
        }
    )
    out = out[grouped.size() >= min_samples]
    out = out.assign(h3_cell=[h3.int_to_str(int(c)) for c in out.index], res=res)
    out = out.sort_values("h3_cell").reset_index(drop=True)
    return out.astype(
        {"res": int, "rsrp_samples": int, "rssi_samples": int, "rsrp_median": float, "rssi_median": float}
    ).loc[:, list(COVERAGE_COLUMNS)]


def _level(fixes: pd.DataFrame, name: str, bounds: tuple[float, float]) -> np.ndarray:
    if name not in fixes.columns:
        return np.full(len(fixes), np.nan)
    values = pd.to_numeric(fixes[name], errors="coerce").to_numpy(float)
    inside = (values >= bounds[0]) & (values <= bounds[1])
    return np.where(inside, values, np.nan)


def cells_of_area(geometry: object, centre: tuple[float, float], res: int) -> list[str]:
    """H3 cells of ``res`` whose centres lie in ``geometry`` (a shapely or GeoJSON-like
    polygon); a spot smaller than a cell gets the cell of its ``centre`` (lat, lon)."""
    shape = getattr(geometry, "__geo_interface__", geometry)
    try:
        cells = sorted(h3.geo_to_cells(shape, res))
    except (ValueError, TypeError, h3.H3BaseException):
        cells = []
    return cells or [h3.latlng_to_cell(centre[0], centre[1], res)]


def compare_with_surroundings(
    layer: pd.DataFrame, cells: list[str], *, rings: int = 2, metric: str = "rsrp"
) -> dict[str, float | int | None]:
    """How the median level of ``cells`` compares with the cells around them (``rings`` of
    neighbours at the layer's resolution, the cells themselves excluded): both medians of
    the per-cell medians, their difference (dB) and how many measured cells each had."""
    column = f"{metric}_median"
    levels = layer.dropna(subset=[column]).set_index("h3_cell")[column]
    inside = set(cells)
    around = {n for c in inside for n in h3.grid_disk(c, rings)} - inside
    here = levels.reindex(sorted(inside)).dropna()
    there = levels.reindex(sorted(around)).dropna()
    here_db = float(here.median()) if len(here) else None
    there_db = float(there.median()) if len(there) else None
    return {
        "cells_dbm": here_db,
        "surroundings_dbm": there_db,
        "difference_db": None if here_db is None or there_db is None else here_db - there_db,
        "cells_measured": len(here),
        "surroundings_measured": len(there),
    }

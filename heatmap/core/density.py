"""Reach: how many subscribers a spot affects, beyond those who complained (pure, over frames).

A subscriber-density layer is a table ``h3_cell, subscribers`` at any H3 resolution.
A spot's estimated affected subscribers are the subscribers of the density cells inside
its polygon; ``helped_not_complained = max(0, affected − complainants)`` is what the
operator's "110,000 more clients helped who never complained" counts (DESIGN.md).
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from heatmap.errors import InputError, UsageError

__all__ = ["DENSITY_COLUMNS", "REACH_COLUMNS", "check_density", "reach"]

DENSITY_COLUMNS: tuple[str, ...] = ("h3_cell", "subscribers")
REACH_COLUMNS: tuple[str, ...] = (
    "spot_id",
    "complainants",
    "affected",
    "helped_not_complained",
    "density_cells",
    "short",
)


def check_density(density: pd.DataFrame, *, origin: str = "density") -> pd.DataFrame:
    """``h3_cell`` (hex text; integer ids are converted), ``subscribers`` (≥ 0) and the
    cell's ``res``; repeated cells are summed. Raises :class:`InputError` on bad rows."""
    missing = set(DENSITY_COLUMNS) - set(density.columns)
    if missing:
        raise InputError(f"{origin}: needs columns {list(DENSITY_COLUMNS)}, missing {sorted(missing)}")
    cells = density["h3_cell"]
    if pd.api.types.is_integer_dtype(cells):
        names = pd.Series([h3.int_to_str(int(c)) for c in cells], index=density.index)
    else:
        text = cells.astype(object).where(cells.notna(), "").astype(str).str.strip().str.lower()
        # a uint64 id written in decimal has 18-20 digits; a hex name has 15 characters
        decimal = text.str.fullmatch(r"\d{17,20}")
        names = text.where(~decimal, [_decimal_cell(t) for t in text.where(decimal, "0")])
    valid = np.array([_valid_cell(c) for c in names], dtype=bool)
    subscribers = pd.to_numeric(density["subscribers"], errors="coerce")
    bad = ~valid | subscribers.isna().to_numpy() | (subscribers < 0).to_numpy()
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise InputError(
            f"{origin}: {int(bad.sum())} row(s) with an invalid H3 cell or a missing "
            f"or negative subscriber count (first rows {rows})"
        )
    frame = pd.DataFrame({"h3_cell": names.to_numpy(), "subscribers": subscribers.to_numpy(float)})
    frame = frame.groupby("h3_cell", as_index=False, sort=True)["subscribers"].sum()
    frame["res"] = [h3.get_resolution(c) for c in frame["h3_cell"]]
    return frame


def reach(spots: pd.DataFrame, density: pd.DataFrame, *, how: str = "centre") -> pd.DataFrame:
    """Affected subscribers per non-merged spot (EPSG:4326 polygons) from a density table.

    ``how``: ``centre`` counts the cells whose centre is inside the polygon, ``area``
    weighs each cell by the share of it inside (for layers coarser than the spots).
    Resolutions of a mixed layer are summed separately. Columns :data:`REACH_COLUMNS`;
    ``short`` marks spots whose layer holds fewer subscribers than complained.
    """
    if how not in ("centre", "area"):
        raise UsageError(f"how must be 'centre' or 'area', not {how!r}")
    table = check_density(density)
    by_res = {int(r): g.set_index("h3_cell")["subscribers"] for r, g in table.groupby("res")}
    live = spots[spots["status"] != "merged"] if "status" in spots.columns else spots
    if not isinstance(live, gpd.GeoDataFrame):
        live = gpd.GeoDataFrame(live, geometry="geometry", crs="EPSG:4326")
    if live.crs is not None and not live.crs.equals("EPSG:4326"):
        live = live.to_crs("EPSG:4326")
    ids = live["id"] if "id" in live.columns else pd.Series(live.index, index=live.index)
    rows = []
    for spot_id, shape, complainants in zip(
        ids.tolist(), live.geometry.tolist(), live["subscribers"].tolist(), strict=True
    ):
        affected, counted = 0.0, 0
        if shape is not None and not shape.is_empty:
            for res, layer in by_res.items():
                value, n = (_by_centre if how == "centre" else _by_area)(shape, res, layer)
                affected += value
                counted += n
        rows.append(
            {
                "spot_id": spot_id,
                "complainants": int(complainants),
                "affected": affected,
                "helped_not_complained": max(0.0, affected - int(complainants)),
                "density_cells": counted,
                "short": affected < int(complainants),
            }
        )
    return pd.DataFrame(rows, columns=list(REACH_COLUMNS))


# ---------------------------------------------------------------- internals


def _by_centre(shape: shapely.Geometry, res: int, layer: pd.Series) -> tuple[float, int]:
    cells = [c for c in h3.geo_to_cells(shape, res) if c in layer.index]
    return float(layer.loc[cells].sum()) if cells else 0.0, len(cells)


def _by_area(shape: shapely.Geometry, res: int, layer: pd.Series) -> tuple[float, int]:
    near = set(h3.geo_to_cells(shape, res))
    coords = shapely.get_coordinates(shape.boundary)
    near.update(h3.latlng_to_cell(float(y), float(x), res) for x, y in coords.tolist())
    point = shape.representative_point()
    near.add(h3.latlng_to_cell(point.y, point.x, res))
    around = set()
    for cell in near:
        around.update(h3.grid_disk(cell, 1))
    cells = sorted(c for c in around if c in layer.index)
    if not cells:
        return 0.0, 0
    hexagons = shapely.polygons([[(lng, lat) for lat, lng in h3.cell_to_boundary(c)] for c in cells])
    share = shapely.area(shapely.intersection(hexagons, shape)) / shapely.area(hexagons)
    inside = share > 0
    return float((layer.loc[cells].to_numpy() * share).sum()), int(inside.sum())


def _valid_cell(name: str) -> bool:
    try:
        return bool(h3.is_valid_cell(name))
    except (OverflowError, ValueError, TypeError):
        return False


def _decimal_cell(text: str) -> str:
    value = int(text)
    return h3.int_to_str(value) if 0 < value < 2**64 else ""

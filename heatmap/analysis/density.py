"""Reach: how many subscribers a spot affects, beyond those who complained.

A subscriber-density layer is a table ``h3_cell, subscribers`` at any H3 resolution
(a CSV from network planning, billing or a synthetic stand-in). A spot's estimated
affected subscribers are the subscribers of the density cells inside its polygon;
``helped_not_complained = max(0, affected − complainants)`` is what the operator's
"110,000 more clients helped who never complained" counts (DESIGN.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from heatmap.detect.cells import cell_names, cells_of
from heatmap.errors import InputError, UsageError

if TYPE_CHECKING:
    from heatmap.analysis.loading import FrameSource

__all__ = ["DENSITY_COLUMNS", "check_density", "reach", "read_density", "synthetic_density"]

DENSITY_COLUMNS: tuple[str, ...] = ("h3_cell", "subscribers")
_REACH_COLUMNS = ("spot_id", "complainants", "affected", "helped_not_complained", "density_cells", "short")


def read_density(path: str | Path) -> pd.DataFrame:
    """A density CSV (``h3_cell, subscribers``; extra columns ignored), checked."""
    try:
        frame = pd.read_csv(path, dtype={"h3_cell": str})
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the density CSV: {exc}") from exc
    return check_density(frame, origin=str(path))


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


def reach(spots: FrameSource, density: pd.DataFrame | str | Path, *, how: str = "centre") -> pd.DataFrame:
    """Estimated affected subscribers per spot, and those helped without complaining.

    ``how="centre"`` (default) sums the density cells whose centre falls inside the
    spot polygon (:func:`h3.geo_to_cells`): exact for an H3 spot with density at its own
    or a finer resolution. ``how="area"`` weighs each overlapping cell by the share of
    its area inside the polygon, for density layers coarser than the spots (with
    ``centre`` a spot smaller than a density cell may get nothing).

    A layer mixing resolutions is summed per resolution, so its cells must not
    overlap. Merged spots are left out (their survivor covers them). Columns:
    ``spot_id, complainants`` (the spot's distinct subscribers), ``affected``,
    ``helped_not_complained = max(0, affected − complainants)``, ``density_cells``
    (cells counted) and ``short`` (True where the layer holds fewer subscribers than
    complained: the layer is too thin there). ``spots`` may be a store (URL, SQLite path
    or open store) instead of its spots.
    """
    if not isinstance(spots, pd.DataFrame):
        from heatmap.analysis.loading import spots_from

        spots = spots_from(spots)
    if how not in ("centre", "area"):
        raise UsageError(f"how must be 'centre' or 'area', not {how!r}")
    table = check_density(density) if isinstance(density, pd.DataFrame) else read_density(density)
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
    return pd.DataFrame(rows, columns=list(_REACH_COLUMNS))


def synthetic_density(
    points: FrameSource | None = None,
    *,
    res: int = 10,
    per_point: float = 45.0,
    background: float = 4.0,
    buffer_m: float = 300.0,
    seed: int = 0,
) -> pd.DataFrame:
    """A **synthetic** subscriber-density layer (``h3_cell, subscribers``) for demos and tests.

    Not data: every number is drawn at random. Each point of ``points`` (default: the
    1,500 Vologda houses in ``data/samples/vologda_addresses.csv`` the sample complaints
    were planted on) is a building with Poisson(``per_point``) subscribers of the
    operator; every cell of resolution ``res`` whose centre lies within ``buffer_m`` of
    the points' convex hull adds Poisson(``background``) (private houses, offices,
    passers-by). The defaults put roughly 100,000 subscribers over Vologda — about a
    third of its people, a plausible share for one operator. The frame's
    ``attrs["synthetic"]`` is True. ``points`` may be a store: its complaints' points.
    """
    if points is None:
        from heatmap.devtools.samples import read_addresses

        points = read_addresses()
    elif not isinstance(points, pd.DataFrame):  # a store: its located complaints
        from heatmap.analysis.loading import complaints_from

        points = complaints_from(points)
    lat, lon = _coordinates(points)
    if not len(lat):
        raise UsageError("synthetic_density needs at least one point")
    rng = np.random.default_rng(seed)
    houses = pd.Series(
        rng.poisson(per_point, len(lat)).astype(float), index=cell_names(cells_of(lat, lon, res))
    )
    area = _buffered_hull(lat, lon, buffer_m)
    spread = h3.geo_to_cells(area, res)
    base = pd.Series(rng.poisson(background, len(spread)).astype(float), index=sorted(spread))
    total = pd.concat([houses, base]).groupby(level=0).sum()
    total = total[total > 0]
    frame = pd.DataFrame(
        {"h3_cell": total.index.to_numpy(dtype=object), "subscribers": total.to_numpy().astype("int64")}
    )
    frame.attrs["synthetic"] = True
    frame.attrs["note"] = (
        f"synthetic density: Poisson({per_point:g}) per building + "
        f"Poisson({background:g}) per H3 r{res} cell, seed {seed}"
    )
    return frame


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


def _coordinates(points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes from lat/lon, LAT/LON or point geometry; missing dropped."""
    for lat_name, lon_name in (("lat", "lon"), ("LAT", "LON")):
        if lat_name in points.columns and lon_name in points.columns:
            lat = pd.to_numeric(points[lat_name], errors="coerce").to_numpy(float)
            lon = pd.to_numeric(points[lon_name], errors="coerce").to_numpy(float)
            break
    else:
        if not isinstance(points, gpd.GeoDataFrame):
            raise UsageError("points need lat/lon columns or a point geometry")
        usable = points.geometry.notna() & ~points.geometry.is_empty
        lat = points.geometry.y.where(usable).to_numpy(float)
        lon = points.geometry.x.where(usable).to_numpy(float)
    keep = ~(np.isnan(lat) | np.isnan(lon))
    return lat[keep], lon[keep]


def _buffered_hull(lat: np.ndarray, lon: np.ndarray, buffer_m: float) -> shapely.Geometry:
    """Convex hull of the points grown by ``buffer_m``, in a local metric frame."""
    lat0 = float(lat.mean())
    kx = 111_320.0 * np.cos(np.radians(lat0))
    ky = 110_574.0
    hull = shapely.convex_hull(shapely.multipoints(np.c_[lon * kx, lat * ky])).buffer(buffer_m)
    coords = shapely.get_coordinates(hull)
    coords[:, 0] /= kx
    coords[:, 1] /= ky
    return shapely.set_coordinates(hull, coords)

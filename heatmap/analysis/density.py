"""Reach for analysts: :mod:`heatmap.core.density` over a store, frames or a density CSV.

A subscriber-density layer is a table ``h3_cell, subscribers`` at any H3 resolution
(a CSV from network planning, billing or a synthetic stand-in, :func:`synthetic_density`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from heatmap.core.cells import cell_names, cells_of
from heatmap.core.density import DENSITY_COLUMNS, check_density
from heatmap.core.density import reach as core_reach
from heatmap.errors import UsageError
from heatmap.io.density import read_density

if TYPE_CHECKING:
    from heatmap.analysis.loading import FrameSource

__all__ = ["DENSITY_COLUMNS", "check_density", "reach", "read_density", "synthetic_density"]


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
    or open store) instead of its spots; ``density`` a checked frame or a CSV path.
    """
    if not isinstance(spots, pd.DataFrame):
        from heatmap.analysis.loading import spots_from

        spots = spots_from(spots)
    table = density if isinstance(density, pd.DataFrame) else read_density(density)
    return core_reach(spots, table, how=how)


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

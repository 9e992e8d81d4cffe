"""Exposure: where the people who could complain are, as weighted points.

The expected number of complainants at a place is proportional to its exposure. An
exposure *layer* is a table ``h3_cell, weight`` (hex cell names, any resolution):

* ``subscribers`` — a subscriber density layer (``h3_cell, subscribers``), the best
  source, loaded with ``heatmap density load``;
* ``addresses`` — dwellings per cell from the gazetteer the complaints were geocoded
  with (each registry house weighs its flats where the registry tells, else the median
  house: :mod:`heatmap.geocode.dwellings`), kept in the store by ``ingest``/``geocode
  --gazetteer``;
* none — every populated place weighs the same (see :func:`uniform_points`).

Detection works on *exposure points* (``lat, lon, weight``): each cell's centre with its
weight; a cell coarser than :data:`SPREAD_RES` is spread evenly over its children at
that resolution first, so a coarse layer does not put a whole district on one point.
The points made here also carry ``cell``, the uint64 cell they are the centre of, so
detection can find their coarser cells without locating them again
(:func:`exposure_cells`).
Pure: no I/O, no clock.
"""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd

from heatmap.core.cells import cell_names, cells_of, centres_of, parents_of
from heatmap.errors import InputError

#: Exposure layer sources, best first.
SOURCES: tuple[str, ...] = ("subscribers", "addresses")
#: Columns of an exposure layer and of exposure points.
LAYER_COLUMNS: tuple[str, ...] = ("h3_cell", "weight")
POINT_COLUMNS: tuple[str, ...] = ("lat", "lon", "weight")
#: Resolution houses are counted at (~25 m edge: one cell a building or two).
ADDRESS_RES = 11
#: Cells coarser than this are spread over their children at this resolution (~66 m edge).
SPREAD_RES = 10


def address_layer(
    lat: np.ndarray, lon: np.ndarray, *, weight: np.ndarray | None = None, res: int = ADDRESS_RES
) -> pd.DataFrame:
    """Houses per H3 cell (``h3_cell, weight``) from house coordinates, each house
    weighing ``weight`` (None: 1); NaN rows skipped."""
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    cells = cells_of(lat[ok], lon[ok], res)
    if len(cells) == 0:
        return empty_layer()
    values, at = np.unique(cells, return_inverse=True)
    house = np.ones(len(cells)) if weight is None else np.asarray(weight, dtype=np.float64)[ok]
    summed = np.bincount(at.ravel(), weights=house, minlength=len(values))
    return pd.DataFrame({"h3_cell": cell_names(values), "weight": summed})


def subscriber_layer(density: pd.DataFrame) -> pd.DataFrame:
    """A checked density table (``h3_cell, subscribers``) as an exposure layer."""
    from heatmap.core.density import check_density

    checked = check_density(density, origin="subscriber density")
    return pd.DataFrame(
        {"h3_cell": checked["h3_cell"].astype(str), "weight": checked["subscribers"].astype(float)}
    )


def empty_layer() -> pd.DataFrame:
    return pd.DataFrame({"h3_cell": pd.Series(dtype=object), "weight": pd.Series(dtype=float)})


def layer_points(layer: pd.DataFrame, *, spread_res: int = SPREAD_RES) -> pd.DataFrame:
    """Exposure points (``lat, lon, weight``) of a layer; zero-weight cells dropped."""
    if layer.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in POINT_COLUMNS})
    frame = layer.loc[layer["weight"] > 0, ["h3_cell", "weight"]]
    names = frame["h3_cell"].astype(str).tolist()
    try:
        res = np.array([h3.get_resolution(c) for c in names], dtype=int)
    except (ValueError, h3.H3BaseException) as exc:
        raise InputError(f"exposure layer holds an invalid H3 cell: {exc}") from exc
    weights = frame["weight"].to_numpy(float)
    cells: list[str] = []
    spread: list[float] = []
    for name, r, w in zip(names, res.tolist(), weights.tolist(), strict=True):
        if r >= spread_res:
            cells.append(name)
            spread.append(w)
            continue
        children = h3.cell_to_children(name, spread_res)
        cells.extend(children)
        spread.extend([w / len(children)] * len(children))
    ids = np.array([h3.str_to_int(c) for c in cells], dtype=np.uint64)
    centres = centres_of(ids).reshape(-1, 2)
    return pd.DataFrame(
        {"lat": centres[:, 0], "lon": centres[:, 1], "weight": np.asarray(spread, dtype=float), "cell": ids}
    )


def exposure_cells(points: pd.DataFrame, res: int) -> np.ndarray:
    """The res-``res`` cell (uint64) holding each exposure point, as ``cells_of`` would
    locate it. A point that is the centre of a cell one or two resolutions finer
    (``cell``, as :func:`layer_points` writes) lies in that cell's H3 parent — a child's
    centre 0.65 edges from its parent's, well inside — except a grandchild whose two
    digits are the same direction: its centre falls on the parent's boundary, and about
    half of those lie in a neighbour. Those, and any other point, are located. Over
    40,000 random cells of the globe and 2.4 million along the icosahedron's edges and
    vertices (res 10-12, parents 1 and 2 up), the other centres lay in their parent, at
    least 0.11 edge inside (tests/detect/test_exposure_cells.py checks ~10^5 each run)."""
    lat, lon = points["lat"].to_numpy(float), points["lon"].to_numpy(float)
    if "cell" not in points or not len(points):
        return cells_of(lat, lon, res)
    own = points["cell"].to_numpy(np.uint64)
    own_res = ((own >> _RES_SHIFT) & np.uint64(0xF)).astype(np.int64)
    inside = (own_res == res) | (own_res == res + 1)
    if res + 2 <= 15:
        child, grandchild = _digit(own, res + 1), _digit(own, res + 2)
        inside |= (own_res == res + 2) & ((child != grandchild) | (child == 0))
    out = np.empty(len(own), dtype=np.uint64)
    out[inside] = parents_of(own[inside], res)
    out[~inside] = cells_of(lat[~inside], lon[~inside], res)
    return out


#: H3 index bits 52-55 hold the resolution; digit ``r`` (3 bits) sits ``3 · (15 − r)`` up.
_RES_SHIFT = np.uint64(52)


def _digit(cells: np.ndarray, r: int) -> np.ndarray:
    return (cells >> np.uint64(3 * (15 - r))) & np.uint64(7)


def uniform_points(lat: np.ndarray, lon: np.ndarray, *, res: int = SPREAD_RES) -> pd.DataFrame:
    """Exposure when nothing is known: every cell (at ``res``) that holds a complaint of the
    history, and its neighbours, weighs 1 — uniform over the populated area."""
    from heatmap.detect.h3 import grid_disks

    populated = grid_disks(np.unique(cells_of(np.asarray(lat, float), np.asarray(lon, float), res)), 1)
    centres = centres_of(populated)
    return pd.DataFrame(
        {"lat": centres[:, 0], "lon": centres[:, 1], "weight": np.ones(len(populated)), "cell": populated}
    )

"""An address for a spot whose complaints gave none: the gazetteer's house nearest its centre.

Complaints that came with coordinates only (precision ``point``) leave a spot without
an address; the house nearest the spot's centre, within :data:`NEAREST_HOUSE_M`, names
the place instead, marked with :data:`NEAREST_HOUSE_MARK` so nobody reads it as the
complainants' own address. Pure: frames in, frames out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatmap.detect.kdtree import kd_tree
from heatmap.detect.neighbours import EARTH_RADIUS_M, _unit_vectors

#: How far from a spot's centre its nearest house may be and still name it.
NEAREST_HOUSE_M = 150.0
#: Said after an address found this way (user-facing text).
NEAREST_HOUSE_MARK = " (ближайший дом)"


def nearest_addresses(
    lat: np.ndarray,
    lon: np.ndarray,
    houses: pd.DataFrame,
    *,
    reach_m: float = NEAREST_HOUSE_M,
) -> np.ndarray:
    """The address of the house (``houses``: lat, lon, address) nearest each point
    within ``reach_m`` metres, None where no house is that close or the point has no
    coordinates."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    found = np.full(len(lat), None, dtype=object)
    usable = houses[np.isfinite(houses["lat"].to_numpy(float)) & np.isfinite(houses["lon"].to_numpy(float))]
    placed = np.isfinite(lat) & np.isfinite(lon)
    if usable.empty or not placed.any():
        return found
    tree = kd_tree()(_unit_vectors(usable["lat"].to_numpy(float), usable["lon"].to_numpy(float)))
    chord = 2.0 * np.sin(reach_m / (2.0 * EARTH_RADIUS_M))
    distance, index = tree.query(_unit_vectors(lat[placed], lon[placed]), k=1, distance_upper_bound=chord)
    near = np.isfinite(distance)
    addresses = usable["address"].to_numpy(object)
    hits = np.flatnonzero(placed)[near]
    found[hits] = addresses[index[near]]
    return found


def house_addresses(entries: pd.DataFrame) -> pd.DataFrame:
    """``lat, lon, address`` of gazetteer entries that are houses with an address (not a
    point several houses share)."""
    houses = entries[entries["point_precision"] == "house"]
    named = houses["address"].notna() & (houses["address"].astype(str).str.strip() != "")
    return houses.loc[named, ["lat", "lon", "address"]].reset_index(drop=True)


def without_address(spots: pd.DataFrame) -> pd.Series:
    """Whether each spot's address is missing or blank."""
    address = spots["address"]
    return address.isna() | (address.astype(str).str.strip() == "")


def with_nearest_addresses(
    spots: pd.DataFrame, entries: pd.DataFrame, *, reach_m: float = NEAREST_HOUSE_M
) -> pd.DataFrame:
    """``spots`` (centroid_lat, centroid_lon, address) where a spot without an address
    gets that of the gazetteer house (``entries``) nearest its centre within ``reach_m``,
    marked :data:`NEAREST_HOUSE_MARK`; the others are unchanged."""
    missing = without_address(spots)
    if not missing.any():
        return spots
    lacking = spots[missing]
    found = nearest_addresses(
        lacking["centroid_lat"].to_numpy(float),
        lacking["centroid_lon"].to_numpy(float),
        house_addresses(entries),
        reach_m=reach_m,
    )
    address = spots["address"].to_numpy(object).copy()
    named = np.flatnonzero(missing.to_numpy())[[a is not None for a in found]]
    address[named] = [f"{a}{NEAREST_HOUSE_MARK}" for a in found if a is not None]
    out = spots.copy()
    out["address"] = address
    return out

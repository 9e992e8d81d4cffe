"""An address for a spot whose complaints gave none: the gazetteer's house nearest its centre.

Complaints that came with coordinates only (precision ``point``) leave a spot without
an address; the house nearest the spot's centre, within :data:`NEAREST_HOUSE_M`, names
the place instead, marked with :data:`NEAREST_HOUSE_MARK` so nobody reads it as the
complainants' own address. Where no house with a point of its own is that close, a
point that several houses share (the registry put a whole street or village on one
point; ``point_precision`` ``street`` or ``settlement``) names the street or the
settlement instead, within :data:`SHARED_POINT_M`, marked :data:`SHARED_POINT_MARK`.
Pure: frames in, frames out.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

from heatmap.core.text import has_word
from heatmap.detect.kdtree import kd_tree
from heatmap.detect.neighbours import EARTH_RADIUS_M, _unit_vectors

#: How far from a spot's centre its nearest house may be and still name it.
NEAREST_HOUSE_M = 150.0
#: Said after an address found this way (user-facing text).
NEAREST_HOUSE_MARK = " (ближайший дом)"
#: How far a point several houses share may be and still name a spot, by what it names:
#: it stands for houses around it, so it names a wider place than one house does.
SHARED_POINT_M: dict[str, float] = {"street": 300.0, "settlement": 1000.0}
#: Said after the street or settlement such a point names (user-facing text).
SHARED_POINT_MARK: dict[str, str] = {
    "street": " (ближайшая улица)",
    "settlement": " (ближайший населённый пункт)",
}


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
    found = np.full(len(lat), None, dtype=object)
    usable = houses[np.isfinite(houses["lat"].to_numpy(float)) & np.isfinite(houses["lon"].to_numpy(float))]
    index = _nearest(lat, lon, usable["lat"].to_numpy(float), usable["lon"].to_numpy(float), reach_m)
    hits = index >= 0
    found[hits] = usable["address"].to_numpy(object)[index[hits]]
    return found


def _nearest(
    lat: np.ndarray, lon: np.ndarray, to_lat: np.ndarray, to_lon: np.ndarray, reach_m: float
) -> np.ndarray:
    """For each point (``lat``, ``lon``), the position of the nearest of the finite points
    (``to_lat``, ``to_lon``) within ``reach_m`` metres, -1 where none is or it has no
    coordinates."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    found = np.full(len(lat), -1, dtype=np.int64)
    placed = np.isfinite(lat) & np.isfinite(lon)
    if not len(to_lat) or not placed.any():
        return found
    tree = kd_tree()(_unit_vectors(to_lat, to_lon))
    chord = 2.0 * np.sin(reach_m / (2.0 * EARTH_RADIUS_M))
    distance, index = tree.query(_unit_vectors(lat[placed], lon[placed]), k=1, distance_upper_bound=chord)
    near = np.isfinite(distance)
    found[np.flatnonzero(placed)[near]] = index[near]
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


def shared_point_names(lat: np.ndarray, lon: np.ndarray, entries: pd.DataFrame, precision: str) -> np.ndarray:
    """The street (``precision`` "street") or settlement ("settlement") that the gazetteer
    point of that precision nearest each point names, within :data:`SHARED_POINT_M`, as
    the registry writes it ("обл. Псковская, р-н. Дновский, д. Искра"); None where no
    such point is that close."""
    found = np.full(len(lat), None, dtype=object)
    shared = entries[
        (entries["point_precision"] == precision)
        & np.isfinite(entries["lat"].to_numpy(float))
        & np.isfinite(entries["lon"].to_numpy(float))
        & entries["address"].notna()
    ]
    point = shared.groupby(["lat", "lon"], sort=False).ngroup().to_numpy()
    first = np.unique(point, return_index=True)[1]
    at = shared[["lat", "lon"]].to_numpy(float)[first]
    index = _nearest(lat, lon, at[:, 0], at[:, 1], SHARED_POINT_M[precision])
    for hit in np.unique(index[index >= 0]):
        found[index == hit] = _place_name(shared.iloc[np.flatnonzero(point == hit)], precision)
    return found


def _place_name(houses: pd.DataFrame, precision: str) -> str:
    """The name the addresses of ``houses`` (all on one shared point) give most often to
    their street or settlement."""
    names = Counter(
        _named_in(str(row.address), row.street, row.settlement, precision)
        for row in houses.reindex(columns=["address", "street", "settlement"]).itertuples()
    )
    return names.most_common(1)[0][0]


_SEPARATOR = re.compile(r"\s*,\s*")


def _named_in(address: str, street: object, settlement: object, precision: str) -> str:
    """``address`` up to the part that names its street (looked for from the end) or its
    settlement (from the start): "…, д. Искра, ул. Зиновьева, д. 14" gives "…, д. Искра,
    ул. Зиновьева" or "…, д. Искра". Without such a part, the address less its last part
    (the house)."""
    parts = _SEPARATOR.split(address.strip(" ,"))
    key = street if precision == "street" and _text(street) else settlement
    wanted = _text(key).lower().replace("ё", "е")
    order = range(len(parts) - 1, -1, -1) if precision == "street" else range(len(parts))
    for i in order if wanted else ():
        if has_word(parts[i].lower().replace("ё", "е"), wanted):
            return ", ".join(parts[: i + 1])
    return ", ".join(parts[:-1]) if len(parts) > 1 else address


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def with_nearest_addresses(
    spots: pd.DataFrame, entries: pd.DataFrame, *, reach_m: float = NEAREST_HOUSE_M
) -> pd.DataFrame:
    """``spots`` (centroid_lat, centroid_lon, address) where a spot without an address
    gets that of the gazetteer house (``entries``) nearest its centre within ``reach_m``,
    marked :data:`NEAREST_HOUSE_MARK`; with no house that close, the street or else the
    settlement of the nearest shared point within :data:`SHARED_POINT_M`, marked
    :data:`SHARED_POINT_MARK`. The others are unchanged."""
    missing = without_address(spots)
    if not missing.any():
        return spots
    lacking = spots[missing]
    lat = lacking["centroid_lat"].to_numpy(float)
    lon = lacking["centroid_lon"].to_numpy(float)
    found = nearest_addresses(lat, lon, house_addresses(entries), reach_m=reach_m)
    named = np.array([None if a is None else f"{a}{NEAREST_HOUSE_MARK}" for a in found], dtype=object)
    for precision, mark in SHARED_POINT_MARK.items():
        unnamed = np.flatnonzero([n is None for n in named])
        if not len(unnamed):
            break
        places = shared_point_names(lat[unnamed], lon[unnamed], entries, precision)
        named[unnamed] = [None if p is None else f"{p}{mark}" for p in places]
    address = spots["address"].to_numpy(object).copy()
    rows = np.flatnonzero(missing.to_numpy())
    given = np.array([n is not None for n in named], dtype=bool)
    address[rows[given]] = named[given]
    out = spots.copy()
    out["address"] = address
    return out

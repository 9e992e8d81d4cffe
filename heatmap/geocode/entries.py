"""The gazetteer's columns and the distances used to judge points (no pandas; numpy only
for the vectorised one, imported when it is called: the matcher needs none)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: Columns of a gazetteer frame, in order.
ENTRY_COLUMNS: tuple[str, ...] = (
    "region",  # region key ("вологодская", "санкт петербург")
    "district",  # district name or None
    "settlement_type",  # type of the innermost settlement ("г", "д", …) or None
    "settlement",  # innermost settlement key ("колпино")
    "locality",  # unique settlement id: "region|outer/inner" keys
    "street_type",  # canonical street type or None
    "street",  # street name as written, lower case ("" when the village has no streets)
    "house",  # house key ("12а к1")
    "lat",
    "lon",
    "address",  # canonical (cleaned source) address
    "source_id",  # id in the source registry, or None
    "key",  # full normalised key
    "street_key",
    "street_loose_key",
    "house_loose_key",
    "house_base",
    "point_precision",  # "house", or "street"/"settlement" when the point is shared
    "dwellings",  # flats the house holds (NaN: unknown), :mod:`heatmap.geocode.dwellings`
)
#: Columns a gazetteer written before they existed may lack (read as unknown).
OPTIONAL_COLUMNS: tuple[str, ...] = ("dwellings",)

#: The columns the matcher reads (the others are for people and other commands).
INDEX_COLUMNS: tuple[str, ...] = (
    "locality",
    "region",
    "street_type",
    "street",
    "street_key",
    "house",
    "house_loose_key",
    "house_base",
    "point_precision",
    "lat",
    "lon",
    "address",
)

_EARTH_RADIUS_KM = 6371.0088


def haversine_km(
    lat1: np.ndarray | float,
    lon1: np.ndarray | float,
    lat2: np.ndarray | float,
    lon2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance in km (vectorised)."""
    import numpy as np

    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points (the formula of :func:`haversine_km`)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(min(max(a, 0.0), 1.0)))

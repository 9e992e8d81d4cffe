"""Which open known issue a registration repeats, so that registering it twice (a retried
command, a second engineer told of the same works) makes one spot, not two.

A registration repeats a known issue when that one is still open and has

- the same area: the same polygon to within ``AREA_TOLERANCE_DEG`` (about a metre) on every
  vertex, after both are normalised (vertex order and starting point do not matter);
- the same cause;
- the same ETA: both none, or the same moment (the spot's current ETA, as agents see it).

Who registers it, when, and the address or note given do not make it another issue. A known
issue that is closed (resolved, rejected) is history: the same works again are a new spot.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import shapely

from heatmap.domain import OPEN_STATUSES

#: Vertices this close (degrees: ~1 m) are the same place; the stores keep 1e-7 (~1 cm).
AREA_TOLERANCE_DEG = 1e-5


def repeated_known_issue(
    spots: pd.DataFrame, *, area: shapely.Geometry, cause: str, eta: datetime | None
) -> str | None:
    """The id of the open known issue among ``spots`` that this registration repeats (the
    oldest, should there be several), or None."""
    if spots.empty:
        return None
    candidates = spots[
        (spots["kind"] == "known_issue") & spots["status"].isin(OPEN_STATUSES) & (spots["cause"] == cause)
    ]
    stored_eta = pd.to_datetime(candidates["eta"], utc=True)
    if eta is None:
        candidates = candidates[stored_eta.isna()]
    else:
        candidates = candidates[stored_eta == pd.to_datetime([eta], utc=True)[0]]
    wanted = shapely.normalize(area)
    same = np.array([_same_area(shape, wanted) for shape in candidates["geometry"]], dtype=bool)
    found = candidates[same].sort_values(["created_at", "id"])
    return None if found.empty else str(found["id"].iloc[0])


def _same_area(stored: object, wanted: shapely.Geometry) -> bool:
    """Whether a stored spot's geometry is ``wanted`` (normalised) to the tolerance."""
    if not isinstance(stored, shapely.Geometry):
        return False
    return bool(shapely.equals_exact(shapely.normalize(stored), wanted, tolerance=AREA_TOLERANCE_DEG))

"""The columns frames have at the storage seam, and the conversions both stores share.

Frames cross the seam, never SQL: these tuples are the contract. A store returns
exactly these columns (in this order, with these dtypes) whatever its engine. Spots and
events have the columns of :mod:`heatmap.domain.columns` (``geometry`` shapely polygons,
``breakdown`` a dict).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatmap.domain.columns import COMPLAINT_COLUMNS, EVENT_COLUMNS, SPOT_COLUMNS

#: Columns a store returns for complaints (the ingest columns plus geocoding and spot).
STORED_COMPLAINT_COLUMNS: tuple[str, ...] = (
    *COMPLAINT_COLUMNS,
    "precision",
    "geo_score",
    "matched_address",
    "geo_reason",
    "spot_id",
    "ingested_at",
    "updated_at",
)

#: Columns of a spot's members tallied (:meth:`heatmap.store.ComplaintStore.load_member_tallies`):
#: one row per spot, subscriber, segment and topic, with how many complaints, the first and
#: last made, and the highest LTV (0 when none).
MEMBER_TALLY_COLUMNS: tuple[str, ...] = (
    "spot_id",
    "subscriber_id",
    "segment",
    "topic",
    "complaints",
    "first_at",
    "last_at",
    "ltv",
)

#: Spot columns of schema 7 (why a spot is one: weighted distinct complainants observed,
#: expected there, excess, relative risk, p-value, and the scan window in days they were
#: counted in) as floats; NULL on older spots.
SPOT_MEASURES: tuple[str, ...] = ("observed", "expected", "excess", "relative_risk", "p_value", "scan_days")
#: Trend labels of a spot against its own history (or None).
SPOT_TRENDS: tuple[str, ...] = ("new", "intensifying", "persistent", "diminishing")
#: The schema that added :data:`SPOT_MEASURES` and ``trend`` to spots.
SPOT_MEASURES_SCHEMA = 7
#: The schema that added ``found_at`` to spots: when detection last found the spot's place
#: in excess (joins take complaints only for a while after it, ``policy.join.active_hours``).
FOUND_AT_SCHEMA = 10
#: Spot columns added after the first schema, each with the schema that added it.
_LATER_SPOT_COLUMNS: dict[str, int] = {
    **dict.fromkeys((*SPOT_MEASURES, "trend"), SPOT_MEASURES_SCHEMA),
    "found_at": FOUND_AT_SCHEMA,
}


def spot_columns_at(version: int) -> tuple[str, ...]:
    """The :data:`SPOT_COLUMNS` a store at schema ``version`` has: a store not yet upgraded
    reads the later columns as NULL and does not write them."""
    return tuple(c for c in SPOT_COLUMNS if _LATER_SPOT_COLUMNS.get(c, 0) <= version)


def spots_to_store(spots: pd.DataFrame) -> pd.DataFrame:
    """The :data:`SPOT_COLUMNS` of a spots frame to write; later columns it lacks
    (:data:`SPOT_MEASURES`, ``trend``, ``found_at``) are stored as NULL."""
    lacking = [c for c in _LATER_SPOT_COLUMNS if c not in spots.columns]
    frame = spots.assign(**dict.fromkeys(lacking)).loc[:, list(SPOT_COLUMNS)].copy()
    return typed_spot_measures(frame)


def typed_spot_measures(frame: pd.DataFrame) -> pd.DataFrame:
    """Spots with :data:`SPOT_COLUMNS` in order, :data:`SPOT_MEASURES` as floats (NaN for NULL),
    ``trend`` text or None, ``found_at`` UTC (NaT for NULL; columns an older store lacks are
    added so)."""
    frame = frame.reindex(columns=list(SPOT_COLUMNS))
    for name in SPOT_MEASURES:  # floats already (most frames): nothing to convert
        if frame[name].dtype != np.float64:
            frame[name] = pd.to_numeric(frame[name]).astype(float)
    frame["trend"] = frame["trend"].astype(object).where(frame["trend"].notna(), None)
    found = frame["found_at"]
    if not (isinstance(found.dtype, pd.DatetimeTZDtype) and str(found.dtype.tz) == "UTC"):
        frame["found_at"] = pd.to_datetime(found, utc=True)
    return frame


#: Columns of a recorded complaint change (old values stay in the store, not here); ``kind`` is
#: inserted or updated, ``actor`` the API key's name (None for the CRM import), ``source``
#: the ingest's (a file, or ``api:<key id>``).
CHANGE_COLUMNS: tuple[str, ...] = ("ticket_id", "at", "kind", "actor", "source", "old_hash", "new_hash")
#: The schema that records who changed a complaint (:data:`CHANGE_COLUMNS`).
CHANGES_SCHEMA = 8


__all__ = [
    "CHANGES_SCHEMA",
    "CHANGE_COLUMNS",
    "EVENT_COLUMNS",
    "FOUND_AT_SCHEMA",
    "MEMBER_TALLY_COLUMNS",
    "SPOT_COLUMNS",
    "SPOT_MEASURES",
    "SPOT_MEASURES_SCHEMA",
    "SPOT_TRENDS",
    "STORED_COMPLAINT_COLUMNS",
    "spot_columns_at",
    "spots_to_store",
    "typed_spot_measures",
]

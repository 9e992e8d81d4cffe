"""The analyst's API: plain functions over (Geo)DataFrames, for notebooks and scripts.

Loading (``db`` is a store URL, a path to a SQLite file, an open
:class:`~heatmap.store.Store`, or ``None`` for ``HEATMAP_DB`` / ``sqlite:///heatmap.db``)::

    complaints = load_complaints()            # points, EPSG:4326, no phone numbers
    spots = load_spots(status="queued")       # polygons, EPSG:4326
    ratings = load_ratings()                  # clients' ratings of resolved spots
    events = load_events()                    # lineage and lifecycle transitions

Detection without writing anything, and its tuning::

    found = run_detection(complaints, method="dbscan", eps_m=300)
    table = compare_methods(complaints, settings=[{"h3_res": r} for r in (8, 9, 10)])
    labels = labellings(complaints, settings=[...]); ari_matrix(labels)
    spot_changes(labels["h3 r8"], labels["h3 r9"])

Maps, reach and outcomes::

    explore(spots)                            # folium.Map, coloured by priority
    reach(spots, read_density("density.csv")) # affected subscribers per spot
    kpis(outcomes(spots, events))             # solved in a day, time to fix, reopen rate

Nothing here writes to the store; :func:`heatmap.io.export.export` writes files.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime

import geopandas as gpd
import pandas as pd

from heatmap.analysis_detect import (
    Setting,
    ari_matrix,
    compare_methods,
    label_complaints,
    labellings,
    run_detection,
    spot_changes,
)
from heatmap.analysis_map import explore
from heatmap.analysis_outcomes import kpis, outcomes
from heatmap.analysis_reach import reach, read_density, synthetic_density
from heatmap.io.export import RATING_COLUMNS, complaints_gdf, ratings_gdf, spots_gdf
from heatmap.settings import load_settings
from heatmap.store import Store, open_store

__all__ = [
    "RATING_COLUMNS",
    "Setting",
    "StoreLike",
    "ari_matrix",
    "compare_methods",
    "explore",
    "kpis",
    "label_complaints",
    "labellings",
    "load_complaints",
    "load_events",
    "load_ratings",
    "load_spots",
    "outcomes",
    "reach",
    "read_density",
    "run_detection",
    "spot_changes",
    "synthetic_density",
]

#: What ``db`` may be: a URL, a SQLite file path, an open store, or None (settings).
StoreLike = str | os.PathLike[str] | Store | None


def load_complaints(db: StoreLike = None, *, since: datetime | str | None = None) -> gpd.GeoDataFrame:
    """Every stored complaint as a point GeoDataFrame in EPSG:4326.

    Unlocated complaints (address not geocoded) are **kept**, with a missing
    geometry (``gdf.geometry.isna()``); ``lat``/``lon`` stay as columns. Phone
    numbers never reach the frame: ``msisdn`` is replaced by ``msisdn_hash`` (a keyed
    pseudonym with the store's key) and numbers typed into free text are masked.
    ``created_at`` is tz-aware UTC; ``since`` keeps complaints created at or after it.
    """
    with _opened(db) as store:
        return complaints_gdf(store, key=store.secret(), since=_utc(since))


def load_spots(db: StoreLike = None, *, status: str | Collection[str] | None = None) -> gpd.GeoDataFrame:
    """Stored spots (all, or those with ``status``) as polygons in EPSG:4326,
    highest priority first, with their priority ``breakdown`` as a dict."""
    with _opened(db) as store:
        return spots_gdf(store, status=status)


def load_ratings(db: StoreLike = None) -> gpd.GeoDataFrame:
    """Client ratings of resolved spots: ``spot_id, subscriber_id, rating (1–5), comment,
    at`` and the spot's centroid as geometry (EPSG:4326).

    Ratings arrive through the SMS close-out (a reply to ``heatmap notify``'s message or
    the signed rating link); comments are stored already filtered. A store without
    ratings gives an empty frame with exactly these columns.
    """
    with _opened(db) as store:
        return ratings_gdf(store)


def load_events(db: StoreLike = None, *, spot_id: str | None = None) -> pd.DataFrame:
    """Spot events (lineage from detection and lifecycle transitions), oldest first."""
    with _opened(db) as store:
        return store.load_events(spot_id)


@contextmanager
def _opened(db: StoreLike) -> Iterator[Store]:
    """The store ``db`` names, closed afterwards if this function opened it."""
    if db is not None and not isinstance(db, str | os.PathLike):
        yield db
        return
    if db is None:
        url = load_settings().db
    elif isinstance(db, os.PathLike) or ("://" not in db and not db.startswith("sqlite:")):
        url = f"sqlite:///{os.fspath(db)}"
    else:
        url = db
    store = open_store(url)
    try:
        yield store
    finally:
        store.close()


def _utc(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()

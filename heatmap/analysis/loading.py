"""Where the analyst's frames come from: a store named by URL, SQLite path or object.

The loaders live here so that every analysis function can take a store wherever a
frame of that store would do (``outcomes(db_url)``, ``run_detection("heatmap.db")``):
:func:`complaints_from`, :func:`spots_from` and :func:`events_from` give the frame
unchanged, or load it.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TypeAlias

import geopandas as gpd
import pandas as pd

from heatmap import wiring
from heatmap.io.export import complaints_gdf, ratings_gdf, spots_gdf
from heatmap.store import Store

__all__ = [
    "FrameSource",
    "StoreLike",
    "complaints_from",
    "events_from",
    "load_complaints",
    "load_events",
    "load_ratings",
    "load_spots",
    "opened",
    "spots_from",
]

#: What ``db`` may be: a URL, a SQLite file path, an open store, or None (settings).
StoreLike: TypeAlias = str | os.PathLike[str] | Store | None
#: A frame, or the store to load it from (a URL, a SQLite file path or an open store).
FrameSource: TypeAlias = pd.DataFrame | str | os.PathLike[str] | Store


def load_complaints(db: StoreLike = None, *, since: datetime | str | None = None) -> gpd.GeoDataFrame:
    """Every stored complaint as a point GeoDataFrame in EPSG:4326.

    Unlocated complaints (address not geocoded) are **kept**, with a missing
    geometry (``gdf.geometry.isna()``); ``lat``/``lon`` stay as columns. Phone
    numbers never reach the frame: ``msisdn`` is replaced by ``msisdn_hash`` (a keyed
    pseudonym with the store's key), a ``subscriber_id`` the CRM gave (an account or
    phone number) by its pseudonym under the same key, and numbers typed into free text
    are masked.
    ``created_at`` is tz-aware UTC; ``since`` keeps complaints created at or after it.
    """
    with opened(db) as store:
        return complaints_gdf(store, key=store.secret(), since=_utc(since))


def load_spots(db: StoreLike = None, *, status: str | Collection[str] | None = None) -> gpd.GeoDataFrame:
    """Stored spots (all, or those with ``status``) as polygons in EPSG:4326,
    highest priority first, with their priority ``breakdown`` as a dict."""
    with opened(db) as store:
        return spots_gdf(store, status=status)


def load_ratings(db: StoreLike = None) -> gpd.GeoDataFrame:
    """Client ratings of resolved spots: ``spot_id, subscriber_id, rating (1–5), comment,
    at`` and the spot's centroid as geometry (EPSG:4326).

    Ratings arrive through the SMS close-out (a reply to ``heatmap notify``'s message or
    the signed rating link); comments are stored already filtered. ``subscriber_id`` is a
    keyed pseudonym with the store's key, the same as in :func:`load_complaints` (an
    account or phone number the CRM gave as the id never reaches the frame). A store
    without ratings gives an empty frame with exactly these columns.
    """
    with opened(db) as store:
        return ratings_gdf(store, key=store.secret())


def load_events(db: StoreLike = None, *, spot_id: str | None = None) -> pd.DataFrame:
    """Spot events (lineage from detection and lifecycle transitions), oldest first."""
    with opened(db) as store:
        return store.load_events(spot_id)


def complaints_from(source: FrameSource) -> pd.DataFrame:
    """``source`` if it is a frame, else the complaints of the store it names."""
    return source if isinstance(source, pd.DataFrame) else load_complaints(source)


def spots_from(source: FrameSource) -> pd.DataFrame:
    """``source`` if it is a frame, else the spots of the store it names."""
    return source if isinstance(source, pd.DataFrame) else load_spots(source)


def events_from(source: FrameSource) -> pd.DataFrame:
    """``source`` if it is a frame, else the spot events of the store it names."""
    return source if isinstance(source, pd.DataFrame) else load_events(source)


@contextmanager
def opened(db: StoreLike) -> Iterator[Store]:
    """The store ``db`` names, closed afterwards if this function opened it."""
    if db is not None and not isinstance(db, str | os.PathLike):
        yield db
        return
    url: str | None = None  # None: HEATMAP_DB, else the default
    if isinstance(db, os.PathLike) or (db is not None and "://" not in db and not db.startswith("sqlite:")):
        url = f"sqlite:///{os.fspath(db)}"
    elif db is not None:
        url = db
    store = wiring.services(db=url).open_store()  # keyed by HEATMAP_SECRET_KEY when set
    try:
        yield store
    finally:
        store.close()


def _utc(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    moment: datetime = stamp.to_pydatetime()
    return moment

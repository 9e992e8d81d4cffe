"""Spots and complaints as GeoDataFrames and RFC 7946 GeoJSON."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pandas as pd

#: Spot properties exported with each feature.
SPOT_PROPERTIES: tuple[str, ...] = (
    "id", "status", "subscribers", "complaints", "priority", "queue", "dominant_topic",
    "region", "address", "first_complaint_at", "last_complaint_at", "due_at", "eta", "cause",
    "engineer", "merged_into", "breakdown", "centroid_lat", "centroid_lon",
)


def spots_frame(spots: pd.DataFrame) -> gpd.GeoDataFrame:
    """Stored spots as a GeoDataFrame in WGS 84."""
    return gpd.GeoDataFrame(spots.copy(), geometry="geometry", crs="EPSG:4326")


def complaints_frame(complaints: pd.DataFrame) -> gpd.GeoDataFrame:
    """Located complaints as a point GeoDataFrame in WGS 84 (unlocated rows dropped)."""
    located = complaints[complaints["lat"].notna()].copy()
    geometry = gpd.points_from_xy(located["lon"], located["lat"], crs="EPSG:4326")
    return gpd.GeoDataFrame(located, geometry=geometry, crs="EPSG:4326")


def spots_geojson(spots: pd.DataFrame) -> dict[str, Any]:
    """A FeatureCollection (lon, lat order) with :data:`SPOT_PROPERTIES`."""
    features = []
    for row in spots.to_dict(orient="records"):
        properties = {name: _plain(row.get(name)) for name in SPOT_PROPERTIES}
        features.append(
            {"type": "Feature", "id": row["id"],
             "geometry": row["geometry"].__geo_interface__, "properties": properties}
        )
    return {"type": "FeatureCollection", "features": features}


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=_plain)


def _plain(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is pd.NaT:
        return None
    return value

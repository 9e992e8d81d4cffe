"""Spots and complaints as GeoDataFrames and RFC 7946 GeoJSON."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from heatmap.render.evidence import EVIDENCE_COLUMNS, evidence, evidence_text
from heatmap.render.intake import intake_fields

#: Spot properties exported with each feature (the evidence is None where detection
#: gave none), followed by ``evidence_text``: why the spot is one, in Russian; given a
#: moment and the join's ``active_hours``, also :data:`~heatmap.render.intake.INTAKE_FIELDS`
#: (when detection last confirmed the spot and whether it still takes complaints).
SPOT_PROPERTIES: tuple[str, ...] = (
    "id",
    "status",
    "subscribers",
    "complaints",
    "priority",
    "queue",
    "dominant_topic",
    "region",
    "address",
    "first_complaint_at",
    "last_complaint_at",
    "found_at",
    "due_at",
    "eta",
    "cause",
    "engineer",
    "merged_into",
    "breakdown",
    "centroid_lat",
    "centroid_lon",
    *EVIDENCE_COLUMNS,
)


def spots_frame(spots: pd.DataFrame) -> gpd.GeoDataFrame:
    """Stored spots as a GeoDataFrame in WGS 84."""
    return gpd.GeoDataFrame(spots.copy(), geometry="geometry", crs="EPSG:4326")


def complaints_frame(complaints: pd.DataFrame) -> gpd.GeoDataFrame:
    """Located complaints as a point GeoDataFrame in WGS 84 (unlocated rows dropped)."""
    located = complaints[complaints["lat"].notna()].copy()
    geometry = gpd.points_from_xy(located["lon"], located["lat"], crs="EPSG:4326")
    return gpd.GeoDataFrame(located, geometry=geometry, crs="EPSG:4326")


def spots_geojson(
    spots: pd.DataFrame, *, now: datetime | None = None, active_hours: float | None = None
) -> dict[str, Any]:
    """A FeatureCollection (lon, lat order) with :data:`SPOT_PROPERTIES` (and the intake at
    ``now`` when it and ``active_hours`` are given)."""
    features = []
    for row in spots.to_dict(orient="records"):
        features.append(
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": row["geometry"].__geo_interface__,
                "properties": spot_properties(row, now=now, active_hours=active_hours),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def spot_properties(
    row: Mapping[str, Any], *, now: datetime | None = None, active_hours: float | None = None
) -> dict[str, Any]:
    """:data:`SPOT_PROPERTIES` of a stored spot and its ``evidence_text``, JSON-ready; with
    ``now`` and ``active_hours``, whether it takes complaints then."""
    properties = {name: _plain(row.get(name)) for name in SPOT_PROPERTIES}
    properties.update(evidence(row))
    properties["evidence_text"] = evidence_text(row)
    if now is not None and active_hours is not None:
        properties.update(intake_fields(row, now=now, active_hours=active_hours))
    return properties


def dumps(value: object) -> str:
    """JSON text of ``value``; NaN, NaT and pandas' NA become null (never bare NaN)."""
    return json.dumps(_plain(value), ensure_ascii=False, default=_plain, allow_nan=False)


def _plain(value: object) -> object:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return _plain(value.item())
    return value

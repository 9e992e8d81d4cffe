"""Spot detection for analysts: what-if runs that write nothing (compared in
:mod:`~heatmap.analysis.comparison`).

Everything goes through the pieces of :mod:`heatmap.detect.run` that ``heatmap detect``
uses — :func:`~heatmap.detect.run.candidate_points`, :func:`~heatmap.detect.run.label_points`,
:func:`~heatmap.detect.run.detect` — as if the store held no spot yet, so a run here
gives the spots a first ``heatmap detect`` on the same complaints would store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from heatmap import wiring
from heatmap.core.policy import Policy
from heatmap.detect.run import (
    RULES,
    DetectParams,
    background,
    candidate_points,
    detect,
    label_points,
)
from heatmap.detect.spots import summarise
from heatmap.domain.columns import SPOT_COLUMNS
from heatmap.errors import DetectionError, UsageError

if TYPE_CHECKING:
    from heatmap.analysis.loading import FrameSource

__all__ = ["Setting", "label_complaints", "run_detection"]

#: A parameter set: a :class:`DetectParams` or a mapping of some of its fields
#: (method, h3_res, eps_m, min_subscribers, window_days, rule, …), optionally with a ``name``.
Setting = DetectParams | Mapping[str, Any]

_SPOT_TIMES = ("first_complaint_at", "last_complaint_at", "due_at", "eta", "created_at", "updated_at")
_PARAM_NAMES = tuple(f.name for f in fields(DetectParams))


def run_detection(
    complaints: FrameSource,
    *,
    method: str = "h3",
    h3_res: int = 9,
    eps_m: float = 250.0,
    min_subscribers: int = 3,
    window_days: float = 30.0,
    rule: str = "expected",
    now: datetime | str | None = None,
    policy: Policy | None = None,
    exposure: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """The spots ``heatmap detect`` would find in ``complaints`` on an empty store.

    Nothing is written. ``now`` (the end of the window, the clock of priority and SLA)
    defaults to the latest complaint time, so a historical export works as it stood;
    ``policy`` defaults to ``HEATMAP_POLICY`` or the packaged policy. The result has
    the stored spot columns (id, status, geometry, complaints, subscribers, priority,
    breakdown, queue, due_at, …) in EPSG:4326, highest priority first.

    ``complaints`` is what :func:`heatmap.analysis.load_complaints` returns, or any
    frame with ``lat``/``lon`` (or point geometry) and ``created_at``;
    ``ticket_id``, ``subscriber_id`` (else every complaint is its own complainant) and
    ``precision`` (else ``point``) are used when present. A store (URL, SQLite path or
    open store) stands for its complaints, here and in every function of this module.

    ``rule`` is ``expected`` (significant excess over the expected count, the default)
    or ``count`` (the old ≥ ``min_subscribers`` per cell or neighbourhood). ``exposure``
    (``lat, lon, weight`` points, e.g. :func:`heatmap.detect.exposure.layer_points` of an
    address or subscriber layer) says where people are for the expected rule; None: for a
    store, the layer ``heatmap detect`` reads from it (:func:`exposure_of`), else uniform
    over the populated area, as ``heatmap detect`` on a store without a layer.
    """
    params = checked_params(
        method=method,
        h3_res=h3_res,
        eps_m=eps_m,
        min_subscribers=min_subscribers,
        window_days=window_days,
        rule=rule,
    )
    exposure = exposure_of(complaints, exposure)
    return _full_run(complaints_of(complaints), params, now, policy, exposure)[0]


def label_complaints(
    complaints: FrameSource,
    *,
    method: str = "h3",
    h3_res: int = 9,
    eps_m: float = 250.0,
    min_subscribers: int = 3,
    window_days: float = 30.0,
    rule: str = "expected",
    now: datetime | str | None = None,
    exposure: pd.DataFrame | None = None,
) -> pd.Series:
    """The id of the spot :func:`run_detection` puts each complaint in (None: in none),
    aligned with ``complaints``' index."""
    params = checked_params(
        method=method,
        h3_res=h3_res,
        eps_m=eps_m,
        min_subscribers=min_subscribers,
        window_days=window_days,
        rule=rule,
    )
    exposure = exposure_of(complaints, exposure)
    complaints = complaints_of(complaints)
    _, members, frame = _full_run(complaints, params, now, None, exposure)
    spot = frame["ticket_id"].map(members.set_index("ticket_id")["spot_id"])
    return pd.Series(
        spot.astype(object).where(spot.notna(), None).to_numpy(),
        index=complaints.index,
        name="spot_id",
        dtype=object,
    )


# ---------------------------------------------------------------- internals


def _full_run(
    complaints: pd.DataFrame,
    params: DetectParams,
    now: datetime | str | None,
    policy: Policy | None,
    exposure: pd.DataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """Spots, ticket_id → spot_id of their members, and the prepared complaints."""
    frame, at = prepare_complaints(complaints, now)
    if policy is None:
        policy = wiring.services().policy  # HEATMAP_POLICY, else the packaged one
    result = detect(
        frame, _no_spots(), params=params, policy=policy, now=at.to_pydatetime(), exposure=exposure
    )
    spots = result.spots.reindex(columns=list(SPOT_COLUMNS)).copy()
    for name in _SPOT_TIMES:
        spots[name] = pd.to_datetime(spots[name], utc=True)
    for name in ("complaints", "subscribers"):
        spots[name] = spots[name].astype("int64")
    for name in ("priority", "sla_hours", "centroid_lat", "centroid_lon"):
        spots[name] = spots[name].astype(float)
    spots = spots.sort_values(["priority", "id"], ascending=[False, True]).reset_index(drop=True)
    gdf = gpd.GeoDataFrame(
        spots, geometry=gpd.GeoSeries(list(spots["geometry"]), crs="EPSG:4326"), crs="EPSG:4326"
    )
    return gdf, result.members, frame


def exposure_of(source: FrameSource, exposure: pd.DataFrame | None) -> pd.DataFrame | None:
    """``exposure`` when given; else, when ``source`` is a store, the exposure points of
    the layer ``heatmap detect`` reads from it (subscribers, else addresses), so a what-if
    run on a store expects what the product expects there; else None (uniform)."""
    if exposure is not None or isinstance(source, pd.DataFrame):
        return exposure
    from heatmap.analysis.loading import opened
    from heatmap.service.pipeline import exposure_points

    with opened(source) as store:
        return exposure_points(store, None)[0]


def complaints_of(source: FrameSource) -> pd.DataFrame:
    """The complaints frame ``source`` is, or the complaints of the store it names."""
    if isinstance(source, pd.DataFrame):
        return source
    from heatmap.analysis.loading import complaints_from

    return complaints_from(source)


def cluster_points(
    frame: pd.DataFrame, params: DetectParams, now: pd.Timestamp, exposure: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidate points with their cluster label, and the cluster summaries (the expected
    rule with the older complaints as the places' history, as :func:`detect` does)."""
    at = now.to_pydatetime()
    points = candidate_points(frame, _no_spots(), params=params, now=at)
    history = background(frame, _no_spots(), params=params, now=at)
    labels = (
        label_points(points, params, exposure=exposure, now=at, history=history)
        if len(points)
        else np.zeros(0, dtype=np.int64)
    )
    clusters = summarise(points, labels, method=params.method, h3_res=params.h3_res, eps_m=params.eps_m)
    return points.assign(label=labels), clusters


def prepare_complaints(
    complaints: pd.DataFrame, now: datetime | str | pd.Timestamp | None
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """A frame detection can take, as if no spot existed yet, and the time to act at."""
    frame = pd.DataFrame(complaints).copy()
    geometry = frame.pop("geometry") if "geometry" in frame.columns else None
    if not {"lat", "lon"} <= set(frame.columns):
        if geometry is None:
            raise DetectionError("complaints need lat and lon columns or a point geometry")
        points = gpd.GeoSeries(geometry.to_numpy(), index=frame.index)
        usable = points.notna() & ~points.is_empty
        frame["lat"] = points.y.where(usable)
        frame["lon"] = points.x.where(usable)
    frame["lat"] = pd.to_numeric(frame["lat"]).astype(float)
    frame["lon"] = pd.to_numeric(frame["lon"]).astype(float)
    n = len(frame)
    if "ticket_id" in frame.columns:
        frame["ticket_id"] = frame["ticket_id"].astype(str)
        if frame["ticket_id"].duplicated().any():
            raise DetectionError("ticket_id must be unique among the complaints")
    else:
        frame["ticket_id"] = [f"row-{i}" for i in range(n)]
    subscriber = (
        frame["subscriber_id"]
        if "subscriber_id" in frame.columns
        else pd.Series(None, index=frame.index, dtype=object)
    )
    frame["subscriber_id"] = subscriber.astype(object).where(subscriber.notna(), frame["ticket_id"])
    located = frame["lat"].notna() & frame["lon"].notna()
    precision = (
        frame["precision"]
        if "precision" in frame.columns
        else pd.Series(None, index=frame.index, dtype=object)
    )
    frame["precision"] = precision.astype(object).where(precision.notna() | ~located, "point")
    stamp = None if now is None else _utc(now)
    if "created_at" in frame.columns:
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    elif stamp is not None:
        frame["created_at"] = stamp
    else:
        raise DetectionError("complaints need created_at (or pass now=: all of them count as new)")
    if stamp is None:
        latest = frame["created_at"].max()
        stamp = pd.Timestamp(0, tz="UTC") if pd.isna(latest) else pd.Timestamp(latest)
    for name in ("segment", "topic", "region", "address", "matched_address"):
        if name not in frame.columns:
            frame[name] = None
    if "ltv" not in frame.columns:
        frame["ltv"] = np.nan
    frame["spot_id"] = None
    return frame.reset_index(drop=True), stamp


def _no_spots() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in SPOT_COLUMNS})


def checked_params(**values: Any) -> DetectParams:
    unknown = set(values) - set(_PARAM_NAMES)
    if unknown:
        raise UsageError(f"unknown detection parameters {sorted(unknown)}; use {list(_PARAM_NAMES)}")
    params = DetectParams(**{**asdict(DetectParams()), **values})
    if params.method not in ("h3", "dbscan"):
        raise UsageError(f"unknown detection method {params.method!r}: use h3 or dbscan")
    if params.rule not in RULES:
        raise UsageError(f"unknown detection rule {params.rule!r}: use expected or count")
    if (
        not 0 <= int(params.h3_res) <= 15
        or params.eps_m <= 0
        or params.min_subscribers < 1
        or params.window_days <= 0
    ):
        raise UsageError(f"detection parameters out of range: {params}")
    return params


def _utc(value: datetime | str | pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")

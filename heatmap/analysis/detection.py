"""Spot detection for analysts: what-if runs that write nothing, and their comparison.

Everything goes through the pieces of :mod:`heatmap.detect.run` that ``heatmap detect``
uses — :func:`~heatmap.detect.run.candidate_points`, :func:`~heatmap.detect.run.label_points`,
:func:`~heatmap.detect.run.detect` — as if the store held no spot yet, so a run here
gives the spots a first ``heatmap detect`` on the same complaints would store.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from heatmap.core.policy import Policy, load_policy
from heatmap.detect.run import (
    RULES,
    DetectParams,
    background,
    candidate_points,
    detect,
    label_points,
)
from heatmap.detect.spots import summarise
from heatmap.errors import DetectionError, UsageError
from heatmap.settings import load_settings
from heatmap.store.base import SPOT_COLUMNS

if TYPE_CHECKING:
    from heatmap.analysis.loading import FrameSource

__all__ = [
    "Setting",
    "ari_matrix",
    "compare_methods",
    "label_complaints",
    "labellings",
    "run_detection",
    "spot_changes",
]

#: A parameter set: a :class:`DetectParams` or a mapping of some of its fields
#: (method, h3_res, eps_m, min_subscribers, window_days, rule, …), optionally with a ``name``.
Setting = DetectParams | Mapping[str, Any]

_DEFAULT_SETTINGS: tuple[Setting, ...] = ({"method": "h3"}, {"method": "dbscan"})
_SPOT_TIMES = ("first_complaint_at", "last_complaint_at", "due_at", "eta", "created_at", "updated_at")
_EQUAL_AREA = "EPSG:6933"  # WGS 84 / NSIDC EASE-Grid 2.0 Global: areas in m² anywhere
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
    address or subscriber layer) says where people are for the expected rule; None:
    uniform over the populated area, as ``heatmap detect`` on a store without a layer.
    """
    params = _params(
        method=method,
        h3_res=h3_res,
        eps_m=eps_m,
        min_subscribers=min_subscribers,
        window_days=window_days,
        rule=rule,
    )
    return _full_run(_complaints(complaints), params, now, policy, exposure)[0]


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
    params = _params(
        method=method,
        h3_res=h3_res,
        eps_m=eps_m,
        min_subscribers=min_subscribers,
        window_days=window_days,
        rule=rule,
    )
    complaints = _complaints(complaints)
    _, members, frame = _full_run(complaints, params, now, None, exposure)
    spot = frame["ticket_id"].map(members.set_index("ticket_id")["spot_id"])
    return pd.Series(
        spot.astype(object).where(spot.notna(), None).to_numpy(),
        index=complaints.index,
        name="spot_id",
        dtype=object,
    )


def compare_methods(
    complaints: FrameSource,
    *,
    settings: Sequence[Setting] | None = None,
    now: datetime | str | None = None,
    exposure: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per parameter set: how many spots, how much they hold, how alike they are.

    ``settings`` defaults to H3 and DBSCAN with the default parameters. Columns:
    ``method, h3_res, eps_m, min_subscribers, window_days`` (a parameter that does not
    apply to the method is empty), ``spots``, ``complaints_in_spots``,
    ``complainants_in_spots`` (distinct subscribers), ``median_area_km2``, and the
    adjusted Rand index of the labelling against the first setting (``ari_vs_first``)
    and the one before it (``ari_vs_previous``, empty on the first row). Indexed by a
    readable setting name. The index is computed over every complaint that takes part
    in at least one setting, noise counting as one more label. A setting's ``rule``
    (default ``expected``) is in the ``rule`` column; ``exposure`` is as in
    :func:`run_detection`.
    """
    rows = []
    labels: dict[str, pd.Series] = {}
    for name, params, points, clusters in _runs(complaints, settings, now, exposure):
        labels[name] = pd.Series(points["label"].to_numpy(), index=points["ticket_id"].to_numpy())
        inside = points[points["label"] >= 0]
        area = gpd.GeoSeries(list(clusters["geometry"]), crs="EPSG:4326").to_crs(_EQUAL_AREA).area
        rows.append(
            {
                "setting": name,
                "method": params.method,
                "h3_res": params.h3_res if params.method == "h3" else None,
                "eps_m": params.eps_m if params.method == "dbscan" else None,
                "min_subscribers": params.min_subscribers,
                "window_days": params.window_days,
                "rule": params.rule,
                "spots": len(clusters),
                "complaints_in_spots": len(inside),
                "complainants_in_spots": int(inside["subscriber_id"].nunique()),
                "median_area_km2": float(area.median() / 1e6) if len(area) else float("nan"),
            }
        )
    table = pd.DataFrame(rows).set_index("setting")
    table["h3_res"] = table["h3_res"].astype("Int64")
    table["eps_m"] = table["eps_m"].astype("Float64")
    grid = _aligned(labels)
    names = list(grid.columns)
    table["ari_vs_first"] = [_ari(grid[names[0]], grid[n]) for n in names]
    table["ari_vs_previous"] = [float("nan")] + [_ari(grid[a], grid[b]) for a, b in pairwise(names)]
    return table


def labellings(
    complaints: FrameSource,
    *,
    settings: Sequence[Setting] | None = None,
    now: datetime | str | None = None,
    exposure: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Cluster label per complaint (rows: ticket_id) and setting (columns: setting name).

    Rows are the complaints taking part in at least one setting; ``-1`` is noise.
    Labels are numbers, comparable only within a column (see :func:`ari_matrix`,
    :func:`spot_changes`).
    """
    return _aligned(
        {
            name: pd.Series(points["label"].to_numpy(), index=points["ticket_id"].to_numpy())
            for name, _, points, _ in _runs(complaints, settings, now, exposure)
        }
    )


def ari_matrix(labels: pd.DataFrame) -> pd.DataFrame:
    """Adjusted Rand index between every pair of columns of :func:`labellings`."""
    names = list(labels.columns)
    values = [[_ari(labels[a], labels[b]) for b in names] for a in names]
    return pd.DataFrame(values, index=names, columns=names)


def spot_changes(before: pd.Series, after: pd.Series, *, min_share: float = 0.1) -> pd.DataFrame:
    """What happened to each spot of labelling ``before`` in labelling ``after``.

    ``before``/``after`` are cluster labels per complaint sharing an index (columns of
    :func:`labellings`, or :func:`label_complaints` results); ``-1`` or missing is noise.
    One row per ``before`` spot: its complaints, the ``after`` spot holding most of them
    and that share (``share_kept``), the share that became noise, the number of
    ``after`` spots holding at least ``min_share`` of it (``parts``) and ``kind``:

    * ``vanished`` — at least half became noise;
    * ``split`` — two or more parts;
    * ``merged`` — its main ``after`` spot also holds at least ``min_share`` of its
      complaints from another ``before`` spot;
    * ``kept`` — otherwise.

    Plus one ``appeared`` row (``before`` empty) per ``after`` spot whose complaints were
    mostly noise before.
    """
    index = before.index.union(after.index)
    a = _noise_as_none(before.reindex(index))
    b = _noise_as_none(after.reindex(index))
    pairs = pd.DataFrame({"a": a, "b": b})
    rows: list[dict[str, object]] = []
    in_after = pairs.dropna(subset=["b"])
    for label, group in pairs.dropna(subset=["a"]).groupby("a", sort=True):
        n = len(group)
        counts = group["b"].value_counts()
        to_noise = float(group["b"].isna().mean())
        parts = int((counts / n >= min_share).sum())
        main = counts.index[0] if len(counts) else None
        merged = False
        if main is not None:
            sources = in_after.loc[in_after["b"] == main, "a"].value_counts()
            share = sources / int((in_after["b"] == main).sum())
            merged = bool(((share >= min_share) & (share.index != label)).any())
        kind = "vanished" if to_noise >= 0.5 else "split" if parts >= 2 else "merged" if merged else "kept"
        rows.append(
            {
                "before": label,
                "after": main,
                "complaints": n,
                "share_kept": float(counts.iloc[0] / n) if len(counts) else 0.0,
                "to_noise": to_noise,
                "parts": parts,
                "kind": kind,
            }
        )
    for label, group in in_after.groupby("b", sort=True):
        if group["a"].isna().mean() >= 0.5:
            rows.append(
                {
                    "before": None,
                    "after": label,
                    "complaints": len(group),
                    "share_kept": 0.0,
                    "to_noise": 0.0,
                    "parts": 1,
                    "kind": "appeared",
                }
            )
    return pd.DataFrame(
        rows, columns=["before", "after", "complaints", "share_kept", "to_noise", "parts", "kind"]
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
    frame, at = _prepare(complaints, now)
    if policy is None:
        policy = load_policy(load_settings().policy)
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


def _runs(
    complaints: FrameSource,
    settings: Sequence[Setting] | None,
    now: datetime | str | None,
    exposure: pd.DataFrame | None = None,
) -> Iterator[tuple[str, DetectParams, pd.DataFrame, pd.DataFrame]]:
    """Per setting: its name, parameters, labelled candidate points and cluster summaries."""
    named = _named(settings)
    frame, at = _prepare(_complaints(complaints), now)
    for name, params in named:
        yield name, params, *_cluster(frame, params, at, exposure)


def _complaints(source: FrameSource) -> pd.DataFrame:
    """The complaints frame ``source`` is, or the complaints of the store it names."""
    if isinstance(source, pd.DataFrame):
        return source
    from heatmap.analysis.loading import complaints_from

    return complaints_from(source)


def _cluster(
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


def _prepare(
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


def _params(**values: Any) -> DetectParams:
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


def _named(settings: Sequence[Setting] | None) -> list[tuple[str, DetectParams]]:
    """Settings as (unique readable name, parameters)."""
    chosen = list(_DEFAULT_SETTINGS if settings is None else settings)
    if not chosen:
        raise UsageError("compare at least one setting")
    out: list[tuple[str, DetectParams]] = []
    seen: dict[str, int] = {}
    for setting in chosen:
        if isinstance(setting, DetectParams):
            params, name = _params(**asdict(setting)), None
        else:
            values = dict(setting)
            name = values.pop("name", None)
            params = _params(**values)
        name = str(name) if name is not None else _describe(params)
        seen[name] = seen.get(name, 0) + 1
        out.append((name if seen[name] == 1 else f"{name} #{seen[name]}", params))
    return out


def _describe(params: DetectParams) -> str:
    default = DetectParams()
    text = f"h3 r{params.h3_res}" if params.method == "h3" else f"dbscan {params.eps_m:g} m"
    if params.min_subscribers != default.min_subscribers:
        text += f" k{params.min_subscribers}"
    if params.window_days != default.window_days:
        text += f" {params.window_days:g} d"
    if params.rule != default.rule:
        text += f" {params.rule}"
    return text


def _aligned(labels: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Label columns over the union of their rows, -1 where a row did not take part."""
    index = pd.Index([], dtype=object)
    for series in labels.values():
        index = index.union(pd.Index(series.index.astype(object)))
    grid = pd.DataFrame(
        {name: s.reindex(index).fillna(-1).astype("int64") for name, s in labels.items()}, index=index
    )
    grid.index.name = "ticket_id"
    return grid


def _ari(a: pd.Series, b: pd.Series) -> float:
    from sklearn.metrics import adjusted_rand_score  # slow to import: only when comparing

    return float(adjusted_rand_score(a.to_numpy(), b.to_numpy()))


def _noise_as_none(labels: pd.Series) -> pd.Series:
    values = labels.astype(object)
    noise = values.isna() | values.isin([-1, "-1"])
    return values.where(~noise, None)


def _utc(value: datetime | str | pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")

"""Detection settings side by side: spot counts, labellings, adjusted Rand index, spot changes.

Each setting is run as :func:`~heatmap.analysis.detection.run_detection` runs it, over the
same prepared complaints, so differences come from the parameters alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from itertools import pairwise
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from heatmap.analysis.detection import (
    Setting,
    checked_params,
    cluster_points,
    complaints_of,
    exposure_of,
    prepare_complaints,
)
from heatmap.detect.run import DetectParams
from heatmap.errors import UsageError

if TYPE_CHECKING:
    from heatmap.analysis.loading import FrameSource

__all__ = ["ari_matrix", "compare_methods", "labellings", "spot_changes"]

_DEFAULT_SETTINGS: tuple[Setting, ...] = ({"method": "h3"}, {"method": "dbscan"})
_EQUAL_AREA = "EPSG:6933"  # WGS 84 / NSIDC EASE-Grid 2.0 Global: areas in m² anywhere


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


def _runs(
    complaints: FrameSource,
    settings: Sequence[Setting] | None,
    now: datetime | str | None,
    exposure: pd.DataFrame | None = None,
) -> Iterator[tuple[str, DetectParams, pd.DataFrame, pd.DataFrame]]:
    """Per setting: its name, parameters, labelled candidate points and cluster summaries."""
    named = _named(settings)
    exposure = exposure_of(complaints, exposure)
    frame, at = prepare_complaints(complaints_of(complaints), now)
    for name, params in named:
        yield name, params, *cluster_points(frame, params, at, exposure)


def _named(settings: Sequence[Setting] | None) -> list[tuple[str, DetectParams]]:
    """Settings as (unique readable name, parameters)."""
    chosen = list(_DEFAULT_SETTINGS if settings is None else settings)
    if not chosen:
        raise UsageError("compare at least one setting")
    out: list[tuple[str, DetectParams]] = []
    seen: dict[str, int] = {}
    for setting in chosen:
        if isinstance(setting, DetectParams):
            params, name = checked_params(**asdict(setting)), None
        else:
            values = dict(setting)
            name = values.pop("name", None)
            params = checked_params(**values)
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

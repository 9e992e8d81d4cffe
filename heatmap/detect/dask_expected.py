"""The expected rule's DBSCAN phases on Dask, equal to the local ones.

The expected rule (:mod:`heatmap.detect.significance`) runs DBSCAN in two phases: each
point's neighbourhood strength in every scan window, then — once the driver has turned
strengths into core flags by its Poisson test — the clustering with those flags. Both
use :mod:`heatmap.detect.dask_engine`'s groups: each point keyed by its coarse H3 cell,
copied as a halo point into the neighbour cells within eps of it, so that every group
holds the whole eps-neighbourhood of each of its own points.

* :func:`window_strengths_dask` — each group computes the strengths of its own points
  from its own and halo points; a neighbourhood there is the neighbourhood the local
  engine sees, so the strengths are the local ones, float for float (they are sums of
  precision weights, 1 and 0.5, which add exactly in any order);
* ``label_dbscan_dask(..., core=flags)`` — the clustering with given core points;
* :func:`dask_steps` — both as the expected rule's
  :class:`~heatmap.detect.significance.DbscanSteps`.

The test itself (expected counts, the cells' false discovery cutoff) stays on the
driver: it needs the whole city's rates at once and costs little next to the
neighbour searches.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from heatmap.detect.dask_engine import _compute, _distinct_rows, halo_groups, label_dbscan_dask
from heatmap.detect.dbscan_checks import _subscriber_codes
from heatmap.detect.discs import DbscanSteps, _window_strengths
from heatmap.errors import DetectionError

__all__ = ["dask_steps", "window_strengths_dask"]


def window_strengths_dask(
    frame: Any, masks: list[np.ndarray], *, eps_m: float, client: Any, parent_res: int = 4
) -> list[np.ndarray]:
    """Per mask, per row of ``frame``: the distinct complainants (each once, with their
    largest weight) within ``eps_m`` among the rows of that mask; 0 outside the mask.

    ``frame`` is a pandas or Dask DataFrame with ``lat``, ``lon`` and optionally
    ``subscriber_id`` (missing: each row its own) and ``weight`` (missing: 1); ``masks``
    hold one flag per row (for a Dask DataFrame: its partitions one after another).
    Equal to the local ``_window_strengths`` on the same input; ``client`` and
    ``parent_res`` as for :func:`~heatmap.detect.dask_engine.label_dbscan_dask`.
    """
    groups, n = halo_groups(frame, eps_m=eps_m, client=client, parent_res=parent_res)
    flags = np.zeros((len(masks), n), dtype=bool)
    for k, mask in enumerate(masks):
        given = np.asarray(mask)
        if given.shape != (n,) or given.dtype != np.bool_:
            raise DetectionError(f"mask {k} must be {n} booleans, got {given.dtype} of shape {given.shape}")
        flags[k] = given
    out = [np.zeros(n, dtype=np.float64) for _ in masks]
    if n == 0 or not flags.any():
        return out
    shared = client.scatter(flags, broadcast=True) if client is not None else flags
    found = groups.map_partitions(_strengths_of_own, shared, eps_m, meta=_strengths_meta(len(masks)))
    rows = _compute(client, [found])[0]
    pid = rows["pid"].to_numpy(np.int64)
    for k, strength in enumerate(out):
        strength[pid] = rows[f"s{k}"].to_numpy(np.float64)
    return out


def _strengths_meta(k: int) -> pd.DataFrame:
    columns = {"pid": pd.Series(dtype="int64")}
    columns.update({f"s{i}": pd.Series(dtype="float64") for i in range(k)})
    return pd.DataFrame(columns)


def _strengths_of_own(frame: pd.DataFrame, masks: np.ndarray, eps_m: float) -> pd.DataFrame:
    """Strengths of the partition's own points, per mask: their neighbourhoods are whole
    here (a halo point's strength here may fall short: it is not kept)."""
    if frame.empty:
        return _strengths_meta(masks.shape[0])
    rows, own = _distinct_rows(frame)
    pid = rows["pid"].to_numpy(np.int64)
    who = _subscriber_codes(rows["subscriber"].to_numpy(dtype=object), len(rows))
    found = _window_strengths(
        rows["lat"].to_numpy(np.float64),
        rows["lon"].to_numpy(np.float64),
        who,
        rows["weight"].to_numpy(np.float64),
        [mask[pid] for mask in masks],
        eps_m=eps_m,
    )
    columns: dict[str, np.ndarray] = {"pid": pid[own]}
    columns.update({f"s{k}": strength[own] for k, strength in enumerate(found)})
    return pd.DataFrame(columns)


def dask_steps(client: Any, *, parent_res: int = 4) -> DbscanSteps:
    """The expected rule's DBSCAN phases on the cluster of ``client`` (a
    ``distributed.Client``; None: Dask's current scheduler)."""

    def strengths(
        lat: np.ndarray,
        lon: np.ndarray,
        who: np.ndarray,
        weight: np.ndarray,
        masks: list[np.ndarray],
        eps_m: float,
    ) -> list[np.ndarray]:
        out = [np.zeros(len(lat), dtype=np.float64) for _ in masks]
        kept = np.flatnonzero(np.logical_or.reduce(masks)) if masks else np.zeros(0, np.int64)
        if kept.size == 0:  # a point in no mask adds to no neighbourhood: leave it here
            return out
        found = window_strengths_dask(
            _frame(lat, lon, who, weight, kept),
            [np.asarray(m)[kept] for m in masks],
            eps_m=eps_m,
            client=client,
            parent_res=parent_res,
        )
        for strength, part in zip(out, found, strict=True):
            strength[kept] = part
        return out

    def label(
        lat: np.ndarray,
        lon: np.ndarray,
        who: np.ndarray,
        weight: np.ndarray,
        eps_m: float,
        min_subscribers: int,
        core: np.ndarray,
    ) -> np.ndarray:
        everything = np.arange(len(lat))
        return label_dbscan_dask(
            _frame(lat, lon, who, weight, everything),
            eps_m=eps_m,
            min_subscribers=min_subscribers,
            client=client,
            parent_res=parent_res,
            core=core,
        )

    return DbscanSteps(strengths=strengths, label=label)


def _frame(
    lat: np.ndarray, lon: np.ndarray, who: np.ndarray, weight: np.ndarray, rows: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lat": np.asarray(lat, dtype=np.float64)[rows],
            "lon": np.asarray(lon, dtype=np.float64)[rows],
            "subscriber_id": np.asarray(who)[rows],
            "weight": np.asarray(weight, dtype=np.float64)[rows],
        }
    )

"""Checks of the DBSCAN engine's inputs (:mod:`heatmap.detect.dbscan`): coordinates,
eps, the threshold, weights, subscribers and given core flags, each refused with a
:class:`~heatmap.errors.DetectionError` that names the rows.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from typing import cast

import numpy as np

from heatmap.core.arrow_numpy import codes_of, to_arrow
from heatmap.detect.neighbours import EARTH_RADIUS_M, FloatArray, IntArray
from heatmap.errors import DetectionError

# ---------------------------------------------------------------- validation


def _coordinates(lat: np.ndarray, lon: np.ndarray) -> tuple[FloatArray, FloatArray]:
    try:
        lat_d = np.asarray(lat, dtype=np.float64)
        lon_d = np.asarray(lon, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DetectionError(f"lat and lon must be numeric arrays: {exc}") from exc
    if lat_d.ndim != 1 or lon_d.ndim != 1:
        raise DetectionError("lat and lon must be one-dimensional arrays")
    if lat_d.shape != lon_d.shape:
        raise DetectionError(f"lat and lon differ in length ({lat_d.shape[0]} and {lon_d.shape[0]})")
    bad = ~(np.isfinite(lat_d) & np.isfinite(lon_d))
    if bad.any():
        rows = np.flatnonzero(bad)
        raise DetectionError(f"{rows.size} point(s) have NaN or infinite coordinates, e.g. rows {_few(rows)}")
    out = np.abs(lat_d) > 90.0
    if out.any():
        rows = np.flatnonzero(out)
        raise DetectionError(f"{rows.size} point(s) have a latitude outside -90..90, e.g. rows {_few(rows)}")
    return lat_d, lon_d


def _eps_radians(eps_m: float) -> float:
    try:
        eps = float(eps_m)
    except (TypeError, ValueError) as exc:
        raise DetectionError(f"eps_m must be a number of metres, got {eps_m!r}") from exc
    if not np.isfinite(eps) or eps <= 0.0:
        raise DetectionError(f"eps_m must be a positive number of metres, got {eps_m!r}")
    if eps > np.pi * EARTH_RADIUS_M:
        raise DetectionError("eps_m must not exceed half the Earth's circumference")
    return eps / EARTH_RADIUS_M


def _threshold(min_subscribers: int) -> int:
    if isinstance(min_subscribers, bool) or not isinstance(min_subscribers, int | np.integer):
        raise DetectionError(f"min_subscribers must be an integer, got {min_subscribers!r}")
    if min_subscribers < 1:
        raise DetectionError(f"min_subscribers must be at least 1, got {min_subscribers}")
    return int(min_subscribers)


def _weights(weight: np.ndarray | None, n: int) -> FloatArray | None:
    if weight is None:
        return None
    try:
        w = np.asarray(weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DetectionError(f"weight must be a numeric array: {exc}") from exc
    if w.shape != (n,):
        raise DetectionError(f"weight must have one value per point ({n}), got shape {w.shape}")
    bad = ~((w >= 0.0) & (w <= 1.0))  # NaN fails both
    if bad.any():
        rows = np.flatnonzero(bad)
        raise DetectionError(f"{rows.size} weight(s) are not within 0..1, e.g. rows {_few(rows)}")
    return w


def _subscriber_codes(subscriber: np.ndarray | None, n: int) -> IntArray:
    """Codes below the number of points, equal where the subscribers are; points without
    a subscriber get codes of their own."""
    if subscriber is None:
        return np.arange(n, dtype=np.int64)
    if isinstance(subscriber, np.ndarray) and subscriber.dtype.kind in "iu":  # none missing
        _one_per_point(subscriber, n)
        if n and subscriber.min() >= 0 and subscriber.max() < n:  # codes already (gaps allowed)
            return subscriber.astype(np.int64, copy=False)
        return codes_of(to_arrow(subscriber))[0]  # hashed by Arrow: no pandas
    import pandas as pd

    values = subscriber if isinstance(subscriber, pd.Series) else np.asarray(subscriber)
    _one_per_point(values, n)
    codes, _ = pd.factorize(values)
    codes = codes.astype(np.int64, copy=False)
    missing = codes < 0
    if missing.any():
        codes = codes.copy()
        codes[missing] = codes.max(initial=-1) + 1 + np.arange(int(missing.sum()))
    return cast(IntArray, codes)


def _one_per_point(values: np.ndarray, n: int) -> None:
    if values.ndim != 1 or values.shape[0] != n:
        raise DetectionError(f"subscriber must have one value per point ({n}), got shape {values.shape}")


def _core_flags(core: np.ndarray | None, n: int) -> np.ndarray | None:
    if core is None:
        return None
    flags = np.asarray(core)
    if flags.shape != (n,) or flags.dtype != np.bool_:
        raise DetectionError(f"core must be {n} booleans, got {flags.dtype} of shape {flags.shape}")
    return flags


def _few(rows: np.ndarray) -> str:
    shown = ", ".join(str(int(r)) for r in rows[:5])
    return shown + (", …" if rows.size > 5 else "")

"""Detection over a plain file, for analysts and comparisons: nothing is stored."""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatmap.detect.run import DetectParams, label_points
from heatmap.errors import InputError


def detect_in_frame(frame: pd.DataFrame, *, params: DetectParams,
                    use_window: bool = False) -> pd.DataFrame:
    """``frame`` (text columns lat, lon, subscriber_id[, created_at]) with ``spot_id`` added.

    Spots are numbered ``1, 2, …`` by their first row; noise and unusable rows get
    an empty id. With ``use_window`` and ``created_at``, only rows within
    ``params.window_days`` before the newest one count.
    """
    missing = [c for c in ("lat", "lon", "subscriber_id") if c not in frame.columns]
    if missing:
        raise InputError(f"missing column(s): {', '.join(missing)}")
    lat = pd.to_numeric(frame["lat"].astype(str).str.replace(",", "."), errors="coerce")
    lon = pd.to_numeric(frame["lon"].astype(str).str.replace(",", "."), errors="coerce")
    usable = lat.between(-90, 90) & lon.between(-180, 180)
    if use_window and "created_at" in frame.columns:
        created = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601", errors="coerce")
        newest = created[usable].max()
        usable &= created >= newest - pd.Timedelta(days=params.window_days)
    points = pd.DataFrame({"lat": lat[usable], "lon": lon[usable],
                           "subscriber_id": frame.loc[usable, "subscriber_id"].astype(str),
                           "precision": "point"})
    labels = np.full(len(frame), -1, dtype=np.int64)
    if len(points):
        labels[np.flatnonzero(usable.to_numpy())] = label_points(points, params)
    out = frame.copy()
    out["spot_id"] = np.where(labels >= 0, (labels + 1).astype(str), "")
    return out

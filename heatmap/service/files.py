"""Detection over a plain file, for analysts and comparisons: nothing is stored."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from heatmap.detect.run import DetectParams, label_points
from heatmap.errors import InputError


def file_exposure(*, gazetteer: Path | None = None,
                  density: Path | None = None) -> pd.DataFrame | None:
    """Exposure points from a density CSV, else a gazetteer's houses, else None."""
    from heatmap.detect.exposure import layer_points, subscriber_layer

    if density is not None:
        from heatmap.service.exposure import read_density_file

        return layer_points(subscriber_layer(read_density_file(density)))
    if gazetteer is not None:
        from heatmap.service.exposure import gazetteer_exposure

        return gazetteer_exposure(gazetteer)
    return None


def detect_in_frame(frame: pd.DataFrame, *, params: DetectParams, use_window: bool = False,
                    exposure: pd.DataFrame | None = None) -> pd.DataFrame:
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
    created = None
    if "created_at" in frame.columns:
        created = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601", errors="coerce")
        if params.rule == "expected":
            usable &= created.notna()
    if use_window and created is not None:
        newest = created[usable].max()
        usable &= created >= newest - pd.Timedelta(days=params.window_days)
    points = pd.DataFrame({"lat": lat[usable], "lon": lon[usable],
                           "subscriber_id": frame.loc[usable, "subscriber_id"].astype(str),
                           "precision": "point"})
    if created is not None:
        points["created_at"] = created[usable]
    labels = np.full(len(frame), -1, dtype=np.int64)
    if len(points):
        labels[np.flatnonzero(usable.to_numpy())] = label_points(points, params,
                                                                 exposure=exposure)
    out = frame.copy()
    out["spot_id"] = np.where(labels >= 0, (labels + 1).astype(str), "")
    return out

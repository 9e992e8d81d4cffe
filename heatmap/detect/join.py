"""Incremental join: a complaint inside or within reach of an open spot joins it at once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

_M_PER_DEG = 111_320.0


def attach(
    points: pd.DataFrame, spots: pd.DataFrame, *, reach_m: float, active_hours: float | None = None
) -> pd.DataFrame:
    """``ticket_id, spot_id, distance_m`` for points inside or within ``reach_m`` of a spot.

    ``points`` has ticket_id, lat, lon; ``spots`` has id, geometry, centroid_lat.
    A point inside a spot joins it; otherwise the nearest spot in reach. Distances
    are measured in a local frame scaled by each spot's latitude (metre accuracy
    at city scale, which is what "within reach" needs). When the points have
    ``created_at`` and the spots ``first_complaint_at``, a complaint made before a
    detected spot's first one does not join it: it predates the problem (the place's
    ordinary complainants of the weeks before a burst are not the burst's). With
    ``active_hours`` and the spots' ``found_at`` (when detection last found the place in
    excess; ``created_at`` where unknown), a complaint made more than ``active_hours``
    after it does not join either: the burst may be over, and the place's ordinary
    complainants are not the spot's (detection takes them when the place is still in excess).
    A known issue (``kind``) is an area an engineer drew: what was said inside it joins,
    whenever.
    """
    empty = pd.DataFrame(columns=["ticket_id", "spot_id", "distance_m"])
    located = points[points["lat"].notna() & points["lon"].notna()]
    if located.empty or spots.empty:
        return empty
    geometry = np.asarray(spots["geometry"].tolist(), dtype=object)
    scale = np.cos(np.radians(spots["centroid_lat"].to_numpy(float)))
    tree = shapely.STRtree(geometry)
    xy = shapely.points(located["lon"].to_numpy(float), located["lat"].to_numpy(float))
    generous = reach_m / (_M_PER_DEG * float(np.clip(scale.min(), 0.05, 1.0)))
    point_index, spot_index = tree.query(xy, predicate="dwithin", distance=generous)
    if len(point_index) == 0:
        return empty
    k = scale[spot_index]
    local_points = shapely.points(
        located["lon"].to_numpy(float)[point_index] * k, located["lat"].to_numpy(float)[point_index]
    )
    local_spots = np.array(
        [
            shapely.transform(g, lambda c, f=f: c * np.array([f, 1.0]))
            for g, f in zip(geometry[spot_index], k, strict=True)
        ],
        dtype=object,
    )
    distance = shapely.distance(local_points, local_spots) * _M_PER_DEG
    pairs = pd.DataFrame(
        {
            "ticket_id": located["ticket_id"].to_numpy()[point_index],
            "spot_id": spots["id"].to_numpy()[spot_index],
            "distance_m": np.round(distance, 1),
        }
    )
    in_time = _in_time(located, spots, point_index, spot_index, active_hours)
    pairs = pairs[(pairs["distance_m"] <= reach_m) & in_time]
    best = pairs.sort_values(["ticket_id", "distance_m", "spot_id"]).drop_duplicates("ticket_id")
    return best.reset_index(drop=True)


def _in_time(
    points: pd.DataFrame,
    spots: pd.DataFrame,
    point_index: np.ndarray,
    spot_index: np.ndarray,
    active_hours: float | None,
) -> np.ndarray:
    """Per (point, spot) pair: whether the complaint may join by time — made no earlier
    than the spot's first complaint and no later than ``active_hours`` after detection
    last found it, or the spot is a known issue, or a time is unknown."""
    if "created_at" not in points:
        return np.ones(len(point_index), dtype=bool)
    made = _times(points["created_at"], point_index)
    ok = np.ones(len(point_index), dtype=bool)
    if "first_complaint_at" in spots:
        first = _times(spots["first_complaint_at"], spot_index)
        ok &= (first.isna() | (made >= first)).to_numpy()
    if active_hours is not None and "created_at" in spots:
        created = _times(spots["created_at"], spot_index)
        found = _times(spots["found_at"], spot_index).fillna(created) if "found_at" in spots else created
        until = found + pd.Timedelta(hours=active_hours)
        ok &= (until.isna() | (made <= until)).to_numpy()
    drawn = (spots["kind"] == "known_issue").to_numpy()[spot_index] if "kind" in spots else False
    return np.asarray(made.isna().to_numpy() | drawn | ok, dtype=bool)


def _times(values: pd.Series, index: np.ndarray) -> pd.Series:
    """``values`` as UTC times, taken at ``index`` (a fresh 0..n-1 index)."""
    return pd.to_datetime(values, utc=True).iloc[index].reset_index(drop=True).astype("datetime64[ns, UTC]")

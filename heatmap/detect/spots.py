"""From labelled points to spot summaries: counts, times, topic, geometry."""

from __future__ import annotations

from collections.abc import Callable

import h3
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from heatmap.core.cells import cells_of

#: Columns of a detected cluster, before it has an identity.
CLUSTER_COLUMNS: tuple[str, ...] = (
    "label",
    "tickets",
    "complaints",
    "subscribers",
    "first_complaint_at",
    "last_complaint_at",
    "dominant_topic",
    "region",
    "address",
    "centroid_lat",
    "centroid_lon",
    "geometry",
)


def summarise(
    points: pd.DataFrame,
    labels: np.ndarray,
    *,
    method: str,
    h3_res: int = 9,
    eps_m: float = 250.0,
) -> pd.DataFrame:
    """One row per cluster label ≥ 0 with :data:`CLUSTER_COLUMNS`.

    ``points`` needs ticket_id, created_at, subscriber_id, lat, lon and, when
    present, topic, region and matched_address/address.
    """
    members = points.assign(label=np.asarray(labels)).loc[lambda f: f["label"] >= 0]
    if members.empty:
        return pd.DataFrame(columns=list(CLUSTER_COLUMNS))
    grouped = members.groupby("label", sort=True)
    out = pd.DataFrame(
        {
            "tickets": grouped["ticket_id"].agg(lambda s: sorted(s.tolist())),
            "complaints": grouped.size(),
            "subscribers": grouped["subscriber_id"].nunique(),
            "first_complaint_at": grouped["created_at"].min(),
            "last_complaint_at": grouped["created_at"].max(),
            "centroid_lat": grouped["lat"].mean(),
            "centroid_lon": grouped["lon"].mean(),
        }
    )
    out["dominant_topic"] = _mode(members, "topic")
    out["region"] = _mode(members, "region")
    place = members.get("matched_address")
    if place is None:
        place = members.get("address")
    out["address"] = _mode(members.assign(_place=place), "_place") if place is not None else None
    if method == "h3":
        out["geometry"] = _h3_geometry(members, h3_res)
    else:
        out["geometry"] = _hull_geometry(members, eps_m / 2)
    out = out.reset_index()
    return out.loc[:, list(CLUSTER_COLUMNS)]


def _mode(members: pd.DataFrame, column: str) -> pd.Series:
    """Most frequent non-empty value per label (ties: alphabetical), None when all empty."""
    if column not in members.columns:
        return pd.Series(None, index=members["label"].unique(), dtype=object)
    values = members[["label", column]].dropna()
    values = values[values[column].astype(str) != ""]
    counts = values.groupby(["label", column]).size().rename("n").reset_index()
    counts = counts.sort_values(["label", "n", column], ascending=[True, False, True])
    best = counts.drop_duplicates("label").set_index("label")[column]
    return best.reindex(sorted(members["label"].unique())).astype(object).where(lambda s: s.notna(), None)


def _h3_geometry(members: pd.DataFrame, res: int) -> pd.Series:
    cells = cells_of(members["lat"].to_numpy(), members["lon"].to_numpy(), res)
    frame = pd.DataFrame({"label": members["label"].to_numpy(), "cell": cells}).drop_duplicates()
    shapes = {}
    for label, group in frame.groupby("label", sort=True):
        names = [h3.int_to_str(int(c)) for c in group["cell"].tolist()]
        shapes[label] = shape(h3.cells_to_h3shape(names).__geo_interface__)
    return pd.Series(shapes, dtype=object)


def _hull_geometry(members: pd.DataFrame, buffer_m: float) -> pd.Series:
    """Convex hull of the members buffered by ``buffer_m`` in a local metric frame."""
    shapes = {}
    for label, group in members.groupby("label", sort=True):
        shapes[label] = buffered_hull(group["lat"].to_numpy(), group["lon"].to_numpy(), buffer_m)
    return pd.Series(shapes, dtype=object)


def buffered_hull(lat: np.ndarray, lon: np.ndarray, buffer_m: float) -> shapely.Geometry:
    """Convex hull of points grown by ``buffer_m`` metres (one point: a circle)."""
    scale = 111_320.0 * np.cos(np.radians(float(np.mean(lat))))
    x = np.asarray(lon, dtype=float) * scale
    y = np.asarray(lat, dtype=float) * 110_574.0
    local = shapely.buffer(shapely.convex_hull(shapely.multipoints(np.c_[x, y])), buffer_m)
    coords = shapely.get_coordinates(local)
    coords[:, 0] /= scale
    coords[:, 1] /= 110_574.0
    return shapely.set_coordinates(local, coords)


def recount(spots: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """``spots`` with complaints, subscribers, first/last complaint and dominant topic
    recomputed from ``members`` (complaints with spot_id); geometry is kept."""
    rows = members.assign(complaints=1, first_at=members["created_at"], last_at=members["created_at"])
    return recount_rows(spots, rows, lambda mine: _mode(mine.rename(columns={"spot_id": "label"}), "topic"))


def recount_rows(
    spots: pd.DataFrame, rows: pd.DataFrame, dominant_topic: Callable[[pd.DataFrame], pd.Series]
) -> pd.DataFrame:
    """``spots`` recounted from ``rows`` (``spot_id, subscriber_id, complaints, first_at,
    last_at``: members, or their tallies), the dominant topic by spot from
    ``dominant_topic`` of the spots' rows; a spot without rows keeps its figures."""
    out = spots.copy()
    mine = rows[rows["spot_id"].isin(out["id"])]
    if mine.empty:
        return out
    grouped = mine.groupby("spot_id")
    by_id = out["id"]
    out["complaints"] = by_id.map(grouped["complaints"].sum()).fillna(out["complaints"]).astype(int)
    out["subscribers"] = by_id.map(grouped["subscriber_id"].nunique()).fillna(out["subscribers"]).astype(int)
    out["first_complaint_at"] = by_id.map(grouped["first_at"].min()).fillna(out["first_complaint_at"])
    out["last_complaint_at"] = by_id.map(grouped["last_at"].max()).fillna(out["last_complaint_at"])
    topic = by_id.map(dominant_topic(mine))
    out["dominant_topic"] = topic.where(topic.notna(), out["dominant_topic"])
    return out

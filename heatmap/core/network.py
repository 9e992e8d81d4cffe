"""Correlation of spots with the network: nearby sites, their alarms, a suggested cause."""

from __future__ import annotations

import numpy as np
import pandas as pd

EARTH_RADIUS_M = 6_371_008.8
SITE_COLUMNS = ("site_id", "lat", "lon", "technology", "band", "azimuth")
ALARM_COLUMNS = ("site_id", "severity", "start", "end", "kind", "text")
SEVERITY_RANK = {"critical": 4, "major": 3, "minor": 2, "warning": 1}
#: Alarm kinds recognised in free alarm text when the CSV gives no ``kind``.
_KIND_PATTERNS = (
    ("power", r"power|mains|battery|питани|электр|аккумул|ибп"),
    ("transport_link", r"transport|link|backhaul|e1|stm|microwave|транспорт|канал|ррл|оптик"),
)


def haversine_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres (broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1))))


def sites_near(spots: pd.DataFrame, sites: pd.DataFrame, *, reach_m: float) -> pd.DataFrame:
    """``spot_id, site_id, distance_m`` for each site within ``reach_m`` of a spot's centroid."""
    if spots.empty or sites.empty:
        return pd.DataFrame(columns=["spot_id", "site_id", "distance_m"])
    d = haversine_m(
        spots["centroid_lat"].to_numpy(float)[:, None],
        spots["centroid_lon"].to_numpy(float)[:, None],
        sites["lat"].to_numpy(float)[None, :],
        sites["lon"].to_numpy(float)[None, :],
    )
    i, j = np.nonzero(d <= reach_m)
    return pd.DataFrame(
        {
            "spot_id": spots["id"].to_numpy()[i],
            "site_id": sites["site_id"].to_numpy()[j],
            "distance_m": np.round(d[i, j], 1),
        }
    ).sort_values(["spot_id", "distance_m"])


def alarm_kinds(alarms: pd.DataFrame) -> pd.Series:
    """``kind`` as given, else read from the alarm text; ``equipment`` otherwise."""
    given = alarms.get("kind", pd.Series(None, index=alarms.index)).astype(object)
    text = alarms.get("text", pd.Series("", index=alarms.index)).fillna("").astype(str).str.lower()
    kind = pd.Series("equipment", index=alarms.index, dtype=object)
    for name, pattern in reversed(_KIND_PATTERNS):
        kind[text.str.contains(pattern, regex=True)] = name
    return given.where(given.notna() & (given.astype(str) != ""), kind)


def correlate(
    spots: pd.DataFrame,
    sites: pd.DataFrame,
    alarms: pd.DataFrame,
    *,
    reach_m: float,
) -> pd.DataFrame:
    """Per spot: nearby sites, the worst alarm overlapping its window, a suggested cause.

    Returns ``id, sites, alarm_site, alarm_severity, alarm_kind, suggested_cause``.
    A spot with no site in reach suggests a coverage gap; an alarm during the
    spot's window (first to last complaint) suggests that alarm's kind at that
    site; slow data with no alarm suggests capacity.
    """
    out = pd.DataFrame({"id": spots["id"]})
    near = sites_near(spots, sites, reach_m=reach_m)
    out["sites"] = (
        out["id"]
        .map(near.groupby("spot_id")["site_id"].agg(list))
        .apply(lambda v: v if isinstance(v, list) else [])
    )
    out["alarm_site"] = None
    out["alarm_severity"] = None
    out["alarm_kind"] = None
    if len(alarms) and len(near):
        alarms = alarms.assign(
            kind=alarm_kinds(alarms), rank=alarms["severity"].str.lower().map(SEVERITY_RANK).fillna(0)
        )
        windows = spots.set_index("id")[["first_complaint_at", "last_complaint_at"]]
        hits = near.merge(alarms, on="site_id").join(windows, on="spot_id")
        still_active = hits["end"].isna()
        overlapping = hits[
            (hits["start"] <= hits["last_complaint_at"])
            & (still_active | (hits["end"] >= hits["first_complaint_at"]))
        ]
        worst = overlapping.sort_values(["rank", "distance_m"], ascending=[False, True])
        worst = worst.drop_duplicates("spot_id").set_index("spot_id")
        out["alarm_site"] = out["id"].map(worst["site_id"])
        out["alarm_severity"] = out["id"].map(worst["severity"].str.lower())
        out["alarm_kind"] = out["id"].map(worst["kind"])
    topic = spots.set_index("id")["dominant_topic"].reindex(out["id"]).to_numpy()
    cause = out["alarm_kind"].replace({"equipment": "equipment_failure"}).astype(object)
    cause[cause.isna() & (out["sites"].str.len() == 0)] = "coverage_gap"
    cause[cause.isna() & (topic == "slow_data")] = "capacity"
    out["suggested_cause"] = cause.where(cause.notna(), None)
    return out.reset_index(drop=True)


def estimate_sites(fixes: pd.DataFrame, *, top_share: float = 0.1) -> pd.DataFrame:
    """Site positions from drive-test fixes (lat, lon, node, rsrp, technology).

    A site is placed at the RSRP-weighted centre of the strongest ``top_share``
    of the fixes served by it: where a car hears a node best is nearest to it.
    """
    usable = fixes.dropna(subset=["lat", "lon", "node", "rsrp"])
    rows = []
    for node, group in usable.groupby("node", sort=True):
        cut = group["rsrp"].quantile(1 - top_share)
        best = group[group["rsrp"] >= cut]
        w = (best["rsrp"] - best["rsrp"].min() + 1.0).to_numpy(float)
        rows.append(
            {
                "site_id": str(node),
                "lat": float(np.average(best["lat"], weights=w)),
                "lon": float(np.average(best["lon"], weights=w)),
                "technology": str(group["technology"].mode().iloc[0]),
                "band": None,
                "azimuth": None,
                "fixes": len(group),
            }
        )
    return pd.DataFrame(rows, columns=[*SITE_COLUMNS, "fixes"])

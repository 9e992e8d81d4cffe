"""Every alarm of the network sites in reach of a spot, worst first (the engineer's list).

:func:`heatmap.core.network.correlate` keeps only the worst alarm during the complaints, to
suggest a cause; an engineer deciding what to do wants them all: which site, how bad, raised
when, cleared or not, and whether it overlapped the complaints.
"""

from __future__ import annotations

import pandas as pd

from heatmap.core.network import SEVERITY_RANK, alarm_kinds, sites_near

#: The columns of :func:`spot_alarms`' frame.
SPOT_ALARM_COLUMNS = (
    "site_id",
    "distance_m",
    "severity",
    "kind",
    "start",
    "end",
    "text",
    "active",
    "during_complaints",
)


def spot_alarms(
    spot: pd.Series, sites: pd.DataFrame, alarms: pd.DataFrame, *, reach_m: float
) -> pd.DataFrame:
    """The alarms of every site within ``reach_m`` of the spot's centroid.

    Sorted worst first: severity (critical, major, minor, warning, unknown), then those
    overlapping the spot's complaints (first to last complaint), then still active, then
    the latest raised, then the nearest site. ``active`` is an alarm with no end;
    ``during_complaints`` one raised before the last complaint and not cleared before the first.
    """
    near = sites_near(spot.to_frame().T, sites, reach_m=reach_m) if len(sites) else pd.DataFrame()
    if near.empty or alarms.empty:
        return pd.DataFrame(columns=list(SPOT_ALARM_COLUMNS))
    hits = near.loc[:, ["site_id", "distance_m"]].merge(alarms, on="site_id")
    if hits.empty:
        return pd.DataFrame(columns=list(SPOT_ALARM_COLUMNS))
    hits["kind"] = alarm_kinds(hits)
    hits["severity"] = hits["severity"].astype("string").str.lower()
    hits["active"] = hits["end"].isna()
    first, last = pd.Timestamp(spot["first_complaint_at"]), pd.Timestamp(spot["last_complaint_at"])
    during = (hits["start"] <= last) & (hits["active"] | (hits["end"] >= first))
    hits["during_complaints"] = during.fillna(False).astype(bool)
    hits["rank"] = hits["severity"].map(SEVERITY_RANK).fillna(0)
    hits = hits.sort_values(
        ["rank", "during_complaints", "active", "start", "distance_m"],
        ascending=[False, False, False, False, True],
        na_position="last",
        kind="stable",
    )
    return hits.loc[:, list(SPOT_ALARM_COLUMNS)].reset_index(drop=True)

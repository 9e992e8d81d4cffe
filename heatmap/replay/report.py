"""The outcome report of a replay: a pure function over the store's frames and the truth.

Every figure says what it counts (``ASSUMPTIONS``). A spot is *about* an incident when at
least half of its complaints come from that incident (:func:`people.incident_of`); a spot
about none is a false spot. Spot outcomes (time to resolve, solved within a day, reopens,
SLA) come from :func:`heatmap.core.outcomes.outcomes`, the analysts' own figures.
"""

from __future__ import annotations

import math
from typing import Any

import h3
import numpy as np
import pandas as pd

from heatmap.core.density import reach
from heatmap.core.outcomes import outcomes
from heatmap.domain.outbox import ACCEPTED
from heatmap.replay import people
from heatmap.replay.run import Frames

__all__ = [
    "KEYS",
    "NOTES",
    "daily",
    "density_layer",
    "notified_without_fault",
    "outcome_report",
    "spot_incidents",
]

#: The keys scripts rely on (DESIGN.md, ``heatmap replay --json``), in order.
KEYS = (
    "incidents",
    "incidents_detected",
    "median_hours_to_detect",
    "false_spots",
    "spots",
    "share_solved_within_1_day",
    "median_hours_to_fix",
    "complainants_notified",
    "reached_beyond_complainants",
    "mean_rating",
    "reopen_rate",
)
#: What each figure counts, shown next to it.
NOTES = {
    "incidents": "incidents started during the replay (the simulation's truth)",
    "incidents_detected": "incidents with a spot about them (half its complaints or more)",
    "median_hours_to_detect": "incident start to the creation of its first spot",
    "false_spots": "spots about no incident (background complaints only, mostly)",
    "spots": "spots created (merged ones left out)",
    "share_solved_within_1_day": "of spots resolved or a day old, resolved within 24 h of creation",
    "median_hours_to_fix": "spot creation to its first resolution",
    "complainants_notified": "distinct (spot, client) close-out SMS the gateway accepted",
    "notified_without_fault": "of those, clients none of whose complaints in the spot came from "
    "an incident (told that a problem they never had was fixed)",
    "reached_beyond_complainants": "subscribers of resolved spots' areas who never complained "
    "(density: subscribers per registry house)",
    "mean_rating": "mean 1-5 rating answered to the close-out SMS",
    "reopen_rate": "of spots ever resolved, those reopened by clients' answers",
    "sla_breaches": "per queue: resolved after the SLA, or open past it at the end",
    "share_of_complaints_in_spots": "complaints that belong to a spot at the end",
    "complaints": "complaints ingested",
    "sites": "simulated network sites (one per square of site_spacing_m with houses)",
    "alarms": "alarms raised: by incidents (equipment, power, transport) and others",
    "incidents_with_alarm": "incidents that raised an alarm on their nearest site",
    "spots_with_alarm": "spots with an alarm on a site in reach during their window",
    "spots_routed_by_alarm": "spots routed or re-routed by a rule on alarm severity",
}


def density_layer(houses: pd.DataFrame, *, subscribers_per_house: float, res: int = 10) -> pd.DataFrame:
    """A subscriber layer ``h3_cell, subscribers`` from the registry houses: the same
    number of the operator's subscribers in every house (an assumption, not data)."""
    cells = [
        h3.latlng_to_cell(a, o, res)
        for a, o in zip(houses["lat"].tolist(), houses["lon"].tolist(), strict=True)
    ]
    counts = pd.Series(cells).value_counts()
    return pd.DataFrame(
        {"h3_cell": counts.index.astype(str), "subscribers": counts.to_numpy(float) * subscribers_per_house}
    )


def spot_incidents(frames: Frames) -> pd.DataFrame:
    """``spot_id, incident`` for the live spots: the incident each is about, or -1."""
    truth = frames.truth.set_index("ticket_id")["incident"]
    members = frames.complaints.dropna(subset=["spot_id"])
    about = {
        str(s): people.incident_of(truth.reindex(g["ticket_id"]).dropna().astype(int))
        for s, g in members.groupby("spot_id")
    }
    live = frames.spots[frames.spots["status"] != "merged"]
    return pd.DataFrame(
        {
            "spot_id": live["id"].astype(str).to_numpy(),
            "incident": [about.get(str(s), -1) for s in live["id"]],
        }
    )


def notified_without_fault(sent: pd.DataFrame, frames: Frames) -> int:
    """Distinct (spot, client) close-out SMS sent to a client none of whose complaints in
    that spot came from any incident: told that a problem they never had was fixed."""
    pairs = sent[["spot_id", "subscriber_id"]].drop_duplicates().astype({"spot_id": str})
    if pairs.empty:
        return 0
    said = frames.complaints.dropna(subset=["spot_id"])[["spot_id", "subscriber_id", "ticket_id"]]
    said = said.astype({"spot_id": str}).merge(frames.truth[["ticket_id", "incident"]], on="ticket_id")
    faults = said[said["incident"] >= 0][["spot_id", "subscriber_id"]].drop_duplicates()
    hit = pairs.merge(faults, how="left", indicator=True)
    return int((hit["_merge"] == "left_only").sum())


def outcome_report(frames: Frames, *, subscribers_per_house: float) -> dict[str, Any]:
    """The outcomes of a replay (:data:`KEYS` first, then SLA breaches per queue and the
    share of complaints in spots); None where there is nothing to count."""
    table = outcomes(frames.spots, frames.events, now=frames.end)
    about = spot_incidents(frames)
    table = table.merge(about, left_on="id", right_on="spot_id", how="left")
    real = table[table["incident"] >= 0]
    incidents = frames.incidents
    first = real.groupby("incident")["created_at"].min()
    starts = incidents.set_index("incident")["start"].reindex(first.index)
    detect_hours = (first - starts) / pd.Timedelta(hours=1)
    decided = table["solved_within_1_day"].dropna()
    resolved = table[table["resolved_at"].notna()]
    sent = frames.outbox[frames.outbox["status"].isin(sorted(ACCEPTED))]
    ratings = pd.to_numeric(frames.ratings["rating"], errors="coerce").dropna()
    helped = 0.0
    if len(resolved):
        shapes = frames.spots[frames.spots["id"].isin(resolved["id"])]
        layer = density_layer(frames.houses, subscribers_per_house=subscribers_per_house)
        helped = float(reach(shapes, layer)["helped_not_complained"].sum())
    complaints = frames.complaints
    report: dict[str, Any] = {
        "incidents": len(incidents),
        "incidents_detected": int(first.size),
        "median_hours_to_detect": _median(detect_hours.clip(lower=0)),
        "false_spots": int((table["incident"] < 0).sum()),
        "spots": len(table),
        "share_solved_within_1_day": _share(decided.astype(bool)),
        "median_hours_to_fix": _median(resolved["hours_to_resolve"]),
        "complainants_notified": int(sent[["spot_id", "subscriber_id"]].drop_duplicates().shape[0]),
        "reached_beyond_complainants": round(helped),
        "mean_rating": None if ratings.empty else round(float(ratings.mean()), 2),
        "reopen_rate": _share(resolved["reopens"] > 0) if len(resolved) else None,
        "notified_without_fault": notified_without_fault(sent, frames),
        "sla_breaches": _breaches(table),
        "share_of_complaints_in_spots": _share(complaints["spot_id"].notna()) if len(complaints) else None,
        "complaints": len(complaints),
        **_network(frames, table),
    }
    return report


def _network(frames: Frames, table: pd.DataFrame) -> dict[str, Any]:
    """Sites, alarms, and the spots that had one (:data:`NOTES`); nothing without sites."""
    if frames.sites.empty:
        return {}
    alarms = frames.alarms
    live = frames.spots[frames.spots["id"].isin(table["id"])]
    rules = [r.name for r in frames.policy.routing if r.alarm_severities is not None]
    # the router's moves: first routing and re-routing (not its advice on a spot in work)
    moves = (frames.events["actor"] == "router") & frames.events["kind"].isin(["transition", "rerouted"])
    notes = frames.events.loc[moves, ["spot_id", "note"]].dropna()
    by_alarm = notes[notes["note"].apply(lambda n: any(f"«{r}»" in n for r in rules))]
    return {
        "sites": len(frames.sites),
        "alarms": len(alarms),
        "incidents_with_alarm": int(alarms.loc[alarms["incident"] >= 0, "incident"].nunique()),
        "spots_with_alarm": int(live["alarm_site"].notna().sum()),
        "spots_routed_by_alarm": int(by_alarm.loc[by_alarm["spot_id"].isin(live["id"]), "spot_id"].nunique()),
    }


def _breaches(table: pd.DataFrame) -> dict[str, int]:
    late = (table["resolved_at"] > table["due_at"]) | table["overdue"].astype(bool)
    return {str(q): int(n) for q, n in late.groupby(table["queue"].fillna("none")).sum().items()}


def _median(values: pd.Series) -> float | None:
    values = pd.to_numeric(values, errors="coerce").dropna()
    return None if values.empty else round(float(values.median()), 1)


def _share(flags: pd.Series) -> float | None:
    return None if flags.empty else round(float(flags.mean()), 3)


def daily(frames: Frames) -> pd.DataFrame:
    """Per simulated day: spots created, spots resolved (first resolution) and spots open at
    the day's end (created, not yet resolved or rejected, merged ones left out)."""
    table = outcomes(frames.spots, frames.events, now=frames.end)
    events = frames.events
    closed = events[events["to_status"].isin(["resolved", "rejected"])]
    closed_at = pd.to_datetime(closed.groupby("spot_id")["at"].min(), utc=True)
    start = pd.Timestamp(frames.start)
    days = math.ceil((pd.Timestamp(frames.end) - start) / pd.Timedelta(days=1))
    rows = []
    for day in range(days):
        end = start + pd.Timedelta(days=day + 1)
        begin = end - pd.Timedelta(days=1)
        created = table["created_at"]
        done = pd.to_datetime(closed_at.reindex(table["id"]).to_numpy(), utc=True)
        rows.append(
            {
                "day": day + 1,
                "created": int(((created >= begin) & (created < end)).sum()),
                "resolved": int(((table["resolved_at"] >= begin) & (table["resolved_at"] < end)).sum()),
                "open": int(((created < end) & ~(pd.Series(done) < end).to_numpy()).sum()),
            }
        )
    return pd.DataFrame(rows, columns=["day", "created", "resolved", "open"])


def as_text(value: object) -> str:
    """A figure as a person reads it."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or "—"
    return str(value)

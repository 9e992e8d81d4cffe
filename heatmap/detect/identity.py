"""Stable spot identity across detection runs, with lineage.

Rules (DESIGN.md, "Detect spots"): a re-detected spot keeps its id; when spots
merge, the oldest survives and the others become ``merged`` into it; when one
splits, the part sharing most complainants with it keeps the id and the other
parts are new spots recorded as split from it. Only open spots take part:
a resolved spot is history, and new complaints there make a new spot.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from heatmap.domain import SpotStatus


@dataclass
class Reconciled:
    """Detected clusters with identities, and what happened to the open spots."""

    #: one row per cluster: the cluster's columns plus id, status, created_at, previous_id
    spots: pd.DataFrame
    #: ids of open spots absorbed by another spot: id, merged_into
    merged: pd.DataFrame
    #: ticket_id → spot_id for every complaint whose spot is (re)assigned
    members: pd.DataFrame
    #: lineage events (kind: created, split, merged, grown)
    events: pd.DataFrame


def new_spot_id(first_ticket: str, taken: Collection[str]) -> str:
    """A short id derived from the spot's earliest ticket, unique among ``taken``."""
    salt = 0
    while True:
        seed = first_ticket if salt == 0 else f"{first_ticket}#{salt}"
        candidate = "SP-" + hashlib.sha1(seed.encode("utf-8")).hexdigest()[:8].upper()
        if candidate not in taken:
            return candidate
        salt += 1


def reconcile(
    clusters: pd.DataFrame,
    points: pd.DataFrame,
    open_spots: pd.DataFrame,
    *,
    taken_ids: Collection[str],
    now: datetime,
) -> Reconciled:
    """Give each cluster an id. ``points`` has ticket_id, subscriber_id, spot_id, label."""
    open_ids = set(open_spots["id"]) if len(open_spots) else set()
    overlap = _overlap(points, open_ids)
    age = open_spots.set_index("id")["created_at"] if len(open_spots) else pd.Series(dtype=object)
    size = clusters.set_index("label")["subscribers"]
    if len(overlap):
        overlap = overlap.assign(
            age=overlap["spot_id"].map(age), size=overlap["label"].map(size)
        ).sort_values(
            ["age", "spot_id", "shared", "size", "label"], ascending=[True, True, False, False, True]
        )

    owner = _owners(overlap)
    kept = set(owner.values())

    taken = set(taken_ids)
    events: list[dict[str, object]] = []
    status = open_spots.set_index("id")["status"] if len(open_spots) else pd.Series(dtype=object)
    ids: list[str] = []
    statuses: list[str] = []
    created: list[object] = []
    previous: list[str | None] = []
    for row in clusters.itertuples(index=False):
        label = int(row.label)
        if label in owner:
            spot_id = owner[label]
            ids.append(spot_id)
            statuses.append(status[spot_id])
            created.append(age[spot_id])
            previous.append(spot_id)
            continue
        spot_id = new_spot_id(row.tickets[0], taken)
        taken.add(spot_id)
        ids.append(spot_id)
        statuses.append(SpotStatus.NEW.value)
        created.append(now)
        previous.append(None)
        parents = overlap[overlap["label"] == label]["spot_id"] if len(overlap) else []
        parent = next(iter(parents), None)
        events.append(
            _event(spot_id, now, "split" if parent else "created", None, SpotStatus.NEW.value, parent)
        )
    spots = clusters.assign(id=ids, status=statuses, created_at=created, previous_id=previous)
    label_to_id = dict(zip(spots["label"].tolist(), ids, strict=True))

    merged = _merged(overlap, kept, label_to_id, status, now, events)
    members = _members(points, label_to_id, merged)
    for spot_id in spots.loc[spots["previous_id"].notna(), "id"]:
        if spot_id in set(members["spot_id"]):
            events.append(_event(spot_id, now, "grown", None, None, None))
    return Reconciled(
        spots=spots.reset_index(drop=True),
        merged=merged,
        members=members,
        events=pd.DataFrame(
            events,
            columns=["spot_id", "at", "kind", "from_status", "to_status", "related_spot_id", "actor", "note"],
        ),
    )


def _owners(overlap: pd.DataFrame) -> dict[int, str]:
    """Label → the open spot whose id it keeps: in the overlap's order (oldest spot,
    most shared complainants first), each spot and each cluster at most once."""
    owner: dict[int, str] = {}
    kept: set[str] = set()
    for spot_id, label in overlap[["spot_id", "label"]].itertuples(index=False, name=None):
        if spot_id not in kept and label not in owner:
            owner[int(label)] = spot_id
            kept.add(spot_id)
    return owner


def _merged(
    overlap: pd.DataFrame,
    kept: set[str],
    label_to_id: dict[int, str],
    status: pd.Series,
    now: datetime,
    events: list[dict[str, object]],
) -> pd.DataFrame:
    """Open spots that kept no cluster: merged into the spot of the cluster sharing most
    of their complainants (their events appended to ``events``)."""
    rows = []
    if len(overlap):
        for spot_id, group in overlap.groupby("spot_id", sort=True):
            if spot_id in kept:
                continue
            survivor = label_to_id[int(group.sort_values("shared", ascending=False)["label"].iloc[0])]
            rows.append({"id": spot_id, "merged_into": survivor})
            events.append(_event(spot_id, now, "merged", status[spot_id], SpotStatus.MERGED.value, survivor))
            events.append(_event(survivor, now, "absorbed", None, None, spot_id))
    return pd.DataFrame(rows, columns=["id", "merged_into"])


def _members(points: pd.DataFrame, label_to_id: dict[int, str], merged: pd.DataFrame) -> pd.DataFrame:
    """Complaints whose spot changes: each labelled one to its cluster's spot, and a
    merged spot's unlabelled complaints to the spot it merged into."""
    labelled = points[points["label"] >= 0]
    members = pd.DataFrame(
        {"ticket_id": labelled["ticket_id"], "spot_id": labelled["label"].map(label_to_id)}
    )
    if len(merged):
        into = merged.set_index("id")["merged_into"]
        orphans = points[(points["label"] < 0) & points["spot_id"].isin(into.index)]
        moved = pd.DataFrame({"ticket_id": orphans["ticket_id"], "spot_id": orphans["spot_id"].map(into)})
        members = pd.concat([members, moved], ignore_index=True)
    changed = (
        members["spot_id"].to_numpy()
        != points.set_index("ticket_id")["spot_id"].reindex(members["ticket_id"]).to_numpy()
    )
    return members[changed].reset_index(drop=True)


def _overlap(points: pd.DataFrame, open_ids: set[str]) -> pd.DataFrame:
    """Distinct complainants shared by each (open spot, cluster) pair."""
    hits = points[(points["label"] >= 0) & points["spot_id"].isin(open_ids)]
    if hits.empty:
        return pd.DataFrame(columns=["spot_id", "label", "shared"])
    return hits.groupby(["spot_id", "label"])["subscriber_id"].nunique().rename("shared").reset_index()


def _event(
    spot_id: str,
    at: datetime,
    kind: str,
    from_status: str | None,
    to_status: str | None,
    related: str | None,
) -> dict[str, object]:
    return {
        "spot_id": spot_id,
        "at": at,
        "kind": kind,
        "from_status": from_status,
        "to_status": to_status,
        "related_spot_id": related,
        "actor": "detector",
        "note": None,
    }

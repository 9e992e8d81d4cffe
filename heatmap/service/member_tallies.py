"""Recount and prioritise spots from their members tallied, as a join does.

A join adds a few complaints to spots that may hold thousands. Reading every member
again to recount and re-prioritise them makes each join cost more the longer its spots
stay open; the store's tallies (:meth:`heatmap.store.ComplaintStore.load_member_tallies`,
one row per spot, subscriber, segment and topic) carry everything both need, and the
joining complaints are added to them as rows of one complaint each. The results are
those of :func:`heatmap.detect.spots.recount` and :func:`heatmap.core.priority.prioritise`
over the members themselves: counts add up, firsts and lasts are minima and maxima, a
subscriber's highest segment weight and LTV are the highest of their rows, and the
priority is computed from the same complainants in the same order.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from heatmap.core.policy import Policy
from heatmap.core.priority import complainant_windows, prioritise_complainants
from heatmap.detect.spots import recount_rows
from heatmap.store.columns import MEMBER_TALLY_COLUMNS


def tallied(members: pd.DataFrame) -> pd.DataFrame:
    """Complaints with a ``spot_id`` as tally rows of one complaint each."""
    made = members["created_at"]
    return pd.DataFrame(
        {
            "spot_id": members["spot_id"],
            "subscriber_id": members["subscriber_id"],
            "segment": members["segment"],
            "topic": members["topic"],
            "complaints": 1,
            "first_at": made,
            "last_at": made,
            "ltv": members["ltv"].fillna(0.0),
        },
        columns=list(MEMBER_TALLY_COLUMNS),
    )


def recount_tallied(spots: pd.DataFrame, tallies: pd.DataFrame) -> pd.DataFrame:
    """``spots`` with complaints, subscribers, first/last complaint and dominant topic
    recomputed from their members' ``tallies``, as :func:`heatmap.detect.spots.recount`."""
    return recount_rows(spots, tallies, _dominant_topic)


def _dominant_topic(tallies: pd.DataFrame) -> pd.Series:
    """The topic most complaints of a spot name (ties: alphabetical), by spot."""
    named = tallies[tallies["topic"].notna()]
    named = named[named["topic"].astype(str) != ""]
    counts = named.groupby(["spot_id", "topic"])["complaints"].sum().rename("n").reset_index()
    counts = counts.sort_values(["spot_id", "n", "topic"], ascending=[True, False, True])
    return counts.drop_duplicates("spot_id").set_index("spot_id")["topic"]


def prioritise_tallied(
    spots: pd.DataFrame, tallies: pd.DataFrame, policy: Policy, *, now: datetime
) -> pd.DataFrame:
    """``spots`` prioritised from their members' ``tallies``, as
    :func:`heatmap.core.priority.prioritise` from the members themselves."""
    recent_from, doubling_from = complainant_windows(policy, now)
    mine = tallies[tallies["spot_id"].isin(spots["id"])]
    rows = pd.DataFrame(
        {
            "spot_id": mine["spot_id"],
            "subscriber_id": mine["subscriber_id"],
            "segment_w": mine["segment"].map(policy.priority.segment).fillna(1.0),
            "ltv": mine["ltv"],
            "recent": mine["last_at"] >= recent_from,
            "before": mine["first_at"] < doubling_from,
        }
    )
    # a complainant's highest weight and LTV, and whether any of their rows was in a window
    complainants = rows.groupby(["spot_id", "subscriber_id"]).max()
    return prioritise_complainants(spots, complainants, policy, now=now)

"""Re-routing of the open spots a detection run keeps: the policy's answer may change.

A spot is routed when it is first found; a later run may find the same place new or
intensifying, escalated, with an alarm or a cause, and the policy's rules may then send
it to a faster queue (shorter SLA). A spot still waiting in its queue is moved there; one
an engineer has in hand stays, and gets an event saying where the policy now sends it.
A spot is never moved to a slower queue: a burst ending does not demote it. The queue
is the router's alone (no engineer action sets it: ``requeue`` puts a spot back in its
own queue), so moving it overrides nobody's choice.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from heatmap.core.policy import Policy
from heatmap.core.routing import route
from heatmap.domain import SpotStatus
from heatmap.domain.columns import EVENT_COLUMNS

#: Statuses of a spot waiting in its queue, nobody working on it: the router may move it.
#: A reopened spot waits to be taken again like a queued one.
WAITING = frozenset({SpotStatus.NEW.value, SpotStatus.QUEUED.value, SpotStatus.REOPENED.value})


def reroute(
    found: pd.DataFrame, kept: pd.Series, previous: pd.DataFrame, policy: Policy, now: datetime
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``found`` with the kept waiting spots the policy now sends to a faster queue moved
    there (queue, sla_hours, and due_at from ``now`` unless it was due sooner), and the
    events: ``rerouted`` for each move, ``reroute_advised`` for a spot in work whose faster
    routing is new in this run (or that escalated in it).

    ``kept`` marks the spots that kept their id, ``previous`` is the stored open spots by
    id (what the spots were before this run). Known issues are the engineer's: left alone.
    """
    ids = found.index[kept.to_numpy(bool) & (found["kind"] != "known_issue").to_numpy(bool)]
    spots = found.loc[ids]
    if spots.empty:
        return found, pd.DataFrame(columns=list(EVENT_COLUMNS))
    routed = route(spots, policy)
    faster = routed["queue"].ne(spots["queue"]) & (routed["sla_hours"] < _sla_now(spots, policy))
    waiting = spots["status"].isin(WAITING)
    move = faster & waiting
    out = found.copy()
    if move.any():
        at = move.index[move]
        out.loc[at, "queue"] = routed.loc[at, "queue"]
        out.loc[at, "sla_hours"] = routed.loc[at, "sla_hours"]
        out.loc[at, "due_at"] = _sooner(
            spots.loc[at, "due_at"],
            pd.Timestamp(now) + pd.to_timedelta(routed.loc[at, "sla_hours"], unit="h"),
        )
    advise = (
        faster
        & ~waiting
        & (_newly_routed(spots, routed, previous, policy) | _newly_escalated(spots, previous))
    )
    events = pd.concat(
        [_events(spots[move], routed[move], now, moved=True), _events(spots[advise], routed[advise], now)],
        ignore_index=True,
    )
    return out, events


def _sooner(stored: pd.Series, new: pd.Series) -> pd.Series:
    """The earlier of the stored due time and the new queue's (a move never gives a spot
    more time than it had: moved late, its new SLA from now could end after the old one)."""
    before = pd.to_datetime(stored, utc=True, errors="coerce")
    after = pd.to_datetime(new, utc=True)
    return after.where(before.isna() | (after < before), before)


def _sla_now(spots: pd.DataFrame, policy: Policy) -> pd.Series:
    """The SLA of each spot's queue under the policy (the stored one for a queue the
    policy no longer has; none at all is slower than any queue)."""
    sla = spots["queue"].map({name: q.sla_hours for name, q in policy.queues.items()})
    stored = pd.to_numeric(spots["sla_hours"], errors="coerce")
    return sla.astype(float).fillna(stored).fillna(np.inf)


def _newly_routed(
    spots: pd.DataFrame, routed: pd.DataFrame, previous: pd.DataFrame, policy: Policy
) -> pd.Series:
    """Whether the policy's queue for each spot differs from the one it gave the spot as
    stored before this run: the advice is given once, when the routing changes.

    The store keeps an alarm's site, not its severity: the severity is taken as now's when
    the site is the same, as none when there was no alarm site before.
    """
    before = previous.reindex(spots["id"]).reset_index(names="id").set_index(spots.index)
    same_site = before["alarm_site"].eq(spots["alarm_site"]) & spots["alarm_site"].notna()
    severity = spots["alarm_severity"] if "alarm_severity" in spots else pd.Series(None, index=spots.index)
    before["alarm_severity"] = severity.where(same_site, None)
    return route(before, policy)["queue"].ne(routed["queue"])


def _newly_escalated(spots: pd.DataFrame, previous: pd.DataFrame) -> pd.Series:
    """Whether each spot escalated in this run (a new burst on a spot in work: the
    engineer is told again where the policy sends it)."""
    was = spots["id"].map(previous["escalated"]).eq(True) if "escalated" in previous else False
    return spots["escalated"].eq(True) & ~was


def _events(spots: pd.DataFrame, routed: pd.DataFrame, now: datetime, *, moved: bool = False) -> pd.DataFrame:
    """A ``rerouted`` event for each moved spot, or a ``reroute_advised`` one for each spot
    left in its queue (in work), naming the rule as routing events do."""
    rows = zip(spots["queue"], spots["status"], routed["queue"], routed["routed_by"], strict=True)
    note = [
        f"rerouted from {was} to {to} by rule «{rule}»"
        if moved
        else f"the policy now routes it to {to} by rule «{rule}»; left in {was} ({status})"
        for was, status, to, rule in rows
    ]
    return pd.DataFrame(
        {
            "spot_id": spots["id"],
            "at": now,
            "kind": "rerouted" if moved else "reroute_advised",
            "from_status": None,
            "to_status": None,
            "related_spot_id": None,
            "actor": "router",
            "note": note,
        }
    ).reindex(columns=list(EVENT_COLUMNS))

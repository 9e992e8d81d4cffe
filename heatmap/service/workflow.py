"""The engineer's and the agent's side: lifecycle, ETA, queues, joins (known issues:
:mod:`heatmap.service.known_issues`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from heatmap.closeout.outbox import resolution_outbox
from heatmap.core.lifecycle import ACTIONS, check_transition
from heatmap.core.network import correlate
from heatmap.core.policy import Policy
from heatmap.core.script import ScriptTemplates, spot_script
from heatmap.core.site_alarms import SPOT_ALARM_COLUMNS, spot_alarms
from heatmap.core.workflow_rules import check_cause, check_eta, check_reason, moscow_day_end
from heatmap.detect.join import attach
from heatmap.domain import OPEN_STATUSES, SpotStatus
from heatmap.errors import ConflictError, NotFoundError, TransitionError, UsageError
from heatmap.service.member_tallies import prioritise_tallied, recount_tallied, tallied
from heatmap.store.base import EVENT_COLUMNS, SPOT_COLUMNS, SpotChanges, Store


def load_spot(store: Store, spot_id: str) -> pd.Series:
    """One spot, or :class:`NotFoundError`."""
    found = store.load_spots(ids=[spot_id])
    if found.empty:
        raise NotFoundError(f"no spot {spot_id!r}")
    return found.iloc[0]


def event(
    spot_id: str,
    at: datetime,
    kind: str,
    *,
    actor: str,
    from_status: str | None = None,
    to_status: str | None = None,
    related: str | None = None,
    note: str | None = None,
    eta: datetime | None = None,
) -> dict[str, object]:
    return {
        "spot_id": spot_id,
        "at": at,
        "kind": kind,
        "from_status": from_status,
        "to_status": to_status,
        "related_spot_id": related,
        "actor": actor,
        "note": note,
        "eta": eta,
    }


def _reprioritised(store: Store, spots: pd.DataFrame, policy: Policy, now: datetime) -> pd.DataFrame:
    """``spots`` recounted and prioritised from their members, read tallied (one row per
    spot, subscriber, segment and topic) rather than whole: the same figures
    (:mod:`heatmap.service.member_tallies`) without reading every complaint of a spot
    that may hold thousands."""
    tallies = store.load_member_tallies(spots["id"].tolist())
    return prioritise_tallied(recount_tallied(spots, tallies), tallies, policy, now=now)


def _write(
    store: Store,
    spots: pd.DataFrame,
    events: list[dict[str, object]],
    now: datetime,
    *,
    expected: dict[str, str],
    seen: dict[str, datetime] | None = None,
    members: pd.DataFrame | None = None,
    outbox: pd.DataFrame | None = None,
) -> None:
    store.apply_spot_changes(
        SpotChanges(
            at=now,
            spots=spots.reindex(columns=list(SPOT_COLUMNS)),
            members=members if members is not None else pd.DataFrame(columns=["ticket_id", "spot_id"]),
            events=pd.DataFrame(events, columns=list(EVENT_COLUMNS)),
            expected=expected,
            outbox=outbox,
            seen=seen or {},
        )
    )


def _check_unchanged(spot: pd.Series, seen: datetime | None) -> None:
    """Refuse to act on a spot changed since the caller saw it (``seen``: its ``updated_at``)."""
    if seen is None:
        return
    stored = pd.Timestamp(spot["updated_at"])
    seen_at = pd.Timestamp(seen)
    if stored.tzinfo is None:
        stored = stored.tz_localize("UTC")
    if seen_at.tzinfo is None:
        seen_at = seen_at.tz_localize("UTC")
    if stored != seen_at:
        raise ConflictError(
            f"spot {spot['id']} changed at {stored.isoformat()} after it was read: reload it and try again"
        )


def transition(
    store: Store,
    spot_id: str,
    action: str,
    *,
    actor: str,
    now: datetime,
    policy: Policy,
    note: str | None = None,
    cause: str | None = None,
    seen: datetime | None = None,
) -> pd.Series:
    """Move a spot by an engineer's action (take, resolve, reject, reopen, requeue).

    Resolving needs a cause from the policy's list and rejecting a reason
    (:mod:`heatmap.core.workflow_rules`); with ``seen`` (the ``updated_at`` the caller
    read) a spot changed since is a :class:`ConflictError`.
    """
    if action not in ACTIONS:
        raise UsageError(f"unknown action {action!r}: use {', '.join(ACTIONS)}")
    spot = load_spot(store, spot_id)
    target = ACTIONS[action]
    _check_unchanged(spot, seen)
    check_transition(spot_id, str(spot["status"]), target)
    if action == "reject":
        note = check_reason(note)
    if action == "resolve" or cause is not None:
        cause = check_cause(cause, policy.causes)
    changed = spot.to_frame().T.reset_index(drop=True)
    changed["status"] = target
    changed["updated_at"] = now
    if action == "take":
        changed["engineer"] = actor
    if cause is not None:
        changed["cause"] = cause
    changed = _reprioritised(store, changed, policy, now)
    events = [
        event(
            spot_id,
            now,
            "transition",
            actor=actor,
            from_status=str(spot["status"]),
            to_status=target,
            note=note if cause is None else f"cause: {cause}" + (f"; {note}" if note else ""),
        )
    ]
    # close-out: resolving owes each complainant an SMS, written in the same transaction
    outbox = resolution_outbox(store, changed.iloc[0], now=now) if target == SpotStatus.RESOLVED else None
    # the store refuses the write if the spot's status or updated_at moved since it was read
    expected, read_at = {spot_id: str(spot["status"])}, {spot_id: spot["updated_at"]}
    _write(store, changed, events, now, expected=expected, seen=read_at, outbox=outbox)
    return changed.iloc[0]


def set_eta(
    store: Store,
    spot_id: str,
    eta: datetime,
    *,
    actor: str,
    now: datetime,
    note: str | None = None,
    seen: datetime | None = None,
) -> pd.Series:
    """Set the expected fix time (later than ``now``); every change is kept in the history."""
    spot = load_spot(store, spot_id)
    _check_unchanged(spot, seen)
    if spot["status"] not in OPEN_STATUSES:
        raise TransitionError(f"spot {spot_id} is {spot['status']}: an ETA is for open spots only")
    check_eta(eta, now=now)
    changed = spot.to_frame().T.reset_index(drop=True)
    changed["eta"] = pd.Timestamp(eta)
    changed["updated_at"] = now
    events = [event(spot_id, now, "eta", actor=actor, note=note, eta=eta)]
    expected, read_at = {spot_id: str(spot["status"])}, {spot_id: spot["updated_at"]}
    _write(store, changed, events, now, expected=expected, seen=read_at)
    return changed.iloc[0]


@dataclass
class SpotDetail:
    spot: pd.Series
    history: pd.DataFrame
    eta_history: pd.DataFrame
    complaints: pd.DataFrame
    network: pd.Series | None
    script: str
    sla_left_hours: float | None
    #: Every alarm of the sites in reach, worst first (:func:`heatmap.core.site_alarms.spot_alarms`).
    alarms: pd.DataFrame


def spot_detail(
    store: Store, spot_id: str, *, now: datetime, policy: Policy, templates: ScriptTemplates
) -> SpotDetail:
    """Everything an engineer or agent sees about one spot."""
    spot = load_spot(store, spot_id)
    history = store.load_events(spot_id)
    network = None
    sites = store.load_sites()
    alarms = pd.DataFrame(columns=list(SPOT_ALARM_COLUMNS))
    if len(sites):
        loaded = store.load_alarms()
        network = correlate(spot.to_frame().T, sites, loaded, reach_m=policy.network.reach_m).iloc[0]
        alarms = spot_alarms(spot, sites, loaded, reach_m=policy.network.reach_m)
    left = None  # SLA time left is an open spot's: a resolved one has none left to count
    if spot["status"] in OPEN_STATUSES and pd.notna(spot["due_at"]):
        left = round((pd.Timestamp(spot["due_at"]) - pd.Timestamp(now)).total_seconds() / 3600, 1)
    return SpotDetail(
        spot=spot,
        history=history,
        eta_history=history[history["kind"] == "eta"].loc[:, ["at", "eta", "actor", "note"]],
        complaints=store.load_complaints(spot_ids=[spot_id]),
        network=network,
        script=spot_script(spot.to_dict(), templates, now=now),
        sla_left_hours=left,
        alarms=alarms,
    )


def queue_view(store: Store, queue: str, *, now: datetime, policy: Policy) -> pd.DataFrame:
    """Open spots of a queue, highest priority first, with SLA hours left, breaches, whether
    the SLA ends before midnight in Moscow (``due_today``) and hours since detection."""
    if queue not in policy.queues:
        raise UsageError(f"unknown queue {queue!r}: {', '.join(policy.queues)}")
    spots = store.load_spots(statuses=sorted(OPEN_STATUSES))
    spots = spots[spots["queue"] == queue].copy()
    due = pd.to_datetime(spots["due_at"], utc=True)
    left = (due - pd.Timestamp(now)).dt.total_seconds()
    spots["sla_left_hours"] = np.round(left / 3600, 1)
    spots["breached"] = spots["sla_left_hours"] < 0
    spots["due_today"] = ~spots["breached"] & (due <= pd.Timestamp(moscow_day_end(now)))
    age = (pd.Timestamp(now) - pd.to_datetime(spots["created_at"], utc=True)).dt.total_seconds()
    spots["age_hours"] = np.round(age / 3600, 1)
    return spots.sort_values(["priority", "id"], ascending=[False, True]).reset_index(drop=True)


def join_complaints(
    store: Store,
    complaints: pd.DataFrame,
    *,
    now: datetime,
    policy: Policy,
    reach_m: float,
    only: list[str] | None = None,
) -> pd.DataFrame:
    """Attach located complaints to the open spot covering them or in reach; recount."""
    spots = store.load_spots(statuses=sorted(OPEN_STATUSES), ids=only)
    free = complaints[complaints["spot_id"].isna() & complaints["lat"].notna()]
    joined = attach(free, spots, reach_m=reach_m, active_hours=policy.join.active_hours)
    if joined.empty:
        return joined
    touched = spots[spots["id"].isin(joined["spot_id"])].copy()
    # the members already in are read tallied, not whole (:mod:`heatmap.service.member_tallies`)
    joining = free[free["ticket_id"].isin(joined["ticket_id"])]
    joining = joining.assign(spot_id=joining["ticket_id"].map(joined.set_index("ticket_id")["spot_id"]))
    tallies = pd.concat(
        [store.load_member_tallies(touched["id"].tolist()), tallied(joining)], ignore_index=True
    )
    touched = prioritise_tallied(recount_tallied(touched, tallies), tallies, policy, now=now)
    touched["updated_at"] = now
    events = [
        event(s, now, "joined", actor="join", note=f"{n} complaint(s) joined")
        for s, n in joined.groupby("spot_id").size().items()
    ]
    _write(
        store,
        touched,
        events,
        now,
        members=joined[["ticket_id", "spot_id"]],
        expected=dict(zip(touched["id"], touched["status"], strict=True)),
    )
    return joined

"""The replay loop: the simulated city and people around the real product, hour by hour.

Each simulated hour: the complaints of the hour go in as the rows of a CRM export through
the product's ingest, which also joins them to open spots (:mod:`heatmap.replay.steps`
says how this differs from ``heatmap ingest``: only in not reading a file); on the
detection schedule the OSS's alarm list as of now is stored and
:func:`heatmap.service.detect_spots` runs; clients' answers due by now go through the SMS
router's ``handle_reply`` (which reopens a spot when clients say the problem persists);
engineers resolve what they finished and take the top spots of their queues through
:mod:`heatmap.service.workflow`; and the SMS job (:func:`heatmap.closeout.notify.run_once`)
sends through the file gateway. The clock is the loop's variable: nothing sleeps or reads
the wall clock.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from heatmap.closeout.gateways import FileGateway
from heatmap.closeout.notify import run_once
from heatmap.closeout.templates import load_sms_templates
from heatmap.core.policy import Policy
from heatmap.errors import HeatmapError
from heatmap.replay import people
from heatmap.replay.config import ReplayConfig
from heatmap.replay.network import alarms_at, incident_ends
from heatmap.replay.recent import remembering
from heatmap.replay.steps import Product
from heatmap.replay.world import World
from heatmap.service import workflow
from heatmap.service.replies import handle_reply
from heatmap.settings import CloseoutSettings
from heatmap.store.base import Store

__all__ = ["Frames", "Work", "closeout_settings", "replay"]

_HOUR = timedelta(hours=1)
ENGINEER = "replay.engineer"


@dataclass
class Work:
    """A spot an engineer works on: the incident found there and when the work ends."""

    spot_id: str
    queue: str
    incident: int
    done_at: datetime


@dataclass
class Frames:
    """What a replay leaves: the store's frames and the world's truth, for the report."""

    spots: pd.DataFrame
    events: pd.DataFrame
    complaints: pd.DataFrame
    outbox: pd.DataFrame
    ratings: pd.DataFrame
    incidents: pd.DataFrame
    truth: pd.DataFrame
    start: datetime
    end: datetime
    policy: Policy
    houses: pd.DataFrame
    #: the network's sites and every alarm raised, each with its end (NaT: still on)
    sites: pd.DataFrame = field(default_factory=pd.DataFrame)
    alarms: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: seconds spent in each step of the loop: wall clock and this process's CPU
    #: (measured for the speed report; nothing in the simulation reads them)
    wall_seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _State:
    ends: np.ndarray  # per incident: when it ended (NaT while it goes on)
    fails_left: set[int]  # incidents whose next fix will not hold
    work: dict[str, Work] = field(default_factory=dict)
    replies: list[tuple[datetime, int, str]] = field(default_factory=list)
    seen_sms: set[int] = field(default_factory=set)
    sms_due: bool = False
    #: whether a queue may hold spots to take (after detection, answers, finished work or
    #: spots left waiting last hour); otherwise the queues are not read
    look: bool = True
    #: whether a workflow step ran (so the open spots the joins read may have changed)
    moved: bool = False
    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        """Add the wall and CPU seconds of the block to ``step``."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[step] = self.wall.get(step, 0.0) + time.perf_counter() - wall
            self.cpu[step] = self.cpu.get(step, 0.0) + time.process_time() - cpu

    #: the truth, indexed once: incident per ticket, first complaint and incident per client
    truth: pd.Series = field(default_factory=lambda: pd.Series(dtype=int))
    first_complaint: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    subscriber_incident: pd.Series = field(default_factory=lambda: pd.Series(dtype=int))


def replay(
    world: World,
    store: Store,
    *,
    policy: Policy,
    config: ReplayConfig,
    workdir: Path,
    on_day: Callable[[int], None] | None = None,
    closeout: CloseoutSettings | None = None,
) -> Frames:
    """Run ``config.days`` of ``world`` through the product on ``store`` (an empty, upgraded
    store of its own); the frames the report is computed from. ``closeout``: the SMS job's
    settings as the entry point got them from :mod:`heatmap.wiring` (None: the defaults,
    nothing read from the environment); the spool is the replay's own, with no links."""
    rng = np.random.default_rng(config.seed + 7919)
    store = remembering(store)  # detection's read of recent complaints kept up to date, not redone
    settings = closeout_settings(closeout, workdir / "sms-outbox.jsonl")
    templates = load_sms_templates(settings.sms_templates, public_url=None)
    gateway = FileGateway(settings.sms_spool, durable=False)  # the workdir's, thrown away
    state = _start(world, config, rng)
    complaints = world.complaints
    times = complaints["created_at"].to_numpy(dtype="datetime64[ns]")
    start = pd.Timestamp(config.start).to_pydatetime()
    product = Product.on(store, policy, complaints)
    hours = config.days * 24
    cursor = 0
    for hour in range(1, hours + 1):
        now = start + hour * _HOUR
        if hour % config.ingest_every_hours == 0:
            upto = int(
                np.searchsorted(times, np.datetime64(pd.Timestamp(now).tz_localize(None)), side="left")
            )
            batch = complaints.iloc[cursor:upto]
            cursor = upto
            with state.timed("ingest"):
                product.ingest(_happened(batch, state.ends), now=now)
        if hour % config.detect_every_hours == 0:
            if len(world.sites):  # the OSS's alarm list as of now, for detection to read
                with state.timed("alarms"):
                    product.feed_alarms(alarms_at(world.alarms, state.ends, pd.Timestamp(now)))
            with state.timed("detect"):
                product.detect(now=now)
            state.look = True
        with state.timed("answers"):
            answered = _answer(store, state, now=now, policy=policy, templates=templates)
        state.look = answered or state.look
        if answered:  # a reopening: the open spots the engineers and the joins read changed
            product.spots_changed()
        with state.timed("engineers"):
            if _engineers(store, state, world, product, now=now, policy=policy, config=config, rng=rng):
                state.sms_due = True
        if answered or state.moved:  # a reopening, a take or a resolution: spots changed
            product.spots_changed()
            state.moved = False
        if state.sms_due:  # the SMS job's pass is only worth running with messages waiting
            with state.timed("sms"):
                counts = run_once(store, gateway, now=now, settings=settings, templates=templates)
                state.sms_due = bool(counts["held"] or counts["retrying"] or counts["unknown"])
                if counts["sent"]:
                    _new_replies(store, state, world, config=config, rng=rng, now=now)
        if on_day is not None and hour % 24 == 0:
            on_day(hour // 24)
    return _frames(store, world, state, start=start, end=start + hours * _HOUR, policy=policy)


def closeout_settings(given: CloseoutSettings | None, spool: Path) -> CloseoutSettings:
    """The SMS job's settings in a replay: ``given`` (the caller's, from :mod:`heatmap.wiring`)
    or the defaults without reading the environment, with the replay's own spool and no
    rating links."""
    chosen = given if given is not None else CloseoutSettings.model_construct()
    return chosen.model_copy(update={"sms_spool": spool, "public_url": ""})


def _start(world: World, config: ReplayConfig, rng: np.random.Generator) -> _State:
    """The loop's state at the start: when each incident would end by itself (or by the
    NOC), which fixes will not hold, and the truth indexed once."""
    incidents = world.incidents
    heal = incidents[["self_heal_at", "noc_fix_at"]].min(axis=1)  # by itself, or by the NOC
    failing = {
        int(i)
        for i, c in zip(incidents["incident"], incidents["cause"], strict=True)
        if rng.random() < config.causes[str(c)].fix_fails
    }
    complaints = world.complaints
    by_client = complaints.groupby("subscriber_id")
    return _State(
        ends=heal.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")),
        fails_left=failing,
        truth=complaints.set_index("ticket_id")["incident"],
        first_complaint=by_client["created_at"].min(),
        subscriber_incident=by_client["incident"].first(),
    )


def _frames(
    store: Store, world: World, state: _State, *, start: datetime, end: datetime, policy: Policy
) -> Frames:
    """What the replay leaves: the store's frames, the world's truth with the real ends."""
    return Frames(
        spots=store.load_spots(),
        events=store.load_events(),
        complaints=store.load_complaints(),
        outbox=store.load_outbox(),
        ratings=store.load_ratings(),
        incidents=world.incidents.assign(ended_at=pd.to_datetime(state.ends, utc=True)),
        truth=world.complaints.loc[:, ["ticket_id", "subscriber_id", "incident", "created_at"]],
        start=start,
        end=end,
        policy=policy,
        houses=world.houses,
        sites=world.sites,
        alarms=alarms_at(world.alarms, state.ends, pd.Timestamp(end)),
        wall_seconds=state.wall,
        cpu_seconds=state.cpu,
    )


def _happened(batch: pd.DataFrame, ends: np.ndarray) -> pd.DataFrame:
    """The candidate complaints made while their incident still went on."""
    incident = batch["incident"].to_numpy()
    end = incident_ends(incident, ends)
    made = batch["created_at"].to_numpy(dtype="datetime64[ns]")
    keep = (incident < 0) | np.isnat(end) | (made < end)
    return batch[keep]


def _answer(store: Store, state: _State, *, now: datetime, policy: Policy, templates: object) -> bool:
    """Clients' answers due by ``now``, through the SMS router's function; whether any."""
    answered = bool(state.replies) and state.replies[0][0] <= now
    while state.replies and state.replies[0][0] <= now:
        at, _outbox_id, msisdn_text = heapq.heappop(state.replies)
        msisdn, text = msisdn_text.split("|", 1)
        handle_reply(store, msisdn=msisdn, text=text, now=at, policy=policy, templates=templates)  # type: ignore[arg-type]
    return answered


def _new_replies(
    store: Store,
    state: _State,
    world: World,
    *,
    config: ReplayConfig,
    rng: np.random.Generator,
    now: datetime,
) -> None:
    """For each SMS sent since the last pass: whether and what its client answers, and when."""
    sent = store.load_outbox(statuses=["sent"])
    fresh = sent[~sent["id"].isin(state.seen_sms)]
    if fresh.empty:
        return
    first, incident = state.first_complaint, state.subscriber_incident
    for row in fresh.itertuples(index=False):
        state.seen_sms.add(int(row.id))
        at = people.reply_at(pd.Timestamp(row.sent_at).to_pydatetime(), config=config, rng=rng)
        if at is None:
            continue
        case = int(incident.get(row.subscriber_id, -1))
        end = state.ends[case] if case >= 0 else np.datetime64("NaT")
        broken = case >= 0 and (np.isnat(end) or end > np.datetime64(pd.Timestamp(at).tz_localize(None)))
        waited = (pd.Timestamp(row.sent_at) - first.get(row.subscriber_id, pd.Timestamp(now))) / pd.Timedelta(
            hours=1
        )
        text = people.client_reply(
            still_broken=bool(broken), waited_hours=float(waited), config=config, rng=rng
        )
        heapq.heappush(state.replies, (at, int(row.id), f"{row.msisdn}|{text}"))


def _engineers(
    store: Store,
    state: _State,
    world: World,
    product: Product,
    *,
    now: datetime,
    policy: Policy,
    config: ReplayConfig,
    rng: np.random.Generator,
) -> bool:
    """Finish the work due by ``now``, then take the top spots of queues with free hands;
    whether a spot was resolved (its clients are owed an SMS). Which queues hold spots to
    take comes from the open spots ``product`` last read, read again after a change."""
    resolved = False
    for spot_id, work in list(state.work.items()):
        if work.done_at <= now:
            del state.work[spot_id]
            resolved = _finish(store, state, world, work, now=now, policy=policy) or resolved
            state.look = True
    if state.moved:  # resolved or rejected just now
        product.spots_changed()
    if not state.look:
        return resolved
    working: dict[str, int] = {}
    for work in state.work.values():
        working[work.queue] = working.get(work.queue, 0) + 1
    capacity = {q: config.capacity.get(q, people.OTHER_QUEUE_CAPACITY) for q in policy.queues}
    free = people.free_slots(capacity, working)
    open_ = product.open_now()
    open_ = open_[open_["status"].isin(["new", "queued", "reopened"])]
    state.look = False
    for queue in sorted(set(open_["queue"].dropna()) & set(free)):
        slots = free[queue]
        state.look = True  # spots wait: look again next hour (a hand may be free by then)
        if slots == 0 or queue not in policy.queues or not people.on_duty(queue, now, config):
            continue
        waiting = workflow.queue_view(store, queue, now=now, policy=policy)
        waiting = waiting[waiting["status"].isin(["new", "queued", "reopened"])]
        for spot_id in waiting["id"].head(slots).tolist():
            _take(store, state, world, str(spot_id), queue, now=now, policy=policy, config=config, rng=rng)
    return resolved


def _take(
    store: Store,
    state: _State,
    world: World,
    spot_id: str,
    queue: str,
    *,
    now: datetime,
    policy: Policy,
    config: ReplayConfig,
    rng: np.random.Generator,
) -> None:
    members = store.load_complaints(spot_ids=[spot_id])["ticket_id"]
    case = people.incident_of(state.truth.reindex(members).dropna().astype(int))
    cause = str(world.incidents["cause"].iloc[case]) if case >= 0 else None
    over = (
        case >= 0
        and not np.isnat(state.ends[case])
        and state.ends[case] <= np.datetime64(pd.Timestamp(now).tz_localize(None))
    )
    hours = people.fix_hours(cause, over=bool(over), config=config, rng=rng)
    done = now + timedelta(hours=float(np.ceil(hours)))
    state.moved = True
    try:
        workflow.transition(store, spot_id, "take", actor=ENGINEER, now=now, policy=policy)
        workflow.set_eta(
            store, spot_id, done, actor=ENGINEER, now=now, note="replay: time to fix drawn for the cause"
        )
    except HeatmapError:
        return  # merged or moved meanwhile
    state.work[spot_id] = Work(spot_id, queue, case, done)


def _finish(store: Store, state: _State, world: World, work: Work, *, now: datetime, policy: Policy) -> bool:
    """Resolve with the true cause (the fix ends the incident unless it does not hold), or
    reject a spot with no network fault."""
    state.moved = True
    try:
        if work.incident < 0:
            workflow.transition(
                store,
                work.spot_id,
                "reject",
                actor=ENGINEER,
                now=now,
                policy=policy,
                note="replay: no network fault found",
            )
            return False
        case = work.incident
        if case in state.fails_left:
            state.fails_left.discard(case)
        elif np.isnat(state.ends[case]) or state.ends[case] > np.datetime64(
            pd.Timestamp(now).tz_localize(None)
        ):
            state.ends[case] = np.datetime64(pd.Timestamp(now).tz_localize(None))
        workflow.transition(
            store,
            work.spot_id,
            "resolve",
            actor=ENGINEER,
            now=now,
            policy=policy,
            cause=str(world.incidents["cause"].iloc[case]),
            note="replay: fixed",
        )
    except HeatmapError:
        return False  # merged into another spot meanwhile
    return True

"""``heatmap notify``: the SMS job that empties the outbox through a gateway.

Exactly once per (spot, subscriber, event):

1. The outbox row exists once (the store's unique key) and was written with the
   resolution.
2. Before the gateway is called the row is *claimed* — a conditional update from
   ``pending``/``held`` to ``sending`` committed on its own — so two jobs never send
   one message, and a job killed after the claim leaves a visible ``sending`` row.
3. After the call the row becomes ``sent`` (or goes back to ``pending`` with a
   back-off, or ``failed`` after the allowed attempts, with the reason).
4. A ``sending`` row older than ``confirm_after`` belongs to an interrupted call:
   a delivery report for it (which moves it on by itself) or the gateway's
   :meth:`~heatmap.closeout.gateways.Gateway.confirm` says it went; otherwise it was
   never accepted and is tried again. Nothing is lost and nothing the gateway took
   is sent again — as long as reports arrive within ``confirm_after`` (Kannel) or
   the gateway can answer ``confirm`` (file).

Quiet hours, opt-outs and the spot's status are checked at send time by the pure
:func:`decide`: a message due at night is ``held`` until the recipient's morning.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pandas as pd

from heatmap.closeout.gateways import Gateway, GatewayError, GatewayUnknown, OutgoingSms
from heatmap.closeout.links import RatingLinks, link_key
from heatmap.closeout.settings import CloseoutSettings
from heatmap.closeout.templates import SmsTemplates, sms_parts
from heatmap.core.quiet import QuietHours, release_at
from heatmap.domain import SpotStatus
from heatmap.domain.outbox import SmsStatus
from heatmap.store.base import Store

__all__ = ["Decision", "after_report", "backoff", "decide", "run_loop", "run_once"]

S = SmsStatus


@dataclass(frozen=True)
class Decision:
    action: Literal["send", "hold", "cancel"]
    until: datetime | None = None
    reason: str | None = None


def decide(
    *,
    offset_minutes: int,
    now: datetime,
    quiet: QuietHours | None,
    opted_out: bool,
    spot_status: str | None,
    superseded: bool = False,
) -> Decision:
    """What to do with a due message now. Pure. ``superseded``: a message about a later
    resolution of the same spot waits for the same client (one SMS tells them)."""
    if opted_out:
        return Decision("cancel", reason="the number opted out")
    if superseded:
        return Decision("cancel", reason="a later resolution of the spot is being told")
    if spot_status != SpotStatus.RESOLVED:
        return Decision("cancel", reason=f"the spot is {spot_status or 'gone'} now")
    until = release_at(now, offset_minutes, quiet)
    if until is not None:
        return Decision("hold", until=until)
    return Decision("send")


def backoff(attempts: int, *, base_s: float, max_s: float) -> timedelta:
    """Wait after the ``attempts``-th failed attempt: base, 2×base, 4×base, … capped."""
    return timedelta(seconds=min(base_s * 2 ** max(attempts - 1, 0), max_s))


#: Kannel delivery-report codes (the ``%d`` of dlr-url).
DLR_DELIVERED, DLR_UNDELIVERED, DLR_BUFFERED, DLR_SMSC_OK, DLR_SMSC_REJECTED = 1, 2, 4, 8, 16


def after_report(status: str, code: int) -> str | None:
    """The status a message moves to on a delivery report, or None to stay. Pure.

    A report is the gateway's word that it had the message, so even a message the
    job had given up on or was about to retry is marked sent — never sent twice.
    """
    if status == S.CANCELLED or code == DLR_BUFFERED:
        return None
    if code & DLR_DELIVERED:
        target = S.DELIVERED
    elif code & (DLR_UNDELIVERED | DLR_SMSC_REJECTED):
        target = S.UNDELIVERED
    elif code & DLR_SMSC_OK:
        target = S.SENT
    else:
        return None
    if status == S.DELIVERED or status == target:
        return None
    if status == S.UNDELIVERED and target == S.SENT:
        return None
    return target.value


@dataclass
class Job:
    """What one pass works with (:func:`run_once` builds it)."""

    store: Store
    gateway: Gateway
    settings: CloseoutSettings
    templates: SmsTemplates
    links: RatingLinks | None


def _int(value: Any) -> int:
    return int(value)


def run_once(
    store: Store, gateway: Gateway, *, now: datetime, settings: CloseoutSettings, templates: SmsTemplates
) -> dict[str, int]:
    """Settle interrupted sends, then hold, cancel or send every message due at ``now``."""
    links = RatingLinks(link_key(store.secret())) if templates.public_url else None
    job = Job(store, gateway, settings, templates, links)
    counts: Counter[str] = Counter()
    _settle_interrupted(job, now, counts)
    while _batch(job, now, counts):  # every due message, ``sms_batch`` at a time
        pass
    return _report(counts)


def _batch(job: Job, now: datetime, counts: Counter[str]) -> bool:
    """One batch of due messages; whether to go on (more may be due, the gateway is up)."""
    store, settings = job.store, job.settings
    due = store.due_outbox(now=now, limit=settings.sms_batch)
    if due.empty:
        return False
    optouts = set(store.load_optouts()["msisdn"])
    spots = store.load_spots(ids=sorted(set(due["spot_id"])))
    status_of = dict(zip(spots["id"], spots["status"], strict=True))
    rank = due["event"].str.extract(r"(\d+)$", expand=False).astype(float)
    latest = rank.groupby([due["spot_id"], due["subscriber_id"]]).transform("max")
    superseded = dict(zip(due["id"], rank < latest, strict=True))
    moved = 0
    for row in due.itertuples(index=False):
        decision = decide(
            offset_minutes=_int(row.utc_offset_min),
            now=now,
            quiet=settings.quiet,
            opted_out=row.msisdn in optouts,
            spot_status=status_of.get(row.spot_id),
            superseded=bool(superseded[row.id]),
        )
        if decision.action == "cancel":
            if store.update_outbox(
                _int(row.id),
                {"status": S.CANCELLED.value, "last_error": decision.reason, "updated_at": now},
                only_if=[row.status],
            ):
                counts["cancelled"] += 1
        elif decision.action == "hold":
            values: dict[str, object] = {
                "status": S.HELD.value,
                "next_attempt_at": decision.until,
                "updated_at": now,
            }
            if row.status != S.HELD:
                values["held_count"] = _int(row.held_count) + 1
            if store.update_outbox(_int(row.id), values, only_if=[row.status]):
                counts["held"] += 1
        elif not _send(job, row, now, counts):
            return False  # the gateway is down: leave the rest untouched until the next pass
        moved += 1
    return moved == len(due) and len(due) == settings.sms_batch


def _report(counts: Counter[str]) -> dict[str, int]:
    keys = ("sent", "held", "cancelled", "retrying", "failed", "unknown", "confirmed", "requeued")
    return {k: counts.get(k, 0) for k in keys}


def _send(job: Job, row: Any, now: datetime, counts: Counter[str]) -> bool:
    """Claim, send and record one message (a row of the outbox frame); False when the
    gateway is unreachable."""
    outbox_id = _int(row.id)
    attempt = _int(row.attempts) + 1
    expires = now + timedelta(days=job.settings.sms_link_days)
    token = job.links.issue(outbox_id, expires) if job.links else None
    text = job.templates.render("resolved", address=row.address, cause=row.cause, token=token)
    claimed = job.store.update_outbox(
        outbox_id,
        {
            "status": S.SENDING.value,
            "attempts": attempt,
            "claimed_at": now,
            "updated_at": now,
            "text": text,
            "parts": sms_parts(text),
            "gateway": job.gateway.name,
            "link_expires_at": expires if token else None,
        },
        only_if=[S.PENDING.value, S.HELD.value],
    )
    if not claimed:
        return True  # another job took it meanwhile
    sms = OutgoingSms(id=outbox_id, attempt=attempt, to=str(row.msisdn), text=text, at=now)
    try:
        reference = job.gateway.send(sms)
    except GatewayUnknown as exc:
        job.store.update_outbox(
            outbox_id, {"last_error": str(exc), "updated_at": now}, only_if=[S.SENDING.value]
        )
        counts["unknown"] += 1
        return True
    except GatewayError as exc:
        counts[_retry_or_fail(job, outbox_id, attempt, str(exc), now)] += 1
        return not exc.unreachable
    if not job.store.update_outbox(
        outbox_id,
        {
            "status": S.SENT.value,
            "sent_at": now,
            "gateway_ref": reference,
            "last_error": None,
            "updated_at": now,
        },
        only_if=[S.SENDING.value],
    ):
        # a delivery report got there first (it moved the row on); keep its status
        job.store.update_outbox(
            outbox_id,
            {"sent_at": now, "gateway_ref": reference},
            only_if=[S.SENT.value, S.DELIVERED.value, S.UNDELIVERED.value],
        )
    counts["sent"] += 1
    return True


def _retry_or_fail(
    job: Job, outbox_id: int, attempt: int, reason: str, now: datetime, *, wait: bool = True
) -> str:
    """A ``sending`` row back to ``pending`` (after a back-off when ``wait``), or ``failed``
    after the allowed attempts; which (``"moved"`` when something else moved the row)."""
    if attempt >= job.settings.sms_max_attempts:
        values: dict[str, object] = {
            "status": S.FAILED.value,
            "updated_at": now,
            "last_error": f"{reason} (gave up after {attempt} attempts)",
        }
        key = "failed"
    else:
        delay = (
            backoff(attempt, base_s=job.settings.sms_backoff_s, max_s=job.settings.sms_backoff_max_s)
            if wait
            else timedelta(0)
        )
        values = {
            "status": S.PENDING.value,
            "next_attempt_at": now + delay,
            "last_error": reason,
            "updated_at": now,
        }
        key = "retrying"
    return key if job.store.update_outbox(outbox_id, values, only_if=[S.SENDING.value]) else "moved"


def _settle_interrupted(job: Job, now: datetime, counts: Counter[str]) -> None:
    """``sending`` rows older than ``confirm_after``: confirmed as sent, or tried again."""
    stale_before = now - timedelta(seconds=job.settings.sms_confirm_after_s)
    sending = job.store.load_outbox(statuses=[S.SENDING.value])
    for row in sending.itertuples(index=False):
        claimed: Any = row.claimed_at
        if pd.isna(claimed) or pd.Timestamp(claimed) > pd.Timestamp(stale_before):
            continue
        sms = OutgoingSms(id=_int(row.id), attempt=_int(row.attempts), to=str(row.msisdn), text=str(row.text))
        went = job.gateway.confirm(sms) if row.gateway == job.gateway.name else None
        if went:
            if job.store.update_outbox(
                sms.id,
                {"status": S.SENT.value, "sent_at": claimed, "updated_at": now},
                only_if=[S.SENDING.value],
            ):
                counts["confirmed"] += 1
            continue
        why = (
            "the gateway has no record of it"
            if went is False
            else f"no delivery report within {job.settings.sms_confirm_after_s:g} s"
        )
        outcome = _retry_or_fail(job, sms.id, sms.attempt, f"interrupted send: {why}", now, wait=False)
        counts["requeued" if outcome == "retrying" else outcome] += 1


def run_loop(
    store: Store,
    gateway: Gateway,
    *,
    settings: CloseoutSettings,
    templates: SmsTemplates,
    stop: threading.Event,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    on_run: Callable[[dict[str, int]], None] | None = None,
) -> None:
    """:func:`run_once` every ``notify_interval_s`` until ``stop`` is set."""
    while not stop.is_set():
        report = run_once(store, gateway, now=clock(), settings=settings, templates=templates)
        if on_run is not None:
            on_run(report)
        stop.wait(settings.notify_interval_s)

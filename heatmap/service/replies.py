"""What comes back: delivery reports, SMS replies, rating-page answers, and reopening.

Each function reads from a store, decides with the pure parts
(:func:`heatmap.closeout.ratings.parse_reply`, :func:`heatmap.closeout.notify.after_report`,
:func:`heatmap.closeout.comment_filter.mask_comment`) and writes back. The API's
SMS router and the demo call them; the clock comes in as ``now``.

A client's comment passes the comment filter before it is stored: the raw text of a
reply is never written anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from heatmap.closeout.comment_filter import mask_comment
from heatmap.closeout.links import LinkError, RatingLinks
from heatmap.closeout.notify import after_report
from heatmap.closeout.ratings import COMMENT_LIMIT, Reply, parse_reply
from heatmap.closeout.templates import SmsTemplates
from heatmap.core.msisdn import normalise_msisdn
from heatmap.core.policy import Policy
from heatmap.domain import SpotStatus
from heatmap.domain.outbox import ACCEPTED, WAITING, SmsStatus
from heatmap.errors import NotFoundError, TransitionError
from heatmap.service import workflow
from heatmap.store.base import Store

__all__ = [
    "Answer",
    "handle_reply",
    "latest_sent",
    "link_message",
    "rate_by_link",
    "record_delivery",
    "reopen_if_persists",
]


def record_delivery(
    store: Store, outbox_id: int, code: int, *, at: datetime, text: str | None = None
) -> str | None:
    """Keep a delivery report and move the message on; its new status, or None if unchanged."""
    row = store.load_outbox_row(outbox_id)  # one row, no frame: reports come one at a time
    if row is None:
        raise NotFoundError(f"no SMS {outbox_id} in the outbox")
    store.add_sms_report(outbox_id, at=at, code=code, text=text)
    for _ in range(3):  # the sender may move the row between our read and write
        target = after_report(str(row["status"]), code)
        if target is None:
            return None
        values: dict[str, object] = {"status": target, "updated_at": at}
        if target == SmsStatus.DELIVERED:
            values["delivered_at"] = at
        if row["sent_at"] is None:
            values["sent_at"] = at
        if store.update_outbox(outbox_id, values, only_if=[str(row["status"])]):
            return target
        row = store.load_outbox_row(outbox_id)
        if row is None:  # gone meanwhile: nothing left to move on
            return None
    return None


@dataclass(frozen=True)
class Answer:
    """What happened to a reply, and the text to answer the client with."""

    kind: str  # rating, persists, optout, unknown, unmatched
    message: str  # "" when nothing should be sent back
    outbox_id: int | None = None
    reopened: bool = False


#: A mobile number already in a form :func:`normalise_msisdn` takes as it is (``+79…``,
#: ``79…``, ``89…``, ``9…``, nothing else around it): how nearly every reply's sender
#: comes, read without that function's Arrow kernels (about 2 ms for one number).
_CLEAN_MOBILE = re.compile(r"(?:\+7|7|8)?9[0-9]{9}")


def _e164(msisdn: str) -> str:
    if _CLEAN_MOBILE.fullmatch(msisdn):
        return "+7" + msisdn[-10:]
    e164, _ok = normalise_msisdn(pd.Series([msisdn]))
    return str(e164.iloc[0]) or msisdn.strip()


def latest_sent(rows: Sequence[Mapping[str, Any]], *, since: pd.Timestamp) -> Mapping[str, Any] | None:
    """The outbox row a reply answers: of ``rows`` (a number's messages), the one sent
    last at or after ``since``, the larger id on a tie; None when none was sent since."""
    sent = [r for r in rows if isinstance(r["sent_at"], pd.Timestamp) and r["sent_at"] >= since]
    return max(sent, key=lambda r: (r["sent_at"], r["id"]), default=None)


def handle_reply(
    store: Store,
    *,
    msisdn: str,
    text: str | None,
    now: datetime,
    policy: Policy,
    templates: SmsTemplates,
    reply_days: float = 14.0,
) -> Answer:
    """An SMS from a client: a rating, "still broken", or "stop" for their latest close-out SMS."""
    number = _e164(msisdn)
    reply = parse_reply(text)
    shown = mask_comment((text or "")[:COMMENT_LIMIT])
    if reply.kind == "optout":
        _opt_out(store, number, now=now)
        store.add_inbound(at=now, msisdn=number, outbox_id=None, kind="optout", text=shown)
        return Answer("optout", templates.messages["opted_out"])
    ever = store.load_outbox_rows(msisdn=number, statuses=sorted(ACCEPTED))  # a number's few rows
    row = latest_sent(ever, since=pd.Timestamp(now) - pd.Timedelta(days=reply_days))
    if row is None:
        store.add_inbound(at=now, msisdn=number, outbox_id=None, kind="unmatched", text=shown)
        return Answer("unmatched", _unmatched_answer(reply, texted_before=bool(ever), templates=templates))
    outbox_id = int(row["id"])
    store.add_inbound(at=now, msisdn=number, outbox_id=outbox_id, kind=reply.kind, text=shown)
    if reply.kind == "unknown":
        return Answer("unknown", templates.messages["not_understood"], outbox_id)
    _store_answer(store, row, reply, channel="sms", now=now)
    reopened = reply.kind == "persists" and reopen_if_persists(
        store, str(row["spot_id"]), str(row["event"]), now=now, policy=policy
    )
    message = templates.messages["thanks_persists" if reply.kind == "persists" else "thanks_rating"]
    return Answer(reply.kind, message, outbox_id, reopened)


def _opt_out(store: Store, number: str, *, now: datetime) -> None:
    """Keep the number out of close-out SMS, and cancel those still waiting to go to it."""
    store.add_optout(number, at=now, source="sms")
    waiting: Sequence[Mapping[str, Any]] = store.load_outbox_rows(msisdn=number, statuses=sorted(WAITING))
    for sms in waiting:
        store.update_outbox(
            int(sms["id"]),
            {"status": SmsStatus.CANCELLED.value, "last_error": "the number opted out", "updated_at": now},
            only_if=[str(sms["status"])],
        )


def _unmatched_answer(reply: Reply, *, texted_before: bool, templates: SmsTemplates) -> str:
    """What to text a number with no close-out SMS to answer: nothing to a number that never
    got one (it is not asked for anything, and "reply with a digit" would be wrong); to a
    client rating an SMS older than the reply window, that the window has closed."""
    if texted_before and reply.kind in ("rating", "persists"):
        return templates.message("too_late")
    return ""


def _store_answer(
    store: Store,
    row: pd.Series | Mapping[str, Any],
    reply: Reply,
    *,
    channel: str,
    now: datetime,
    use_link: bool = False,
) -> bool:
    return store.record_rating(
        {
            "spot_id": str(row["spot_id"]),
            "subscriber_id": str(row["subscriber_id"]),
            "outbox_id": int(row["id"]),
            "event": str(row["event"]),
            "rating": reply.rating if reply.kind == "rating" else None,
            "persists": int(reply.kind == "persists"),
            "comment": mask_comment(reply.comment),
            "channel": channel,
            "at": now,
        },
        use_link_of=int(row["id"]) if use_link else None,
    )


def reopen_if_persists(store: Store, spot_id: str, event: str, *, now: datetime, policy: Policy) -> bool:
    """Reopen a resolved spot once ``policy.closeout.reopen_after`` of its clients say the
    problem persists (their answer in force, for this resolution); whether it was reopened."""
    votes = store.reopen_votes(spot_id, event)  # a count and a status: no frame per reply
    if votes is None:
        return False
    status, count = votes
    if count < policy.closeout.reopen_after or status != SpotStatus.RESOLVED:
        return False
    try:
        workflow.transition(
            store,
            spot_id,
            "reopen",
            actor="closeout",
            now=now,
            policy=policy,
            note=f"{count} client(s) replied that the problem persists",
        )
    except (TransitionError, NotFoundError):  # someone else moved it meanwhile
        return False
    return True


def link_message(store: Store, links: RatingLinks, token: str, *, now: datetime) -> pd.Series:
    """The outbox row a rating link is for; :class:`LinkError` when it is not usable."""
    outbox_id = links.verify(token, now=now)
    values = store.load_outbox_row(outbox_id)  # one row, no frame
    if values is None:
        raise LinkError("this rating link is not valid")
    if values["link_used_at"] is not None:
        raise LinkError("this rating link has been used already", reason="used")
    return pd.Series(values, dtype=object)


def rate_by_link(
    store: Store,
    links: RatingLinks,
    token: str,
    *,
    answer: str,
    comment: str | None,
    now: datetime,
    policy: Policy,
) -> Answer:
    """A rating from the page: ``answer`` is "1"…"5" or "0" (the problem persists)."""
    row = link_message(store, links, token, now=now)
    choice = answer.strip()
    if choice not in {"0", "1", "2", "3", "4", "5"}:
        raise LinkError("choose a rating from 1 to 5, or 0 if the problem persists", reason="choice")
    note = " ".join((comment or "").split())[:COMMENT_LIMIT] or None
    reply = (
        Reply("persists", comment=note)
        if choice == "0"
        else Reply("rating", rating=int(choice), comment=note)
    )
    if not _store_answer(store, row, reply, channel="link", now=now, use_link=True):
        raise LinkError("this rating link has been used already", reason="used")
    reopened = reply.kind == "persists" and reopen_if_persists(
        store, str(row["spot_id"]), str(row["event"]), now=now, policy=policy
    )
    return Answer(reply.kind, "", int(row["id"]), reopened)

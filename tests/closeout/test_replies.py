"""Replies from numbers with no close-out SMS to answer: a correct answer, or none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from heatmap.closeout.gateways import FileGateway
from heatmap.closeout.notify import run_once
from heatmap.closeout.settings import CloseoutSettings
from heatmap.closeout.templates import SmsTemplates
from heatmap.core.policy import load_policy
from heatmap.service.replies import handle_reply
from heatmap.store import Store

Kit = Any  # tests/closeout/conftest.py
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)  # 15:00 in Moscow
POLICY = load_policy()


def test_a_number_that_never_got_a_close_out_is_not_answered(store: Store, templates: SmsTemplates) -> None:
    for text in ("5", "0 всё плохо", "привет", None):
        answer = handle_reply(
            store, msisdn="+79990001122", text=text, now=NOW, policy=POLICY, templates=templates
        )
        assert (answer.kind, answer.message, answer.outbox_id) == ("unmatched", "", None), text
    assert store.load_ratings().empty and store.load_outbox().empty


def test_a_rating_after_the_reply_window_is_told_the_window_closed(
    kit: Kit, store: Store, spot_id: str, settings: CloseoutSettings, templates: SmsTemplates
) -> None:
    kit.resolve(spot_id)
    run_once(store, FileGateway(settings.sms_spool), now=NOW, settings=settings, templates=templates)
    late = NOW + timedelta(days=15)
    rating = handle_reply(
        store, msisdn=kit.number(0), text="5", now=late, policy=POLICY, templates=templates, reply_days=14
    )
    assert (rating.kind, rating.message) == ("unmatched", "Срок оценки истёк. Спасибо за ответ!")
    chat = handle_reply(
        store,
        msisdn=kit.number(1),
        text="а когда компенсация?",
        now=late,
        policy=POLICY,
        templates=templates,
        reply_days=14,
    )
    assert (chat.kind, chat.message) == ("unmatched", "")
    assert store.load_ratings().empty
    in_time = handle_reply(
        store,
        msisdn=kit.number(2),
        text="4",
        now=NOW + timedelta(days=13),
        policy=POLICY,
        templates=templates,
        reply_days=14,
    )
    assert (in_time.kind, in_time.message) == ("rating", "Спасибо за оценку!")

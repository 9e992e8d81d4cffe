"""A reply's narrow reads give what the frames gave: a number's outbox rows as plain
values, the message a reply answers, the reopen check's count and status, the sender's
number, on both stores."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from heatmap.closeout.gateways import FileGateway
from heatmap.closeout.links import LinkError, RatingLinks, link_key
from heatmap.closeout.notify import run_once
from heatmap.closeout.settings import CloseoutSettings
from heatmap.closeout.templates import SmsTemplates
from heatmap.core.msisdn import normalise_msisdn
from heatmap.core.policy import load_policy
from heatmap.domain.outbox import ACCEPTED, WAITING
from heatmap.service import workflow
from heatmap.service.replies import _e164, handle_reply, latest_sent, link_message, rate_by_link
from heatmap.store import Store

Kit = Any  # tests/closeout/conftest.py
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)  # 15:00 in Moscow
POLICY = load_policy()


def _plain(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [{k: None if pd.isna(v) else v for k, v in row.items()} for _, row in frame.iterrows()]


def _sent(kit: Kit, settings: CloseoutSettings, templates: SmsTemplates, count: int = 4) -> str:
    """A resolved spot of ``count`` clients, its SMS sent; the spot's id."""
    spot_id = str(kit.make_spot(count))
    kit.resolve(spot_id)
    run_once(kit.store, FileGateway(settings.sms_spool), now=NOW, settings=settings, templates=templates)
    return spot_id


def test_a_numbers_rows_are_its_frames_rows(
    kit: Kit, settings: CloseoutSettings, templates: SmsTemplates
) -> None:
    store: Store = kit.store
    _sent(kit, settings, templates)
    assert store.load_outbox_rows() == _plain(store.load_outbox())
    for number in (kit.number(0), kit.number(3), "+79990001122"):
        for statuses in (sorted(ACCEPTED), sorted(WAITING), None):
            rows = store.load_outbox_rows(msisdn=number, statuses=statuses)
            assert rows == _plain(store.load_outbox(msisdn=number, statuses=statuses)), (number, statuses)
    sent = store.load_outbox_rows(msisdn=kit.number(0))
    assert len(sent) == 1 and isinstance(sent[0]["sent_at"], pd.Timestamp)
    assert str(sent[0]["sent_at"].tz) == "UTC" and sent[0]["delivered_at"] is None


def _frame_choice(rows: list[dict[str, object]], since: pd.Timestamp) -> object:
    """The message the frame path chose: sent since, the last by (sent_at, id)."""
    ever = pd.DataFrame(rows, columns=["id", "sent_at"])
    sent = ever[pd.to_datetime(ever["sent_at"], utc=True) >= since]
    return None if sent.empty else int(sent.sort_values(["sent_at", "id"]).iloc[-1]["id"])


def test_the_message_a_reply_answers_is_the_one_the_frame_chose() -> None:
    rng = random.Random(3)
    since = pd.Timestamp(NOW)
    for _ in range(300):
        rows: list[dict[str, object]] = [
            {
                "id": i,
                "sent_at": None
                if rng.random() < 0.2
                else pd.Timestamp(NOW + timedelta(seconds=rng.choice([-5, -1, 0, 0, 3, 3, 7])))
                + pd.Timedelta(microseconds=rng.choice([0, 1])),
            }
            for i in rng.sample(range(1, 50), rng.randint(0, 6))
        ]
        chosen = latest_sent(rows, since=since)
        assert (None if chosen is None else chosen["id"]) == _frame_choice(rows, since), rows


def _frame_votes(store: Store, spot_id: str, event: str) -> tuple[str, int] | None:
    """The reopen check as the frames made it: answers in force, the spot's status."""
    answers = store.load_ratings(spot_ids=[spot_id])
    persisting = answers[(answers["event"] == event) & answers["persists"]]
    spots = store.load_spots(ids=[spot_id])
    if spots.empty:
        return None
    return str(spots["status"].iloc[0]), int(persisting["subscriber_id"].nunique())


def _rate(store: Store, spot_id: str, subscriber: int, event: str, *, persists: bool, at: datetime) -> None:
    store.record_rating(
        {
            "spot_id": spot_id,
            "subscriber_id": f"s:test{subscriber}",
            "outbox_id": None,
            "event": event,
            "rating": None if persists else 4,
            "persists": int(persists),
            "comment": None,
            "channel": "sms",
            "at": at,
        }
    )


def test_the_reopen_check_counts_what_the_frames_counted(
    kit: Kit, settings: CloseoutSettings, templates: SmsTemplates
) -> None:
    store: Store = kit.store
    spot_id = _sent(kit, settings, templates)
    event = str(store.load_outbox()["event"].iloc[0])
    other = event + ":earlier"
    assert store.reopen_votes(spot_id, event) == _frame_votes(store, spot_id, event) == ("resolved", 0)
    steps = [  # (subscriber, event, persists): answers replace a client's answer in force
        (1, event, True),
        (1, event, True),
        (2, other, True),
        (3, event, False),
        (3, event, True),
        (1, event, False),
        (4, event, True),
        (2, event, True),
    ]
    for step, (subscriber, on, persists) in enumerate(steps):
        _rate(store, spot_id, subscriber, on, persists=persists, at=NOW + timedelta(minutes=step))
        for asked in (event, other, "resolved:none"):
            assert store.reopen_votes(spot_id, asked) == _frame_votes(store, spot_id, asked), (step, asked)
    assert store.reopen_votes(spot_id, event) == ("resolved", 3)
    assert store.reopen_votes("SP-NOSUCH", event) is None


def test_replies_reopen_once_at_the_threshold(
    kit: Kit, settings: CloseoutSettings, templates: SmsTemplates
) -> None:
    store: Store = kit.store
    spot_id = _sent(kit, settings, templates)
    later = NOW + timedelta(hours=1)

    def reply(i: int, text: str) -> bool:
        answer = handle_reply(
            store, msisdn=kit.number(i), text=text, now=later, policy=POLICY, templates=templates
        )
        return answer.reopened

    assert [reply(0, "0"), reply(0, "не работает"), reply(1, "5")] == [False, False, False]
    assert workflow.load_spot(store, spot_id)["status"] == "resolved"
    assert [reply(2, "0"), reply(3, "0")] == [True, False]  # reopened once; then it is not resolved
    assert workflow.load_spot(store, spot_id)["status"] == "reopened"
    reopens = store.load_events(spot_id).query("to_status == 'reopened'")
    assert len(reopens) == 1 and "2 client" in str(reopens["note"].iloc[0])


def test_a_rating_links_message_holds_what_its_frame_row_held(
    kit: Kit, settings: CloseoutSettings, templates: SmsTemplates
) -> None:
    store: Store = kit.store
    _sent(kit, settings, templates)
    links = RatingLinks(link_key(store.secret()))
    outbox_id = int(store.load_outbox()["id"].iloc[0])
    token = links.issue(outbox_id, NOW + timedelta(days=14))
    row = link_message(store, links, token, now=NOW)
    expected = store.load_outbox(ids=[outbox_id]).iloc[0]
    assert list(row.index) == list(expected.index)
    assert {k: None if pd.isna(v) else v for k, v in row.items()} == _plain(expected.to_frame().T)[0]
    assert str(row["address"] or "") == str(expected["address"] or "")  # as the rating page shows it
    rate_by_link(store, links, token, answer="4", comment=None, now=NOW, policy=POLICY)
    with pytest.raises(LinkError) as used:
        link_message(store, links, token, now=NOW)
    assert used.value.reason == "used"
    with pytest.raises(LinkError, match="not valid"):
        link_message(store, links, links.issue(10**9, NOW + timedelta(days=1)), now=NOW)


@pytest.mark.parametrize(
    "sender",
    [
        "+79161234567",
        "79161234567",
        "89161234567",
        "9161234567",
        " +79161234567",
        "+7 916 123-45-67",
        "8 (916) 123-45-67",
        "+89161234567",
        "+9161234567",
        "+79161234567 ",
        "+7916123456",
        "+791612345678",
        "99161234567",
        "78161234567",
        "+74951234567",
        "+7９161234567",
        "+7916123456７",
        "",
        "  ",
        "stop",
    ],
)
def test_a_senders_number_reads_as_normalise_msisdn_reads_it(sender: str) -> None:
    e164, _ok = normalise_msisdn(pd.Series([sender]))
    assert _e164(sender) == (str(e164.iloc[0]) or sender.strip())

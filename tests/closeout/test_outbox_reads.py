"""The close-out's cheap outbox reads: a frame built from the outbox's known kinds is the
frame pandas inferred before, and one row read without a frame holds the same values, on
both stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from heatmap.closeout.gateways import FileGateway
from heatmap.closeout.notify import run_once
from heatmap.closeout.settings import CloseoutSettings
from heatmap.closeout.templates import SmsTemplates
from heatmap.domain.outbox import OUTBOX_COLUMNS
from heatmap.service.replies import record_delivery
from heatmap.store import Store
from heatmap.store.frames import outbox_frame
from heatmap.store.outbox_frames import outbox_records, outbox_values

Kit = Any  # tests/closeout/conftest.py
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)  # 15:00 in Moscow
NAMES = list(OUTBOX_COLUMNS)


def _row(i: int, **values: object) -> tuple[object, ...]:
    """An outbox row as a driver gives it: text, integers, time text and NULLs."""
    row: dict[str, object] = dict.fromkeys(OUTBOX_COLUMNS)
    row |= {
        "id": i,
        "spot_id": "SP-1",
        "subscriber_id": f"s:{i}",
        "event": "resolved:1",
        "msisdn": f"+7916{i:07d}",
        "utc_offset_min": 180,
        "status": "sent",
        "attempts": 1,
        "held_count": 0,
        "next_attempt_at": "2026-11-20T12:00:00.000000Z",
        "created_at": "2026-11-20T12:00:00.000000Z",
        "updated_at": f"2026-11-20T12:00:{i % 60:02d}.123456Z",
        "sent_at": "2026-11-20T12:00:01.000000Z" if i % 2 else None,
        "gateway": "file",
        "parts": 2 if i % 3 else None,
    }
    return tuple((row | values)[n] for n in OUTBOX_COLUMNS)


def _inferred(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    return outbox_frame(pd.DataFrame.from_records(rows, columns=NAMES))


@pytest.mark.parametrize(
    "rows",
    [
        [_row(1)],
        [_row(i) for i in range(1, 40)],
        [],
        [_row(2, address="ул. Мира, д. 1", last_error=None, delivered_at=None, link_used_at=None)],
        [_row(1, parts=None, sent_at=None), _row(2, parts=None, sent_at=None)],
        [_row(1, gateway_ref=7)],  # a number in a text column: inferred as pandas does
        [_row(1, sent_at="2026-11-20 12:00:01+00")],  # time text of another form: parsed as before
        [_row(1, attempts=1.0)],
    ],
    ids=["one", "many", "none", "nulls", "null-columns", "odd-text", "odd-time", "odd-number"],
)
def test_the_built_frame_is_the_inferred_frame(rows: list[tuple[object, ...]]) -> None:
    pd.testing.assert_frame_equal(outbox_records(rows, NAMES), _inferred(rows), check_exact=True)


def test_rows_as_the_stores_keep_them_take_no_inference(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(frame: pd.DataFrame) -> pd.DataFrame:
        raise AssertionError("inferred")

    monkeypatch.setattr("heatmap.store.outbox_frames.outbox_frame", refused)
    for rows in ([_row(1)], [_row(i) for i in range(1, 9)], [], [_row(1, parts=None, link_used_at=None)]):
        assert len(outbox_records(rows, NAMES)) == len(rows)
    with pytest.raises(AssertionError, match="inferred"):
        outbox_records([_row(1, gateway_ref=7)], NAMES)


def test_one_rows_values_are_its_frames_values() -> None:
    rows = [_row(1), _row(2, sent_at="2026-11-20 12:00:01+00", link_used_at="not a time")]
    frame = _inferred(rows)
    for row, (_, expected) in zip(rows, frame.iterrows(), strict=True):
        assert outbox_values(row, NAMES) == {k: None if pd.isna(v) else v for k, v in expected.items()}


def _sent(kit: Kit, settings: CloseoutSettings, templates: SmsTemplates) -> Store:
    """A resolved spot's four SMS sent, one delivered and one reported undelivered."""
    store: Store = kit.store
    kit.resolve(kit.make_spot())
    run_once(store, FileGateway(settings.sms_spool), now=NOW, settings=settings, templates=templates)
    first, second = (int(i) for i in store.load_outbox()["id"].head(2))
    assert record_delivery(store, first, 1, at=NOW + timedelta(seconds=5)) == "delivered"
    assert record_delivery(store, second, 2, at=NOW + timedelta(seconds=6)) == "undelivered"
    return store


def test_a_row_read_holds_what_the_frame_holds(
    kit: Kit, settings: CloseoutSettings, templates: SmsTemplates
) -> None:
    store = _sent(kit, settings, templates)
    outbox = store.load_outbox()
    assert sorted(outbox["status"]) == ["delivered", "sent", "sent", "undelivered"]
    for outbox_id in outbox["id"]:
        expected = store.load_outbox(ids=[int(outbox_id)]).iloc[0]
        row = store.load_outbox_row(int(outbox_id))
        assert row == {k: None if pd.isna(v) else v for k, v in expected.items()}
        assert isinstance(row["sent_at"], pd.Timestamp) and str(row["sent_at"].tz) == "UTC"
    assert store.load_outbox_row(10**9) is None


def test_reads_of_the_outbox_give_the_inferred_frame(
    kit: Kit, settings: CloseoutSettings, templates: SmsTemplates
) -> None:
    """What each store reads is the frame inferred from the rows as stored (times as text)."""
    store = _sent(kit, settings, templates)
    outbox = store.load_outbox()
    stored = [tuple(_as_stored(v) for v in row) for row in outbox.itertuples(index=False, name=None)]
    pd.testing.assert_frame_equal(outbox, _inferred(stored), check_exact=True)
    assert str(outbox["link_used_at"].dtype) == "datetime64[s, UTC]", "no time at all: as parsing nothing"
    assert str(outbox["last_error"].dtype) == "object" and str(outbox["msisdn"].dtype) == "str"
    pd.testing.assert_frame_equal(store.load_outbox(ids=[10**9]), _inferred([]), check_exact=True)
    due = store.due_outbox(now=NOW + timedelta(days=1), limit=10)
    pd.testing.assert_frame_equal(due, _inferred([]), check_exact=True)


def _as_stored(value: object) -> object:
    """A frame's value as the store keeps it: time as ISO text, missing as NULL."""
    if isinstance(value, pd.Timestamp) and not pd.isna(value):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return None if pd.isna(value) else value

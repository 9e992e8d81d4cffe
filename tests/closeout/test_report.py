"""`heatmap report`: what --since counts, and the SMS parts the operator pays for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from heatmap.closeout.gateways import FileGateway
from heatmap.closeout.notify import run_once
from heatmap.closeout.report import closeout_report
from heatmap.closeout.settings import CloseoutSettings
from heatmap.closeout.templates import SmsTemplates, load_sms_templates
from heatmap.store import Store

Kit = Any  # tests/closeout/conftest.py
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)  # 15:00 in Moscow; the spot is detected now


def test_since_counts_resolutions_by_their_time(kit: Kit, store: Store, spot_id: str) -> None:
    kit.resolve(spot_id, at=NOW + timedelta(days=3))  # opened on day 0, resolved on day 3
    later = NOW + timedelta(days=4)
    whole = closeout_report(store, now=later)
    assert (whole["spots_opened"], whole["spots_resolved"]) == (1, 1)
    since_day_2 = closeout_report(store, now=later, since=NOW + timedelta(days=2))
    assert (since_day_2["spots_opened"], since_day_2["spots_resolved"]) == (0, 1)
    assert since_day_2["median_hours_to_resolve"] == 72.0 and since_day_2["reopen_rate"] == 0.0
    assert since_day_2["share_resolved_within_1_day"] is None, "its first day ended before"
    since_noon = closeout_report(store, now=later, since=NOW + timedelta(hours=12))
    assert since_noon["share_resolved_within_1_day"] == 0.0, "its first day ended since"
    after = closeout_report(store, now=later, since=NOW + timedelta(days=3, hours=1))
    assert after["spots_resolved"] == 0 and after["median_hours_to_resolve"] is None
    assert after["sms_pending"] == 0 and since_day_2["sms_pending"] == 4


@pytest.mark.parametrize(("link", "parts"), [(True, 2), (False, 1)])
def test_the_report_counts_sms_parts(
    kit: Kit,
    store: Store,
    spot_id: str,
    settings: CloseoutSettings,
    templates: SmsTemplates,
    link: bool,
    parts: int,
) -> None:
    kit.resolve(spot_id)
    chosen = templates if link else load_sms_templates()
    run_once(store, FileGateway(settings.sms_spool), now=NOW, settings=settings, templates=chosen)
    report = closeout_report(store, now=NOW + timedelta(hours=1))
    assert report["sms_sent"] == 4 and report["sms_parts"] == 4 * parts
    shares = [report[k] for k in ("share_sms_1_part", "share_sms_2_parts", "share_sms_3_parts_or_more")]
    assert shares == ([0.0, 1.0, 0.0] if link else [1.0, 0.0, 0.0])
    assert store.load_outbox()["parts"].tolist() == [parts] * 4
    empty = closeout_report(store, now=NOW, since=NOW + timedelta(days=1))
    assert empty["sms_parts"] == 0 and empty["share_sms_1_part"] is None

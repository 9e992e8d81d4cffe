"""Retention on every store: ``purge_personal_data`` and ``heatmap purge --older-than`` remove
phone numbers and free text of closed complaints (and their copies) and keep counts and spots."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from heatmap.cli.app import app
from heatmap.closeout.gateways import FileGateway
from heatmap.closeout.notify import run_once
from heatmap.closeout.settings import load_closeout_settings
from heatmap.closeout.templates import load_sms_templates
from heatmap.core.policy import load_policy
from heatmap.detect.run import DetectParams
from heatmap.service import detect_spots, ingest, workflow
from heatmap.service.replies import handle_reply, record_delivery
from heatmap.store import Store, open_store
from heatmap.store.purge import PURGED

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)  # 15:00 in Moscow: SMS may go
POLICY = load_policy()
HEADER = "ticket_id,created_at,msisdn,segment,topic,description,address,lat,lon,region\n"
TEXT = "Нет связи, перезвоните +7 911 12 345 67"
ADDRESS = "г Вологда, ул. Мира, д. 1, кв. 5"


def rows(
    prefix: str,
    count: int,
    lat: float,
    *,
    created: str = "2026-11-19T10:00:00+03:00",
    description: str = TEXT,
    first: int = 0,
) -> list[str]:
    return [
        f'{prefix}{i},{created},+7916{first + i:07d},mass,no_coverage,"{description}",'
        f'"{ADDRESS}",{lat + i * 1e-5},39.88,Вологодская область'
        for i in range(count)
    ]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a table the store protocol does not read back (SQLite or PostGIS)."""
    if url.startswith("sqlite:"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return db.execute(sql).fetchall()
    import psycopg

    from heatmap.store.postgis import conninfo  # type: ignore[import-not-found,unused-ignore]

    with psycopg.connect(conninfo(url)) as conn:  # the URL carries the test's search_path
        return conn.execute(sql).fetchall()


@pytest.fixture
def world(store: Store, tmp_path: Path) -> str:
    """A resolved spot whose clients were texted and answered, an open spot, a lone
    complaint, a changed complaint, a quarantined row; returns the closed spot's id."""
    ingest(
        store,
        [
            write(
                tmp_path / "a.csv",
                [
                    *rows("A", 4, 59.2200),
                    *rows("B", 4, 59.3000, first=10),
                    *rows("L", 1, 59.5000, first=20),
                    "Q1,2026-11-19T10:00:00+03:00,,gold,,,,59.1,39.1,R",
                ],
            )
        ],
        now=NOW,
        policy=POLICY,
    )
    changed = rows("A", 1, 59.2200, description="Нет связи, звоните 8 916 000 00 00")
    ingest(store, [write(tmp_path / "b.csv", changed)], now=NOW, policy=POLICY)
    detect_spots(store, params=DetectParams(rule="count"), policy=POLICY, now=NOW)
    spots = store.load_spots().set_index("id")
    closed = str(spots.index[spots["centroid_lat"] < 59.25][0])
    workflow.transition(store, closed, "take", actor="eng", now=NOW, policy=POLICY)
    workflow.transition(store, closed, "resolve", actor="eng", now=NOW, policy=POLICY, cause="power")
    settings = load_closeout_settings(
        sms_spool=tmp_path / "spool.jsonl", public_url="https://tk.example.ru", quiet_hours="21-9"
    )
    templates = load_sms_templates(public_url=settings.public_url)
    assert (
        run_once(store, FileGateway(settings.sms_spool), now=NOW, settings=settings, templates=templates)[
            "sent"
        ]
        == 4
    )
    outbox = store.load_outbox().set_index("msisdn")
    record_delivery(store, int(outbox.loc["+79160000001", "id"]), 1, at=NOW, text="dlvrd +79160000001")
    handle_reply(
        store,
        msisdn="+79160000000",
        text="5 спасибо, мой номер 89160000000",
        now=NOW,
        policy=POLICY,
        templates=templates,
    )
    return closed


def test_purge_removes_personal_data_of_closed_complaints_and_keeps_counts(
    store: Store, store_url: str, world: str
) -> None:
    spots_before = store.load_spots().set_index("id")[["complaints", "subscribers", "status"]]
    before = store.load_complaints().set_index("ticket_id")
    cut = NOW + timedelta(days=10)
    assert store.purge_personal_data(before=NOW - timedelta(days=10)) == dict.fromkeys(PURGED, 0)
    removed = store.purge_personal_data(before=cut)
    assert removed == {
        "complaints": 5,
        "complaint_changes": 1,
        "sms_outbox": 4,
        "sms_reports": 1,
        "sms_inbound": 1,
        "ratings": 1,
        "quarantine": 1,
    }
    after = store.load_complaints().set_index("ticket_id")
    gone = ["A0", "A1", "A2", "A3", "L0"]
    assert after.loc[gone, ["msisdn", "description", "address"]].isna().all().all()
    kept = ["B0", "B1", "B2", "B3"]  # their spot is still open
    pd.testing.assert_frame_equal(after.loc[kept], before.loc[kept])
    for name in ("subscriber_id", "lat", "lon", "spot_id", "topic", "segment", "created_at"):
        assert after[name].equals(before[name]), name
    assert store.load_spots().set_index("id")[["complaints", "subscribers", "status"]].equals(spots_before)
    changes = query(
        store_url,
        "SELECT old_values FROM complaint_changes WHERE ticket_id = 'A0' AND old_values IS NOT NULL",
    )
    old = [v if isinstance(v, dict) else json.loads(v) for (v,) in changes]
    assert old and not any({"msisdn", "description", "address"} & set(v) for v in old)
    outbox = store.load_outbox()
    assert (outbox["msisdn"] == "").all() and outbox["text"].isna().all()
    ratings = store.load_ratings()
    assert ratings["rating"].tolist() == [5] and ratings["comment"].isna().all()
    assert store.load_sms_reports()["text"].isna().all()
    assert query(store_url, "SELECT msisdn, text FROM sms_inbound") == [("", None)]
    assert store.load_quarantine().empty
    assert store.purge_personal_data(before=cut) == dict.fromkeys(PURGED, 0), "nothing twice"


def test_recent_complaints_and_open_spots_keep_their_data(store: Store, tmp_path: Path) -> None:
    ingest(
        store,
        [write(tmp_path / "r.csv", rows("R", 1, 59.4, created="2026-11-19T10:00:00+03:00"))],
        now=NOW,
        policy=POLICY,
    )
    assert store.purge_personal_data(before=datetime(2026, 11, 1, tzinfo=UTC))["complaints"] == 0
    assert store.load_complaints()["description"].tolist() == [TEXT]


def test_the_purge_command(store: Store, store_url: str, world: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["purge", "--older-than", "30", "--db", store_url, "--now", "2026-12-31T00:00:00+00:00", "--json"],
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["older_than_days"] == 30 and answer["removed"]["complaints"] == 5
    assert answer["before"].startswith("2026-12-01")
    again = runner.invoke(
        app, ["purge", "--older-than", "30", "--db", store_url, "--now", "2026-12-31T00:00:00+00:00"]
    )
    assert again.exit_code == 0 and "complaints" in again.stdout
    bad = runner.invoke(app, ["purge", "--older-than", "0", "--db", store_url])
    assert bad.exit_code == 2
    opened = open_store(store_url)
    assert opened.load_complaints().set_index("ticket_id").loc["B0", "description"] == TEXT
    opened.close()

"""Who changed a complaint (schema 8): API writes name their key, may be refused updates."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from heatmap.core.ingest import validate_parts
from heatmap.errors import ConflictError
from heatmap.io.exports import read_export
from heatmap.service import ingest
from heatmap.store import Store, open_store
from heatmap.store.base import CHANGE_COLUMNS, IngestWrite
from heatmap.store.sqlite import migrations

HEADER = "ticket_id,created_at,msisdn,segment,description,lat,lon\n"
ROW = "A1,2026-11-19T10:00:00+03:00,89161234567,mass,Нет сети,59.22,39.88"


def export(tmp_path: Path, rows: list[str], name: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def batch(store: Store, path: Path, at: datetime, **kwargs: Any) -> IngestWrite:
    (part,) = validate_parts(read_export(path), key=store.secret(), rows=100)
    return IngestWrite(
        source="api:0123456789ab",
        at=at,
        read=len(part.complaints),
        complaints=part.complaints,
        quarantine=part.quarantine,
        **kwargs,
    )


def test_an_api_insert_and_update_are_recorded_with_the_actor(
    store: Store, tmp_path: Path, now: datetime
) -> None:
    first = batch(store, export(tmp_path, [ROW], "a.csv"), now, actor="agent.ivanova")
    assert store.apply_ingest(first)["inserted"] == 1
    changed = ROW.replace("89161234567", "89160000000")
    second = batch(
        store, export(tmp_path, [changed], "b.csv"), now + timedelta(minutes=1), actor="admin.petrov"
    )
    assert store.apply_ingest(second)["updated"] == 1
    changes = store.load_complaint_changes(["A1"])
    assert list(changes.columns) == list(CHANGE_COLUMNS)
    assert changes[["kind", "actor", "source"]].values.tolist() == [
        ["inserted", "agent.ivanova", "api:0123456789ab"],
        ["updated", "admin.petrov", "api:0123456789ab"],
    ]
    assert changes["old_hash"].isna().tolist() == [True, False]
    assert changes["at"].iloc[1] == now + timedelta(minutes=1)
    assert store.load_complaint_changes(["nothing"]).empty


def test_an_update_that_is_not_allowed_writes_nothing(store: Store, tmp_path: Path, now: datetime) -> None:
    ingest(store, [export(tmp_path, [ROW], "crm.csv")], now=now)
    same = batch(store, export(tmp_path, [ROW], "same.csv"), now, actor="agent", may_update=False)
    assert store.apply_ingest(same)["unchanged"] == 1
    changed = ROW.replace("Нет сети", "Позвоните на +7 900 000-00-00")
    new = ROW.replace("A1,", "A2,")
    refused = batch(store, export(tmp_path, [new, changed], "c.csv"), now, actor="agent", may_update=False)
    with pytest.raises(ConflictError, match="A1 is stored already"):
        store.apply_ingest(refused)
    stored = store.load_complaints()
    assert stored["ticket_id"].tolist() == ["A1"]  # A2 was rolled back with it
    assert stored["description"].iloc[0] == "Нет сети"
    # the CRM import's own change is recorded without an actor
    ingest(store, [export(tmp_path, [changed], "crm2.csv")], now=now)
    changes = store.load_complaint_changes()
    assert changes[["kind", "actor"]].values.tolist() == [["updated", None]]
    assert changes["source"].iloc[0].endswith("crm2.csv")


def test_version_8_keeps_the_changes_recorded_before_it(tmp_path: Path, now: datetime) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = open_store(url)
    try:
        import sqlite3

        db = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
        db.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        for version, name, sql in migrations("sqlite"):
            if version < 8:
                db.executescript(sql)
                db.execute("INSERT INTO schema_migrations VALUES (?, ?, 'now')", (version, name))
        db.execute("INSERT INTO meta (key, value) VALUES ('secret', ?)", ("ab" * 32,))
        db.close()
        assert store.schema_version() == 7
        ingest(store, [export(tmp_path, [ROW], "one.csv")], now=now)
        ingest(store, [export(tmp_path, [ROW.replace("Нет сети", "Нет")], "two.csv")], now=now)
        assert store.upgrade()[:1] == [8]
        changes = store.load_complaint_changes()
        assert changes[["ticket_id", "kind"]].values.tolist() == [["A1", "updated"]]
        assert changes["actor"].isna().all() and changes["old_hash"].notna().all()
    finally:
        store.close()

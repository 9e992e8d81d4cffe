"""The storage protocol, run on every store kind (SQLite always, PostGIS with a DSN)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from heatmap.core.ingest import Validated
from heatmap.core.policy import load_policy
from heatmap.detect.run import DetectParams
from heatmap.errors import MigrationError
from heatmap.service import detect_spots, ingest
from heatmap.store import Store, open_store
from heatmap.store.base import IngestPart, IngestWrite
from heatmap.store.sqlite import migrations
from heatmap.testing import assert_counts_add_up

HEADER = "ticket_id,created_at,msisdn,segment,ltv,topic,description,address,lat,lon,region,channel\n"


def export(tmp_path: Path, rows: list[str], name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


ROWS = [
    "T1,2026-11-19T10:00:00+03:00,89161234567,mass,100,no_coverage,Нет сети,,59.2200,39.8800,R,app",
    "T2,2026-11-19T11:00:00+03:00,89161234568,vip,5000,no_coverage,Нет сети,,59.2201,39.8801,R,app",
    "T3,2026-11-19T12:00:00+03:00,89161234569,mass,,,Обрывы звонков,,59.2202,39.8802,R,chat",
    "T4,2026-11-19T12:00:00+03:00,,gold,,,,,59.2202,39.8802,R,chat",
    "T5,2026-11-19T12:00:00+03:00,,mass,,,,ул. Мира 1,,,R,chat",
]


def test_schema_is_created_and_upgrade_is_idempotent(store_url: str) -> None:
    store = open_store(store_url)
    assert store.schema_version() == 0
    packaged = [v for v, _, _ in migrations("sqlite")]
    assert packaged[:2] == [1, 2]
    assert store.upgrade() == packaged
    assert store.upgrade() == []
    assert store.schema_version() == packaged[-1]
    assert len(store.secret()) == 32
    store.close()


def test_store_without_schema_says_run_init(store_url: str) -> None:
    store = open_store(store_url)
    with pytest.raises(MigrationError, match="heatmap init"):
        store.load_spots()
    store.close()


def test_a_nul_character_is_quarantined_on_every_store(store: Store, tmp_path: Path, now: datetime) -> None:
    path = export(tmp_path, [ROWS[0].replace("Нет сети", "Нет\x00сети"), ROWS[1]])
    assert ingest(store, [path], now=now).totals["quarantined"] == 1
    assert store.load_complaints()["ticket_id"].tolist() == ["T2"]
    held = store.load_quarantine()
    assert held["reasons"].tolist() == ["description holds a NUL character"]
    assert "\\u0000" in held["raw"].iloc[0]  # the raw row is kept, the NUL escaped in JSON


def test_ingest_counts_and_reimport_changes_nothing(store: Store, tmp_path: Path, now: datetime) -> None:
    path = export(tmp_path, ROWS)
    first = ingest(store, [path], now=now).totals
    assert first == {"read": 5, "inserted": 4, "updated": 0, "unchanged": 0, "quarantined": 1}
    assert_counts_add_up(first)
    again = ingest(store, [path], now=now + timedelta(hours=1)).totals
    assert again == {"read": 5, "inserted": 0, "updated": 0, "unchanged": 4, "quarantined": 1}
    assert len(store.load_quarantine()) == 1, "a retry must not duplicate quarantined rows"
    assert len(store.load_complaints()) == 4


def test_changed_row_updates_and_records_the_change(store: Store, tmp_path: Path, now: datetime) -> None:
    ingest(store, [export(tmp_path, ROWS)], now=now)
    changed = [ROWS[0].replace("Нет сети", "Нет сети совсем"), *ROWS[1:]]
    counts = ingest(store, [export(tmp_path, changed, "v2.csv")], now=now).totals
    assert (counts["updated"], counts["unchanged"]) == (1, 3)
    row = store.load_complaints(ticket_ids=["T1"]).iloc[0]
    assert row["description"] == "Нет сети совсем"
    assert row["precision"] == "point"


def test_tickets_before_and_after_the_greatest_stored_one(
    store: Store, tmp_path: Path, now: datetime
) -> None:
    """Only tickets sorting at or before the greatest stored id are looked up: new ones on
    both sides of it are inserted, a stored one that changed is updated, once each."""
    ingest(store, [export(tmp_path, [ROWS[1], ROWS[4]])], now=now)  # T2, T5: greatest T5
    rows = [
        ROWS[0],
        ROWS[1].replace("Нет сети", "Связи нет"),
        ROWS[4],
        ROWS[0].replace("T1,", "T9,"),
        ROWS[0].replace("T1,", "T10,"),
    ]
    counts = ingest(store, [export(tmp_path, rows, "v2.csv")], now=now).totals
    assert (counts["inserted"], counts["updated"], counts["unchanged"]) == (3, 1, 1)
    stored = store.load_complaints().set_index("ticket_id")
    assert sorted(stored.index) == ["T1", "T10", "T2", "T5", "T9"]
    assert stored.loc["T2", "description"] == "Связи нет"


def test_complaints_come_back_typed(store: Store, tmp_path: Path, now: datetime) -> None:
    ingest(store, [export(tmp_path, ROWS)], now=now)
    frame = store.load_complaints().set_index("ticket_id")
    assert frame.loc["T1", "created_at"] == pd.Timestamp("2026-11-19T07:00:00Z")
    assert frame.loc["T1", "msisdn"] == "+79161234567"
    assert frame.loc["T1", "precision"] == "point"
    assert frame.loc["T3", "topic"] == "dropped_calls"
    assert pd.isna(frame.loc["T5", "precision"]), "address rows wait for geocoding"
    assert store.load_complaints(pending_geocode=True)["ticket_id"].tolist() == ["T5"]


def test_quarantine_keeps_reasons_and_raw(store: Store, tmp_path: Path, now: datetime) -> None:
    ingest(store, [export(tmp_path, ROWS)], now=now)
    row = store.load_quarantine().iloc[0]
    assert row["line"] == 5
    assert "unknown segment" in row["reasons"]
    assert '"segment": "gold"' in row["raw"]


def test_failed_ingest_leaves_nothing_half_written(
    store: Store, tmp_path: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from heatmap.store import base  # noqa: F401 - the write path goes through the adapter

    path = export(tmp_path, ROWS)
    original = store.apply_ingest

    def crash(
        batch: IngestWrite,
    ) -> dict[str, int]:  # the batch's quarantine write blows up after the inserts ran
        batch.quarantine = batch.quarantine.assign(line=None)
        return original(batch)

    monkeypatch.setattr(store, "apply_ingest", crash)
    with pytest.raises(Exception):  # noqa: B017 - any driver error will do
        ingest(store, [path], now=now)
    monkeypatch.undo()
    assert store.load_complaints().empty
    assert store.load_quarantine().empty
    assert ingest(store, [path], now=now).totals["inserted"] == 4


def test_detection_roundtrip_keeps_ids(store: Store, tmp_path: Path, now: datetime) -> None:
    ingest(store, [export(tmp_path, ROWS)], now=now)
    params = DetectParams(min_subscribers=3, rule="count")
    report = detect_spots(store, params=params, policy=load_policy(), now=now)
    assert report.spots == 1
    spots = store.load_spots()
    spot = spots.iloc[0]
    assert (spot["subscribers"], spot["complaints"], spot["status"]) == (3, 3, "queued")
    assert spot["geometry"].is_valid and spot["geometry"].area > 0
    assert set(spot["breakdown"]) >= {"excess", "segment"}
    members = store.load_complaints()
    assert (members["spot_id"] == spot["id"]).sum() == 3
    detect_spots(store, params=params, policy=load_policy(), now=now + timedelta(hours=1))
    assert store.load_spots()["id"].tolist() == [spot["id"]]
    kinds = store.load_events(spot["id"])["kind"].tolist()
    assert kinds[:2] == ["created", "transition"]


def parts_of(path: Path, store: Store, *, rows: int) -> list[Validated]:
    from heatmap.core.ingest import validate_parts
    from heatmap.io.exports import read_export

    return list(validate_parts(read_export(path), key=store.secret(), rows=rows))


def test_an_export_in_parts_is_one_ingest(store: Store, tmp_path: Path, now: datetime) -> None:
    ingest(store, [export(tmp_path, ROWS[:1])], now=now)
    changed = [ROWS[0].replace("Нет сети", "Нет сети совсем"), *ROWS[1:]]
    first, *rest = parts_of(
        export(tmp_path, [*changed, ROWS[1].replace("T2,", "T9,")], "v2.csv"), store, rows=2
    )
    assert len(rest) == 2
    counts = store.apply_ingest(
        IngestWrite(
            source="v2.csv",
            at=now,
            read=6,
            complaints=first.complaints,
            quarantine=first.quarantine,
            rest=(IngestPart(p.complaints, p.quarantine) for p in rest),
        )
    )
    assert counts == {"read": 6, "inserted": 4, "updated": 1, "unchanged": 0, "quarantined": 1}
    assert sorted(store.load_complaints()["ticket_id"]) == ["T1", "T2", "T3", "T5", "T9"]
    assert store.load_complaints(ticket_ids=["T1"]).iloc[0]["description"] == "Нет сети совсем"
    assert store.load_quarantine()["line"].tolist() == [5]


def ingest_failing_in_the_third_part(store: Store, tmp_path: Path, now: datetime) -> None:
    """ROWS in parts of two rows, the third of which breaks in validation."""
    first, *rest = parts_of(export(tmp_path, ROWS), store, rows=2)

    def later_parts() -> Iterator[IngestPart]:
        yield IngestPart(rest[0].complaints, rest[0].quarantine)
        raise RuntimeError("validation of the third part broke")

    with pytest.raises(RuntimeError, match="third part"):
        store.apply_ingest(
            IngestWrite(
                source="e.csv",
                at=now,
                read=5,
                complaints=first.complaints,
                quarantine=first.quarantine,
                rest=later_parts(),
            )
        )


def test_a_part_that_fails_rolls_back_the_parts_before_it(
    store: Store, tmp_path: Path, now: datetime
) -> None:
    ingest_failing_in_the_third_part(store, tmp_path, now)
    assert store.load_complaints().empty
    assert store.load_quarantine().empty
    assert ingest(store, [export(tmp_path, ROWS)], now=now).totals["inserted"] == 4


def complaint_indexes(store: Store) -> set[str]:
    """Names and definitions of the complaints table's indexes, read past the store."""
    if store.url.startswith("sqlite:"):
        import sqlite3

        with closing(sqlite3.connect(store.path)) as db:  # type: ignore[attr-defined]
            rows = db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'complaints'"
            ).fetchall()
    else:
        import psycopg

        from heatmap.store.postgis import conninfo

        with psycopg.connect(conninfo(store.url)) as db:
            rows = db.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename ="
                " 'complaints' AND schemaname = current_schema()"
            ).fetchall()
    return {f"{name}: {definition}" for name, definition in rows}


def test_a_load_that_doubles_the_table_rebuilds_its_indexes(
    store: Store, tmp_path: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from heatmap.store import writes

    monkeypatch.setattr(writes, "REBUILD_MIN_ROWS", 2)
    adapter = "heatmap.store.sqlite.bulk" if store.url.startswith("sqlite:") else "heatmap.store.postgis.bulk"
    name = "indexes_to_rebuild"
    dropped: list[int] = []
    decide = getattr(importlib.import_module(adapter), name)

    def counted(cursor, rows):  # type: ignore[no-untyped-def]
        found = decide(cursor, rows)
        dropped.append(len(found))
        return found

    monkeypatch.setattr(f"{adapter}.{name}", counted)
    before = complaint_indexes(store)
    assert any("created_at" in index for index in before)
    ingest_failing_in_the_third_part(store, tmp_path, now)
    assert complaint_indexes(store) == before  # dropped inside the rolled-back transaction
    assert ingest(store, [export(tmp_path, ROWS)], now=now).totals["inserted"] == 4
    assert complaint_indexes(store) == before
    # every index both times but the primary key's and the spot index (which gains nothing)
    assert dropped == [len(before) - 2] * 2 and dropped[0] >= 2
    assert len(store.load_complaints(since=now - timedelta(days=30))) == 4


def numbered_rows(numbers: range, note: str = "Нет сети") -> list[str]:
    return [
        f"K{i:06d},2026-11-19T10:00:00+03:00,8916{i:07d},mass,100,no_coverage,{note} {i},,"
        f"59.{i:04d},39.8800,R,app"
        for i in numbers
    ]


def test_two_ingest_commands_at_once_lose_and_duplicate_nothing(store_url: str, tmp_path: Path) -> None:
    """Two `heatmap ingest` processes with overlapping exports, started together."""
    import json
    import subprocess
    import sys

    setup = open_store(store_url)
    setup.upgrade()
    # A: K0..K5999; B: K3000..K8999, of which K3000..K4499 say something else.
    paths = [
        export(tmp_path, numbered_rows(range(6000)), "a.csv"),
        export(
            tmp_path, numbered_rows(range(3000, 4500), "Плохо") + numbered_rows(range(4500, 9000)), "b.csv"
        ),
    ]
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "HEATMAP_DB": store_url}
    commands = [
        subprocess.Popen(
            [sys.executable, "-m", "heatmap", "ingest", "--json", str(p)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in paths
    ]
    results = []
    for command in commands:
        out, err = command.communicate(timeout=300)
        assert command.returncode == 0, err
        results.append(json.loads(out))
    winner, loser = sorted(results, key=lambda counts: -counts["inserted"])
    assert winner["inserted"] == 6000, results
    assert loser == {"read": 6000, "inserted": 3000, "updated": 1500, "unchanged": 1500, "quarantined": 0}, (
        results
    )
    stored = setup.load_complaints()
    assert len(stored) == 9000 and stored["ticket_id"].is_unique
    setup.close()


def test_ingest_reports_progress_part_by_part(store: Store, tmp_path: Path, now: datetime) -> None:
    path = export(tmp_path, numbered_rows(range(7_000)))
    calls: list[tuple[str, int]] = []
    report = ingest(store, [path], now=now, progress=lambda file, rows: calls.append((file, rows)))
    assert report.totals["inserted"] == 7_000
    assert calls == [(str(path), 5_000), (str(path), 2_000)]  # a small first part, then the rest

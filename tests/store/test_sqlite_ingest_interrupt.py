"""Ctrl-C during a SQLite ingest: the file is rolled back and the command is interrupted,
not reported as a store failure (ADBC's driver turns the interrupt into an error of its own)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import adbc_driver_manager
import pytest

from heatmap.core.ingest import validate_parts
from heatmap.io.exports import read_export
from heatmap.store import open_store
from heatmap.store.base import IngestWrite
from heatmap.store.sqlite import ingest as sqlite_ingest

HEADER = "ticket_id,created_at,msisdn,segment,description,lat,lon\n"


def interrupted_in_adbc(*args: Any, **kwargs: Any) -> dict[str, int]:
    """What ADBC does on Ctrl-C inside its C call: it tries to cancel the statement, which
    SQLite's driver does not implement, lets the statement finish and then raises the failed
    cancel, caused by the interrupt (``adbc_driver_manager._lib._blocking_call_impl``)."""
    raise adbc_driver_manager.NotSupportedError("NOT_IMPLEMENTED") from KeyboardInterrupt


def test_ctrl_c_inside_adbc_is_an_interrupt_and_stores_nothing(
    tmp_path: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'h.db'}")
    store.upgrade()
    path = tmp_path / "e.csv"
    path.write_text(
        HEADER + "".join(f"T{i},2026-11-19T10:00:00+03:00,,mass,Нет сети,59.22,39.88\n" for i in range(3)),
        encoding="utf-8",
    )
    (part,) = validate_parts(read_export(path), key=store.secret(), rows=100)
    batch = IngestWrite(
        source="e.csv", at=now, read=3, complaints=part.complaints, quarantine=part.quarantine
    )
    monkeypatch.setattr(sqlite_ingest, "_write_part", interrupted_in_adbc)
    with pytest.raises(KeyboardInterrupt):
        store.apply_ingest(batch)
    monkeypatch.undo()
    assert store.load_complaints().empty
    assert store.apply_ingest(batch)["inserted"] == 3

"""Schema 10 on every store kind: when detection last found a spot, and the upgrade from 9."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from heatmap.service import ingest
from heatmap.store import Store, migrate, open_store
from heatmap.store.base import SPOT_COLUMNS
from heatmap.store.columns import FOUND_AT_SCHEMA, spot_columns_at
from heatmap.store.sqlite import migrations
from tests.store.test_expected_schema import _export, spot_row, write_spots


def test_found_at_round_trips_as_utc_and_null_stays_null(store: Store, now: datetime) -> None:
    found = pd.Timestamp(now) - pd.Timedelta(hours=3)
    write_spots(store, [spot_row("S1", now, found_at=found), spot_row("S2", now)], now)
    spots = store.load_spots().set_index("id")
    assert list(spots.reset_index().columns) == list(SPOT_COLUMNS)
    assert spots.loc["S1", "found_at"] == found
    assert spots["found_at"].dtype == spots["created_at"].dtype
    assert pd.isna(spots.loc["S2", "found_at"])


def test_a_store_before_10_neither_reads_nor_writes_found_at() -> None:
    assert "found_at" not in spot_columns_at(FOUND_AT_SCHEMA - 1)
    assert "trend" in spot_columns_at(FOUND_AT_SCHEMA - 1)
    assert spot_columns_at(FOUND_AT_SCHEMA) == SPOT_COLUMNS
    assert "trend" not in spot_columns_at(6)


def test_upgrade_from_9_to_10_with_data_loses_nothing(
    store_url: str, tmp_path: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrate, "migrations", lambda dialect: migrations(dialect)[:9])
    store = open_store(store_url)
    assert store.upgrade() == list(range(1, 10))
    ingest(store, [_export(tmp_path / "u.csv")], now=now)
    write_spots(store, [spot_row("S1", now, observed=4.0, found_at=pd.Timestamp(now))], now)
    before = (store.load_complaints(), store.load_spots(), store.load_events())
    assert before[1]["found_at"].isna().all()  # not kept before 10
    monkeypatch.undo()

    assert store.upgrade() == [FOUND_AT_SCHEMA]
    after = (store.load_complaints(), store.load_spots(), store.load_events())
    for old, new in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(old, new)
    later = pd.Timestamp(now) + pd.Timedelta(hours=1)
    write_spots(store, [spot_row("S1", now + timedelta(hours=1), observed=4.0, found_at=later)], now)
    assert store.load_spots(ids=["S1"])["found_at"].iloc[0] == later
    store.close()

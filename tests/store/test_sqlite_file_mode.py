"""The SQLite store holds phone numbers: a new file and its -wal and -shm are the owner's only."""

from __future__ import annotations

import os
from pathlib import Path

from heatmap.store import open_store


def test_a_new_store_and_its_journal_files_are_0600(tmp_path: Path) -> None:
    path = tmp_path / "data" / "heatmap.db"
    before = os.umask(0o022)
    try:
        store = open_store(f"sqlite:///{path}")
        store.upgrade()
        files = [path, path.with_name("heatmap.db-wal"), path.with_name("heatmap.db-shm")]
        modes = {f.name: f.stat().st_mode & 0o777 for f in files}
        assert store.schema_version() > 0
        store.close()
    finally:
        os.umask(before)
    assert modes == {"heatmap.db": 0o600, "heatmap.db-wal": 0o600, "heatmap.db-shm": 0o600}


def test_an_existing_store_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "heatmap.db"
    open_store(f"sqlite:///{path}").close()
    path.chmod(0o640)
    store = open_store(f"sqlite:///{path}")
    store.upgrade()
    store.close()
    assert path.stat().st_mode & 0o777 == 0o640

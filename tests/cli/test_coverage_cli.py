"""``heatmap network coverage-from-drive-test``: logs in, a coverage layer stored; bad input exit 1.

The command runs in-process (:func:`heatmap.devtools.cli_runner.run_heatmap`)."""

from __future__ import annotations

import json
from pathlib import Path

from heatmap.devtools.cli_runner import run_heatmap as heatmap
from heatmap.store import open_store

HEADER = "Timestamp,Longitude,Latitude,NetworkMode,RSRP,RSSI,NODEHEX\n"


def test_drive_tests_become_the_stored_coverage(sqlite_url: str, tmp_path: Path) -> None:
    assert heatmap("init", db=sqlite_url).returncode == 0
    rows = [f"t,39.8700,59.2290,LTE,{level},-80,A1\n" for level in (-100, -104, -90)]
    rows += ["t,39.9500,59.2600,LTE,-115,-95,A1\n"]  # one fix elsewhere: too few to keep
    (tmp_path / "log.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    done = heatmap(
        "network",
        "coverage-from-drive-test",
        str(tmp_path / "log.csv"),
        "--min-samples",
        "2",
        "--json",
        db=sqlite_url,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"fixes": 4, "cells": 1, "median_rsrp_dbm": -100.0}
    store = open_store(sqlite_url)
    try:
        stored = store.load_coverage()
    finally:
        store.close()
    assert stored[["rsrp_median", "rsrp_samples", "rssi_samples"]].values.tolist() == [[-100.0, 3, 3]]


def test_a_file_that_is_not_a_drive_test_is_exit_1_and_stores_nothing(
    sqlite_url: str, tmp_path: Path
) -> None:
    assert heatmap("init", db=sqlite_url).returncode == 0
    (tmp_path / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    for path in (tmp_path / "other.csv", tmp_path / "missing.zip"):
        done = heatmap("network", "coverage-from-drive-test", str(path), db=sqlite_url)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert str(path.name) in done.stderr

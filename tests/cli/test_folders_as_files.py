"""A folder where a file is expected, or a file that is not there: one line saying so, never a
traceback (`map --out DIR` and `export --out DIR` failed with IsADirectoryError after all
their work; `known-issue --polygon @DIR` on reading it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from heatmap.devtools.cli_runner import run_heatmap as heatmap


@pytest.fixture
def ready_db(sqlite_url: str) -> str:
    assert heatmap("init", db=sqlite_url).returncode == 0
    return sqlite_url


@pytest.mark.parametrize(
    "command",
    [
        ["map", "--out"],
        ["export", "--what", "complaints", "--format", "csv", "--out"],
        ["export", "--what", "spots", "--format", "geojson", "--out"],
    ],
)
def test_writing_over_a_folder_is_refused(ready_db: str, tmp_path: Path, command: list[str]) -> None:
    said = heatmap(*command, str(tmp_path), db=ready_db)
    assert said.returncode == 2, said.stderr
    assert "is a folder" in said.stderr and "Traceback" not in said.stderr


@pytest.mark.parametrize(
    ("name", "told"), [("", "Is a directory"), ("nope.geojson", "No such file"), ("e", "empty")]
)
def test_a_polygon_file_that_cannot_be_read(ready_db: str, tmp_path: Path, name: str, told: str) -> None:
    (tmp_path / "e").write_text("", encoding="utf-8")
    said = heatmap("known-issue", "--cause", "planned_works", "--polygon", f"@{tmp_path / name}", db=ready_db)
    assert said.returncode == 1, said.stderr
    assert told in said.stderr and "Traceback" not in said.stderr

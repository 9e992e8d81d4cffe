"""``--now`` takes a time without seconds, as ``spot eta`` does."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from heatmap.devtools.cli_runner import run_heatmap as heatmap


@pytest.mark.parametrize(
    ("given", "meant"),
    [
        ("2026-12-07T12:00+03:00", "2026-12-07T09:00:00+00:00"),
        ("2026-12-07T12:00Z", "2026-12-07T12:00:00+00:00"),
        ("2026-12-07T12:00", "2026-12-07T12:00:00+00:00"),
        ("2026-12-07T12:00:30+03:00", "2026-12-07T09:00:30+00:00"),
    ],
)
def test_now_without_seconds_is_taken(given: str, meant: str, tmp_path: Path) -> None:
    """`heatmap detect --now 2026-12-07T12:00+03:00` was bad usage ('does not match the
    formats'), while `spot eta` took `2026-12-07T18:00`."""
    db = f"sqlite:///{tmp_path / 'h.db'}"
    assert heatmap("init", db=db).returncode == 0
    ran = heatmap("purge", "--older-than", "1", "--now", given, "--json", db=db)
    assert ran.returncode == 0, ran.stderr
    before = datetime.fromisoformat(json.loads(ran.stdout)["before"])
    assert (datetime.fromisoformat(meant) - before).total_seconds() == 86_400

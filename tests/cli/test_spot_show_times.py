"""`heatmap spot show` tells every time in Moscow time, as it tells the ETA: complaint times
(and the history's) were printed in UTC (``2026-11-20 07:00:00+00:00``) beside an ETA
and a detection line in Moscow time. ``--json`` stays UTC."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from heatmap.core.workflow_rules import in_moscow
from heatmap.devtools.cli_runner import run_heatmap as heatmap


def test_spot_show_prints_complaint_and_history_times_in_moscow_time(
    sqlite_url: str, sample_export: Path
) -> None:
    assert heatmap("init", db=sqlite_url).returncode == 0
    heatmap("ingest", str(sample_export), db=sqlite_url)
    heatmap("detect", "--now", "2026-11-20T12:00:00", db=sqlite_url)
    top = json.loads(heatmap("spots", "--format", "json", db=sqlite_url).stdout)["spots"][0]["id"]
    heatmap("spot", "take", top, "--actor", "petrov", "--now", "2026-11-20T12:30:00", db=sqlite_url)
    heatmap("spot", "eta", top, "2026-11-25", "--now", "2026-11-20T13:00:00", db=sqlite_url)
    answer = json.loads(heatmap("spot", "show", top, "--json", db=sqlite_url).stdout)
    shown = heatmap("spot", "show", top, db=sqlite_url, env={"COLUMNS": "250"})
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "+00:00" not in text, "no UTC time in the table"
    latest = max(answer["complaints"], key=lambda c: c["created_at"])
    assert latest["created_at"].endswith("+00:00"), "JSON stays UTC"
    assert in_moscow(pd.Timestamp(latest["created_at"]).to_pydatetime()) in text
    taken = next(e for e in answer["history"] if e["to_status"] == "in_progress")
    assert pd.Timestamp(taken["at"]) == pd.Timestamp("2026-11-20T12:30:00Z")
    assert "2026-11-20 15:30 Moscow time" in text  # the taking, in the history and ETA history

"""`heatmap spot show` as an engineer reads it: its complaints and the ETAs set, not only in
``--json`` (the table listed neither, though the command's help promised its complaints)."""

from __future__ import annotations

import json
from pathlib import Path

from heatmap.devtools.cli_runner import run_heatmap as heatmap


def test_spot_show_lists_its_latest_complaints_and_eta_history(sqlite_url: str, sample_export: Path) -> None:
    assert heatmap("init", db=sqlite_url).returncode == 0
    heatmap("ingest", str(sample_export), db=sqlite_url)
    heatmap("detect", "--now", "2026-11-20T12:00:00", db=sqlite_url)
    top = json.loads(heatmap("spots", "--format", "json", db=sqlite_url).stdout)["spots"][0]["id"]
    heatmap("spot", "take", top, "--actor", "petrov", db=sqlite_url)
    heatmap(
        "spot",
        "eta",
        top,
        "2026-11-25",
        "--now",
        "2026-11-20T13:00:00",
        "--note",
        "ждём плату",
        db=sqlite_url,
    )
    complaints = json.loads(heatmap("spot", "show", top, "--json", db=sqlite_url).stdout)["complaints"]
    shown = heatmap("spot", "show", top, db=sqlite_url, env={"COLUMNS": "200"})
    assert shown.returncode == 0, shown.stderr
    assert f"Complaints ({len(complaints)}; the latest 20, all with --json)" in shown.stdout
    latest = max(complaints, key=lambda c: c["created_at"])["ticket_id"]
    assert latest in shown.stdout
    assert (
        "ETA history" in shown.stdout and "2026-11-25 00:00" in shown.stdout and "ждём плату" in shown.stdout
    )

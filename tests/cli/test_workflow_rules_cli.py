"""``heatmap spot resolve|eta`` follow the workflow rules: exit 1 naming what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

from heatmap.devtools.cli_runner import run_heatmap as heatmap

AT = ("--now", "2026-11-20T13:00:00")


def test_resolve_and_eta_refuse_what_the_rules_refuse(sqlite_url: str, sample_export: Path) -> None:
    assert heatmap("init", db=sqlite_url).returncode == 0
    heatmap("ingest", str(sample_export), db=sqlite_url)
    heatmap("detect", *AT, db=sqlite_url)
    spot = json.loads(heatmap("spots", "--format", "json", db=sqlite_url).stdout)["spots"][0]["id"]
    assert heatmap("spot", "take", spot, *AT, db=sqlite_url).returncode == 0

    bogus = heatmap("spot", "resolve", spot, "--cause", "bogus", *AT, db=sqlite_url)
    assert bogus.returncode == 1
    assert "unknown cause 'bogus'; allowed: equipment_failure, power" in bogus.stderr
    bare = heatmap("spot", "resolve", spot, *AT, db=sqlite_url)
    assert bare.returncode == 1 and "needs a cause" in bare.stderr

    past = heatmap("spot", "eta", spot, "2026-11-20", *AT, db=sqlite_url)  # midnight MSK
    assert past.returncode == 1 and "already passed" in past.stderr
    nonsense = heatmap("spot", "eta", spot, "someday", *AT, db=sqlite_url)
    assert nonsense.returncode == 1 and "ETA must be a date" in nonsense.stderr
    later = heatmap("spot", "eta", spot, "2026-11-20T18:00", *AT, "--json", db=sqlite_url)
    assert later.returncode == 0, later.stderr
    assert json.loads(later.stdout)["eta"].startswith("2026-11-20T15:00:00"), "Moscow time"
    shown = json.loads(heatmap("spot", "show", spot, "--json", db=sqlite_url).stdout)
    assert shown["status"] == "in_progress" and [h["kind"] for h in shown["history"]].count("eta") == 1, (
        "the refused ETAs left no trace"
    )

    listed = json.loads(heatmap("queue", "--json", *AT, db=sqlite_url).stdout)["queues"]
    assert all({"open", "breached", "due_today"} <= set(q) for q in listed)
    done = heatmap("spot", "resolve", spot, "--cause", "power", *AT, "--json", db=sqlite_url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["cause"] == "power"


def test_help_says_how_dates_are_read(sqlite_url: str) -> None:
    text = " ".join(heatmap("spot", "eta", "--help", db=sqlite_url).stdout.split())
    assert "midnight at its start, Moscow time (UTC+3)" in text
    assert "Moscow time too" in text and "refused" in text

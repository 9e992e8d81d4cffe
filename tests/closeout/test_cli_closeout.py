"""``heatmap notify`` and ``heatmap report`` as scripts run them (through the entry point, in-process;
the notify loop as a real process that a signal stops)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from heatmap.devtools.cli_runner import run_heatmap as heatmap

ROOT = Path(__file__).resolve().parents[2]
Kit = Any  # tests/closeout/conftest.py


def test_notify_and_report_json(kit: Kit, store_url: str, tmp_path: Path) -> None:
    kit.resolve(kit.make_spot(4), at=kit.now)
    spool = tmp_path / "sms.jsonl"
    env = {"HEATMAP_DB": store_url, "HEATMAP_QUIET_HOURS": "21-9"}
    night = heatmap("notify", "--json", "--spool", str(spool), "--now", "2026-11-20T22:30:00+03:00", env=env)
    assert night.returncode == 0, night.stderr
    assert json.loads(night.stdout)["held"] == 4 and not spool.exists()
    morning = heatmap(
        "notify",
        "--gateway",
        "file",
        "--json",
        "--spool",
        str(spool),
        "--now",
        "2026-11-21T09:00:00+03:00",
        env=env,
    )
    assert json.loads(morning.stdout)["sent"] == 4
    assert len(spool.read_text(encoding="utf-8").splitlines()) == 4
    report = heatmap("report", "--json", "--now", "2026-11-21T10:00:00+03:00", env=env)
    figures = json.loads(report.stdout)
    assert (
        figures["sms_sent"],
        figures["sms_ever_held"],
        figures["complainants_reached"],
        figures["spots_resolved"],
    ) == (4, 4, 4, 1)
    table = heatmap("report", env=env)
    assert table.returncode == 0 and "complainants_reached" in table.stdout


def test_notify_usage_errors(store_url: str) -> None:
    env = {"HEATMAP_DB": store_url, "HEATMAP_KANNEL_USER": "", "HEATMAP_KANNEL_PASSWORD": ""}
    assert heatmap("init", env=env).returncode == 0
    bad = heatmap("notify", "--gateway", "carrier-pigeon", env=env)
    assert bad.returncode == 2 and "file or kannel" in bad.stderr
    no_user = heatmap("notify", "--gateway", "kannel", env={**env, "HEATMAP_KANNEL_USER": ""})
    assert no_user.returncode == 2 and "HEATMAP_KANNEL_USER" in no_user.stderr
    assert heatmap("notify", "--loop", "--now", "2026-11-20", env=env).returncode == 2
    quiet = heatmap("notify", env={**env, "HEATMAP_QUIET_HOURS": "night"})
    assert quiet.returncode == 1 and "quiet hours" in quiet.stderr


def test_notify_loop_runs_until_stopped(kit: Kit, store_url: str, tmp_path: Path) -> None:
    kit.resolve(kit.make_spot(3))
    spool = tmp_path / "loop.jsonl"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HEATMAP_DB": store_url,
        "HEATMAP_QUIET_HOURS": "none",
        "HEATMAP_NOTIFY_INTERVAL_S": "0.2",
    }
    job = subprocess.Popen(
        [sys.executable, "-m", "heatmap", "notify", "--loop", "--json", "--spool", str(spool)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    passes: list[dict[str, int]] = []  # each pass's counts, as the job prints them (flushed)

    def read() -> None:
        for line in job.stdout or ():
            passes.append(json.loads(line))

    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
        spool.exists() and len(spool.read_text(encoding="utf-8").splitlines()) == 3
    ):
        time.sleep(0.1)
    seen = len(passes)
    while time.monotonic() < deadline and len(passes) < seen + 2:  # two more passes: nothing more is sent
        time.sleep(0.1)
    job.send_signal(signal.SIGTERM)
    _, err = job.communicate(timeout=30)
    reader.join(timeout=30)
    assert job.returncode == 0, err
    assert len(passes) >= 2 and sum(p["sent"] for p in passes) == 3
    assert len(spool.read_text(encoding="utf-8").splitlines()) == 3

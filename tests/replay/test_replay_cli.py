"""``heatmap replay``: one JSON object with the scripted keys, policies side by side, bad usage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from heatmap.cli.app import app
from heatmap.devtools.cli_runner import run_heatmap as heatmap
from heatmap.replay.report import KEYS
from heatmap.store import Store, open_store

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "vologda_addresses.csv"
KEY = "an operator key of 32 characters"
SMALL = ["--registry", str(SAMPLE), "--incidents-per-week", "21", "--background-per-day", "30"]


def test_json_prints_one_object_with_the_keys(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        app, ["replay", *SMALL, "--days", "2", "--seed", "2", "--json", "--plots", str(tmp_path)]
    )
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert tuple(report)[: len(KEYS)] == KEYS
    assert report["complaints"] > 0
    assert report["settings"]["days"] == 2 and report["settings"]["seed"] == 2
    assert set(report["cpu_seconds_by_step"]) >= {"ingest", "detect", "alarms"}
    assert report["cpu_seconds"] >= sum(report["cpu_seconds_by_step"].values()) - 0.5
    assert report["load_average"] >= 0 and report["settings"]["site_spacing_m"] == 1000
    assert report["sites"] > 10  # the simulated network is there by default
    png = tmp_path / "replay-replay-daily.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_runs_both_policies_on_the_same_world(tmp_path: Path) -> None:
    default = Path(__file__).resolve().parents[2] / "heatmap" / "policy" / "default.toml"
    other = tmp_path / "other.toml"
    other.write_text(
        default.read_text(encoding="utf-8").replace(
            "[escalation]\ndoubling_hours = 24", "[escalation]\ndoubling_hours = 6"
        ),
        encoding="utf-8",
    )
    done = CliRunner().invoke(
        app, ["replay", *SMALL, "--days", "1", "--json", "--compare", str(default), str(other)]
    )
    assert done.exit_code == 0, done.output
    both = json.loads(done.stdout)
    assert set(both) == {"a", "b", "policies", "settings"}
    assert both["a"]["incidents"] == both["b"]["incidents"]  # one world
    assert both["a"]["complaints"] == both["b"]["complaints"]


def test_bad_usage_is_a_clear_error(tmp_path: Path) -> None:
    missing = heatmap("replay", "--registry", str(tmp_path / "no.csv"))
    assert missing.returncode == 2 and "no registry" in missing.stderr
    settings = tmp_path / "r.toml"
    settings.write_text("engineers = 3\n", encoding="utf-8")
    refused = heatmap("replay", *SMALL, "--config", str(settings))
    assert refused.returncode == 1 and "unknown replay settings" in refused.stderr
    assert "Traceback" not in refused.stderr and refused.stdout == ""
    assert heatmap("replay", *SMALL, "--days", "0").returncode == 2


def test_a_named_store_hashes_with_the_operators_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--db`` names an operator's store: the replay opens it with HEATMAP_SECRET_KEY, as
    every command does through the wiring."""
    from heatmap.replay import session

    opened: list[object] = []
    real = open_store

    def recording(url: str, *, secret_key: SecretStr | None = None) -> Store:
        opened.append(secret_key.get_secret_value() if secret_key is not None else None)
        return real(url, secret_key=secret_key)

    monkeypatch.setattr(session, "open_store", recording)
    monkeypatch.setenv("HEATMAP_SECRET_KEY", KEY)
    db = f"sqlite:///{tmp_path / 'replay.db'}"
    done = CliRunner().invoke(app, ["replay", *SMALL, "--days", "1", "--json", "--db", db])
    assert done.exit_code == 0, done.output
    assert opened == [KEY]
    store = open_store(db, secret_key=SecretStr(KEY))
    try:
        assert store.secret() == KEY.encode() and not store.load_complaints().empty
    finally:
        store.close()

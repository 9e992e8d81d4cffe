"""Commands take what their options leave out from the settings (``heatmap.wiring``), and an
option wins over its variable."""

from __future__ import annotations

import json
from pathlib import Path

from heatmap.devtools.cli_runner import run_heatmap as heatmap

AT = ("--now", "2026-11-20T13:00:00")
DEFAULT_POLICY = Path(__file__).resolve().parents[2] / "heatmap" / "policy" / "default.toml"


def test_actor_policy_and_store_come_from_the_variables_unless_an_option_says(
    sqlite_url: str, sample_export: Path, tmp_path: Path
) -> None:
    assert heatmap("init", db=sqlite_url).returncode == 0
    heatmap("ingest", str(sample_export), db=sqlite_url)
    heatmap("detect", *AT, db=sqlite_url)
    first, second = (
        s["id"] for s in json.loads(heatmap("spots", "--format", "json", db=sqlite_url).stdout)["spots"][:2]
    )

    by_env = heatmap("spot", "take", first, *AT, "--json", db=sqlite_url, env={"HEATMAP_ACTOR": "ivanov"})
    assert json.loads(by_env.stdout)["engineer"] == "ivanov"
    by_option = heatmap(
        "spot",
        "take",
        second,
        *AT,
        "--actor",
        "petrov",
        "--json",
        db=sqlite_url,
        env={"HEATMAP_ACTOR": "ivanov"},
    )
    assert json.loads(by_option.stdout)["engineer"] == "petrov"

    missing = str(tmp_path / "no-such-policy.toml")
    refused = heatmap("queue", *AT, db=sqlite_url, env={"HEATMAP_POLICY": missing})
    assert refused.returncode == 1 and "no-such-policy.toml" in "".join(refused.stderr.split())
    chosen = heatmap(
        "queue", *AT, "--policy", str(DEFAULT_POLICY), db=sqlite_url, env={"HEATMAP_POLICY": missing}
    )
    assert chosen.returncode == 0, chosen.stderr

    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert heatmap("init", "--db", other, db=sqlite_url).returncode == 0
    assert (tmp_path / "other.db").is_file()
    assert (
        json.loads(heatmap("spots", "--format", "json", "--db", other, db=sqlite_url).stdout)["spots"] == []
    )


def test_geocode_file_needs_a_gazetteer_from_the_option_or_the_variable(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("address\nВологда, Пролетарская 22\n", encoding="utf-8")
    none = heatmap("geocode-file", str(source), "--out", str(tmp_path / "out.csv"))
    assert none.returncode == 2 and "HEATMAP_GAZETTEER" in "".join(none.stderr.split())


def test_an_invalid_variable_is_refused_with_its_name(sqlite_url: str) -> None:
    bad = heatmap("spots", db=sqlite_url, env={"HEATMAP_DETECT_EPS_M": "wide"})
    assert bad.returncode == 1 and "eps_m" in "".join(bad.stderr.split())

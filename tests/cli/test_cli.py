"""The CLI contract scripts rely on: commands, --json, exit codes.

Commands run in this process through the console script's own entry point
(:func:`heatmap.devtools.cli_runner.run_heatmap`); one smoke test per entry point starts a
real process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from heatmap.devtools.cli_runner import run_heatmap as heatmap

ROOT = Path(__file__).resolve().parents[2]


def _process(command: list[str], *args: str, db: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "HEATMAP_DB": db}
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=environment, timeout=300, check=False
    )


@pytest.mark.parametrize(
    "command",
    [[sys.executable, "-m", "heatmap"], [str(Path(sys.executable).with_name("heatmap"))]],
    ids=["python -m heatmap", "heatmap script"],
)
def test_entry_point_runs_a_command_as_a_real_process(
    command: list[str], sqlite_url: str, sample_export: Path
) -> None:
    """The one real-process run per entry point: exit codes, JSON on stdout, errors on stderr."""
    assert _process(command, "init", db=sqlite_url).returncode == 0
    result = _process(command, "ingest", str(sample_export), "--json", db=sqlite_url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["read"] == 2500
    assert _process(command, "no-such-command", db=sqlite_url).returncode == 2
    missing = _process(command, "ingest", "nope.csv", db=sqlite_url)
    assert missing.returncode == 1 and "no such file" in missing.stderr


@pytest.fixture
def ready_db(sqlite_url: str) -> str:
    assert heatmap("init", db=sqlite_url).returncode == 0
    return sqlite_url


def test_ingest_json_prints_exactly_the_counts(ready_db: str, sample_export: Path) -> None:
    result = heatmap("ingest", str(sample_export), "--json", db=ready_db)
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert list(counts) == ["read", "inserted", "updated", "unchanged", "quarantined"]
    assert counts["read"] == 2500 and counts["quarantined"] > 0
    again = json.loads(heatmap("ingest", str(sample_export), "--json", db=ready_db).stdout)
    assert (again["inserted"], again["unchanged"]) == (0, counts["inserted"])


def test_formats_ingest_alike(ready_db: str, sample_export: Path, tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.read_csv(sample_export, dtype=str, keep_default_na=False)
    frame.to_parquet(tmp_path / "export.parquet")
    frame.to_json(tmp_path / "export.jsonl", orient="records", lines=True, force_ascii=False)
    first = json.loads(heatmap("ingest", str(tmp_path / "export.parquet"), "--json", db=ready_db).stdout)
    second = json.loads(heatmap("ingest", str(tmp_path / "export.jsonl"), "--json", db=ready_db).stdout)
    assert first["inserted"] == second["unchanged"]
    assert first["quarantined"] == second["quarantined"]


def test_quarantine_lists_bad_rows(ready_db: str, sample_export: Path) -> None:
    heatmap("ingest", str(sample_export), db=ready_db)
    rows = json.loads(heatmap("quarantine", "--json", "--limit", "500", db=ready_db).stdout)["rows"]
    assert rows and all(r["reasons"] and r["line"] >= 2 and r["raw"] for r in rows)


def test_detect_spots_and_geojson(ready_db: str, sample_export: Path, tmp_path: Path) -> None:
    heatmap("ingest", str(sample_export), db=ready_db)
    result = heatmap("detect", "--json", "--now", "2026-11-20T12:00:00", db=ready_db)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["spots"] >= 3
    geojson = json.loads(heatmap("spots", "--format", "geojson", db=ready_db).stdout)
    assert geojson["type"] == "FeatureCollection"
    properties = geojson["features"][0]["properties"]
    assert {"id", "status", "subscribers", "complaints", "priority", "queue"} <= set(properties)
    lon, lat = geojson["features"][0]["geometry"]["coordinates"][0][0]
    assert 39 < lon < 41 and 58 < lat < 60, "RFC 7946 order is lon, lat"
    table = heatmap("spots", db=ready_db)
    assert properties["id"] in table.stdout
    assert heatmap("map", "--out", str(tmp_path / "m.html"), db=ready_db).returncode == 0
    assert "leaflet" in (tmp_path / "m.html").read_text(encoding="utf-8").lower()


def test_exit_codes(ready_db: str, tmp_path: Path) -> None:
    assert heatmap("detect", "--method", "kmeans", db=ready_db).returncode == 2
    assert heatmap("spots", "--format", "xml", db=ready_db).returncode == 2
    assert heatmap("no-such-command").returncode == 2
    missing = heatmap("ingest", str(tmp_path / "nope.csv"), db=ready_db)
    assert missing.returncode == 1 and "no such file" in missing.stderr
    uninitialised = heatmap("spots", db=f"sqlite:///{tmp_path / 'empty.db'}")
    assert uninitialised.returncode == 1 and "heatmap init" in uninitialised.stderr


def test_bad_policy_is_reported(ready_db: str, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[priority]\nweights = 3\n", encoding="utf-8")
    result = heatmap("detect", "--policy", str(policy), db=ready_db)
    assert result.returncode == 1 and str(policy) in result.stderr


def test_samples_generate_is_deterministic(tmp_path: Path) -> None:
    for name in ("a.csv", "b.csv"):
        assert (
            heatmap(
                "samples", "generate", "--n", "300", "--seed", "5", "--out", str(tmp_path / name)
            ).returncode
            == 0
        )
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_committed_sample_matches_the_generator(tmp_path: Path, sample_export: Path) -> None:
    heatmap("samples", "generate", "--n", "2500", "--seed", "1", "--out", str(tmp_path / "s.csv"))
    assert (tmp_path / "s.csv").read_bytes() == sample_export.read_bytes()


def test_gazetteer_build_and_geocode_file(tmp_path: Path) -> None:
    registry = ROOT / "data" / "samples" / "vologda_addresses.csv"
    built = heatmap("gazetteer", "build", str(registry), "--out", str(tmp_path / "g.parquet"), "--json")
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["entries"] > 1000
    (tmp_path / "in.csv").write_text(
        'id,addr\n1,"Вологда, ул. Ленинградская, д. 40а"\n2,Ленинградская 40 А кв 5\n'
        "3,Тверская улица 1 Москва\n4,\n",
        encoding="utf-8",
    )
    result = heatmap(
        "geocode-file",
        str(tmp_path / "in.csv"),
        "--column",
        "addr",
        "--gazetteer",
        str(tmp_path / "g.parquet"),
        "--out",
        str(tmp_path / "out.csv"),
    )
    assert result.returncode == 0, result.stderr
    import pandas as pd

    answer = pd.read_csv(tmp_path / "out.csv", dtype={"id": str})
    assert answer["id"].tolist() == ["1", "2", "3", "4"], "rows keep their order"
    assert {"lat", "lon", "precision", "score", "matched"} <= set(answer.columns)
    assert answer["precision"].tolist()[:2] == ["house", "house"]
    assert answer["precision"].tolist()[2:] == ["none", "none"]


def test_geocode_pending_in_the_store(ready_db: str, sample_export: Path, tmp_path: Path) -> None:
    registry = ROOT / "data" / "samples" / "vologda_addresses.csv"
    heatmap("gazetteer", "build", str(registry), "--out", str(tmp_path / "g.parquet"))
    heatmap("ingest", str(sample_export), db=ready_db)
    result = heatmap("geocode", "--gazetteer", str(tmp_path / "g.parquet"), "--json", db=ready_db)
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert counts["house"] > 0.9 * sum(counts.values())
    again = json.loads(
        heatmap("geocode", "--gazetteer", str(tmp_path / "g.parquet"), "--json", db=ready_db).stdout
    )
    assert again == {}, "nothing is pending any more"
    told = heatmap("geocode", "--gazetteer", str(tmp_path / "g.parquet"), db=ready_db)
    assert told.returncode == 0 and "no complaint is waiting for a point" in " ".join(told.stderr.split()), (
        "an empty table once said nothing"
    )


def test_engineer_works_a_spot_from_the_cli(ready_db: str, sample_export: Path) -> None:
    heatmap("ingest", str(sample_export), db=ready_db)
    heatmap("detect", "--now", "2026-11-20T12:00:00", db=ready_db)
    spots = json.loads(heatmap("spots", "--format", "json", db=ready_db).stdout)["spots"]
    top = spots[0]
    queue = json.loads(
        heatmap("queue", top["queue"], "--json", "--now", "2026-11-20T13:00:00", db=ready_db).stdout
    )
    assert queue["spots"][0]["id"] == top["id"] and "sla_left_hours" in queue["spots"][0]
    taken = heatmap("spot", "take", top["id"], "--actor", "petrov", "--json", db=ready_db)
    assert taken.returncode == 0, taken.stderr
    assert json.loads(taken.stdout)["engineer"] == "petrov"
    assert (
        heatmap(
            "spot", "eta", top["id"], "2026-11-25", "--now", "2026-11-20T13:00:00", db=ready_db
        ).returncode
        == 0
    )
    shown = json.loads(
        heatmap("spot", "show", top["id"], "--json", "--now", "2026-11-21T09:00:00", db=ready_db).stdout
    )
    assert shown["script"].endswith("Решение ожидается до 25 ноября.")
    assert [h["kind"] for h in shown["history"]][-2:] == ["transition", "eta"]
    again = heatmap("spot", "take", top["id"], db=ready_db)
    assert again.returncode == 1 and "cannot become in_progress" in again.stderr
    assert heatmap("spot", "reject", top["id"], db=ready_db).returncode == 2, "--reason is required"
    resolved = heatmap("spot", "resolve", top["id"], "--cause", "equipment_failure", db=ready_db)
    assert resolved.returncode == 0, resolved.stderr
    assert heatmap("spot", "show", "SP-NOPE", db=ready_db).returncode == 1


def test_known_issue_by_address_or_polygon(ready_db: str, tmp_path: Path) -> None:
    registry = ROOT / "data" / "samples" / "vologda_addresses.csv"
    heatmap("gazetteer", "build", str(registry), "--out", str(tmp_path / "g.parquet"))
    by_address = heatmap(
        "known-issue",
        "--cause",
        "planned_works",
        "--address",
        "Вологда, ул. Ленинградская, д. 40а",
        "--radius-m",
        "300",
        "--gazetteer",
        str(tmp_path / "g.parquet"),
        "--eta",
        "2026-11-25",
        "--json",
        "--now",
        "2026-11-20T13:00:00",
        db=ready_db,
    )
    assert by_address.returncode == 0, by_address.stderr
    square = "POLYGON((39.88 59.22, 39.89 59.22, 39.89 59.23, 39.88 59.23, 39.88 59.22))"
    by_polygon = heatmap("known-issue", "--cause", "known_outage", "--polygon", square, "--json", db=ready_db)
    assert by_polygon.returncode == 0, by_polygon.stderr
    shown = json.loads(
        heatmap("spot", "show", json.loads(by_polygon.stdout)["id"], "--json", db=ready_db).stdout
    )
    assert shown["kind"] == "known_issue" and abs(shown["centroid_lat"] - 59.225) < 1e-6
    assert json.loads(by_polygon.stdout)["existing"] is False
    # a retry of either finds the spot it made: one spot each, told "existing" the second time
    spots_before = json.loads(heatmap("spots", "--format", "json", db=ready_db).stdout)
    for first in (by_polygon, by_address):
        again = heatmap(*first.args, db=ready_db)
        assert again.returncode == 0, again.stderr
        said = json.loads(again.stdout)
        assert (said["id"], said["existing"]) == (json.loads(first.stdout)["id"], True)
    told = heatmap("known-issue", "--cause", "known_outage", "--polygon", square, db=ready_db)
    spot_id = json.loads(by_polygon.stdout)["id"]
    assert told.returncode == 0 and f"already registered as spot {spot_id}" in " ".join(told.stderr.split())
    assert json.loads(heatmap("spots", "--format", "json", db=ready_db).stdout) == spots_before
    nowhere = heatmap(
        "known-issue",
        "--cause",
        "x",
        "--address",
        "Атлантида, ул. Нептуна, 1",
        "--radius-m",
        "100",
        "--gazetteer",
        str(tmp_path / "g.parquet"),
        db=ready_db,
    )
    assert nowhere.returncode == 2 and "cannot place" in nowhere.stderr
    assert heatmap("known-issue", "--cause", "x", db=ready_db).returncode == 2


def _one_spot(url: str, tmp_path: Path, evidence: dict[str, object] | None) -> str:
    """A store with one spot of five complainants (count rule), with ``evidence`` written
    into it as detection would; the spot's id."""
    import pandas as pd

    from heatmap.core.policy import load_policy
    from heatmap.detect.run import DetectParams
    from heatmap.service import detect_spots, ingest
    from heatmap.store import open_store
    from heatmap.store.base import SpotChanges

    lines = [
        f"T{i},2026-11-19T10:00:00+03:00,+791600000{i:02d},mass,no_coverage,Нет связи,,"
        f"{59.22907 + (i - 2) * 1e-4},{39.869577 + (i % 2) * 1e-4},Вологодская"
        for i in range(5)
    ]
    export = tmp_path / "five.csv"
    export.write_text(
        "ticket_id,created_at,msisdn,segment,topic,description,address,lat,lon,region\n"
        + "\n".join(lines)
        + "\n",
        encoding="utf-8",
    )
    store = open_store(url)
    try:
        store.upgrade()
        now = pd.Timestamp("2026-11-20T12:00:00Z").to_pydatetime()
        ingest(store, [export], now=now, policy=load_policy())
        detect_spots(store, params=DetectParams(rule="count"), policy=load_policy(), now=now)
        spot = store.load_spots().iloc[[0]]
        if evidence is not None:
            store.apply_spot_changes(
                SpotChanges(
                    at=now,
                    spots=spot.assign(**evidence),
                    members=pd.DataFrame(columns=["ticket_id", "spot_id"]),
                    events=store.load_events(str(spot["id"].iloc[0])).iloc[:0],
                )
            )
        return str(spot["id"].iloc[0])
    finally:
        store.close()


def test_spot_show_and_spots_say_why_a_spot_is_one(sqlite_url: str, tmp_path: Path) -> None:
    evidence = {
        "observed": 5.0,
        "expected": 0.4,
        "excess": 4.6,
        "relative_risk": 12.5,
        "p_value": 1.7e-6,
        "trend": "persistent",
    }
    spot_id = _one_spot(sqlite_url, tmp_path, evidence)
    shown = heatmap("spot", "show", spot_id, "--json", db=sqlite_url)
    assert shown.returncode == 0, shown.stderr
    answer = json.loads(shown.stdout)
    assert {k: answer[k] for k in evidence} == evidence
    assert answer["evidence_text"].startswith("Жалующихся: 5 при ожидаемых 0,4 (превышение 4,6;")
    assert "плановое развитие сети" in answer["script"]
    table = heatmap("spot", "show", spot_id, db=sqlite_url).stdout
    for row in ("observed / expected", "5.0 / 0.40", "relative risk", "12.5", "1.7e-06", "persistent"):
        assert row in table, row
    listed = json.loads(heatmap("spots", "--format", "json", db=sqlite_url).stdout)["spots"][0]
    assert {k: listed[k] for k in evidence} == evidence and listed["evidence_text"]
    feature = json.loads(heatmap("spots", "--format", "geojson", db=sqlite_url).stdout)
    assert {k: feature["features"][0]["properties"][k] for k in evidence} == evidence
    assert "persistent" in heatmap("spots", db=sqlite_url).stdout


def test_a_spot_without_evidence_shows_dashes_and_nulls(sqlite_url: str, tmp_path: Path) -> None:
    nothing = dict.fromkeys(("observed", "expected", "excess", "relative_risk", "p_value", "trend"))
    spot_id = _one_spot(sqlite_url, tmp_path, {**nothing, "observed": float("nan")})
    shown = heatmap("spot", "show", spot_id, "--json", db=sqlite_url)
    assert shown.returncode == 0, shown.stderr
    assert "NaN" not in shown.stdout
    assert {k: json.loads(shown.stdout)[k] for k in nothing} == nothing
    assert "— / —" in heatmap("spot", "show", spot_id, db=sqlite_url).stdout
    listed = heatmap("spots", "--format", "json", db=sqlite_url).stdout
    assert "NaN" not in listed
    assert json.loads(listed)["spots"][0]["evidence_text"].endswith("(ожидаемое число не рассчитано)")


_MISSING_WORDS = re.compile(r"\b(nan|NaN|NaT|None)\b|<NA>")


def _strict_json(text: str) -> object:
    def refuse(constant: str) -> object:
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_tables_blank_json_null_and_sla_only_while_open(sqlite_url: str, tmp_path: Path) -> None:
    spot_id = _one_spot(sqlite_url, tmp_path, None)  # no ETA, no cause, no evidence
    at = ("--now", "2026-11-20T13:00:00")
    listed = _strict_json(heatmap("queue", "--json", *at, db=sqlite_url).stdout)
    assert isinstance(listed, dict)
    counts = {q["name"]: (q["open"], q["breached"]) for q in listed["queues"]}
    queue = json.loads(heatmap("spots", "--format", "json", db=sqlite_url).stdout)["spots"][0]["queue"]
    assert counts[queue] == (1, 0) and sum(o for o, _ in counts.values()) == 1
    bare = heatmap("queue", *at, db=sqlite_url)
    assert bare.returncode == 0, bare.stderr
    assert queue in bare.stdout and "Queues (1 open spots)" in bare.stdout
    late = _strict_json(heatmap("queue", "--json", "--now", "2027-03-01", db=sqlite_url).stdout)
    assert isinstance(late, dict) and {q["name"]: q["breached"] for q in late["queues"]}[queue] == 1
    assert heatmap("queue", "nowhere", db=sqlite_url).returncode == 2

    open_sla = _strict_json(heatmap("spot", "show", spot_id, "--json", *at, db=sqlite_url).stdout)
    assert isinstance(open_sla, dict) and open_sla["sla_left_hours"] > 0
    for action in (["take"], ["resolve", "--cause", "equipment_failure"]):
        done = heatmap("spot", *action, spot_id, "--actor", "petrov", *at, db=sqlite_url)
        assert done.returncode == 0, done.stderr
    resolved = _strict_json(heatmap("spot", "show", spot_id, "--json", *at, db=sqlite_url).stdout)
    assert isinstance(resolved, dict) and resolved["sla_left_hours"] is None
    shown = heatmap("spot", "show", spot_id, *at, db=sqlite_url).stdout
    sla_row = next(line for line in shown.splitlines() if "SLA left" in line)
    assert not re.search(r"\d", sla_row), sla_row

    for args in (
        ["spots"],
        ["spots", "--status", "resolved"],
        ["queue"],
        ["queue", queue],
        ["spot", "show", spot_id],
        ["report"],
        ["quarantine"],
    ):
        table = heatmap(*args, db=sqlite_url)
        assert table.returncode == 0, (args, table.stderr)
        assert not _MISSING_WORDS.search(table.stdout), (args, table.stdout)
    for args in (
        ["spots", "--format", "json"],
        ["spots", "--format", "geojson"],
        ["queue", queue, "--json"],
        ["spot", "show", spot_id, "--json"],
        ["report", "--json"],
        ["quarantine", "--json"],
    ):
        result = heatmap(*args, db=sqlite_url)
        assert result.returncode == 0, (args, result.stderr)
        _strict_json(result.stdout)

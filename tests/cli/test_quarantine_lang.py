"""`heatmap quarantine --lang ru`: reasons in Russian with their codes; --reason by code or text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADER = "ticket_id,created_at,msisdn,segment,topic,description,address,lat,lon,region\n"


def _heatmap(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HEATMAP_DB": db}
    return subprocess.run(
        [sys.executable, "-m", "heatmap", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_quarantine_in_russian_with_codes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'q.db'}"
    export = tmp_path / "crm.csv"
    export.write_text(
        HEADER
        + "Q1,2026-11-19T10:00:00+03:00,+79161234567,золотой,no_data,x,,59.2,39.8,\n"
        + "Q2,2026-11-19T10:00:00+03:00,+79161234568,mass,no_data,x,,,,\n"
        + "Q3,2026-11-19T10:00:00+03:00,+79161234569,mass,no_data,x,,59.2,39.8,\n",
        encoding="utf-8",
    )
    assert _heatmap("init", db=db).returncode == 0
    ingested = _heatmap("ingest", str(export), "--accept-mostly-bad", db=db)
    assert ingested.returncode == 0, ingested.stderr
    english = json.loads(_heatmap("quarantine", "--json", db=db).stdout)["rows"]
    assert [r["reason_codes"] for r in english] == [["unknown_value"], ["no_place"]]
    assert english[0]["reasons"].startswith("unknown segment (got 'золотой'")
    russian = _heatmap("quarantine", "--json", "--lang", "ru", db=db)
    rows = json.loads(russian.stdout)["rows"]
    assert rows[0]["reasons"] == (
        "неизвестное значение поля segment (указано 'золотой', допустимо: b2b, b2g, mass, premium, vip)"
    )
    assert rows[1]["reasons"] == "нет ни адреса, ни координат lat/lon"
    by_code = json.loads(_heatmap("quarantine", "--json", "--reason", "no_place", db=db).stdout)["rows"]
    assert [r["line"] for r in by_code] == [3]
    by_russian = json.loads(_heatmap("quarantine", "--json", "--reason", "Неизвестное", db=db).stdout)["rows"]
    assert [r["line"] for r in by_russian] == [2]
    table = _heatmap("quarantine", "--lang", "ru", db=db)
    assert table.returncode == 0 and "нет ни адреса" in table.stdout

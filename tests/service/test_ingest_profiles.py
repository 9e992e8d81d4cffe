"""Ingest of exports in other shapes through mapping profiles, on both stores."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heatmap import service
from heatmap.cli.app import app
from heatmap.errors import InputError
from heatmap.io.profiles import load_profile
from heatmap.store import Store

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
NYC_311 = SHARED / "complaints-311" / "plotly_311_Animals_short.csv"
CRM = (
    "Номер обращения;Дата создания;Телефон;Сегмент;Тема;Описание;Адрес;Широта;Долгота;Канал\n"
    "100;01.12.2026 10:05;8 911 123-45-67;Массовый;Нет интернета;Нет интернета дома;"
    "г. Вологда, ул. Мира, 1;59,22;39,88;Колл-центр\n"
    "101;01.12.2026 10:07;+79111234568;VIP;Другое;;г. Вологда, ул. Мира, 3;;;чат\n"
    "102;31.02.2026 10:07;+79111234569;золотой;;;г. Вологда;;;\n"
)


@pytest.mark.realdata
def test_the_public_311_export_goes_in_with_its_profile(store: Store, now: datetime) -> None:
    if not NYC_311.exists():
        pytest.skip(f"{NYC_311} is not here")
    report = service.ingest(store, [NYC_311], now=now, profile=load_profile("nyc-311"))
    assert report.totals["read"] == 4969 and report.totals["inserted"] >= 4900
    assert report.mostly_bad == []
    stored = store.load_complaints()
    assert set(stored["topic"]) == {"other"} and stored["msisdn"].isna().all()
    assert stored["description"].str.contains(": ").all()
    reasons = set(store.load_quarantine(limit=100)["reasons"])
    assert reasons == {"neither address nor lat/lon"}


@pytest.mark.realdata
def test_without_its_profile_the_311_export_is_refused_before_anything_is_stored(
    store: Store, now: datetime
) -> None:
    if not NYC_311.exists():
        pytest.skip(f"{NYC_311} is not here")
    with pytest.raises(InputError, match="--profile nyc-311"):
        service.ingest(store, [NYC_311], now=now)
    assert store.load_complaints().empty and store.load_quarantine(limit=10).empty


def test_a_russian_crm_export_in_cp1251_with_semicolons(store: Store, now: datetime, tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_bytes(CRM.encode("cp1251"))
    report = service.ingest(store, [path], now=now, profile=load_profile("crm-ru"))
    assert (report.totals["inserted"], report.totals["quarantined"]) == (2, 1)
    stored = store.load_complaints().set_index("ticket_id")
    assert stored.loc["100", "segment"] == "mass" and stored.loc["100", "channel"] == "call_centre"
    assert stored.loc["100", "msisdn"] == "+79111234567" and stored.loc["101", "topic"] == "other"
    assert stored.loc["100", "lat"] == pytest.approx(59.22)
    bad = store.load_quarantine(limit=10).iloc[0]
    assert "unknown segment" in bad["reasons"] and "золотой" in bad["raw"]


def test_one_reason_for_most_rows_is_reported(store: Store, now: datetime, tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    rows = "".join(f"T{i},01.12.2026 10:0{i},mass,ул. Мира {i}\n" for i in range(5))
    path.write_text("ticket_id,created_at,segment,address\n" + rows, encoding="utf-8")
    report = service.ingest(store, [path], now=now)
    assert [(r, n, read) for _, r, n, read in report.mostly_bad] == [
        ("created_at is not an ISO 8601 date-time", 5, 5)
    ]


def test_the_cli_exits_1_on_a_mostly_bad_file_unless_accepted(tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(
        "ticket_id,created_at,segment,address\nT1,01.12.2026 10:00,mass,ул. Мира 1\n", encoding="utf-8"
    )
    db = ["--db", f"sqlite:///{tmp_path / 'h.db'}"]
    assert CliRunner().invoke(app, ["init", *db]).exit_code == 0
    refused = CliRunner().invoke(app, ["ingest", str(path), *db, "--json"])
    assert refused.exit_code == 1 and '"mostly_bad": [{"file"' in refused.stdout
    accepted = CliRunner().invoke(app, ["ingest", str(path), *db, "--accept-mostly-bad"])
    assert accepted.exit_code == 0, accepted.output


def test_profile_guess_writes_a_profile_that_ingest_takes(tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_bytes(CRM.encode("cp1251"))
    said = CliRunner().invoke(app, ["profile", "guess", str(path)])
    assert said.exit_code == 0, said.output
    assert said.stdout.startswith("# Proposed by") and 'encoding = "cp1251"' in said.stdout
    profile = tmp_path / "crm.toml"
    profile.write_text(said.stdout, encoding="utf-8")
    db = ["--db", f"sqlite:///{tmp_path / 'h.db'}"]
    assert CliRunner().invoke(app, ["init", *db]).exit_code == 0
    took = CliRunner().invoke(app, ["ingest", str(path), *db, "--profile", str(profile), "--json"])
    assert took.exit_code == 0, took.output
    assert '"inserted": 2' in took.stdout


def test_quarantine_filters_by_file_and_reason(tmp_path: Path) -> None:
    import json

    crm = tmp_path / "crm.csv"
    crm.write_bytes(CRM.encode("cp1251"))
    other = tmp_path / "other.csv"
    other.write_text(
        "ticket_id,created_at,segment,address\nX1,2026-12-01T10:00:00+03:00,gold,"
        "ул. Мира 1\nX2,2026-12-01T10:00:00+03:00,mass,\n",
        encoding="utf-8",
    )
    db = ["--db", f"sqlite:///{tmp_path / 'h.db'}"]
    assert CliRunner().invoke(app, ["init", *db]).exit_code == 0
    assert CliRunner().invoke(app, ["ingest", str(crm), *db, "--profile", "crm-ru"]).exit_code == 0
    CliRunner().invoke(app, ["ingest", str(other), *db, "--accept-mostly-bad"])

    def lines(*options: str) -> list[tuple[str, int]]:
        said = CliRunner().invoke(app, ["quarantine", *db, "--json", *options])
        return [(Path(r["source"]).name, r["line"]) for r in json.loads(said.stdout)["rows"]]

    assert lines("--reason", "UNKNOWN SEGMENT") == [("crm.csv", 4), ("other.csv", 2)]
    assert lines("--file", "other", "--reason", "neither") == [("other.csv", 3)]


def test_a_date_the_crm_ru_profile_cannot_read_is_told_its_formats(tmp_path: Path) -> None:
    """'27.11.26 01:45' (a two-digit year) under --profile crm-ru was told to write ISO 8601
    'или --profile с форматом вашей CRM', although that profile was in use."""
    db = f"sqlite:///{tmp_path / 'h.db'}"
    path = tmp_path / "crm.csv"
    path.write_bytes(
        CRM.replace("01.12.2026 10:07;+79111234568", "27.11.26 01:45;+79111234568").encode("cp1251")
    )
    runner = CliRunner()
    assert runner.invoke(app, ["init"], env={"HEATMAP_DB": db}).exit_code == 0
    ingested = runner.invoke(
        app, ["ingest", "--profile", "crm-ru", "--accept-mostly-bad", str(path)], env={"HEATMAP_DB": db}
    )
    assert ingested.exit_code == 0, ingested.output
    shown = runner.invoke(app, ["quarantine", "--json", "--lang", "ru"], env={"HEATMAP_DB": db})
    reasons = [row["reasons"] for row in json.loads(shown.stdout)["rows"]]
    assert (
        "created_at — не дата и время в форматах профиля (указано '27.11.26 01:45', допустимо: "
        "01.12.2026 10:00, 01.12.2026 10:00:00, 01.12.2026, 2026-12-01T10:00:00+03:00)"
    ) in reasons


def test_an_unknown_segment_under_crm_ru_is_told_the_profiles_writings(tmp_path: Path) -> None:
    """'золотой' under --profile crm-ru was told 'allowed: b2b, b2g, mass, premium, vip'."""
    db = f"sqlite:///{tmp_path / 'h.db'}"
    path = tmp_path / "crm.csv"
    path.write_bytes(CRM.encode("cp1251"))
    runner = CliRunner()
    assert runner.invoke(app, ["init"], env={"HEATMAP_DB": db}).exit_code == 0
    ingested = runner.invoke(
        app, ["ingest", "--profile", "crm-ru", "--accept-mostly-bad", str(path)], env={"HEATMAP_DB": db}
    )
    assert ingested.exit_code == 0, ingested.output
    shown = runner.invoke(app, ["quarantine", "--json"], env={"HEATMAP_DB": db})
    (reasons,) = [row["reasons"] for row in json.loads(shown.stdout)["rows"] if "золотой" in row["reasons"]]
    (segment,) = [r for r in reasons.split("; ") if r.startswith("unknown segment")]
    assert segment.startswith("unknown segment (got 'золотой', allowed: массовый, масс, ")
    assert segment.endswith("госсектор, государственный, mass, premium)")

"""Quarantine reasons over the API: codes always, texts in Russian when the client asks for ru."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

from heatmap.api.routes import complaints
from heatmap.core.ingest import validate_export
from heatmap.io.exports import RawExport
from heatmap.service import ingest

World = Any  # the fixture's type (tests/api/conftest.py)
HEADER = "ticket_id,created_at,msisdn,segment,topic,description,address,lat,lon,region\n"


def _ingest_bad_rows(world: World) -> None:
    path = world.tmp / "crm-bad.csv"
    path.write_text(
        HEADER
        + "Q1,2026-11-19T10:00:00+03:00,+79161234567,золотой,no_data,Нет связи,,59.2,39.8,\n"
        + "Q2,2026-11-19T10:00:00,+79161234568,mass,no_data,Нет связи,,59.2,39.8,\n"
        + "Q3,2026-11-19T10:00:00+03:00,+79161234569,mass,no_data,Нет связи,,,,\n",
        encoding="utf-8",
    )
    ingest(world.store, [path], now=world.clock())


def test_reasons_in_english_by_default_and_russian_when_asked(client: TestClient, world: World) -> None:
    _ingest_bad_rows(world)
    english = client.get("/api/v1/quarantine", headers=world.headers("engineer")).json()
    assert english["language"] == "en"
    by_line = {row["line"]: row for row in english["rows"]}
    assert by_line[2]["reason_codes"] == ["unknown_value"] and by_line[2]["source"].endswith("crm-bad.csv")
    assert by_line[2]["reasons"].startswith("unknown segment (got 'золотой'")
    assert by_line[3]["reason_codes"] == ["no_utc_offset"] and by_line[4]["reason_codes"] == ["no_place"]
    detail = by_line[2]["details"][0]
    assert detail == {
        "code": "unknown_value",
        "text": by_line[2]["reasons"],
        "params": {"field": "segment"},
        "value": "'золотой'",
        "allowed": "b2b, b2g, mass, premium, vip",
    }
    for asked in ({"params": {"lang": "ru"}}, {"headers": {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}}):
        headers = {**world.headers("engineer"), **asked.get("headers", {})}
        russian = client.get("/api/v1/quarantine", headers=headers, params=asked.get("params")).json()
        assert russian["language"] == "ru"
        rows = {row["line"]: row for row in russian["rows"]}
        assert rows[2]["reasons"] == (
            "неизвестное значение поля segment (указано 'золотой', допустимо: b2b, b2g, mass, premium, vip)"
        )
        assert rows[3]["details"][0]["allowed"] == "+03:00 или Z в конце, или --profile с часовым поясом"
        assert rows[4]["reasons"] == "нет ни адреса, ни координат lat/lon"
        assert rows[2]["reason_codes"] == by_line[2]["reason_codes"]
    explicit = client.get(
        "/api/v1/quarantine",
        params={"lang": "en"},
        headers={**world.headers("engineer"), "Accept-Language": "ru"},
    )
    assert explicit.json()["language"] == "en"
    german = client.get("/api/v1/quarantine", params={"lang": "de"}, headers=world.headers("admin"))
    assert german.status_code == 422


def test_filters_by_file_and_reason_and_masks_for_analysts(client: TestClient, world: World) -> None:
    _ingest_bad_rows(world)
    engineer = world.headers("engineer")
    by_code = client.get("/api/v1/quarantine", params={"reason": "no_place"}, headers=engineer).json()["rows"]
    assert [r["line"] for r in by_code] == [4]
    russian = {"reason": "смещение"}
    by_russian = client.get("/api/v1/quarantine", params=russian, headers=engineer).json()["rows"]
    assert [r["line"] for r in by_russian] == [3]
    none = client.get("/api/v1/quarantine", params={"file": "other.csv"}, headers=engineer).json()["rows"]
    assert none == []
    assert "+79161234567" in by_code[0]["raw"] or "+79161234569" in by_code[0]["raw"]
    analyst = client.get(
        "/api/v1/quarantine", params={"reason": "no_place"}, headers=world.headers("analyst")
    )
    assert "+79161234569" not in analyst.json()["rows"][0]["raw"]
    assert client.get("/api/v1/quarantine", headers=world.headers("agent")).status_code == 403


@pytest.fixture
def stricter_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation that refuses what the request models let through (they check almost all
    the contract checks, so a refusal by the contract itself is rare): every row's
    segment becomes one the contract does not know, and its created_at loses its offset."""

    def validate(raw: RawExport, **kwargs: Any) -> Any:
        rows = raw.rows.assign(segment="золотой", created_at="2026-11-20T10:00:00")
        return validate_export(RawExport(raw.source, rows, raw.line), **kwargs)

    monkeypatch.setattr(complaints, "validate_export", validate)


@pytest.mark.usefixtures("stricter_contract")
def test_a_refused_complaint_says_why_in_the_language_asked(client: TestClient, world: World) -> None:
    body = {
        "ticket_id": "API-Q1",
        "created_at": "2026-11-20T10:00:00+03:00",
        "segment": "mass",
        "address": "x",
    }
    english = client.post("/api/v1/complaints", json=body, headers=world.headers("agent"))
    assert english.status_code == 422, english.text
    problems = english.json()["detail"]
    assert [p["code"] for p in problems] == ["no_utc_offset", "unknown_value"]
    assert english.json()["message"].startswith("not a valid complaint: created_at has no UTC offset")
    russian = client.post(
        "/api/v1/complaints", json=body, headers={**world.headers("agent"), "Accept-Language": "ru"}
    )
    assert russian.status_code == 422
    assert russian.json()["message"].startswith("жалоба не принята: у created_at не указано смещение от UTC")
    segment = next(p for p in russian.json()["detail"] if p["code"] == "unknown_value")
    assert segment["loc"] == ["body", "segment"] and segment["msg"].startswith("неизвестное значение")
    assert world.store.load_complaints(ticket_ids=["API-Q1"]).empty


@pytest.mark.usefixtures("stricter_contract")
def test_an_open311_request_refused_is_an_errors_document(client: TestClient, world: World) -> None:
    form = {"service_code": "no_data", "lat": "59.2", "long": "39.8"}
    key = world.keys["agent"]
    refused = client.post("/open311/v2/requests.json", data=form, params={"api_key": key, "lang": "ru"})
    assert refused.status_code == 400, refused.text
    (error,) = refused.json()
    assert error["code"] == 400
    assert error["description"].startswith("жалоба не принята: у created_at не указано смещение от UTC")
    xml = client.post("/open311/v2/requests.xml", data=form, params={"api_key": key})
    root = ElementTree.fromstring(xml.content)
    assert xml.status_code == 400 and root.tag == "errors"
    assert (root.findtext("error/description") or "").startswith("not a valid complaint: created_at has no")

"""Open311 GeoReport v2: topics as services, complaints as requests, JSON and XML."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

from .test_serve import running_server

ROOT = Path(__file__).resolve().parents[2]
World = Any  # the fixture's type (tests/api/conftest.py)
BASE = "/open311/v2"


def test_services_in_json_and_xml(client: TestClient, world: World) -> None:
    listed = client.get(f"{BASE}/services.json", headers=world.headers("analyst"))
    assert listed.status_code == 200 and listed.headers["content-type"] == "application/json; charset=utf-8"
    codes = {s["service_code"] for s in listed.json()}
    assert {"no_coverage", "slow_data", "other"} <= codes
    xml = client.get(f"{BASE}/services.xml", headers=world.headers("agent"))
    root = ElementTree.fromstring(xml.content)
    assert root.tag == "services" and len(root.findall("service")) == len(codes)
    assert root.find("service/metadata").text == "false"  # type: ignore[union-attr]


def test_every_call_needs_a_key_and_the_query_key_is_taken(client: TestClient, world: World) -> None:
    refused = client.get(f"{BASE}/services.json")
    assert refused.status_code == 401 and refused.json()[0]["code"] == 401
    asked = client.get(f"{BASE}/services.json", params={"api_key": world.keys["agent"]})
    assert asked.status_code == 200
    gateway = client.get(f"{BASE}/services.json", headers=world.headers("gateway"))
    assert gateway.status_code == 403


def test_a_posted_request_is_a_complaint_in_the_spot_and_readable(client: TestClient, world: World) -> None:
    form = {
        "service_code": "no_data",
        "lat": str(world.lat),
        "long": str(world.lon),
        "description": "Нет интернета, звоните +7 911 123 45 67",
        "phone": "+79111234567",
        "first_name": "Иван",
        "email": "ivan@example.org",
    }
    posted = client.post(f"{BASE}/requests.json", data=form, params={"api_key": world.keys["agent"]})
    assert posted.status_code == 201, posted.text
    request_id = posted.json()[0]["service_request_id"]
    again = client.post(f"{BASE}/requests.json", data=form, headers=world.headers("agent"))
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == request_id
    stored = world.store.load_complaints(ticket_ids=[request_id]).iloc[0]
    assert stored["spot_id"] == world.spot_id and stored["topic"] == "no_data"
    assert stored["channel"] == "app" and stored["msisdn"] == "+79111234567"
    engineer = client.get(f"{BASE}/requests/{request_id}.json", headers=world.headers("engineer"))
    (one,) = engineer.json()
    assert one["status"] == "open" and one["service_code"] == "no_data"
    assert one["status_notes"] and "+7 911 123 45 67" in one["description"]
    analyst = client.get(f"{BASE}/requests/{request_id}.json", headers=world.headers("analyst"))
    assert "123 45 67" not in analyst.json()[0]["description"]  # masked for analysts


def test_closed_when_the_spot_is_resolved_with_expected_time(client: TestClient, world: World) -> None:
    listed = client.get(
        f"{BASE}/requests.json",
        headers=world.headers("agent"),
        params={"status": "open", "start_date": "2020-01-01T00:00:00Z"},
    )
    assert listed.status_code == 200 and listed.json()
    assert all(r["status"] == "open" for r in listed.json())
    xml = client.get(
        f"{BASE}/requests.xml", headers=world.headers("agent"), params={"service_request_id": "T1,T2"}
    )
    root = ElementTree.fromstring(xml.content)
    assert root.tag == "service_requests"
    assert sorted(r.findtext("service_request_id") or "" for r in root) == ["T1", "T2"]


def test_errors_come_as_open311_documents(client: TestClient, world: World) -> None:
    missing = client.get(f"{BASE}/requests/nope.json", headers=world.headers("agent"))
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    bad = client.post(
        f"{BASE}/requests.xml", data={"service_code": "bogus", "lat": "1"}, headers=world.headers("agent")
    )
    assert bad.status_code == 400
    assert ElementTree.fromstring(bad.content).findtext("error/code") == "400"
    unplaced = client.post(
        f"{BASE}/requests.json", data={"service_code": "no_data"}, headers=world.headers("agent")
    )
    assert unplaced.status_code == 400 and "address" in unplaced.json()[0]["description"]


@pytest.mark.slow
def test_an_existing_open311_client_reads_us(world: World) -> None:
    georeport = pytest.importorskip("georeport")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HEATMAP_DB": world.store.url,
        "HEATMAP_GAZETTEER": str(world.settings.gazetteer),
        "HEATMAP_CITY": "Вологда",
    }
    with running_server(env, "--log-level", "warning") as url:
        # an Open311 client is given the key as the password of its endpoint's address
        endpoint = url.replace("http://", f"http://open311:{world.keys['agent']}@") + BASE
        for fmt in ("json", "xml"):
            client = georeport.GeoReport(endpoint, output_format=fmt)
            codes = {s["service_code"] for s in client.get_service_list()}
            assert "no_coverage" in codes
            found = client.get_service_requests(service_request_id="T1,T2")
            assert {r["service_request_id"] for r in found} == {"T1", "T2"}
            one = client.get_service_request("T3")
            assert one["service_request_id"] == "T3" and one["status"] == "open"

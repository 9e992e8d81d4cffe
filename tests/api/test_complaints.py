"""``POST /api/v1/complaints``: validated exactly like ingest, stored, geocoded, joined."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from heatmap.api.models import ComplaintIn
from heatmap.core.ingest import validate_export
from heatmap.io.exports import read_export

World = Any  # the fixture's type (tests/api/conftest.py)
FIELDS = set(ComplaintIn.model_fields)


def good(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "ticket_id": "API-1",
        "created_at": "2026-11-20T13:00:00+03:00",
        "msisdn": "8 (916) 123-45-67",
        "segment": "premium",
        "description": "Нет связи дома",
        "address": "Вологда, ул. Пролетарская, д. 22",
        "channel": "call_centre",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def post(client: TestClient, world: World, body: object, role: str = "agent") -> Any:
    return client.post("/api/v1/complaints", json=body, headers=world.headers(role))


def test_a_complaint_at_a_spot_address_is_geocoded_and_joins_it(client: TestClient, world: World) -> None:
    before = world.store.load_spots(ids=[world.spot_id]).iloc[0]
    response = post(client, world, good())
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["result"] == "inserted"
    assert answer["precision"] == "house" and answer["matched_address"] == world.house
    assert answer["msisdn"] == "+7 9** ***-**-67", "the agent sees a masked number"
    assert answer["spot"]["id"] == world.spot_id
    stored = world.store.load_complaints(ticket_ids=["API-1"]).iloc[0]
    assert stored["spot_id"] == world.spot_id and stored["msisdn"] == "+79161234567"
    after = world.store.load_spots(ids=[world.spot_id]).iloc[0]
    assert after["complaints"] == before["complaints"] + 1
    assert after["subscribers"] == before["subscribers"] + 1
    assert answer["spot"]["complaints"] == after["complaints"], "the answer is current"

    again = post(client, world, good())
    assert (again.status_code, again.json()["result"]) == (200, "unchanged")


@pytest.mark.parametrize("role", ["agent", "engineer"])
@pytest.mark.parametrize(
    "change",
    [
        {"msisdn": "+79000000000"},
        {"subscriber_id": "S-other"},
        {"description": "Перезвоните на другой номер"},
        {"address": None, "lat": 59.2, "lon": 39.8},
    ],
)
def test_only_the_crm_and_admins_change_a_stored_ticket(
    client: TestClient, world: World, role: str, change: dict[str, object]
) -> None:
    assert post(client, world, good(), role=role).status_code == 201
    before = world.store.load_complaints(ticket_ids=["API-1"])
    refused = post(client, world, good(**change), role=role)
    assert refused.status_code == 409, refused.text
    assert "CRM import or an admin key" in refused.json()["message"]
    after = world.store.load_complaints(ticket_ids=["API-1"])
    assert after.drop(columns=["spot_id"]).equals(before.drop(columns=["spot_id"]))
    assert post(client, world, good(), role=role).json()["result"] == "unchanged"
    changes = world.store.load_complaint_changes(["API-1"])
    assert changes[["kind", "actor"]].values.tolist() == [["inserted", f"{role}.tester"]]


def test_an_admin_change_is_recorded_with_the_key_name(client: TestClient, world: World) -> None:
    assert post(client, world, good()).status_code == 201
    changed = post(client, world, good(msisdn="+79000000000"), role="admin")
    assert (changed.status_code, changed.json()["result"]) == (200, "updated")
    assert world.store.load_complaints(ticket_ids=["API-1"]).iloc[0]["msisdn"] == "+79000000000"
    changes = world.store.load_complaint_changes(["API-1"])
    assert changes[["kind", "actor"]].values.tolist() == [
        ["inserted", "agent.tester"],
        ["updated", "admin.tester"],
    ]
    assert set(changes["source"]) == {f"api:{world.keys[r].split('_')[1]}" for r in ("agent", "admin")}


def test_a_point_far_from_spots_is_stored_without_a_spot(client: TestClient, world: World) -> None:
    lat, lon = world.elsewhere
    response = post(client, world, good(address=None, lat=lat, lon=lon))
    assert response.status_code == 201, response.text
    assert response.json()["spot"] is None and response.json()["precision"] == "point"


# The same rows through `heatmap ingest` and the API must be judged alike.
BAD = [
    good(ticket_id=None, segment="gold"),
    good(created_at="2026-11-20 13:00"),  # no offset
    good(created_at="yesterday", msisdn="12345", ltv=-5),
    good(address=None, lat=95, lon=39.8),
    good(address=None, lat=59.2),
    good(address=None),
    good(topic="bad_weather", channel="pigeon"),
    good(ltv="много"),
]


@pytest.mark.parametrize("body", BAD, ids=range(len(BAD)))
def test_what_ingest_refuses_the_api_refuses_naming_every_field(
    client: TestClient, world: World, body: dict[str, object]
) -> None:
    path = world.tmp / "one.jsonl"
    path.write_text(json.dumps(body, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = validate_export(read_export(path), key=world.store.secret()).quarantine
    assert len(expected) == 1
    reasons = str(expected["reasons"].iloc[0]).replace("/", " ").split()
    named = {word for word in reasons if word in FIELDS}
    assert named

    response = post(client, world, body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert all(d["loc"][0] == "body" for d in problem["detail"])
    assert named <= {w.strip(".:;,()") for w in problem["message"].split()}, problem["message"]
    assert world.store.load_complaints(ticket_ids=[str(body.get("ticket_id", ""))]).empty


def test_unknown_fields_and_malformed_json_are_4xx_with_a_clear_message(
    client: TestClient, world: World
) -> None:
    unknown = post(client, world, good(colour="red"))
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "colour"]
    assert "colour: unknown field" in unknown.json()["message"]

    broken = client.post(
        "/api/v1/complaints",
        content=b'{"ticket_id": "X",',
        headers={**world.headers("agent"), "Content-Type": "application/json"},
    )
    assert broken.status_code == 400
    assert broken.json()["message"].startswith("malformed JSON body")

    wrong = post(client, world, ["not", "an", "object"])
    assert wrong.status_code == 422
    typed = post(client, world, good(ticket_id=12345))
    assert typed.status_code == 422 and "ticket_id" in typed.json()["message"]


def test_address_waits_for_geocoding_when_no_gazetteer_is_set(world: World) -> None:
    world.settings = world.settings.model_copy(update={"gazetteer": None})
    with world.app_client() as client:
        response = post(client, world, good(ticket_id="API-2"))
        assert response.status_code == 201, response.text
        assert response.json()["precision"] is None and response.json()["spot"] is None
    assert world.store.load_complaints(pending_geocode=True)["ticket_id"].tolist() == ["API-2"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ltv": "100"}, "ltv"),
        ({"ltv": True}, "ltv"),
        ({"ltv": -1}, "ltv"),
        ({"channel": "pigeon"}, "channel"),
        ({"segment": "MASS"}, "segment"),
        ({"created_at": "2026-11-20T13:00+03:00"}, "created_at"),
        ({"created_at": "2026-02-29T13:00:00+03:00"}, "created_at"),
        ({"msisdn": "+7 (495) 123-45-67"}, "msisdn"),
        ({"lat": "59.2", "lon": 39.8}, "lat"),
        ({"ticket_id": "   "}, "ticket_id"),
        ({"description": "a\x00b"}, "description"),
    ],
)
def test_what_the_schema_refuses_is_refused(
    client: TestClient, world: World, change: dict[str, object], field: str
) -> None:
    response = post(client, world, good(**change))
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert world.store.load_complaints(ticket_ids=["API-1"]).empty


def test_null_is_the_same_as_leaving_a_field_out(client: TestClient, world: World) -> None:
    body = {
        **good(),
        "ltv": None,
        "topic": None,
        "lat": None,
        "lon": None,
        "channel": None,
        "msisdn": "+7 916 123-45-67",
    }
    response = post(client, world, body)
    assert response.status_code == 201, response.text
    stored = world.store.load_complaints(ticket_ids=["API-1"]).iloc[0]
    assert stored["msisdn"] == "+79161234567" and stored["channel"] is None

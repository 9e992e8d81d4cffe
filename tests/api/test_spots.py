"""Spots as GeoJSON, one spot in full, queues and transitions mirroring the CLI."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from heatmap.errors import ConflictError
from heatmap.store.base import SpotChanges

World = Any  # the fixture's type (tests/api/conftest.py)


def get(client: TestClient, world: World, path: str, role: str = "agent", **params: object) -> Any:
    response = client.get(path, params=params, headers=world.headers(role))
    assert response.status_code == 200, response.text
    return response.json()


def test_spots_are_an_rfc7946_feature_collection(client: TestClient, world: World) -> None:
    collection = get(client, world, "/api/v1/spots")
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["type"] == "Feature" and feature["id"] == world.spot_id
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1], "closed ring"
    lon, lat = ring[0]
    assert abs(lon - world.lon) < 0.01 and abs(lat - world.lat) < 0.01, "lon, lat order"
    assert feature["properties"]["status"] == "queued"
    assert isinstance(feature["properties"]["breakdown"], dict)


def test_spot_filters(client: TestClient, world: World) -> None:
    near = f"{world.lon - 0.01},{world.lat - 0.01},{world.lon + 0.01},{world.lat + 0.01}"
    away = "30.0,59.9,30.5,60.1"
    assert len(get(client, world, "/api/v1/spots", bbox=near)["features"]) == 1
    assert get(client, world, "/api/v1/spots", bbox=away)["features"] == []
    assert len(get(client, world, "/api/v1/spots", status="queued")["features"]) == 1
    assert get(client, world, "/api/v1/spots", status=["resolved", "new"])["features"] == []
    queue = world.store.load_spots()["queue"].iloc[0]
    assert len(get(client, world, "/api/v1/spots", queue=queue)["features"]) == 1
    other = "outage_response" if queue != "outage_response" else "capacity"
    assert get(client, world, "/api/v1/spots", queue=other)["features"] == []


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "59"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "0,0,200,1"}, "bbox"),
        ({"bbox": "0,-95,1,1"}, "bbox"),
        ({"status": "sleeping"}, "status"),
        ({"queue": "nowhere"}, "unknown queue"),
        ({"limit": 5}, "limit: unknown field"),
    ],
)
def test_bad_spot_filters_are_422(
    client: TestClient, world: World, params: dict[str, object], says: str
) -> None:
    response = client.get("/api/v1/spots", params=params, headers=world.headers("agent"))
    assert response.status_code == 422, response.text
    assert says in response.json()["message"]


def test_a_bbox_may_be_any_size_with_corners_in_either_order(client: TestClient, world: World) -> None:
    def ids(bbox: str) -> list[str]:
        answer = client.get("/api/v1/spots", params={"bbox": bbox}, headers=world.headers("agent"))
        assert answer.status_code == 200, answer.text
        return [f["id"] for f in answer.json()["features"]]

    assert ids("39.8,59.2,39.9,59.3") == ids("39.9,59.3,39.8,59.2") == [world.spot_id]
    assert ids("-180,-90,180,90") == [world.spot_id]
    assert ids("30,50,31,51") == []


def test_one_spot_with_complaints_breakdown_history(client: TestClient, world: World) -> None:
    spot = get(client, world, f"/api/v1/spots/{world.spot_id}")
    assert spot["type"] == "Feature" and spot["id"] == world.spot_id
    assert set(spot["properties"]["breakdown"]) >= {"excess", "segment", "topic"}
    members = world.store.load_complaints(spot_ids=[world.spot_id])
    assert len(spot["complaints"]) == len(members) == spot["properties"]["complaints"] >= 3
    assert [e["kind"] for e in spot["history"]][:1] == ["created"]
    assert "Срок уточняется" in spot["script"]


def test_agents_never_see_a_full_phone_number(client: TestClient, world: World) -> None:
    full = world.msisdn_of("T0")
    for role, shown in (("agent", False), ("analyst", False), ("engineer", True), ("admin", True)):
        spot = get(client, world, f"/api/v1/spots/{world.spot_id}", role=role)
        numbers = {c["ticket_id"]: c["msisdn"] for c in spot["complaints"]}
        assert (numbers["T0"] == full) is shown, (role, numbers["T0"])
        if not shown:
            assert numbers["T0"] == f"+7 9** ***-**-{full[-2:]}"
            text = client.get(f"/api/v1/spots/{world.spot_id}", headers=world.headers(role)).text
            assert full not in text and full[1:] not in text


EVIDENCE = {
    "observed": 5.0,
    "expected": 0.4,
    "excess": 4.6,
    "relative_risk": 12.5,
    "p_value": 1.7e-6,
    "trend": "persistent",
}
NO_EVIDENCE = {
    "observed": None,
    "expected": None,
    "excess": None,
    "relative_risk": None,
    "p_value": None,
    "trend": None,
}


def store_evidence(world: World, values: dict[str, object]) -> None:
    """Write ``values`` into the world's stored spot, as detection would have."""
    spot = world.store.load_spots().iloc[[0]].assign(**values)
    world.store.apply_spot_changes(
        SpotChanges(
            at=world.now[0],
            spots=spot,
            members=pd.DataFrame(columns=["ticket_id", "spot_id"]),
            events=world.store.load_events(world.spot_id).iloc[:0],
        )
    )


def test_every_spot_says_why_it_is_one(world: World) -> None:
    store_evidence(world, EVIDENCE)
    with world.app_client() as client:
        [feature] = get(client, world, "/api/v1/spots")["features"]
        detail = get(client, world, f"/api/v1/spots/{world.spot_id}")
        card = get(client, world, "/api/v1/lookup", lat=world.lat, lon=world.lon)["spot"]
    said = (
        "Жалующихся: 5 при ожидаемых 0,4 (превышение 4,6; относительный риск 12,5;"
        " p = 1,7·10⁻⁶); тренд: хроническое"
    )
    for where in (feature["properties"], detail["properties"], card):
        assert {k: where[k] for k in EVIDENCE} == EVIDENCE
    assert feature["properties"]["evidence_text"] == detail["evidence_text"] == said
    assert card["evidence_text"] == said
    assert "плановое развитие сети" in detail["script"] and "плановое развитие сети" in card["script"]


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_a_spot_without_evidence_has_nulls_never_nan(world: World, missing: object) -> None:
    store_evidence(world, dict.fromkeys(EVIDENCE, missing))
    with world.app_client() as client:
        texts = [
            client.get(path, params=params, headers=world.headers("agent")).text
            for path, params in (
                ("/api/v1/spots", {}),
                (f"/api/v1/spots/{world.spot_id}", {}),
                ("/api/v1/lookup", {"lat": world.lat, "lon": world.lon}),
            )
        ]
    assert not any("NaN" in text for text in texts)
    feature, detail, answer = (json.loads(text) for text in texts)
    subscribers = detail["properties"]["subscribers"]
    for where in (feature["features"][0]["properties"], detail["properties"], answer["spot"]):
        assert {k: where[k] for k in EVIDENCE} == NO_EVIDENCE
    assert detail["evidence_text"] == f"Жалующихся: {subscribers} (ожидаемое число не рассчитано)"
    assert "ведутся работы" in detail["script"]


def test_unknown_spot_is_404(client: TestClient, world: World) -> None:
    response = client.get("/api/v1/spots/SP-NOTHERE", headers=world.headers("agent"))
    assert response.status_code == 404 and "SP-NOTHERE" in response.json()["message"]
    moved = client.post("/api/v1/spots/SP-NOTHERE/take", headers=world.headers("engineer"))
    assert moved.status_code == 404


def act(client: TestClient, world: World, action: str, body: object = None) -> Any:
    return client.post(
        f"/api/v1/spots/{world.spot_id}/{action}", json=body, headers=world.headers("engineer")
    )


def test_transitions_mirror_the_cli(client: TestClient, world: World) -> None:
    taken = act(client, world, "take")
    assert taken.status_code == 200, taken.text
    assert (taken.json()["status"], taken.json()["engineer"]) == ("in_progress", "engineer.tester")
    eta = act(client, world, "eta", {"eta": "2026-11-25", "note": "parts ordered"})
    assert eta.status_code == 200 and eta.json()["eta"].startswith("2026-11-24T21:00:00")
    look = client.get(
        "/api/v1/lookup", params={"lat": world.lat, "lon": world.lon}, headers=world.headers("agent")
    ).json()
    assert look["spot"]["eta_text"] == "25 ноября", "agents see the new ETA at once"
    resolved = act(client, world, "resolve", {"cause": "equipment_failure", "note": "RRU"})
    assert resolved.json()["status"] == "resolved" and resolved.json()["cause"] == "equipment_failure"
    assert act(client, world, "reopen", {"note": "still bad"}).json()["status"] == "reopened"
    assert act(client, world, "reject", {"reason": "test SIMs"}).json()["status"] == "rejected"
    history = get(client, world, f"/api/v1/spots/{world.spot_id}", role="engineer")["history"]
    moves = [(e["from_status"], e["to_status"], e["actor"]) for e in history if e["kind"] == "transition"]
    assert moves[1:] == [
        ("queued", "in_progress", "engineer.tester"),
        ("in_progress", "resolved", "engineer.tester"),
        ("resolved", "reopened", "engineer.tester"),
        ("reopened", "rejected", "engineer.tester"),
    ]
    etas = get(client, world, f"/api/v1/spots/{world.spot_id}", role="engineer")["eta_history"]
    assert etas[0]["note"] == "parts ordered"


@pytest.mark.parametrize(
    ("steps", "action", "body"),
    [
        ((), "resolve", {"cause": "power"}),
        ((), "reopen", None),
        (("take", "resolve"), "take", None),
        (("take", "resolve"), "eta", {"eta": "2026-11-25"}),
    ],
)
def test_illegal_transitions_are_409(
    client: TestClient, world: World, steps: tuple[str, ...], action: str, body: object
) -> None:
    for step in steps:
        assert act(client, world, step, {"cause": "power"} if step == "resolve" else None).status_code == 200
    response = act(client, world, action, body)
    assert response.status_code == 409, response.text
    assert world.spot_id in response.json()["message"]


@pytest.mark.parametrize(
    ("action", "body", "says"),
    [
        ("reject", None, "body: a JSON body is required"),
        ("reject", {"reason": ""}, "reason"),
        ("eta", {"eta": "someday"}, "eta: String should match pattern"),
        ("eta", {}, "eta"),
        ("eta", {"eta": "2026-02-30"}, "eta"),
        ("resolve", None, "body"),
        ("resolve", {"note": "done"}, "cause"),
        ("take", {"note": "x", "who": "me"}, "who: unknown field"),
    ],
)
def test_bad_transition_bodies_are_422(
    client: TestClient, world: World, action: str, body: object, says: str
) -> None:
    response = act(client, world, action, body)
    assert response.status_code == 422, response.text
    assert says in response.json()["message"]


def test_a_conflicting_change_is_409(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def changed_meanwhile(*_args: object, **_kwargs: object) -> None:
        raise ConflictError(f"spot {world.spot_id} changed meanwhile: reload and try again")

    monkeypatch.setattr(type(world.store), "apply_spot_changes", changed_meanwhile)
    response = act(client, world, "take")
    assert response.status_code == 409 and "reload" in response.json()["message"]


def test_queues(client: TestClient, world: World) -> None:
    queue = world.store.load_spots()["queue"].iloc[0]
    summary = {q["name"]: q for q in get(client, world, "/api/v1/queues", role="engineer")}
    assert summary[queue]["open"] == 1 and summary[queue]["sla_hours"] > 0
    view = get(client, world, f"/api/v1/queues/{queue}", role="engineer")
    assert [s["id"] for s in view["spots"]] == [world.spot_id]
    assert "sla_left_hours" in view["spots"][0]
    missing = client.get("/api/v1/queues/nowhere", headers=world.headers("engineer"))
    assert missing.status_code == 404


def test_every_spot_says_when_detection_confirmed_it_and_whether_it_takes_complaints(
    world: World,
) -> None:
    found = world.now[0] - pd.Timedelta(hours=2)  # 13:00 Moscow time on 20 November
    store_evidence(world, {"found_at": found})
    until = (found + pd.Timedelta(hours=24)).isoformat()

    def seen() -> list[dict[str, Any]]:
        with world.app_client() as client:
            [feature] = get(client, world, "/api/v1/spots")["features"]
            detail = get(client, world, f"/api/v1/spots/{world.spot_id}")
            card = get(client, world, "/api/v1/lookup", lat=world.lat, lon=world.lon)["spot"]
        assert feature["properties"]["found_at"] == found.isoformat()
        return [feature["properties"], detail, card]

    for where in seen():
        assert where["confirmed_at"] == found.isoformat() and where["taking_complaints"] is True
        assert where["taking_complaints_until"] == until
        assert where["confirmation_text"] == (
            "Подтверждено детекцией: 20 ноября, 13:00 мск; принимает жалобы до 21 ноября, 13:00 мск"
        )
    world.now[0] += pd.Timedelta(hours=22, seconds=1)  # the join's window has closed
    for where in seen():
        assert where["taking_complaints"] is False and where["taking_complaints_until"] == until
        assert where["confirmation_text"] == (
            "Подтверждено детекцией: 20 ноября, 13:00 мск; жалобы не принимает с 21 ноября,"
            " 13:00 мск, пока детекция не найдёт пятно снова"
        )
    store_evidence(world, {"kind": "known_issue"})
    for where in seen():
        assert where["taking_complaints"] is True and where["confirmed_at"] is None
        assert where["confirmation_text"].startswith("Известная проблема: принимает все жалобы")

"""An ETA that has passed: flagged in the lookup (``eta_overdue``) and never read out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from heatmap.core.policy import load_policy
from heatmap.service import workflow

World = Any  # the fixture's type (tests/api/conftest.py)
POLICY = load_policy()
ETA = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_a_passed_eta_is_flagged_and_the_script_says_works_go_on(client: TestClient, world: World) -> None:
    workflow.transition(world.store, world.spot_id, "take", actor="ivanov", now=world.clock(), policy=POLICY)
    workflow.set_eta(world.store, world.spot_id, ETA, actor="ivanov", now=world.clock())

    def spot(**params: object) -> Any:
        answer = client.get("/api/v1/lookup", params=params, headers=world.headers("agent"))
        assert answer.status_code == 200, answer.text
        return answer.json()["spot"]

    before = spot(lat=world.lat, lon=world.lon)
    assert before["eta_overdue"] is False
    assert "Решение ожидается до 25 ноября" in before["script"]

    detail = client.get(f"/api/v1/spots/{world.spot_id}", headers=world.headers("agent")).json()
    assert detail["eta_overdue"] is False and "25 ноября" in detail["script"]

    world.now[0] = ETA + timedelta(minutes=5)  # the clock passes the ETA; no spot changed
    detail = client.get(f"/api/v1/spots/{world.spot_id}", headers=world.headers("agent")).json()
    assert detail["eta_overdue"] is True
    assert "Работы продолжаются, срок уточняется" in detail["script"]
    for late in (spot(lat=world.lat, lon=world.lon), spot(address="Вологда, Пролетарская 22")):
        assert late["eta_overdue"] is True
        assert late["eta_text"] == "25 ноября", "the date stays for the page to show as passed"
        assert "25 ноября" not in late["script"]
        assert "Работы продолжаются, срок уточняется; мы сообщим по SMS" in late["script"]

    workflow.set_eta(world.store, world.spot_id, ETA + timedelta(days=7), actor="ivanov", now=world.clock())
    moved = spot(lat=world.lat, lon=world.lon)
    assert moved["eta_overdue"] is False and "Решение ожидается до 2 декабря" in moved["script"]


def test_the_cause_comes_with_the_policys_russian_title(client: TestClient, world: World) -> None:
    workflow.transition(world.store, world.spot_id, "take", actor="ivanov", now=world.clock(), policy=POLICY)
    workflow.transition(
        world.store, world.spot_id, "resolve", actor="ivanov", now=world.clock(), policy=POLICY, cause="power"
    )
    answer = client.get(
        "/api/v1/lookup", params={"lat": world.lat, "lon": world.lon}, headers=world.headers("agent")
    ).json()
    resolved = answer["recently_resolved"]
    assert [r["id"] for r in resolved] == [world.spot_id]
    assert resolved[0]["cause"] == "power"
    assert resolved[0]["cause_text"] == POLICY.causes["power"]
    assert any("а" <= ch <= "я" for ch in resolved[0]["cause_text"].lower())

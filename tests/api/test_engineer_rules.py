"""The workflow rules through the API: the same refusals as the CLI, as 422s and 409s."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from .conftest import World


def act(
    client: TestClient, world: World, action: str, body: object = None, headers: dict[str, str] | None = None
) -> Any:
    return client.post(
        f"/api/v1/spots/{world.spot_id}/{action}",
        json=body,
        headers={**world.headers("engineer"), **(headers or {})},
    )


def spot(client: TestClient, world: World) -> dict[str, Any]:
    answer = client.get(f"/api/v1/spots/{world.spot_id}", headers=world.headers("engineer"))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (None, "body"),
        ({"note": "done"}, "cause"),  # the body is required, and names the cause
        ({"cause": "bogus"}, "unknown cause 'bogus'; allowed: equipment_failure, power"),
    ],
)
def test_resolve_needs_a_cause_from_the_policy(
    client: TestClient, world: World, body: object, says: str
) -> None:
    assert act(client, world, "take").status_code == 200
    refused = act(client, world, "resolve", body)
    assert refused.status_code == 422, refused.text
    assert says in refused.json()["message"]
    assert spot(client, world)["properties"]["status"] == "in_progress"
    done = act(client, world, "resolve", {"cause": "capacity"})
    assert done.status_code == 200 and done.json()["cause"] == "capacity"


def test_an_eta_in_the_past_is_422(client: TestClient, world: World) -> None:
    today = world.clock().date().isoformat()  # midnight in Moscow: already behind us at noon
    refused = act(client, world, "eta", {"eta": today})
    assert refused.status_code == 422 and "already passed" in refused.json()["message"]
    yesterday = (world.clock() - timedelta(days=1)).isoformat()
    assert act(client, world, "eta", {"eta": yesterday}).status_code == 422
    assert spot(client, world)["eta_history"] == []
    later = act(client, world, "eta", {"eta": f"{today}T18:00"})  # 18:00 Moscow, 15:00 UTC
    assert later.status_code == 200 and later.json()["eta"].startswith(f"{today}T15:00:00")


def test_a_change_made_since_the_page_read_the_spot_is_409(client: TestClient, world: World) -> None:
    seen = spot(client, world)["properties"]["updated_at"]
    world.now[0] += timedelta(minutes=1)
    first = act(client, world, "take", headers={"If-Match": f'"{seen}"'})
    assert first.status_code == 200, first.text
    stale = act(client, world, "eta", {"eta": "2026-12-01"}, headers={"If-Match": seen})
    assert stale.status_code == 409 and "reload" in stale.json()["message"]
    again = act(client, world, "reject", {"reason": "dup"}, headers={"If-Match": seen})
    assert again.status_code == 409
    fresh = spot(client, world)["properties"]["updated_at"]
    assert act(client, world, "eta", {"eta": "2026-12-01"}, headers={"If-Match": fresh}).status_code == 200
    garbage = act(client, world, "reopen", headers={"If-Match": "yesterday"})
    assert garbage.status_code == 409 and "If-Match" in garbage.json()["message"]


def test_queues_count_breached_and_due_today(client: TestClient, world: World) -> None:
    queue = spot(client, world)["properties"]["queue"]
    due = spot(client, world)["properties"]["due_at"]
    summary = {q["name"]: q for q in client.get("/api/v1/queues", headers=world.headers("engineer")).json()}
    assert (summary[queue]["open"], summary[queue]["breached"]) == (1, 0)
    assert summary[queue]["due_today"] == 0, "its SLA ends days from now"
    world.now[0] = datetime.fromisoformat(due) - timedelta(minutes=1)
    late = {q["name"]: q for q in client.get("/api/v1/queues", headers=world.headers("engineer")).json()}
    assert (late[queue]["breached"], late[queue]["due_today"]) == (0, 1)
    listed = client.get(f"/api/v1/queues/{queue}", headers=world.headers("engineer")).json()
    row = listed["spots"][0]
    assert row["due_today"] is True and row["age_hours"] > 0
    assert {"trend", "updated_at", "sla_left_hours"} <= set(row)

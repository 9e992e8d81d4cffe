"""Every JSON answer is JSON: a missing value is null, never NaN; SLA only while open."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from heatmap.service import workflow

World = Any  # the fixture's type (tests/api/conftest.py)


def strict(text: str) -> Any:
    def refuse(constant: str) -> object:
        raise AssertionError(f"{constant} in a JSON answer")

    return json.loads(text, parse_constant=refuse)


def test_answers_carry_null_not_nan(world: World, as_role: Callable[..., Any]) -> None:
    """The world's spot came from the count rule: no evidence, no cause, no ETA."""
    spot = strict(as_role("engineer", "get", f"/api/v1/spots/{world.spot_id}").text)
    queue = spot["properties"]["queue"]
    calls = [
        ("agent", f"/api/v1/lookup?lat={world.lat}&lon={world.lon}"),
        ("agent", "/api/v1/lookup", {"address": world.house}),
        ("agent", "/api/v1/spots"),
        ("engineer", f"/api/v1/spots/{world.spot_id}"),
        ("engineer", "/api/v1/queues"),
        ("engineer", f"/api/v1/queues/{queue}"),
        ("agent", "/api/v1/hexes?res=9"),
        ("agent", "/api/v1/sites"),
    ]
    for role, path, *params in calls:
        answer = as_role(role, "get", path, params=params[0] if params else None)
        assert answer.status_code == 200, (path, answer.text)
        strict(answer.text)
    found = strict(
        as_role("agent", "get", "/api/v1/lookup", params={"lat": world.lat, "lon": world.lon}).text
    )["spot"]
    assert found["expected"] is None and found["eta"] is None


def test_a_resolved_spot_has_no_sla_left(world: World, as_role: Callable[..., Any]) -> None:
    def sla_left() -> object:
        answer = as_role("engineer", "get", f"/api/v1/spots/{world.spot_id}")
        return strict(answer.text)["sla_left_hours"]

    assert isinstance(sla_left(), float)
    later = world.clock() + timedelta(hours=1)
    for action in ("take", "resolve"):
        workflow.transition(
            world.store,
            world.spot_id,
            action,
            actor="petrov",
            now=later,
            policy=world.policy,
            cause="power" if action == "resolve" else None,
        )
    assert sla_left() is None

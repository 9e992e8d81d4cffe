"""Every endpoint checks its roles: no key 401, a key of another role 403 (every endpoint × role)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from heatmap.api.auth import guarded
from heatmap.api.keys import ROLES, hash_secret, split_key, verify_key
from heatmap.api.routes import complaints, layers, lookup, spots, system

AGENT, ENGINEER, ANALYST, ADMIN, GATEWAY = "agent", "engineer", "analyst", "admin", "gateway"
READERS = {AGENT, ENGINEER, ANALYST, ADMIN}

World = Any  # the fixture's type (tests/api/conftest.py)
Request = Callable[[World], dict[str, object]]


def nothing(_world: World) -> dict[str, object]:
    return {}


def body(value: dict[str, object]) -> Request:
    return lambda _world: {"json": value}


#: (method, path, roles allowed, request) — the expectation, written down by hand.
ENDPOINTS: list[tuple[str, str, set[str], Request]] = [
    ("GET", "/api/v1/lookup", READERS, lambda w: {"params": {"lat": w.lat, "lon": w.lon}}),
    (
        "POST",
        "/api/v1/complaints",
        {AGENT, ENGINEER, ADMIN},
        lambda w: {
            "json": {
                "ticket_id": "AUTH-1",
                "created_at": "2026-11-20T10:00:00+03:00",
                "segment": "mass",
                "lat": w.lat,
                "lon": w.lon,
            }
        },
    ),
    ("GET", "/api/v1/spots", READERS, nothing),
    ("GET", "/api/v1/spots/{spot_id}", READERS, nothing),
    ("POST", "/api/v1/spots/{spot_id}/take", {ENGINEER, ADMIN}, nothing),
    ("POST", "/api/v1/spots/{spot_id}/eta", {ENGINEER, ADMIN}, body({"eta": "2026-11-25"})),
    ("POST", "/api/v1/spots/{spot_id}/resolve", {ENGINEER, ADMIN}, body({"note": "done"})),
    ("POST", "/api/v1/spots/{spot_id}/reject", {ENGINEER, ADMIN}, body({"reason": "test"})),
    ("POST", "/api/v1/spots/{spot_id}/reopen", {ENGINEER, ADMIN}, nothing),
    ("GET", "/api/v1/queues", {ENGINEER, ANALYST, ADMIN}, nothing),
    ("GET", "/api/v1/queues/{name}", {ENGINEER, ANALYST, ADMIN}, nothing),
    ("GET", "/api/v1/hexes", READERS, lambda _w: {"params": {"res": 9}}),
    ("GET", "/api/v1/sites", READERS, nothing),
    ("GET", "/api/v1/coverage", READERS, nothing),
    ("GET", "/api/v1/coverage/spots/{spot_id}", READERS, nothing),
    ("GET", "/metrics", {ADMIN}, nothing),
]
#: Open on purpose: probes and the page (its data calls need a key).
PUBLIC = {("GET", "/livez"), ("GET", "/healthz"), ("GET", "/map"), ("GET", "/")}


def guarded_routes() -> dict[tuple[str, str], set[str]]:
    """(method, path) → roles, read from the RoleGuard each route checks."""
    routes = [r for module in (lookup, complaints, spots, layers, system) for r in module.router.routes]
    found = {key: {str(r) for r in guard.roles} for key, guard in guarded(routes).items() if key[0] != "HEAD"}
    for route in routes:
        assert isinstance(route, APIRoute) and route.methods is not None
        for method in route.methods - {"HEAD"}:
            key = (method, route.path)
            assert (key in PUBLIC) != (key in found), f"{method} {route.path}: public xor guarded"
    return found


def test_the_table_covers_every_route_with_the_roles_the_code_checks() -> None:
    assert guarded_routes() == {(m, p): roles for m, p, roles, _ in ENDPOINTS}


def _url(path: str, world: World) -> str:
    return path.replace("{spot_id}", world.spot_id).replace("{name}", "ran_optimisation")


@pytest.mark.parametrize(
    ("method", "path", "allowed", "make_request"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS]
)
def test_every_endpoint_checks_every_role(
    client: TestClient, world: World, method: str, path: str, allowed: set[str], make_request: Request
) -> None:
    """No key → 401; each role's key → 403 unless the role is allowed (then never 401/403)."""
    url = _url(path, world)
    anonymous = client.request(method, url, **make_request(world))  # type: ignore[arg-type]
    assert anonymous.status_code == 401, anonymous.text
    assert "X-API-Key" in anonymous.json()["message"]
    for role in ROLES:
        response = client.request(method, url, headers=world.headers(role), **make_request(world))  # type: ignore[arg-type]
        if role in allowed:
            assert response.status_code not in (401, 403), (role, response.text)
            assert response.status_code < 500, (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)
            assert role in response.json()["message"]


@pytest.mark.parametrize("key", ["nonsense", "hm_000000000000_nope", "hm_zz_zz", ""])
def test_bad_keys_are_401(client: TestClient, key: str) -> None:
    response = client.get("/api/v1/spots", headers={"X-API-Key": key})
    assert response.status_code == 401


def test_public_endpoints_need_no_key(client: TestClient) -> None:
    for method, path in PUBLIC:
        response = client.request(method, path, follow_redirects=False)
        assert response.status_code in (200, 307), (path, response.status_code)


def test_keys_are_stored_hashed_and_can_be_revoked(world: World) -> None:
    key = world.keys[AGENT]
    parsed = split_key(key)
    assert parsed is not None
    key_id, secret = parsed
    stored = world.store.load_api_key(key_id)
    assert stored is not None and stored.role == AGENT
    assert secret not in stored.key_hash and stored.key_hash == hash_secret(key_id, secret)
    with world.app_client() as client:
        assert client.get("/api/v1/spots", headers={"X-API-Key": key}).status_code == 200
        assert world.store.revoke_api_key(key_id, world.clock() + timedelta(hours=1))
        assert not world.store.revoke_api_key(key_id, world.clock() + timedelta(hours=2))
        assert client.get("/api/v1/spots", headers={"X-API-Key": key}).status_code == 401
    assert verify_key(world.store, key) is None
    assert [k.key_id for k in world.store.load_api_keys()].count(key_id) == 1


def test_a_bearer_token_works_like_the_header(client: TestClient, world: World) -> None:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {world.keys[ADMIN]}"})
    assert response.status_code == 200
    assert "heatmap_http_requests" in response.text

"""Authentication comes first: no body is read before the key, failed keys are throttled,
and the key cache cannot be flushed by bad keys."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from heatmap.api import create_app
from heatmap.api.auth import GUARDED_PREFIXES
from heatmap.api.keys import Principal
from heatmap.api.state import KeyCache
from heatmap.api.throttle import FailureLimiter

World = Any  # the fixture's type (tests/api/conftest.py)
BROKEN = b'{"ticket_id": "X", '


def guarded_operations(world: World) -> list[tuple[str, str]]:
    """Every operation of the OpenAPI document under the guarded prefixes."""
    app = create_app(world.settings, world.store, api=world.api, clock=world.clock)
    found = []
    for path, operations in app.openapi()["paths"].items():
        if path.startswith(GUARDED_PREFIXES):
            url = path.replace("{spot_id}", world.spot_id).replace("{name}", "x")
            found += [(method.upper(), url) for method in operations]
    return found


def test_every_guarded_route_refuses_before_reading_the_body(client: TestClient, world: World) -> None:
    operations = guarded_operations(world)
    assert len(operations) >= 15
    json = {"Content-Type": "application/json"}
    for method, path in operations:
        for headers, status in (({}, 401), ({"X-API-Key": "hm_0123456789ab_wrong"}, 401)):
            answer = client.request(method, path, content=BROKEN, headers={**json, **headers})
            assert answer.status_code == status, (method, path, answer.text)
            assert answer.headers["WWW-Authenticate"] == "ApiKey"
    # a valid key of a role the route does not allow: 403, still before the body
    for method, path in [
        ("POST", "/api/v1/spots/x/take"),
        ("POST", "/api/v1/complaints"),
        ("POST", "/api/v1/sms/inbound"),
    ]:
        role = "analyst"
        answer = client.request(method, path, content=BROKEN, headers={**json, **world.headers(role)})
        assert answer.status_code == 403, (method, path, answer.text)
    # with the right key the body is read, and broken JSON is a 400
    answer = client.post("/api/v1/complaints", content=BROKEN, headers={**json, **world.headers("agent")})
    assert answer.status_code == 400


def test_failed_keys_are_throttled_per_client_and_counted(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(
        world.settings,
        world.store,
        clock=world.clock,
        api=world.api.model_copy(update={"auth_fail_limit": 5, "auth_fail_window_s": 60, "key_cache_s": 60}),
    )
    with TestClient(app) as one, TestClient(app, client=("10.0.0.2", 4000)) as other:
        # a valid key checked before the flood keeps working through it
        assert one.get("/api/v1/spots", headers=world.headers("agent")).status_code == 200
        with caplog.at_level(logging.WARNING, logger="heatmap.api"):
            statuses = [
                one.get("/api/v1/spots", headers={"X-API-Key": f"hm_{i:012x}_bad"}).status_code
                for i in range(8)
            ]
        assert statuses == [401] * 5 + [429] * 3
        assert any("failed authentications" in r.getMessage() for r in caplog.records)
        refused = one.post("/api/v1/complaints", content=BROKEN)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.json()["message"].startswith("too many failed authentications")
        assert one.get("/api/v1/spots", headers=world.headers("agent")).status_code == 200
        # an unseen key from the throttled client is not even checked
        assert one.get("/api/v1/spots", headers=world.headers("engineer")).status_code == 429
        # another client is not affected
        assert other.get("/api/v1/spots", headers={"X-API-Key": "hm_0_x"}).status_code == 401
        assert other.get("/api/v1/spots", headers=world.headers("engineer")).status_code == 200
        metrics = other.get("/metrics", headers=world.headers("admin")).text
    assert 'heatmap_auth_failures_total{reason="throttled"} 5.0' in metrics
    assert 'heatmap_auth_failures_total{reason="invalid"} 6.0' in metrics
    assert 'heatmap_auth_failures_total{reason="missing"} 0.0' in metrics


def test_the_limit_ends_with_its_window() -> None:
    limiter = FailureLimiter(3, 10.0)
    assert [limiter.failed("a", t) for t in (0.0, 1.0, 2.0)] == [False, False, True]
    assert limiter.retry_after("a", 2.5) == 8
    assert limiter.retry_after("b", 2.5) is None
    assert limiter.retry_after("a", 10.0) is None  # a new window
    assert limiter.failed("a", 10.0) is False


def test_the_limiter_keeps_a_bounded_number_of_clients() -> None:
    limiter = FailureLimiter(2, 60.0, max_clients=100)
    for i in range(10_000):
        limiter.failed(f"10.0.{i // 256}.{i % 256}", 1.0)
    assert len(limiter._clients) == 100  # the most recent ones


def test_bad_keys_cannot_push_good_ones_out_of_the_cache() -> None:
    cache = KeyCache(60.0, limit=50, bad_limit=100)
    good = Principal(key_id="0123456789ab", role="agent", name="agent.one")
    cache.put("good", good)
    for i in range(100_000):
        cache.put(f"bad-{i}", None)
    assert cache.get("good") == (True, good)
    assert cache.get("bad-99999") == (True, None)
    assert cache.get("bad-0") == (False, None)  # the oldest bad keys went
    assert len(cache) == 101
    for i in range(60):  # good keys are bounded too, least recently used out first
        cache.get("good")
        cache.put(f"good-{i}", good)
    assert cache.get("good") == (True, good) and cache.get("good-0") == (False, None)


def test_a_zero_ttl_caches_nothing() -> None:
    cache = KeyCache(0.0)
    cache.put("k", None)
    assert cache.get("k") == (False, None) and len(cache) == 0


def test_a_route_under_the_guarded_prefixes_without_a_guard_is_refused_at_start() -> None:
    from fastapi import APIRouter

    from heatmap.api.auth import CheckFirst

    router = APIRouter()

    @router.get("/open311/v2/services")
    def services() -> list[str]:
        return []

    with pytest.raises(TypeError, match=r"/open311/v2/services .* checks no API key"):
        CheckFirst(lambda *a: None, routes=router.routes)  # type: ignore[arg-type]


def test_an_authorization_header_that_cannot_be_read_is_refused(client: TestClient, world: World) -> None:
    for value in ("Token abc", "Bearer", "Basic !!!"):
        answer = client.get("/api/v1/spots", headers={**world.headers("agent"), "Authorization": value})
        assert answer.status_code == 401, value
    bearer = {"Authorization": f"Bearer {world.keys['agent']}"}
    assert client.get("/api/v1/spots", headers=bearer).status_code == 200


def test_a_405_names_every_method_of_the_path(client: TestClient, world: World) -> None:
    answer = client.put("/api/v1/sms/dlr", headers=world.headers("gateway"))
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "GET, POST"

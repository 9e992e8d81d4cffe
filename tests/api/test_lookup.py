"""``GET /api/v1/lookup``: by address or point, spot with ETA and script, index freshness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from heatmap.core.policy import load_policy
from heatmap.service import workflow

World = Any  # the fixture's type (tests/api/conftest.py)
POLICY = load_policy()


def lookup(client: TestClient, world: World, role: str = "agent", **params: object) -> Any:
    response = client.get("/api/v1/lookup", params=params, headers=world.headers(role))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_point_inside_the_spot_gets_status_eta_and_script(client: TestClient, world: World) -> None:
    workflow.transition(world.store, world.spot_id, "take", actor="ivanov", now=world.clock(), policy=POLICY)
    workflow.set_eta(
        world.store, world.spot_id, datetime(2026, 11, 25, 12, tzinfo=UTC), actor="ivanov", now=world.clock()
    )
    answer = lookup(client, world, lat=world.lat, lon=world.lon)
    spot = answer["spot"]
    assert spot["id"] == world.spot_id
    assert (spot["status"], spot["covers"], spot["distance_m"]) == ("in_progress", True, 0.0)
    assert spot["eta_text"] == "25 ноября"
    assert "Решение ожидается до 25 ноября" in spot["script"]
    assert answer["precision"] == "point" and answer["point"] == {"lat": world.lat, "lon": world.lon}


def test_an_address_is_geocoded_with_the_gazetteer(client: TestClient, world: World) -> None:
    answer = lookup(client, world, address="Вологда, Пролетарская 22")
    assert answer["precision"] == "house"
    assert answer["matched_address"] == world.house
    assert answer["spot"]["id"] == world.spot_id
    assert "Срок уточняется" in answer["spot"]["script"], "no ETA yet"


def test_nothing_far_away_and_nothing_for_an_unknown_address(client: TestClient, world: World) -> None:
    lat, lon = world.elsewhere
    assert lookup(client, world, lat=lat, lon=lon)["spot"] is None
    answer = lookup(client, world, address="Москва, Красная площадь, 1")
    assert answer["spot"] is None and answer["precision"] in ("none", "settlement")
    assert answer["point"] is None or answer["precision"] == "settlement"


def test_a_point_within_reach_joins_the_nearest_spot(client: TestClient, world: World) -> None:
    spot = world.store.load_spots(ids=[world.spot_id]).iloc[0]
    north = spot["geometry"].bounds[3]
    near = lookup(client, world, lat=north + 50 / 111_320, lon=world.lon)["spot"]  # ~50 m out
    assert near is not None and near["covers"] is False and 0 < near["distance_m"] <= 100
    assert lookup(client, world, lat=north + 300 / 111_320, lon=world.lon)["spot"] is None
    with world.app_client(lookup_reach_m=400) as wider:
        assert lookup(wider, world, lat=north + 300 / 111_320, lon=world.lon)["spot"] is not None


def test_recently_resolved_spots_are_listed_and_old_ones_are_not(client: TestClient, world: World) -> None:
    workflow.transition(world.store, world.spot_id, "take", actor="x", now=world.clock(), policy=POLICY)
    workflow.transition(
        world.store, world.spot_id, "resolve", actor="x", now=world.clock(), policy=POLICY, cause="power"
    )
    answer = lookup(client, world, lat=world.lat, lon=world.lon)
    assert answer["spot"] is None
    [resolved] = answer["recently_resolved"]
    assert (resolved["id"], resolved["cause"]) == (world.spot_id, "power")
    assert "недавно были проведены работы" in resolved["script"]
    world.now[0] = world.clock() + timedelta(days=30)
    with world.app_client() as later:
        assert lookup(later, world, lat=world.lat, lon=world.lon)["recently_resolved"] == []


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({"lat": 91, "lon": 39.8}, 422, "lat"),
        ({"lat": 59.2, "lon": -181}, 422, "lon"),
        ({"lat": "nan", "lon": 39.8}, 422, "lat"),
        ({"lat": "north", "lon": 39.8}, 422, "lat"),
        ({"address": ""}, 422, "address"),
        ({"adress": "ул. Мира, 1"}, 422, "adress: unknown field"),
    ],
)
def test_bad_lookups_are_refused_clearly(
    client: TestClient, world: World, params: dict[str, object], status: int, says: str
) -> None:
    response = client.get("/api/v1/lookup", params=params, headers=world.headers("agent"))
    assert response.status_code == status, response.text
    assert says in response.json()["message"]


@pytest.mark.parametrize("params", [{}, {"lat": 59.2}, {"lon": 39.8}])
def test_a_lookup_without_a_place_finds_nothing_and_says_why(
    client: TestClient, world: World, params: dict[str, object]
) -> None:
    answer = client.get("/api/v1/lookup", params=params, headers=world.headers("agent")).json()
    assert answer["query"] == params and answer["point"] is None and answer["spot"] is None
    assert answer["precision"] == "none" and "широта и долгота" in answer["reason"]


def test_with_both_an_address_and_a_point_the_point_is_used(client: TestClient, world: World) -> None:
    params = {"address": "Вологда, ул. Мира, 1", "lat": world.lat, "lon": world.lon}
    answer = client.get("/api/v1/lookup", params=params, headers=world.headers("agent")).json()
    assert answer["precision"] == "point" and answer["query"] == params
    assert answer["spot"]["id"] == world.spot_id


def test_address_lookup_without_a_gazetteer_says_how_to_configure_it(world: World) -> None:
    world.settings = world.settings.model_copy(update={"gazetteer": None})
    with world.app_client() as client:
        response = client.get(
            "/api/v1/lookup", params={"address": "ул. Мира, 1"}, headers=world.headers("agent")
        )
        assert response.status_code == 503
        assert "HEATMAP_GAZETTEER" in response.json()["message"]
        assert lookup(client, world, lat=world.lat, lon=world.lon)["spot"] is not None


class CountingStore:
    """A store proxy counting calls, to prove lookups read no table."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            return attribute(*args, **kwargs)

        return counted


def test_point_lookups_read_no_table_and_changes_show_up_after_the_version_check(world: World) -> None:
    from heatmap.api.state import ApiState

    counting = CountingStore(world.store)
    state = ApiState(
        world.settings, world.api.model_copy(update={"index_check_ms": 60_000}), None, world.clock
    )
    state.stores.get = lambda: counting  # type: ignore[method-assign]
    state.refresh_index()
    before = dict(counting.calls)
    for _ in range(200):
        if state.index.due():
            state.refresh_index()
        assert state.index.lookup(world.lat, world.lon).spot is not None
    assert counting.calls == before, "a lookup touched the store"

    # another worker (here: the service directly) changes the spot
    workflow.set_eta(
        world.store, world.spot_id, datetime(2026, 11, 26, 9, tzinfo=UTC), actor="x", now=world.clock()
    )
    assert state.index.lookup(world.lat, world.lon).spot["eta_text"] is None  # type: ignore[index]
    state.index.check_interval_s = 0.0
    state.refresh_index()
    assert state.index.lookup(world.lat, world.lon).spot["eta_text"] == "26 ноября"  # type: ignore[index]
    assert counting.calls["spots_version"] == before.get("spots_version", 0) + 1
    assert counting.calls["load_spots"] == before["load_spots"] + 1
    state.refresh_index()
    assert counting.calls["load_spots"] == before["load_spots"] + 1, "same version: no reload"


def test_two_workers_over_one_store_agree_within_the_check_interval(world: World) -> None:
    with world.app_client() as one, world.app_client() as two:
        assert lookup(two, world, lat=world.lat, lon=world.lon)["spot"]["eta"] is None
        moved = one.post(
            f"/api/v1/spots/{world.spot_id}/eta",
            json={"eta": "2026-11-27"},
            headers=world.headers("engineer"),
        )
        assert moved.status_code == 200, moved.text
        assert lookup(two, world, lat=world.lat, lon=world.lon)["spot"]["eta_text"] == "27 ноября"


def test_every_spot_change_bumps_the_version(world: World) -> None:
    before = world.store.spots_version()
    workflow.transition(world.store, world.spot_id, "take", actor="x", now=world.clock(), policy=POLICY)
    assert world.store.spots_version() == before + 1


def test_lookups_keep_answering_from_the_index_when_the_store_blinks(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from heatmap.errors import StoreError

    with world.app_client() as client:
        assert lookup(client, world, lat=world.lat, lon=world.lon)["spot"] is not None

        def down(*_args: object) -> int:
            raise StoreError("the connection to the server was lost")

        monkeypatch.setattr(type(world.store), "spots_version", down)
        assert lookup(client, world, lat=world.lat, lon=world.lon)["spot"] is not None
        assert client.get("/healthz").status_code == 503

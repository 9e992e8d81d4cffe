"""``GET /api/v1/basemap`` and the static files the map page loads (Leaflet installed with
the package, the page's own scripts): nothing from another host."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

World = Any  # the fixture's type (tests/api/conftest.py)
VOLOGDA = "39.80,59.20,39.95,59.26"


def test_the_basemap_draws_houses_and_street_names_around_the_spot(client: TestClient, world: World) -> None:
    answer = client.get(
        "/api/v1/basemap", params={"bbox": VOLOGDA, "zoom": 16}, headers=world.headers("agent")
    )
    assert answer.status_code == 200, answer.text
    features = answer.json()["features"]
    kinds = {f["properties"]["kind"] for f in features}
    assert kinds == {"house", "street"}
    houses = {f["properties"]["name"] for f in features if f["properties"]["kind"] == "house"}
    assert world.house in houses
    zoomed_out = client.get(
        "/api/v1/basemap", params={"bbox": VOLOGDA, "zoom": 11}, headers=world.headers("agent")
    ).json()["features"]
    assert {f["properties"]["name"] for f in zoomed_out} >= {"г. Вологда"}


def test_the_basemap_needs_a_key_a_view_and_a_gazetteer(client: TestClient, world: World) -> None:
    assert client.get("/api/v1/basemap", params={"bbox": VOLOGDA, "zoom": 16}).status_code == 401
    for params in (
        {"bbox": VOLOGDA},
        {"bbox": "1,2,3", "zoom": 16},
        {"bbox": "0,0,40,95", "zoom": 16},
        {"bbox": VOLOGDA, "zoom": 30},
    ):
        bad = client.get("/api/v1/basemap", params=params, headers=world.headers("agent"))
        assert bad.status_code == 422, (params, bad.text)
    world.settings = world.settings.model_copy(update={"gazetteer": None})
    with world.app_client() as bare:
        none = bare.get(
            "/api/v1/basemap", params={"bbox": VOLOGDA, "zoom": 16}, headers=world.headers("agent")
        )
    assert none.status_code == 503 and "HEATMAP_GAZETTEER" in none.text


def test_the_map_page_loads_nothing_from_another_host(client: TestClient) -> None:
    page = client.get("/map")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        got = client.get(source)
        assert got.status_code == 200, source
        if source.endswith(".svg"):  # the page's icon: small, but a drawing
            assert got.content.lstrip().startswith(b"<svg") and b"<circle" in got.content, source
        else:  # scripts and styles: the real files, not stubs
            assert len(got.content) > 500, source
    leaflet = client.get("/static/leaflet/leaflet.js")
    assert leaflet.headers["content-type"].startswith("text/javascript")
    assert b"Leaflet" in leaflet.content[:2000]
    assert client.get("/static/leaflet/images/marker-icon.png").status_code == 200
    for missing in (
        "/static/../api/app.py",
        "/static/leaflet/../../__init__.py",
        "/static/nothing.js",
        "/static/leaflet/",
    ):
        assert client.get(missing).status_code == 404, missing


def test_tiles_only_when_configured(world: World) -> None:
    with world.app_client(tiles_url="https://tiles.example.net/{z}/{x}/{y}.png") as tiled:
        page = tiled.get("/map").text
    assert 'data-tiles="https://tiles.example.net/{z}/{x}/{y}.png"' in page
    with world.app_client() as plain:
        assert 'data-tiles=""' in plain.get("/map").text


def test_the_search_field_shows_how_to_write_an_address_not_one_city(client: TestClient) -> None:
    """The hint said "Вологда, ул. Мира, 1" to agents of every city (Leningrad oblast's too)."""
    hint = re.search(r'id="address"[^>]*placeholder="([^"]*)"', client.get("/map").text, re.DOTALL)
    assert hint and "Вологда" not in hint.group(1) and "город, улица, дом" in hint.group(1), hint

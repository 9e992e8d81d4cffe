"""The hex layer hides cells with fewer than k complainants; sites; health, metrics, docs, page."""

from __future__ import annotations

from typing import Any

import h3
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from heatmap.api.hexes import hex_counts
from heatmap.core.network import SITE_COLUMNS
from heatmap.service import ingest

World = Any  # the fixture's type (tests/api/conftest.py)


def frame(rows: list[tuple[str, float, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["subscriber_id", "lat", "lon", "precision"])


def test_hex_counts_count_complainants_and_hide_small_cells() -> None:
    busy = [(f"s{i % 3}", 59.2200, 39.8800, "house") for i in range(9)]  # 9 calls, 3 people
    lonely = [("s9", 59.3000, 39.9000, "point")] * 20  # one person calling 20 times
    pair = [("a", 59.1000, 39.7000, "point"), ("b", 59.1000, 39.7000, "point")]
    vague = [(f"v{i}", 59.2500, 39.8500, "settlement") for i in range(5)]
    counts = hex_counts(frame(busy + lonely + pair + vague), res=9, min_subscribers=3)
    assert counts[["complaints", "complainants"]].values.tolist() == [[9, 3]]
    assert counts["cell"].iloc[0] == h3.latlng_to_cell(59.22, 39.88, 9)
    assert hex_counts(frame(pair), res=9, min_subscribers=2)["complainants"].tolist() == [2]
    assert hex_counts(frame([]), res=9, min_subscribers=3).empty


def test_the_hex_layer_never_shows_a_cell_with_fewer_than_k(client: TestClient, world: World) -> None:
    lat, lon = world.elsewhere
    alone = [(f"L{i}", lat, lon) for i in range(6)]  # six calls, but see below: two people
    path = world.write_export("lonely.csv", alone)
    text = path.read_text(encoding="utf-8").splitlines()
    rows = [
        line.replace(world.msisdn_of(f"L{i}"), world.msisdn_of(f"L{i % 2}"))
        for i, line in enumerate(text[1:])
    ]
    path.write_text("\n".join([text[0], *rows]) + "\n", encoding="utf-8")
    ingest(world.store, [path], now=world.clock(), policy=world.policy)

    response = client.get("/api/v1/hexes", params={"res": 9}, headers=world.headers("agent"))
    assert response.status_code == 200
    cells = {f["properties"]["cell"]: f["properties"] for f in response.json()["features"]}
    assert h3.latlng_to_cell(lat, lon, 9) not in cells, "two complainants are too few"
    assert all(p["complainants"] >= 3 for p in cells.values()) and cells
    feature = response.json()["features"][0]
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and abs(ring[0][0] - world.lon) < 0.02, "lon, lat order"
    with world.app_client(hex_min_subscribers=2) as lax:
        shown = lax.get("/api/v1/hexes", params={"res": 9}, headers=world.headers("agent"))
        assert h3.latlng_to_cell(lat, lon, 9) in {f["id"] for f in shown.json()["features"]}


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"res": 3}, "res"),
        ({"res": 12}, "res"),
        ({"res": "nine"}, "res"),
        ({"bbox": "0,0,90"}, "bbox"),
        ({"zoom": 5}, "zoom: unknown field"),
    ],
)
def test_bad_hex_parameters_are_422(
    client: TestClient, world: World, params: dict[str, object], says: str
) -> None:
    response = client.get("/api/v1/hexes", params=params, headers=world.headers("agent"))
    assert response.status_code == 422 and says in response.json()["message"]


def test_hex_bbox_filters_cells(client: TestClient, world: World) -> None:
    far = client.get(
        "/api/v1/hexes", params={"res": 8, "bbox": "30,59.8,30.5,60"}, headers=world.headers("analyst")
    )
    assert far.status_code == 200 and far.json()["features"] == []


def test_sites_are_geojson_points(client: TestClient, world: World) -> None:
    sites = pd.DataFrame(
        [["S1", world.lat, world.lon, "LTE", "1800", 120.0], ["S2", 60.0, 30.0, None, None, None]],
        columns=list(SITE_COLUMNS),
    )
    world.store.replace_network(sites=sites)
    answer = client.get("/api/v1/sites", headers=world.headers("agent")).json()
    assert [f["id"] for f in answer["features"]] == ["S1", "S2"]
    assert answer["features"][0]["geometry"] == {"type": "Point", "coordinates": [world.lon, world.lat]}
    near = f"{world.lon - 0.1},{world.lat - 0.1},{world.lon + 0.1},{world.lat + 0.1}"
    boxed = client.get("/api/v1/sites", params={"bbox": near}, headers=world.headers("agent"))
    assert [f["id"] for f in boxed.json()["features"]] == ["S1"]


def test_health_liveness_and_metrics(client: TestClient, world: World) -> None:
    assert client.get("/livez").json() == {"status": "ok"}
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["schema_version"] >= 3 and health["open_spots"] == 1
    client.get("/api/v1/lookup", params={"lat": world.lat, "lon": world.lon}, headers=world.headers("agent"))
    text = client.get("/metrics", headers=world.headers("admin")).text
    assert 'heatmap_lookups_total{by="point",found="True"}' in text
    assert 'route="/api/v1/lookup"' in text and "heatmap_index_open_spots 1.0" in text


def test_openapi_docs_and_the_map_page(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/v1/lookup",
        "/api/v1/complaints",
        "/api/v1/spots",
        "/api/v1/spots/{spot_id}",
        "/api/v1/spots/{spot_id}/take",
        "/api/v1/queues/{name}",
        "/api/v1/hexes",
        "/healthz",
        "/metrics",
    ):
        assert path in spec["paths"], path
    assert "ApiKey" in spec["components"]["securitySchemes"]
    assert client.get("/docs").status_code == 200
    page = client.get("/map")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="address"' in page.text and "/api/v1/lookup" not in page.text.split("<script>")[0]
    assert '<script src="/static/leaflet/leaflet.js">' in page.text, "Leaflet installed with us"

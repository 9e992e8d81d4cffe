"""``GET /api/v1/coverage``: the measured signal per H3 cell as GeoJSON polygons."""

from __future__ import annotations

from typing import Any

import h3
import pandas as pd
from fastapi.testclient import TestClient

World = Any  # the fixture's type (tests/api/conftest.py)


def test_cells_with_their_median_level_and_samples(client: TestClient, world: World) -> None:
    got = client.get("/api/v1/coverage", headers=world.headers("agent"))
    assert got.status_code == 200 and got.json()["features"] == [], "nothing loaded yet"
    here = h3.latlng_to_cell(world.lat, world.lon, 9)
    far = h3.latlng_to_cell(*world.elsewhere, 9)
    world.store.replace_coverage(
        pd.DataFrame(
            {
                "h3_cell": [here, far],
                "res": 9,
                "rsrp_median": [-112.5, None],
                "rsrp_samples": [40, 0],
                "rssi_median": [-90.0, -70.0],
                "rssi_samples": [40, 8],
            }
        )
    )
    rsrp = client.get("/api/v1/coverage", headers=world.headers("agent")).json()["features"]
    assert [f["id"] for f in rsrp] == [here]
    assert rsrp[0]["properties"] == {"cell": here, "metric": "rsrp", "median_dbm": -112.5, "samples": 40}
    assert rsrp[0]["geometry"]["type"] == "Polygon"
    rssi = client.get(
        "/api/v1/coverage", params={"metric": "rssi"}, headers=world.headers("engineer")
    ).json()["features"]
    assert {f["id"] for f in rssi} == {here, far}
    box = f"{world.lon - 0.01},{world.lat - 0.01},{world.lon + 0.01},{world.lat + 0.01}"
    boxed = client.get(
        "/api/v1/coverage", params={"metric": "rssi", "bbox": box}, headers=world.headers("agent")
    ).json()["features"]
    assert [f["id"] for f in boxed] == [here]


def test_coverage_needs_a_key_and_a_known_metric(client: TestClient, world: World) -> None:
    assert client.get("/api/v1/coverage").status_code == 401
    bad = client.get("/api/v1/coverage", params={"metric": "sinr"}, headers=world.headers("agent"))
    assert bad.status_code == 422


def test_a_spot_is_compared_with_its_surroundings(client: TestClient, world: World) -> None:
    here = h3.latlng_to_cell(world.lat, world.lon, 9)
    around = sorted({*h3.grid_ring(here, 1), *h3.grid_ring(here, 2)})
    world.store.replace_coverage(
        pd.DataFrame(
            {
                "h3_cell": [here, *around],
                "res": 9,
                "rsrp_median": [-115.0] + [-85.0] * len(around),
                "rsrp_samples": 10,
                "rssi_median": None,
                "rssi_samples": 0,
            }
        )
    )
    said = client.get(f"/api/v1/coverage/spots/{world.spot_id}", headers=world.headers("engineer"))
    assert said.status_code == 200, said.text
    body = said.json()
    assert (body["cells_dbm"], body["surroundings_dbm"], body["difference_db"]) == (-115.0, -85.0, -30.0)
    assert body["cells_measured"] == 1 and body["surroundings_measured"] == len(around)
    assert client.get("/api/v1/coverage/spots/SP-NONE", headers=world.headers("engineer")).status_code == 404

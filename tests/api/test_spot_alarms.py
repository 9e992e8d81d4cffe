"""``GET /api/v1/spots/{id}`` lists every alarm of the sites in reach, worst first."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi.testclient import TestClient

from heatmap.core.network import ALARM_COLUMNS, SITE_COLUMNS

World = Any  # the fixture's type (tests/api/conftest.py)


def test_the_spot_lists_every_alarm_of_its_sites(client: TestClient, world: World) -> None:
    sites = pd.DataFrame(
        [
            ["S1", world.lat, world.lon, "LTE", None, None],
            ["S2", world.lat + 0.5, world.lon, "LTE", None, None],
        ],
        columns=list(SITE_COLUMNS),
    )
    at = pd.Timestamp("2026-11-19T06:00", tz="UTC")
    alarms = pd.DataFrame(
        [
            ["S1", "minor", at, at + pd.Timedelta(hours=1), None, "high temperature <b>"],
            ["S1", "critical", at, None, None, "mains power lost"],
            ["S2", "critical", at, None, None, "a site 55 km away"],
        ],
        columns=list(ALARM_COLUMNS),
    )
    world.store.replace_network(sites=sites, alarms=alarms)
    spot = client.get(f"/api/v1/spots/{world.spot_id}", headers=world.headers("engineer")).json()
    assert [(a["site_id"], a["severity"], a["text"]) for a in spot["alarms"]] == [
        ("S1", "critical", "mains power lost"),
        ("S1", "minor", "high temperature <b>"),
    ]
    worst = spot["alarms"][0]
    assert worst["kind"] == "power" and worst["active"] is True and worst["end"] is None
    assert pd.Timestamp(worst["start"]) == at
    assert spot["network"]["alarm_site"] == "S1", "the worst one still names the cause"
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "alarms" in schema["SpotFeature"]["properties"] and "SiteAlarm" in schema


def test_without_a_network_the_list_is_empty(client: TestClient, world: World) -> None:
    spot = client.get(f"/api/v1/spots/{world.spot_id}", headers=world.headers("agent")).json()
    assert spot["alarms"] == [] and spot["network"] is None

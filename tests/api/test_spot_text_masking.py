"""The agent's view of a spot: phone numbers typed into complaint text, in the five writings
the outside probe saw leak, are masked for agents and analysts and kept for engineers."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from heatmap.detect.run import DetectParams
from heatmap.service import detect_spots, ingest

WRITINGS = [
    "+7 911 1234 567",
    "+7.911.123.45.67",
    "8 9 1 1 1 2 3 4 5 6 7",
    "+7911-12-34-567",
    "+7 911 12 345 67",
]
HEADER = "ticket_id,created_at,msisdn,segment,topic,description,address,lat,lon,region\n"


def test_numbers_in_complaint_text_are_masked_by_role(client: TestClient, world: Any) -> None:
    lines = [
        f'P{i},2026-11-19T11:00:00+03:00,,mass,no_coverage,"Перезвоните {w}, дом 22",,'
        f"{world.lat + i * 1e-5},{world.lon},Вологодская"
        for i, w in enumerate(WRITINGS)
    ]
    path = world.tmp / "typed.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    ingest(world.store, [path], now=world.now[0], policy=world.policy)
    detect_spots(world.store, params=DetectParams(rule="count"), policy=world.policy, now=world.now[0])
    spot_id = str(world.store.load_complaints(ticket_ids=["P0"])["spot_id"].iloc[0])
    for role, as_written in (("agent", False), ("analyst", False), ("engineer", True)):
        answer = client.get(f"/api/v1/spots/{spot_id}", headers=world.headers(role))
        assert answer.status_code == 200, answer.text
        texts = {c["ticket_id"]: c["description"] for c in answer.json()["complaints"]}
        for i, written in enumerate(WRITINGS):
            shown = texts[f"P{i}"]
            if as_written:
                assert shown == f"Перезвоните {written}, дом 22"
            else:
                assert shown == "Перезвоните [телефон скрыт], дом 22", (role, shown)
                assert "1234567" not in re.sub(r"\D", "", answer.text)

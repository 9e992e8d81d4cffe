"""What the engineers' browser tests share: the served demo, the other engineer's API calls,
Moscow dates, and the layers added to the demo store (a drive-test layer and network sites
with alarms around a spot)."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from heatmap.core.network import ALARM_COLUMNS, SITE_COLUMNS
from heatmap.store import open_store

from .browser_support import WAIT_MS

#: The alarms put on the sites around the spot in work, worst first as the page lists them.
ALARM_TEXTS = ("Сбой питания: пропала сеть 220 В", "RRU <failure> & restart", "Высокая температура")


@dataclass
class Served:
    url: str
    key: str  # engineer.ivanova, who uses the page
    other_key: str  # engineer.petrov, who changes spots meanwhile through the API
    agent_key: str
    analyst_key: str
    db: str
    queue: str  # the queue of the spot not yet taken with the highest priority
    spot: str  # that spot
    worked: str  # a spot in work
    spare: str  # a closed spot no other test touches (reopened meanwhile)
    blocked: list[str] = field(default_factory=list)


def measure_around(db: str, spot: Any) -> None:
    """A drive-test layer where the spot's cells are 25 dB weaker than the two rings around."""
    import h3

    from heatmap.core.coverage import cells_of_area

    inside = set(cells_of_area(spot["geometry"], (spot["centroid_lat"], spot["centroid_lon"]), 9))
    around = {n for c in inside for n in h3.grid_disk(c, 2)} - inside
    rows = [(c, 9, -110.0 if c in inside else -85.0, 12, None, 0) for c in sorted(inside | around)]
    store = open_store(db)
    try:
        store.replace_coverage(
            pd.DataFrame(
                rows, columns=["h3_cell", "res", "rsrp_median", "rsrp_samples", "rssi_median", "rssi_samples"]
            )
        )
    finally:
        store.close()


def alarms_around(db: str, spot: Any) -> None:
    """Two sites by the spot with three alarms (one still active during its complaints)."""
    lat, lon = float(spot["centroid_lat"]), float(spot["centroid_lon"])
    first = pd.Timestamp(spot["first_complaint_at"])
    day = pd.Timedelta(days=1)
    sites = pd.DataFrame(
        [
            ["VLG-0101", lat + 0.002, lon, "LTE", "1800", 120.0],
            ["VLG-0102", lat, lon + 0.004, "LTE", None, None],
        ],
        columns=list(SITE_COLUMNS),
    )
    alarms = pd.DataFrame(
        [
            ["VLG-0102", "minor", first - 9 * day, first - 8 * day, None, ALARM_TEXTS[2]],
            ["VLG-0101", "critical", first + day / 288, None, None, ALARM_TEXTS[0]],
            ["VLG-0102", "major", first - 3 * day, first - 2 * day, None, ALARM_TEXTS[1]],
        ],
        columns=list(ALARM_COLUMNS),
    )
    store = open_store(db)
    try:
        store.replace_network(sites=sites, alarms=alarms)
    finally:
        store.close()


def wait_view(page: Any, view: str) -> None:
    page.wait_for_selector(f"body[data-view='{view}'][data-loaded='1']", timeout=WAIT_MS)


def call_api(served: Served, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """What the other engineer does meanwhile, through the REST API."""
    request = urllib.request.Request(
        f"{served.url}/api/v1{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"X-API-Key": served.other_key, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as answer:
        return dict(json.loads(answer.read()))


def moscow_day(days_ahead: int = 0) -> str:
    """A day in Moscow as the ETA field takes it: ``ДД.ММ.ГГГГ``."""
    return (datetime.now(UTC).astimezone(ZoneInfo("Europe/Moscow")) + timedelta(days=days_ahead)).strftime(
        "%d.%m.%Y"
    )


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


def confirm_spot(db: str, found_at: datetime, spot_id: str | None = None) -> str:
    """Store ``found_at`` on the spot (by default the first open detected spot by id, as the
    other tests left them), as a detection run finding its place again would; its id."""
    from heatmap.store.base import SpotChanges

    store = open_store(db)
    try:
        if spot_id is None:
            open_spots = store.load_spots(statuses=["new", "queued", "in_progress", "reopened"])
            spot_id = str(open_spots[open_spots["kind"] == "detected"].sort_values("id")["id"].iloc[0])
        spot = store.load_spots(ids=[spot_id]).assign(found_at=pd.Timestamp(found_at))
        events = store.load_events(spot_id).iloc[:0]
        members = pd.DataFrame(columns=["ticket_id", "spot_id"])
        store.apply_spot_changes(SpotChanges(at=found_at, spots=spot, members=members, events=events))
    finally:
        store.close()
    return spot_id


def moscow(moment: datetime) -> str:
    """A time as the engineers' pages show it: ``ДД.ММ.ГГГГ, ЧЧ:ММ`` in Moscow."""
    return moment.astimezone(ZoneInfo("Europe/Moscow")).strftime("%d.%m.%Y, %H:%M")

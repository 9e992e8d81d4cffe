"""``heatmap map``'s file: self-contained (opens with every other host blocked), spots with
why each is one, complaint hexes that never show fewer than k people, the gazetteer's houses."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import shapely

from heatmap.devtools.samples import sample_file
from heatmap.geocode import build_gazetteer
from heatmap.render.map import page_data, spot_map
from heatmap.testing import headless_chromium

HOUSE = (59.22907, 39.869577)
#: When detection last found SP-1 (15:00 Moscow time); the map is made 2 h later.
FOUND = pd.Timestamp("2026-11-20T12:00:00Z")
MADE = (FOUND + pd.Timedelta(hours=2)).to_pydatetime()


def spots_frame() -> pd.DataFrame:
    lat, lon = HOUSE
    ring = shapely.Polygon(
        [
            (lon + dx, lat + dy)
            for dx, dy in ((-0.002, -0.001), (0.002, -0.001), (0.002, 0.001), (-0.002, 0.001))
        ]
    )
    return pd.DataFrame(
        [
            {
                "id": "SP-1",
                "status": "queued",
                "subscribers": 14,
                "complaints": 20,
                "priority": 40.0,
                "queue": "capacity",
                "dominant_topic": "no_coverage",
                "address": "Вологда, ул. Мира, 1 </script><b>",
                "centroid_lat": lat,
                "centroid_lon": lon,
                "geometry": ring,
                "observed": 14.0,
                "expected": 2.1,
                "excess": 11.9,
                "relative_risk": 14 / 2.1,
                "p_value": 3.04e-8,
                "trend": "new",
                "breakdown": {"excess": 35.0, "segment": 5.0},
                "kind": "detected",
                "found_at": FOUND,
            },
            {
                "id": "SP-2",
                "status": "merged",
                "subscribers": 3,
                "complaints": 3,
                "priority": 9.0,
                "centroid_lat": lat,
                "centroid_lon": lon,
                "geometry": ring,
            },
        ]
    )


def complaints_frame() -> pd.DataFrame:
    lat, lon = HOUSE
    far = (lat + 0.03, lon)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [(lat, lon, f"S{i}") for i in range(4)] + [(*far, "A"), (*far, "B"), (*far, "A")]
    return pd.DataFrame(
        [
            {"lat": a, "lon": b, "subscriber_id": s, "created_at": start + timedelta(hours=i)}
            for i, (a, b, s) in enumerate(rows)
        ]
    )


@pytest.fixture(scope="module")
def gazetteer() -> pd.DataFrame:
    entries, _ = build_gazetteer(sample_file("vologda_addresses.csv"))
    return entries


def test_the_file_carries_everything_and_names_no_other_host(gazetteer: pd.DataFrame) -> None:
    html = spot_map(spots_frame(), complaints_frame(), gazetteer=gazetteer).html
    assert not re.findall(r"<(?:script|link|img)[^>]+(?:src|href)=", html), "nothing loaded"
    data = page_data(html)
    assert [f["id"] for f in data["spots"]["features"]] == ["SP-1"], "merged spots not drawn"
    hexes = data["hexes"]["features"]
    assert [f["properties"]["complainants"] for f in hexes] == [4], "2 people are never shown"
    houses = data["basemap"]["houses"]
    assert len(houses) > 300, "the houses around the spots"
    assert all(abs(lat - HOUSE[0]) <= 0.021 and abs(lon - HOUSE[1]) <= 0.041 for lat, lon in houses)
    assert any(name == "ул. Пролетарская" for *_, name in data["basemap"]["streets"])
    assert "Жалующихся: 14 при ожидаемых 2,1" in html
    assert html.count("</script>") == 3, "an address cannot close the data's script element"
    assert data["spots"]["features"][0]["properties"]["address"].endswith("</script><b>")
    without = page_data(spot_map(spots_frame()).html)
    assert without["basemap"] is None and without["hexes"]["features"] == []
    assert data["spots"]["features"][0]["properties"]["found_at"] == FOUND.isoformat()
    assert "confirmation_text" not in data["spots"]["features"][0]["properties"], "no moment given"
    made = page_data(spot_map(spots_frame(), now=MADE, active_hours=24.0).html)["spots"]["features"][0]
    assert made["properties"]["taking_complaints"] is True
    assert made["properties"]["taking_complaints_until"] == "2026-11-21T12:00:00+00:00"


def test_a_tile_server_only_when_named() -> None:
    assert page_data(spot_map(spots_frame()).html)["tiles"] == ""
    named = spot_map(spots_frame(), tiles_url="https://tiles.example.net/{z}/{x}/{y}.png")
    assert page_data(named.html)["tiles"] == "https://tiles.example.net/{z}/{x}/{y}.png"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with headless_chromium() as browser:  # the one the pages' browser tests drive
        yield browser


@pytest.mark.browser
def test_the_file_opens_offline_with_spots_popups_and_houses(
    tmp_path: Path, gazetteer: pd.DataFrame, chromium: Any
) -> None:
    from PIL import Image

    made = spot_map(spots_frame(), complaints_frame(), gazetteer=gazetteer, now=MADE, active_hours=24.0)
    path = made.save(tmp_path / "map.html")
    page = chromium.new_page(viewport={"width": 1000, "height": 700})
    asked: list[str] = []
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    def local_only(route: Any) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    try:
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=10_000)
        page.wait_for_timeout(300)
        assert page.locator("path.spot").count() == 1
        shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
        page.evaluate(
            "document.querySelector('.leaflet-pane.leaflet-basemap-pane').style.visibility = 'hidden'"
        )
        bare = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
        changed = sum(
            1
            for x in range(0, shot.width, 2)
            for y in range(0, shot.height, 2)
            if shot.getpixel((x, y)) != bare.getpixel((x, y))
        )
        assert changed > 50, "the registry's houses are drawn"
        assert page.locator(".street-label span").count() > 0, "street names at street zoom"
        page.locator("path.spot").click(force=True)
        popup = page.inner_text(".leaflet-popup-content")
        assert "Почему это пятно: Жалующихся: 14 при ожидаемых 2,1" in popup
        assert "Адрес: Вологда, ул. Мира, 1 </script><b>" in popup and "превышение" in popup
        assert (
            "Подтверждено детекцией: 20 ноября, 15:00 мск; принимает жалобы до 21 ноября, 15:00 мск" in popup
        )
        assert not asked and not problems, (asked, problems)
    finally:
        page.close()

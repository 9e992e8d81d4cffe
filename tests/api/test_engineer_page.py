"""``GET /engineer``: the page is open, lists the policy's causes, loads nothing from another host."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from heatmap.core.policy import default_policy_text, load_policy

from .conftest import World


def test_the_page_lists_the_policy_causes_and_loads_only_its_own_files(client: TestClient) -> None:
    page = client.get("/engineer")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    for name, title in load_policy().causes.items():
        assert f'<option value="{name}">{title}</option>' in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "nothing from another host"
    assets = re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html)
    assert {
        "/static/engineer.js",
        "/static/engineer.css",
        "/static/engineer_map.js",
        "/static/engineer_texts.js",
        "/static/leaflet/leaflet.js",
    } <= set(assets)
    for asset in assets:
        answer = client.get(asset)
        assert answer.status_code == 200, asset
        assert "https://" not in answer.text or asset.startswith("/static/leaflet/"), asset


def test_causes_are_escaped_and_follow_the_policy_file(world: World, tmp_path: Path) -> None:
    text = default_policy_text()
    custom = (
        text[: text.index("[causes]")]
        + '[causes]\nfibre_cut = "Обрыв <ВОЛС> & муфта"\n\n'
        + text[text.index("# Routing:") :]
    )
    path = tmp_path / "policy.toml"
    path.write_text(custom, encoding="utf-8")
    world.settings = world.settings.model_copy(update={"policy": path})
    with world.app_client() as client:
        html = client.get("/engineer").text
        assert '<option value="fibre_cut">Обрыв &lt;ВОЛС&gt; &amp; муфта</option>' in html
        assert 'value="power"' not in html
        taken = client.post(f"/api/v1/spots/{world.spot_id}/take", headers=world.headers("engineer"))
        assert taken.status_code == 200
        wrong = client.post(
            f"/api/v1/spots/{world.spot_id}/resolve",
            json={"cause": "power"},
            headers=world.headers("engineer"),
        )
        assert wrong.status_code == 422 and "allowed: fibre_cut" in wrong.json()["message"]

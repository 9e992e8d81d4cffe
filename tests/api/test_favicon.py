"""The pages' icon: ``/favicon.ico`` and the pages' ``<link rel="icon">`` answer with our own
SVG, so a browser opening the map or the engineers' page logs no 404."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from fastapi.testclient import TestClient


def test_favicon_is_served_without_a_key_and_is_our_own_svg(client: TestClient) -> None:
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(answer.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert not re.search(r"href=\"(https?:)?//", answer.text), "nothing from another host"


def test_each_page_links_the_icon_it_can_load(client: TestClient) -> None:
    for page in ("/map", "/engineer"):
        html = client.get(page).text
        icons = re.findall(r"<link rel=\"icon\" href=\"([^\"]+)\" type=\"image/svg\+xml\">", html)
        assert icons == ["/static/favicon.svg"], page
        answer = client.get(icons[0])
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
        assert answer.content == client.get("/favicon.ico").content

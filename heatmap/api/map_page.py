"""The agents' map page: one self-contained HTML document (no build step, no CDN needed).

The page (``heatmap/templates/map_page.html``) draws spots coloured by priority, the
complaint hex layer and sites; each spot's tooltip says why it is one. With Leaflet
reachable (``HEATMAP_API_LEAFLET_URL``) it uses Leaflet over OpenStreetMap tiles;
otherwise — or when that URL is empty — it draws the same layers as SVG, with drag to
pan and the wheel to zoom. The address box calls the lookup API and shows the answer
with the script text and why the spot is one; a click on the map looks up that point.
The API key comes once as ``?key=…`` (then kept in sessionStorage and removed from
the address bar) or through the login field.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def _page() -> str:
    return (resources.files("heatmap.templates") / "map_page.html").read_text(encoding="utf-8")


def map_page(leaflet_url: str) -> str:
    """The page, with the Leaflet base URL (or "" to draw the map offline) filled in."""
    url = json.dumps(leaflet_url.rstrip("/")).replace("</", "<\\/")
    return _page().replace("__LEAFLET_URL__", url)

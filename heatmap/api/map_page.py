"""The agents' and engineers' pages from their templates (``heatmap/templates``, autoescaped).

Nothing the pages need comes from another host unless configured: Leaflet is the copy
installed with the package and served by this API (``/static/leaflet``), and the maps are
drawn over the gazetteer's basemap (``/api/v1/basemap``) unless ``HEATMAP_TILES_URL``
names a tile server.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from heatmap.api.settings import ApiSettings
from heatmap.render.assets import environment

#: Where the API serves the packaged Leaflet (``leaflet.js``, ``leaflet.css``, ``images/``).
LEAFLET_PATH = "/static/leaflet"
#: The pages carry a key in their address once: never cached, never sent on as a referrer.
PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
#: The templates as pages (TemplateResponse), for every page route.
PAGES = Jinja2Templates(env=environment())


def map_page(request: Request, name: str, api: ApiSettings, **context: object) -> Response:
    """Template ``name`` with Leaflet from ``HEATMAP_API_LEAFLET_URL`` (the packaged copy by
    default) and tiles only when ``HEATMAP_TILES_URL`` is set, and ``context``."""
    given = {
        "leaflet": (api.leaflet_url or LEAFLET_PATH).rstrip("/"),
        "tiles": api.tiles_url,
        "attribution": api.tiles_attribution,
        **context,
    }
    return PAGES.TemplateResponse(request, name, given, headers=PAGE_HEADERS)

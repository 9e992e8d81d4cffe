"""The agents' map page from its template (``heatmap/templates/map_page.html``).

Nothing the page needs comes from another host unless configured: Leaflet is the copy
installed with the package and served by this API (``/static/leaflet``), and the map is
drawn over the gazetteer's basemap (``/api/v1/basemap``) unless ``HEATMAP_TILES_URL``
names a tile server.
"""

from __future__ import annotations

from heatmap.api.settings import ApiSettings
from heatmap.render.assets import environment

#: Where the API serves the packaged Leaflet (``leaflet.js``, ``leaflet.css``, ``images/``).
LEAFLET_PATH = "/static/leaflet"


def map_page(api: ApiSettings) -> str:
    """The agents' map page: Leaflet from ``HEATMAP_API_LEAFLET_URL`` (the packaged copy by
    default) and tiles only when ``HEATMAP_TILES_URL`` is set."""
    return (
        environment()
        .get_template("map_page.html")
        .render(
            leaflet=(api.leaflet_url or LEAFLET_PATH).rstrip("/"),
            tiles=api.tiles_url,
            attribution=api.tiles_attribution,
        )
    )

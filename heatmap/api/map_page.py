"""The pages' files: Jinja2 templates (``heatmap/templates``), static assets
(``heatmap/static``) and Leaflet as installed with the package (``xstatic-leaflet``).

Nothing a page needs comes from another host unless configured: Leaflet is served by
this API, and the map is drawn over the gazetteer's basemap (``/api/v1/basemap``) unless
``HEATMAP_TILES_URL`` names a tile server.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from heatmap.api.settings import ApiSettings

#: Where the API serves the packaged Leaflet (``leaflet.js``, ``leaflet.css``, ``images/``).
LEAFLET_PATH = "/static/leaflet"


@cache
def environment() -> Environment:
    """The templates of ``heatmap/templates``, HTML autoescaped."""
    return Environment(loader=PackageLoader("heatmap", "templates"),
                       autoescape=select_autoescape(["html"]), auto_reload=False)


def leaflet_dir() -> Path:
    """The folder of the installed Leaflet (``leaflet.js``, ``leaflet.css``, ``images/``)."""
    import xstatic.pkg.leaflet as packaged

    return Path(packaged.BASE_DIR)


def static_dir() -> Path:
    """The package's own static assets (scripts and styles of the pages)."""
    return Path(str(resources.files("heatmap") / "static"))


def map_page(api: ApiSettings) -> str:
    """The agents' map page: Leaflet from ``HEATMAP_API_LEAFLET_URL`` (the packaged copy by
    default) and tiles only when ``HEATMAP_TILES_URL`` is set."""
    return environment().get_template("map_page.html").render(
        leaflet=(api.leaflet_url or LEAFLET_PATH).rstrip("/"),
        tiles=api.tiles_url, attribution=api.tiles_attribution)

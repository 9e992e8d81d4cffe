"""Where the pages' files are: Jinja2 templates (``heatmap/templates``), the package's
static assets (``heatmap/static``) and Leaflet as installed with the package
(the ``xstatic-leaflet`` dependency). Nothing is fetched from elsewhere."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape


@cache
def environment() -> Environment:
    """The templates of ``heatmap/templates``, HTML autoescaped."""
    return Environment(
        loader=PackageLoader("heatmap", "templates"),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
    )


def leaflet_dir() -> Path:
    """The folder of the installed Leaflet (``leaflet.js``, ``leaflet.css``, ``images/``)."""
    import xstatic.pkg.leaflet as packaged

    return Path(packaged.BASE_DIR)


def static_dir() -> Path:
    """The package's own static assets (scripts and styles of the pages)."""
    return Path(str(resources.files("heatmap") / "static"))

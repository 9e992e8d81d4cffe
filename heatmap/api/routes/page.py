"""``GET /map``: the agents' map page, and the static files pages load (all open: the
page's data calls need a key)."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from starlette.responses import Response

from heatmap.api.map_page import map_page
from heatmap.api.state import State
from heatmap.render.assets import leaflet_dir, static_dir

router = APIRouter(tags=["map"])
_STATIC_HEADERS = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}
#: Only these kinds of file are served from the static folders.
_SERVED = frozenset({".js", ".css", ".png", ".svg", ".map"})


@router.get("/map", response_class=HTMLResponse, summary="Map page for agents")
async def map_html(request: Request, state: State) -> Response:
    """Spots by priority over the gazetteer's basemap (or ``HEATMAP_TILES_URL``), the hex and
    coverage layers, sites and an address box calling the lookup API. Open it once as
    ``/map?key=…`` (the key is then kept for the browser tab) or log in."""
    return map_page(request, "map_page.html", state.api)


def _file(folder: Path, name: str) -> FileResponse:
    """``name`` inside ``folder`` (never outside it), or 404."""
    root = folder.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or path.suffix not in _SERVED or not path.is_file():
        raise HTTPException(404, f"no static file {name!r}")
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".js":
        media = "text/javascript; charset=utf-8"
    return FileResponse(path, media_type=media, headers=_STATIC_HEADERS)


@router.get("/static/leaflet/{name:path}", include_in_schema=False)
async def leaflet_file(name: str) -> FileResponse:
    """Leaflet as installed with the package."""
    return _file(leaflet_dir(), name)


@router.get("/static/{name:path}", include_in_schema=False)
async def static_file(name: str) -> FileResponse:
    """The pages' own scripts and styles."""
    return _file(static_dir(), name)


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> FileResponse:
    """The pages' icon (an SVG, which browsers take under this name too)."""
    return _file(static_dir(), "favicon.svg")


@router.get("/", include_in_schema=False)
async def home() -> RedirectResponse:
    return RedirectResponse("/map")

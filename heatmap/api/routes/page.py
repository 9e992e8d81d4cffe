"""``GET /map``: the agents' map page (the page is open; its data calls need a key)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse

from heatmap.api.map_page import map_page
from heatmap.api.state import State

router = APIRouter(tags=["map"])


@router.get("/map", response_class=HTMLResponse, summary="Map page for agents")
async def map_html(state: State) -> HTMLResponse:
    """Spots by priority, the hex layer, sites and an address box calling the lookup API.
    Open it once as ``/map?key=…`` (the key is then kept for the browser tab) or log in."""
    return HTMLResponse(map_page(state.api.leaflet_url),
                        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


@router.get("/", include_in_schema=False)
async def home() -> RedirectResponse:
    return RedirectResponse("/map")

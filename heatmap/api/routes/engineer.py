"""``GET /engineer``: the engineers' pages (queues, a queue's spots, one spot and its actions).

The page is open, like ``/map``; everything on it comes from the REST API with an engineer's
or admin's key (``?key=…`` once, then kept for the browser tab, or the login form). The
causes an engineer may resolve with come from the policy and are written into the page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from heatmap.api.map_page import map_page
from heatmap.api.state import State

router = APIRouter(tags=["map"])


@router.get("/engineer", response_class=HTMLResponse, summary="Pages for network engineers")
async def engineer_html(request: Request, state: State) -> Response:
    """Queues with open, breached and due-today counts; a queue's spots by priority; a spot
    with its map, complaints, priority breakdown, network, history and the actions take,
    ETA, resolve, reject and reopen. Open it once as ``/engineer?key=…`` or log in."""
    return map_page(request, "engineer.html", state.api, causes=state.policy.causes)

"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from heatmap.api.auth import AUTH_RESPONSES, RoleGuard
from heatmap.api.keys import Principal
from heatmap.api.models import Health, Live
from heatmap.api.state import ApiState, State
from heatmap.errors import HeatmapError

router = APIRouter(tags=["system"])
Admin = Annotated[Principal, Depends(RoleGuard())]


@router.get("/livez", response_model=Live, summary="The process answers")
async def livez() -> Live:
    """Liveness: answers without touching the store (also the benchmark's baseline)."""
    return Live(status="ok")


def _health(state: ApiState) -> Health:
    store = state.store
    version = store.schema_version()
    state.refresh_index()
    return Health(
        status="ok",
        schema_version=version,
        spots_version=state.index.version,
        open_spots=state.index.open_count,
    )


@router.get(
    "/healthz",
    response_model=Health,
    summary="The store answers",
    responses={503: {"model": Health, "description": "The store does not answer"}},
)
async def healthz(state: State, response: Response) -> Health:
    """Readiness: the store answers and the spot index is loaded (no key needed)."""
    try:
        return await run_in_threadpool(_health, state)
    except HeatmapError as exc:
        response.status_code = 503
        return Health(status="unavailable", detail=str(exc))


@router.get(
    "/metrics", summary="Prometheus metrics (admin key)", responses=AUTH_RESPONSES, response_class=Response
)
async def metrics(state: State, _who: Admin) -> Response:
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

"""The FastAPI application: :func:`create_app` puts the services of :mod:`heatmap.wiring` and
the routers together."""

from __future__ import annotations

import gc
import importlib
import importlib.util
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.concurrency import run_in_threadpool

from heatmap import wiring
from heatmap.api import errors
from heatmap.api.auth import CheckFirst, document_security
from heatmap.api.metrics import MetricsMiddleware
from heatmap.api.routes import (
    basemap,
    complaints,
    engineer,
    layers,
    lookup,
    open311,
    page,
    quarantine,
    spots,
    system,
)
from heatmap.api.spec import document_policy
from heatmap.api.state import ApiState
from heatmap.errors import MigrationError
from heatmap.settings import ApiSettings, Settings
from heatmap.store import Store

#: The schema version this API needs (0003: API keys and the spot counter; 0008: who
#: changed a complaint).
API_SCHEMA = 8

DESCRIPTION = """\
Teplokarty's HTTP API: spots of network-quality complaints for contact-centre agents,
network engineers, analysts and integrations.

Every endpoint under `/api/v1` needs an API key in the `X-API-Key` header (made by
`heatmap keys create --role agent|engineer|analyst|admin|gateway`); each checks the
key's role. Without a key the answer is 401, with a key of another role 403. Open
without a key: `/livez`, `/healthz`, `/map` and these docs (the SMS close-out's rating
pages, when installed, are authorised by their signed link). Agents never see a full
phone number.
"""


def _check_schema(state: ApiState) -> None:
    version = state.store.schema_version()
    if version < API_SCHEMA:
        raise MigrationError(
            f"{state.stores.url} is at schema {version}; the API needs {API_SCHEMA}: run `heatmap db upgrade`"
        )


def _optional_routers() -> list[APIRouter]:
    """Routers of other parts that live in this package when they are installed (SMS)."""
    found = []
    for name in ("heatmap.api.sms",):
        if importlib.util.find_spec(name) is not None:
            router = getattr(importlib.import_module(name), "router", None)
            if isinstance(router, APIRouter):
                found.append(router)
    return found


def create_app(
    settings: Settings | None = None,
    store: Store | None = None,
    *,
    api: ApiSettings | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The API over ``store`` (else the store of ``settings.store.db`` / ``HEATMAP_DB``).

    ``settings`` default to the ``HEATMAP_*`` environment (read by :mod:`heatmap.wiring`);
    ``api``, when given, replaces their API section; ``clock`` (default: the system clock,
    UTC) is the time transitions are recorded at.
    """
    chosen = settings if settings is not None else wiring.settings()
    if api is not None:
        chosen = chosen.model_copy(update={"api": api})
    state = ApiState(wiring.Services(chosen, store=store, clock=clock))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_check_schema, state)
        await run_in_threadpool(state.refresh_index)
        if state.settings.gazetteer is not None:
            await run_in_threadpool(state.geocoder)
            await run_in_threadpool(state.basemap)  # the map page's first view waits for none
        if state.api.gc_freeze:
            # what is loaded now lives as long as the server: keep it out of the collector's
            # full passes, which otherwise pause every request for tens of milliseconds
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            state.close()

    app = FastAPI(title="Teplokarty API", version="1", description=DESCRIPTION, lifespan=lifespan)
    app.state.api = state
    errors.install(app)
    routers = [
        lookup.router,
        complaints.router,
        quarantine.router,
        spots.router,
        layers.router,
        basemap.router,
        *_optional_routers(),  # they carry their own prefix, as ours do
        system.router,
        page.router,
        engineer.router,
        open311.router,
    ]
    for router in routers:
        app.include_router(router)
    every_route = [route for router in routers for route in router.routes]
    _document_security(app, every_route)
    app.add_middleware(CheckFirst, routes=every_route)
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)  # outermost: counts refusals
    return app


def served_app() -> FastAPI:
    """The app of a ``heatmap serve`` worker (uvicorn's factory): the settings the command
    handed over (:func:`heatmap.wiring.hand_to_workers`)."""
    return create_app(wiring.handed_settings())


def _document_security(app: FastAPI, routes: list[Any]) -> None:
    """The OpenAPI document with the key schemes on every guarded operation."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = plain()
            document_security(schema, routes)
            document_policy(schema, app.state.api.policy)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

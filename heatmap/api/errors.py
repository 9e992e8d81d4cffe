"""Errors as HTTP answers: ``{"detail": …, "message": "one readable line"}``.

The package's errors map to statuses (not found 404, an illegal or conflicting
transition 409, bad usage 422, a store or configuration problem 503); request
validation problems name the parameter or field at fault; malformed JSON is a 400.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.routing import Match

from heatmap.api import open311
from heatmap.errors import (
    ConfigError,
    GeocodeError,
    HeatmapError,
    InputError,
    NotFoundError,
    RuleError,
    StoreError,
    TransitionError,
    UsageError,
)

log = logging.getLogger("heatmap.api")

_STATUS: tuple[tuple[type[HeatmapError], int], ...] = (
    (NotFoundError, 404),
    (TransitionError, 409),  # ConflictError too
    (UsageError, 422),
    (RuleError, 422),
    (InputError, 422),
    (StoreError, 503),
    (ConfigError, 503),
    (GeocodeError, 503),
)


class Refusal(HTTPException):
    """A refusal with a readable ``message`` and a structured ``detail`` (e.g. every reason)."""

    def __init__(
        self, status: int, message: str, detail: Any = None, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(status, message, dict(headers) if headers else None)
        self.message = message
        self.problems = detail


def problem(
    status: int,
    message: str,
    detail: Any = None,
    headers: Mapping[str, str] | None = None,
    request: Request | None = None,
) -> Response:
    if request is not None and (code := open311.error_status(request.url.path, status)) is not None:
        body, kind = open311.error_document(request.url.path, code, message)
        return Response(body, status_code=code, headers={**(headers or {}), "content-type": kind})
    return JSONResponse(
        {"detail": message if detail is None else detail, "message": message},
        status_code=status,
        headers=headers,
    )


def status_of(exc: HeatmapError) -> int:
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def _where(loc: Any) -> str:
    parts = [str(p) for p in loc] if isinstance(loc, (list, tuple)) else []
    if parts[:1] == ["body"] and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "request"


def _clean(error: dict[str, Any]) -> dict[str, Any]:
    out = {
        "loc": list(error.get("loc", ())),
        "msg": str(error.get("msg", "")),
        "type": str(error.get("type", "")),
    }
    if error.get("type") == "extra_forbidden":
        out["msg"] = "unknown field (not part of this request's schema)"
    elif error.get("type") == "missing" and out["loc"] == ["body"]:
        out["msg"] = "a JSON body is required"
    return out


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [dict(e) for e in exc.errors()]
        broken = [e for e in errors if e.get("type") == "json_invalid"]
        if broken:
            why = (broken[0].get("ctx") or {}).get("error", "not valid JSON")
            return problem(400, f"malformed JSON body: {why}")
        cleaned = [_clean(e) for e in errors]
        message = "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in cleaned)
        return problem(422, message, cleaned, request=request)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if isinstance(exc, Refusal):
            return problem(exc.status_code, exc.message, exc.problems, headers=exc.headers, request=request)
        headers = exc.headers
        if exc.status_code == 405:  # every method of the path, not only its first route's
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
        return problem(exc.status_code, str(exc.detail), headers=headers, request=request)

    @app.exception_handler(HeatmapError)
    async def _heatmap(request: Request, exc: HeatmapError) -> Response:
        status = status_of(exc)
        if status >= 500:
            log.warning("%s %s: %s", request.method, request.url.path, exc)
        return problem(status, str(exc), request=request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
        return problem(500, "internal error: the server could not answer (see its log)", request=request)


def allowed_methods(request: Request) -> list[str]:
    """The methods some route of the app answers at the request's path (routers included
    into the app are searched too: ours carry their full paths)."""
    methods: set[str] = set()
    scope = {**request.scope, "method": "GET"}
    routes = list(request.app.router.routes)
    while routes:
        route = routes.pop()
        included = getattr(route, "original_router", None)
        if included is not None:
            routes.extend(included.routes)
            continue
        match, _ = route.matches(scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)

"""Who may call what: an ``X-API-Key`` header and a role check on every endpoint.

Use a guard as a dependency::

    Reader = Annotated[Principal, Depends(RoleGuard(Role.AGENT, Role.ENGINEER))]

``admin`` may call everything. No key (or an unknown, malformed or revoked one)
is a 401; a valid key of a role the endpoint does not allow is a 403. The guard
reads the header itself (a FastAPI security dependency costs ~15 µs per request on
the lookup hot path); :func:`document_security` puts the schemes and each guarded
operation's roles into the OpenAPI document instead.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from heatmap.api.errors import problem
from heatmap.api.keys import Principal, Role
from heatmap.api.models import Problem
from heatmap.api.state import ApiState

HEADER = "X-API-Key"
#: Where the guard leaves the checked principal in the request's ASGI scope.
SCOPE_KEY = "heatmap.principal"
#: Paths whose every route must check a key before anything else.
GUARDED_PREFIXES = ("/api/v1/", "/open311/")
log = logging.getLogger("heatmap.api")
#: The schemes the OpenAPI document declares for every guarded operation.
SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "ApiKey": {
        "type": "apiKey",
        "in": "header",
        "name": HEADER,
        "description": "A key made by `heatmap keys create --role …` (agent, engineer,"
        " analyst, admin or gateway).",
    },
    "Bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "The same key as `Authorization: Bearer <key>`, for clients that cannot"
        f" set {HEADER} (e.g. a Prometheus scraper).",
    },
}
#: Error answers every guarded endpoint may give, for the OpenAPI document.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No API key, or an unknown, malformed or revoked one"},
    403: {"model": Problem, "description": "The key's role may not call this endpoint"},
    429: {
        "model": Problem,
        "description": "Too many failed authentications from this client: wait Retry-After seconds",
        "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    },
}


def client_of(request: Request) -> str:
    """Who is calling, for the failure limit: the peer's address (behind a proxy, run
    uvicorn with ``--proxy-headers`` and ``--forwarded-allow-ips`` so it is the client's)."""
    client = request.client
    return client.host if client is not None else "unknown"


def presented_key(request: Request, *, in_query: bool = False) -> str | None:
    """The key in ``X-API-Key`` or ``Authorization: Bearer``; with ``in_query`` (a gateway
    that cannot send headers, an Open311 client) also ``?key=``, ``?api_key=`` or the
    password of HTTP basic authentication.

    An ``Authorization`` header that cannot be read so is returned as it is: credentials
    given but not understood are refused (401), never ignored.
    """
    key = request.headers.get(HEADER)
    auth = request.headers.get("authorization")
    if auth is not None:
        scheme, _, token = auth.strip().partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token:
            key = key or token
        elif in_query and scheme.lower() == "basic" and token:
            try:
                key = key or base64.b64decode(token, validate=True).decode("utf-8").partition(":")[2]
            except (binascii.Error, UnicodeDecodeError):
                return auth
        else:
            return auth or None
    if in_query and not key:  # ?api_key= is Open311's name for it
        key = request.query_params.get("key") or request.query_params.get("api_key")
    return key or None


class RoleGuard:
    """A dependency that answers the calling :class:`Principal` or refuses the request.

    :func:`check_first` runs it before FastAPI reads the body and leaves the principal in
    the request's scope; the dependency then only hands it over.
    """

    def __init__(self, *roles: Role, in_query: bool = False) -> None:
        self.roles = frozenset({*roles, Role.ADMIN})
        self.in_query = in_query

    def __repr__(self) -> str:
        return f"RoleGuard({', '.join(sorted(self.roles))})"

    async def __call__(self, request: Request) -> Principal:
        checked = request.scope.get(SCOPE_KEY)
        if isinstance(checked, Principal) and checked.role in self.roles:
            return checked
        state: ApiState = request.app.state.api
        key = presented_key(request, in_query=self.in_query)
        found, principal = state.keys.get(key) if key else (False, None)
        if principal is None:
            principal = await self._authenticate(request, state, key, found)
        if principal.role not in self.roles:
            allowed = ", ".join(sorted(self.roles))
            raise HTTPException(
                403, f"a key of role {principal.role} may not call this endpoint (allowed: {allowed})"
            )
        request.scope[SCOPE_KEY] = principal
        return principal

    async def _authenticate(
        self, request: Request, state: ApiState, key: str | None, known_bad: bool
    ) -> Principal:
        """The principal of ``key`` (not a cached valid one), within the failure limit."""
        client = client_of(request)
        now = time.monotonic()
        wait = state.failures.retry_after(client, now)
        if wait is not None:
            state.metrics.auth_failures.labels("throttled").inc()
            raise HTTPException(
                429,
                f"too many failed authentications from {client}: try again in {wait} s",
                headers={"Retry-After": str(wait)},
            )
        principal = None
        if key and not known_bad:
            principal = await run_in_threadpool(state.authenticate, key)
        if principal is not None:
            return principal
        reason = "missing" if not key else "invalid"
        state.metrics.auth_failures.labels(reason).inc()
        if state.failures.failed(client, now):
            log.warning(
                "%s: %d failed authentications within %g s; refused with 429 until the window ends",
                client,
                state.failures.limit,
                state.failures.window_s,
            )
        if not key:
            raise HTTPException(
                401, f"an API key is required in the {HEADER} header", headers={"WWW-Authenticate": "ApiKey"}
            )
        raise HTTPException(
            401,
            "the API key is not valid (unknown, malformed or revoked)",
            headers={"WWW-Authenticate": "ApiKey"},
        )


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def calls_guard(guard: RoleGuard) -> Callable[[Endpoint], Endpoint]:
    """Mark an endpoint that awaits ``guard(request)`` itself instead of depending on it.

    For the hottest path only (a dependency costs ~13 µs a request there): the mark lets
    :func:`guarded` (and so the OpenAPI document and the role tests) see it like any other.
    """

    def mark(endpoint: Endpoint) -> Endpoint:
        endpoint.role_guard = guard  # type: ignore[attr-defined]
        return endpoint

    return mark


def guarded(routes: Iterable[object]) -> dict[tuple[str, str], RoleGuard]:
    """``(METHOD, path) → guard`` of every route that checks a :class:`RoleGuard`."""
    found: dict[tuple[str, str], RoleGuard] = {}
    for route in routes:
        if not isinstance(route, APIRoute):
            continue
        calls = [d.call for d in route.dependant.dependencies]
        guards = [c for c in calls if isinstance(c, RoleGuard)]
        attached = [getattr(c, "role_guard", None) for c in calls]
        guards += [g for g in attached if isinstance(g, RoleGuard)]
        marked = getattr(route.endpoint, "role_guard", None)
        if isinstance(marked, RoleGuard):
            guards.append(marked)
        if len(guards) > 1:
            raise TypeError(f"{route.path} checks roles twice")
        for guard in guards:
            for method in route.methods or ():
                found[(method, route.path)] = guard
    return found


def document_security(schema: dict[str, Any], routes: Iterable[object]) -> None:
    """Declare the key schemes and mark each guarded operation (and its roles) in ``schema``."""
    schema.setdefault("components", {}).setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    for (method, path), guard in guarded(routes).items():
        operation = schema.get("paths", {}).get(path, {}).get(method.lower())
        if operation is None:
            continue
        operation["security"] = [{name: []} for name in SECURITY_SCHEMES]
        roles = ", ".join(sorted(guard.roles))
        operation["description"] = (operation.get("description", "") + f"\n\nRoles: {roles}.").strip()


class CheckFirst:
    """ASGI middleware: every route under :data:`GUARDED_PREFIXES` checks its key before
    FastAPI reads the request (body, query, form). A caller without a valid key of an
    allowed role gets 401/403/429 and nothing of its request is parsed; the principal is
    left in the scope for the route's own guard. A route there without a guard is a
    programming error (``TypeError`` when the app is made)."""

    def __init__(self, app: ASGIApp, routes: Iterable[object]) -> None:
        self.app = app
        routes = list(routes)
        found = guarded(routes)
        for route in routes:
            path = getattr(route, "path", "")
            if (
                isinstance(route, APIRoute)
                and path.startswith(GUARDED_PREFIXES)
                and not any((m, path) in found for m in route.methods or ())
            ):
                raise TypeError(f"{path} is under {', '.join(GUARDED_PREFIXES)} but checks no API key")
        self.exact: dict[tuple[str, str], RoleGuard] = {}
        self.templates: list[tuple[str, re.Pattern[str], str, RoleGuard]] = []
        for (method, path), guard in found.items():
            if not path.startswith(GUARDED_PREFIXES):
                continue
            if "{" in path:
                self.templates.append((method, compile_path(path)[0], path, guard))
            else:
                self.exact[(method, path)] = guard

    def guard_for(self, method: str, path: str) -> tuple[str, RoleGuard] | None:
        """The route template and guard of a request, if a guarded route takes it."""
        guard = self.exact.get((method, path))
        if guard is not None:
            return path, guard
        for known, pattern, template, candidate in self.templates:
            if known == method and pattern.match(path):
                return template, candidate
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(GUARDED_PREFIXES):
            found = self.guard_for(scope["method"], scope["path"])
            if found is not None:
                request = Request(scope, receive)
                try:
                    await found[1](request)
                except HTTPException as exc:
                    scope["heatmap.route"] = found[0]  # the metrics' label
                    answer = problem(exc.status_code, str(exc.detail), headers=exc.headers, request=request)
                    await answer(scope, receive, send)
                    return
        await self.app(scope, receive, send)

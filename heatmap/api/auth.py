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

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute

from heatmap.api.keys import Principal, Role
from heatmap.api.state import ApiState

HEADER = "X-API-Key"
#: The schemes the OpenAPI document declares for every guarded operation.
SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "ApiKey": {
        "type": "apiKey", "in": "header", "name": HEADER,
        "description": "A key made by `heatmap keys create --role …` (agent, engineer,"
                       " analyst, admin or gateway).",
    },
    "Bearer": {
        "type": "http", "scheme": "bearer",
        "description": "The same key as `Authorization: Bearer <key>`, for clients that cannot"
                       f" set {HEADER} (e.g. a Prometheus scraper).",
    },
}
#: Error answers every guarded endpoint may give, for the OpenAPI document.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No API key, or an unknown, malformed or revoked one"},
    403: {"description": "The key's role may not call this endpoint"},
}


class RoleGuard:
    """A dependency that answers the calling :class:`Principal` or refuses the request."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset({*roles, Role.ADMIN})

    def __repr__(self) -> str:
        return f"RoleGuard({', '.join(sorted(self.roles))})"

    async def __call__(self, request: Request) -> Principal:
        key = request.headers.get(HEADER)
        if not key:  # Prometheus and the like send ``Authorization: Bearer <key>``
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            key = token.strip() if scheme.lower() == "bearer" else None
        if not key:
            raise HTTPException(401, f"an API key is required in the {HEADER} header",
                                headers={"WWW-Authenticate": "ApiKey"})
        state: ApiState = request.app.state.api
        found, principal = state.keys.get(key)
        if not found:
            principal = await run_in_threadpool(state.authenticate, key)
        if principal is None:
            raise HTTPException(401, "the API key is not valid (unknown, malformed or revoked)",
                                headers={"WWW-Authenticate": "ApiKey"})
        if principal.role not in self.roles:
            allowed = ", ".join(sorted(self.roles))
            raise HTTPException(403, f"a key of role {principal.role} may not call this"
                                     f" endpoint (allowed: {allowed})")
        return principal


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
        guards = [d.call for d in route.dependant.dependencies if isinstance(d.call, RoleGuard)]
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
        operation["description"] = (operation.get("description", "")
                                    + f"\n\nRoles: {roles}.").strip()

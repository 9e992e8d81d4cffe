"""SMS gateway callbacks and the rating page.

``router`` carries its own paths (include it without a prefix):

* ``POST /api/v1/sms/inbound`` — a client's SMS reply, as Kannel's ``sms-service`` sends
  it (``post-url``: the text as the body, the number in ``X-Kannel-From``; or ``from``
  and ``text`` as query or form fields). Role ``gateway``. The answer's body is a short
  reply the gateway may send back to the client.
* ``GET|POST /api/v1/sms/dlr?id=…&status=%d&at=%T`` — Kannel's delivery report for one
  message (the job puts this URL in every ``sendsms`` call). Role ``gateway``.
* ``GET /r/{token}`` — the rating page a signed link opens; ``POST /r/{token}`` takes
  the answer (1–5, or 0 when the problem persists, and a comment). No key: the signed,
  expiring, single-use token is the credential.

Kannel cannot send headers, so the gateway's API key may come as ``?key=`` as well as
in ``X-API-Key`` (or as the password of HTTP basic authentication).

**Hooks.** Handlers get the store, policy and clock through :func:`sms_store`,
:func:`sms_policy`, :func:`sms_clock` and the caller through :func:`require_gateway`.
Under :func:`heatmap.api.app.create_app` they use the app's ``app.state.api``
(its per-thread store, policy, clock and API keys, role ``gateway`` or ``admin``);
on a bare app they open ``HEATMAP_DB`` per request and compare the key with
``HEATMAP_SMS_GATEWAY_KEY``. Either can be replaced with ``app.dependency_overrides``.
:func:`sms_store` gives a *scope* (``with scope() as store:``) entered in the worker
thread that uses the store, since a SQLite connection serves only its own thread.
"""

from __future__ import annotations

import codecs
import contextlib
import hmac
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse
from starlette.responses import Response

from heatmap import wiring
from heatmap.api import rating_page as pages
from heatmap.api.auth import RoleGuard, calls_guard, presented_key
from heatmap.api.keys import Role
from heatmap.api.sms_docs import FORM_BODY, GATEWAY_ERRORS, PAGE_ANSWERS, TEXT_BODY, html_answer, json_error
from heatmap.closeout.links import LinkError, RatingLinks, link_key
from heatmap.closeout.templates import SmsTemplates, load_sms_templates
from heatmap.core.policy import Policy
from heatmap.errors import InputError, NotFoundError
from heatmap.service.replies import (
    Answer,
    handle_reply,
    link_message,
    rate_by_link,
    record_delivery,
)
from heatmap.store import Store

log = logging.getLogger("heatmap.api")

__all__ = ["StoreScope", "require_gateway", "router", "sms_clock", "sms_policy", "sms_store"]


# --- hooks ------------------------------------------------------------------------------------
def _state(request: Request) -> Any:
    return getattr(request.app.state, "api", None)


StoreScope = Callable[[], AbstractContextManager[Store]]


def sms_store(request: Request) -> StoreScope:
    """A scope giving the app's store for the calling thread, or ``HEATMAP_DB`` opened in it."""
    state = _state(request)
    if state is not None:
        return lambda: contextlib.nullcontext(state.store)
    opener = wiring.services().open_store

    @contextlib.contextmanager
    def opened() -> Iterator[Store]:
        store = opener()
        try:
            yield store
        finally:
            store.close()

    return opened


def sms_policy(request: Request) -> Policy:
    state = _state(request)
    return state.policy if state is not None else wiring.services().policy


def sms_clock(request: Request) -> datetime:
    state = _state(request)
    moment: datetime = state.clock() if state is not None else datetime.now(UTC)
    return moment


#: The API app's check of the gateway's key (``?key=`` and basic authentication too).
GATEWAY_GUARD = RoleGuard(Role.GATEWAY, in_query=True)


@calls_guard(GATEWAY_GUARD)
async def require_gateway(request: Request) -> None:
    """Refuse callers without a key of role ``gateway`` (or ``admin``): 401, or 403."""
    state = _state(request)
    if state is not None and hasattr(state, "authenticate"):
        await GATEWAY_GUARD(request)  # under create_app it ran before the body was read
        return
    key = presented_key(request, in_query=True)
    if not key:
        raise HTTPException(
            401,
            "an API key of role gateway is required (X-API-Key or ?key=)",
            headers={"WWW-Authenticate": "ApiKey"},
        )
    expected = wiring.sms_gateway_key(request.app)
    if not expected or not hmac.compare_digest(key.encode(), expected.encode()):
        raise HTTPException(401, "the API key is not valid", headers={"WWW-Authenticate": "ApiKey"})


StoreDep = Annotated[StoreScope, Depends(sms_store)]
PolicyDep = Annotated[Policy, Depends(sms_policy)]
ClockDep = Annotated[datetime, Depends(sms_clock)]

router = APIRouter(tags=["SMS close-out"])
gateway_only = [Depends(require_gateway)]


@lru_cache(maxsize=4)
def _templates(path: Path | None, public_url: str | None) -> SmsTemplates:
    return load_sms_templates(path, public_url=public_url)


def _sms_templates(request: Request) -> SmsTemplates:
    """The SMS templates of the app's settings: under :func:`~heatmap.api.app.create_app`
    those its services built once; on a bare app those of the environment's settings."""
    services = getattr(_state(request), "services", None)
    if isinstance(services, wiring.Services):
        return services.sms_templates
    closeout = wiring.settings_of(request.app).closeout
    return _templates(closeout.sms_templates, closeout.public_url)


# --- gateway callbacks ------------------------------------------------------------------------
_MAX_TEXT = 1600  # ten concatenated parts and then some: longer is not an SMS
KeyQuery = Annotated[
    str | None, Query(description="The gateway's API key (Kannel sends no headers); X-API-Key works as well")
]


async def _inbound_fields(
    request: Request, sender: str | None, text: str | None
) -> tuple[str | None, str | None]:
    for name in ("from", "text"):
        if len(request.query_params.getlist(name)) > 1:
            raise InputError(f"{name} is given more than once")
    sender = sender or request.headers.get("x-kannel-from")
    body = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        form = parse_qs(body.decode("utf-8", errors="replace"))
        sender = sender or _first(form, "from")
        text = text if text is not None else _first(form, "text")
    elif text is None and body:
        text = body.decode(_charset(request), errors="replace")
    if text is not None and len(text) > _MAX_TEXT:
        raise InputError(f"text is longer than {_MAX_TEXT} characters")
    # no database text type holds U+0000: a number loses it, a text shows where it was
    return (
        None if sender is None else sender.replace("\x00", ""),
        None if text is None else text.replace("\x00", "\ufffd"),
    )


def _first(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


def _charset(request: Request) -> str:
    """The body's charset: from Content-Type, else by Kannel's coding (2 = UCS-2), else UTF-8."""
    for part in request.headers.get("content-type", "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            try:
                return codecs.lookup(value.strip('"')).name
            except LookupError:
                break
    return "utf-16-be" if request.headers.get("x-kannel-coding") == "2" else "utf-8"


@router.post(
    "/api/v1/sms/inbound",
    dependencies=gateway_only,
    response_class=PlainTextResponse,
    summary="A client's SMS reply (Kannel post-url)",
    openapi_extra=TEXT_BODY,
    responses={
        200: {
            "description": "A short reply the gateway may send back (empty,"
            " with X-Teplokarty-Reply: no_sender, when the"
            " message names no sender)",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **GATEWAY_ERRORS,
    },
)
async def inbound(
    request: Request,
    store: StoreDep,
    policy: PolicyDep,
    now: ClockDep,
    sender: Annotated[
        str | None, Query(alias="from", max_length=32, description="The client's number (or X-Kannel-From)")
    ] = None,
    text: Annotated[
        str | None, Query(max_length=_MAX_TEXT, description="The reply (or the request body)")
    ] = None,
    key: KeyQuery = None,
) -> PlainTextResponse:
    sender, text = await _inbound_fields(request, sender, text)
    if not sender:  # nobody to answer or to match: kept out, said so, nothing sent back
        log.warning("an inbound SMS without a sender's number was ignored")
        return PlainTextResponse("", headers={"X-Teplokarty-Reply": "no_sender"})
    days = wiring.settings_of(request.app).closeout.sms_reply_days
    templates = _sms_templates(request)

    def work() -> Answer:
        with store() as opened:
            return handle_reply(
                opened,
                msisdn=sender[:32],
                text=text,
                now=now,
                policy=policy,
                templates=templates,
                reply_days=days,
            )

    answer = await run_in_threadpool(work)
    return PlainTextResponse(answer.message, headers={"X-Teplokarty-Reply": answer.kind})


_DLR_ROUTE: dict[str, Any] = {
    "dependencies": gateway_only,
    "response_class": PlainTextResponse,
    "summary": "A delivery report (Kannel dlr-url)",
    "responses": {
        200: {
            "description": "The message's new status, or 'unchanged'",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        404: json_error("No such message in the outbox"),
        **GATEWAY_ERRORS,
    },
}


@router.get("/api/v1/sms/dlr", operation_id="sms_delivery_report", **_DLR_ROUTE)
@router.post("/api/v1/sms/dlr", operation_id="sms_delivery_report_post", **_DLR_ROUTE)
async def delivery_report(
    store: StoreDep,
    now: ClockDep,
    outbox_id: Annotated[int, Query(alias="id", ge=1, lt=2**48, description="The outbox message")],
    status: Annotated[
        int,
        Query(
            ge=0,
            le=255,
            description="Kannel's %d: 1 delivered, 2 not "
            "delivered, 4 buffered, 8 SMSC accepted, 16 SMSC rejected",
        ),
    ],
    at: Annotated[str | None, Query(max_length=32, description="Kannel's %T (Unix time)")] = None,
    attempt: Annotated[int | None, Query(ge=0, le=1000)] = None,
    answer: Annotated[str | None, Query(max_length=500, description="Kannel's %A")] = None,
    key: KeyQuery = None,
) -> PlainTextResponse:
    when = now
    if at and at.isdigit():
        with contextlib.suppress(OverflowError, ValueError, OSError):
            when = datetime.fromtimestamp(int(at), UTC)

    def work() -> str | None:
        with store() as opened:
            return record_delivery(opened, outbox_id, status, at=when, text=answer)

    try:
        moved = await run_in_threadpool(work)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    return PlainTextResponse(moved or "unchanged")


# --- the rating page (templates/rating.html) ---------------------------------------------------
def _links(store: Store) -> RatingLinks:
    return RatingLinks(link_key(store.secret()))


def _on_page(scope: StoreScope, token: str, now: datetime) -> pd.Series:
    with scope() as store:
        return link_message(store, _links(store), token, now=now)


@router.get(
    "/r/{token}", response_class=HTMLResponse, summary="The rating page of a link", responses=PAGE_ANSWERS
)
async def rating_page(token: str, request: Request, store: StoreDep, now: ClockDep) -> Response:
    try:
        row = await run_in_threadpool(_on_page, store, token, now)
    except LinkError as exc:
        return pages.link_error(request, exc)
    return pages.question(request, token, str(row["address"] or ""))


@router.post(
    "/r/{token}",
    response_class=HTMLResponse,
    summary="Answer of the rating page",
    openapi_extra=FORM_BODY,
    responses={**PAGE_ANSWERS, 400: html_answer("No rating was chosen")},
)
async def rate(token: str, request: Request, store: StoreDep, policy: PolicyDep, now: ClockDep) -> Response:
    form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    answer = _first(form, "rating") or ""
    comment = _first(form, "comment")

    def work() -> Answer:
        with store() as opened:
            return rate_by_link(
                opened, _links(opened), token, answer=answer, comment=comment, now=now, policy=policy
            )

    try:
        result = await run_in_threadpool(work)
    except LinkError as exc:
        return pages.no_choice(request) if exc.reason == "choice" else pages.link_error(request, exc)
    return pages.thanks(request, persists=result.kind == "persists")

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
import html
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

from heatmap import wiring
from heatmap.api.auth import RoleGuard, calls_guard, presented_key
from heatmap.api.keys import Role
from heatmap.closeout.links import LinkError, RatingLinks, link_key
from heatmap.closeout.replies import (
    Answer,
    handle_reply,
    link_message,
    rate_by_link,
    record_delivery,
)
from heatmap.closeout.templates import SmsTemplates, load_sms_templates
from heatmap.core.policy import Policy
from heatmap.errors import NotFoundError
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
def _templates(path: str | None, public_url: str | None) -> SmsTemplates:
    return load_sms_templates(Path(path) if path else None, public_url=public_url)


def _sms_templates() -> SmsTemplates:
    settings = wiring.settings().closeout
    return _templates(str(settings.sms_templates) if settings.sms_templates else None, settings.public_url)


# --- gateway callbacks ------------------------------------------------------------------------
def _json_error(description: str) -> dict[str, object]:
    return {"description": description, "content": {"application/json": {"schema": {"type": "object"}}}}


def _html(description: str) -> dict[str, object]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


_GATEWAY_ERRORS: dict[int | str, dict[str, object]] = {
    401: _json_error("No API key, or an unknown, malformed or revoked one"),
    403: _json_error("The key's role is not gateway or admin"),
    429: {
        **_json_error("Too many failed authentications from this client"),
        "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    },
    422: _json_error("A required field is missing or malformed"),
}
_TEXT_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "text/plain": {"schema": {"type": "string", "maxLength": 1600}},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {"from": {"type": "string"}, "text": {"type": "string"}},
                }
            },
        },
    }
}

KeyQuery = Annotated[
    str | None, Query(description="The gateway's API key (Kannel sends no headers); X-API-Key works as well")
]


async def _inbound_fields(
    request: Request, sender: str | None, text: str | None
) -> tuple[str | None, str | None]:
    sender = sender or request.headers.get("x-kannel-from")
    body = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        form = parse_qs(body.decode("utf-8", errors="replace"))
        sender = sender or _first(form, "from")
        text = text if text is not None else _first(form, "text")
    elif text is None and body:
        text = body.decode(_charset(request), errors="replace")
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
    openapi_extra=_TEXT_BODY,
    responses={
        200: {
            "description": "A short reply the gateway may send back (empty,"
            " with X-Teplokarty-Reply: no_sender, when the"
            " message names no sender)",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **_GATEWAY_ERRORS,
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
    text: Annotated[str | None, Query(max_length=1600, description="The reply (or the request body)")] = None,
    key: KeyQuery = None,
) -> PlainTextResponse:
    sender, text = await _inbound_fields(request, sender, text)
    if not sender:  # nobody to answer or to match: kept out, said so, nothing sent back
        log.warning("an inbound SMS without a sender's number was ignored")
        return PlainTextResponse("", headers={"X-Teplokarty-Reply": "no_sender"})
    days = wiring.settings_of(request.app).closeout.sms_reply_days
    templates = _sms_templates()

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
        404: _json_error("No such message in the outbox"),
        **_GATEWAY_ERRORS,
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


# --- the rating page --------------------------------------------------------------------------
_PAGE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;
color:#1d2430;line-height:1.45}}
fieldset{{border:0;padding:0;margin:1rem 0}} label{{display:block;margin:.4rem 0}}
textarea{{width:100%;min-height:6rem}} button{{font-size:1.05rem;padding:.5rem 1.4rem}}
.muted{{color:#5b6472}}
</style></head><body>
<h1>{title}</h1>
{body}
</body></html>
"""
_CHOICES = [
    ("5", "5 — отлично"),
    ("4", "4 — хорошо"),
    ("3", "3 — удовлетворительно"),
    ("2", "2 — плохо"),
    ("1", "1 — очень плохо"),
    ("0", "Проблема не решена"),
]


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=html.escape(title), body=body), status_code=status)


def _link_error(exc: LinkError) -> HTMLResponse:
    status = 410 if exc.reason in ("expired", "used") else 404
    text = {410: "Ссылка уже использована или срок её действия истёк.", 404: "Ссылка недействительна."}[
        status
    ]
    return _page("Оценка связи", f"<p>{html.escape(text)}</p>", status)


def _links(store: Store) -> RatingLinks:
    return RatingLinks(link_key(store.secret()))


def _on_page(scope: StoreScope, token: str, now: datetime) -> pd.Series:
    with scope() as store:
        return link_message(store, _links(store), token, now=now)


_PAGE_ANSWERS: dict[int | str, dict[str, object]] = {
    200: _html("The page"),
    404: _html("The link is not valid"),
    410: _html("The link has expired or was used"),
}
_FORM_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["rating"],
                    "properties": {
                        "rating": {"type": "string", "enum": ["0", "1", "2", "3", "4", "5"]},
                        "comment": {"type": "string", "maxLength": 500},
                    },
                }
            }
        },
    }
}


@router.get(
    "/r/{token}", response_class=HTMLResponse, summary="The rating page of a link", responses=_PAGE_ANSWERS
)
async def rating_page(token: str, store: StoreDep, now: ClockDep) -> HTMLResponse:
    try:
        row = await run_in_threadpool(_on_page, store, token, now)
    except LinkError as exc:
        return _link_error(exc)
    address = html.escape(str(row["address"] or ""))
    choices = "\n".join(
        f'<label><input type="radio" name="rating" value="{v}" required> {html.escape(t)}</label>'
        for v, t in _CHOICES
    )
    body = (
        f"<p>Мы провели работы{' по адресу ' + address if address else ''}."
        " Как теперь работает связь?</p>"
        f'<form method="post" action="/r/{html.escape(token)}"><fieldset>{choices}</fieldset>'
        '<label for="comment">Комментарий (необязательно)</label>'
        '<textarea id="comment" name="comment" maxlength="500"></textarea>'
        '<p><button type="submit">Отправить</button></p></form>'
        '<p class="muted">Телефоны, адреса почты и другие личные данные в комментарии'
        " будут скрыты.</p>"
    )
    return _page("Оценка связи", body)


@router.post(
    "/r/{token}",
    response_class=HTMLResponse,
    summary="Answer of the rating page",
    openapi_extra=_FORM_BODY,
    responses={**_PAGE_ANSWERS, 400: _html("No rating was chosen")},
)
async def rate(
    token: str, request: Request, store: StoreDep, policy: PolicyDep, now: ClockDep
) -> HTMLResponse:
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
        if exc.reason == "choice":
            return _page("Оценка связи", "<p>Выберите оценку от 1 до 5 или «Проблема не решена».</p>", 400)
        return _link_error(exc)
    thanks = (
        "Спасибо! Мы передали инженерам, что проблема осталась."
        if result.kind == "persists"
        else "Спасибо за оценку!"
    )
    return _page("Оценка связи", f"<p>{html.escape(thanks)}</p>")

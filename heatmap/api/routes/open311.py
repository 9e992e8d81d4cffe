"""Open311 GeoReport v2 under ``/open311/v2``: topics as services, complaints as requests.

Every call needs a key, as the rest of the API: ``X-API-Key``, ``Authorization: Bearer``,
HTTP basic authentication (the key as the password: ``https://x:KEY@host/open311/v2``,
which any Open311 client can be given) or ``?api_key=``. The key is checked before the
request is read, so a key only in a POST's form body is not seen (401): put it in the
query string, as ``…/requests.json?api_key=KEY``. Posting takes agent and engineer keys;
reading also analyst keys, which see descriptions with personal data masked.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from heatmap.api import open311, patterns
from heatmap.api.auth import AUTH_RESPONSES, RoleGuard
from heatmap.api.errors import Refusal
from heatmap.api.keys import Principal, Role
from heatmap.api.models import ComplaintIn
from heatmap.api.routes.complaints import register
from heatmap.api.routes.quarantine import Lang
from heatmap.api.state import ApiState, State
from heatmap.core.pii import for_role
from heatmap.core.script import spot_script
from heatmap.domain import TOPICS, Topic

router = APIRouter(prefix="/open311/v2", tags=["open311"])
Reader = Annotated[Principal, Depends(RoleGuard(Role.AGENT, Role.ENGINEER, Role.ANALYST, in_query=True))]
Writer = Annotated[Principal, Depends(RoleGuard(Role.AGENT, Role.ENGINEER, in_query=True))]
Format = Literal["json", "xml"]
_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
_ERRORS: dict[str, dict[str, Any]] = {"application/json": {}, "text/xml": {}}
_DOCUMENTED: dict[int | str, dict[str, Any]] = {
    **{
        status: {"description": f"Open311 errors document: {spec['description']}", "content": _ERRORS}
        for status, spec in AUTH_RESPONSES.items()
        if isinstance(status, int)
    },
    200: {"description": "The Open311 document", "content": {"application/json": {}, "text/xml": {}}},
    400: {
        "description": "Open311 errors document: a request that cannot be taken (a format other than"
        " json or xml, a malformed date, a complaint the contract refuses)",
        "content": _ERRORS,
    },
    404: {"description": "Open311 errors document", "content": _ERRORS},
}
_POSTED = {
    **_DOCUMENTED,
    201: {"description": "Stored: the new request's id", "content": {"application/json": {}, "text/xml": {}}},
    200: {
        "description": "Posted before by this key: its id, nothing changed",
        "content": {"application/json": {}, "text/xml": {}},
    },
}


class RequestForm(BaseModel):
    """The fields of a posted request that are kept (the others of the specification are
    read and dropped: names and e-mail are not stored). A place is lat and long, or an
    address with some text."""

    model_config = ConfigDict(
        extra="forbid",
        regex_engine="python-re",
        json_schema_extra=lambda schema: schema.update(
            anyOf=[
                {"required": ["lat", "long"]},
                {
                    "required": ["address_string"],
                    "properties": {"address_string": {"pattern": patterns.NON_BLANK}},
                    "not": {"anyOf": [{"required": ["lat"]}, {"required": ["long"]}]},
                },
            ]
        ),
    )

    service_code: Topic
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    long: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    address_string: str | None = Field(None, max_length=500, pattern=patterns.TEXT)
    description: str | None = Field(None, max_length=4000, pattern=patterns.TEXT)
    phone: str | None = Field(None, max_length=64, pattern=patterns.MSISDN)
    api_key: str | None = Field(None, max_length=200, pattern=patterns.TEXT)
    jurisdiction_id: str | None = Field(None, max_length=200, pattern=patterns.TEXT)
    email: str | None = Field(None, max_length=200, pattern=patterns.TEXT)
    first_name: str | None = Field(None, max_length=200, pattern=patterns.TEXT)
    last_name: str | None = Field(None, max_length=200, pattern=patterns.TEXT)
    device_id: str | None = Field(None, max_length=200, pattern=patterns.TEXT)
    account_id: str | None = Field(None, max_length=200, pattern=patterns.TEXT)
    media_url: str | None = Field(None, max_length=2000, pattern=patterns.TEXT)


def _form_schema() -> dict[str, Any]:
    """The form's JSON schema: the enum inlined (no ``$defs`` in a request body), and no
    ``null`` (a form cannot send one)."""
    schema = RequestForm.model_json_schema()
    defs = schema.pop("$defs", {})
    for spec in schema["properties"].values():
        ref = spec.pop("$ref", None)
        if ref:
            spec.update(defs[ref.rsplit("/", 1)[1]])
        # a form has no null: an optional field is one left out
        kinds = [k for k in spec.pop("anyOf", []) if k.get("type") != "null"]
        if kinds:
            spec.update(kinds[0])
        spec.pop("default", None)
    return schema


_FORM_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": _form_schema()}},
    }
}


def _answer(fmt: str, root: str, item: str | None, rows: list[dict[str, Any]], status: int = 200) -> Response:
    """The document in ``fmt``: a list of ``item`` elements, or with ``item`` None the one
    row as an object (a service definition)."""
    if fmt == "xml":
        body = open311.to_xml(root, item, rows)
    else:
        body = json.dumps(rows if item is not None else rows[0], ensure_ascii=False).encode("utf-8")
    return Response(body, status_code=status, headers={"content-type": _TYPES[fmt]})


def _error(fmt: str, code: int, description: str) -> Response:
    return _answer(fmt, "errors", "error", open311.errors(code, description), status=code)


@router.get(
    "/services.{fmt}",
    summary="Open311: services (complaint topics)",
    responses=_DOCUMENTED,
    response_class=Response,
)
def services(fmt: Format, who: Reader) -> Response:
    """Every complaint topic as an Open311 service."""
    return _answer(fmt, "services", "service", open311.services())


@router.get(
    "/services/{code}.{fmt}",
    summary="Open311: one service's definition",
    responses=_DOCUMENTED,
    response_class=Response,
)
def service(code: str, fmt: Format, who: Reader) -> Response:
    """A service's definition (no attributes beyond the standard fields)."""
    if code not in TOPICS:
        return _error(fmt, 404, f"no service {code!r}")
    return _answer(fmt, "service_definition", None, [open311.service_definition(code)])


@router.post(
    "/requests.{fmt}",
    summary="Open311: post a service request (a complaint)",
    responses=_POSTED,
    response_class=Response,
    status_code=201,
    openapi_extra=_FORM_BODY,
)
async def post_request(fmt: Format, who: Writer, state: State, request: Request, lang: Lang) -> Response:
    """A form-encoded Open311 request becomes a complaint: ``service_code`` its topic,
    ``lat``/``long`` or ``address_string`` its place, ``description``, ``phone`` (for the
    close-out SMS). Names and e-mail are not kept. The same key posting the same fields
    again gets the same ``service_request_id`` and changes nothing. A request the contract
    refuses is an errors document (400) with every reason, in Russian for ``?lang=ru`` or
    ``Accept-Language: ru``."""
    fields = dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
    try:
        form = RequestForm.model_validate({k: v for k, v in fields.items() if v != ""})
        body = ComplaintIn.model_validate(_complaint(form, who, state.clock(), fields))
    except ValidationError as exc:
        return _error(fmt, 400, _problem_text(exc))
    try:
        answer = register(state, who, body, lang)
    except Refusal as refused:
        return _error(fmt, 400, refused.message)
    notice = (
        "Обращение присоединено к известной проблеме сети" if answer.spot is not None else "Обращение принято"
    )
    return _answer(
        fmt,
        "service_requests",
        "request",
        [{"service_request_id": answer.ticket_id, "service_notice": notice, "account_id": None}],
        status=201 if answer.result == "inserted" else 200,
    )


@router.get(
    "/requests.{fmt}", summary="Open311: service requests", responses=_DOCUMENTED, response_class=Response
)
def get_requests(
    fmt: Format,
    who: Reader,
    state: State,
    service_request_id: Annotated[str | None, Query(max_length=20_000)] = None,
    service_code: Annotated[str | None, Query(max_length=2_000)] = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Requests by id (comma-separated), else by time (the last 90 days by default), topic
    and status (``open``, ``closed``); at most 1,000, newest first."""
    if service_request_id:
        ids = [i.strip() for i in service_request_id.split(",") if i.strip()]
        complaints = state.store.load_complaints(ticket_ids=ids)
    else:
        end = _aware(end_date) or state.clock()
        start = _aware(start_date) or end - timedelta(days=90)
        complaints = state.store.load_complaints(since=start)
        complaints = complaints[complaints["created_at"] <= pd.Timestamp(end)]
    wanted = None
    if not service_request_id:
        if service_code:
            codes = {c.strip() for c in service_code.split(",")}
            complaints = complaints[complaints["topic"].fillna("other").isin(codes)]
        if status:
            wanted = {s.strip() for s in status.split(",")}
    rows = _requests(state, who, complaints, wanted)
    return _answer(fmt, "service_requests", "request", rows)


@router.get(
    "/requests/{request_id}.{fmt}",
    summary="Open311: one service request",
    responses=_DOCUMENTED,
    response_class=Response,
)
def get_request(request_id: str, fmt: Format, who: Reader, state: State) -> Response:
    """One request, as a list of one (as the specification has it)."""
    rows = _requests(state, who, state.store.load_complaints(ticket_ids=[request_id]))
    if not rows:
        return _error(fmt, 404, f"no service request {request_id!r}")
    return _answer(fmt, "service_requests", "request", rows)


def _complaint(form: RequestForm, who: Principal, now: datetime, fields: dict[str, str]) -> dict[str, Any]:
    optional = {
        "lat": form.lat,
        "lon": form.long,
        "address": form.address_string,
        "msisdn": form.phone,
        "description": form.description,
    }
    return {
        "ticket_id": open311.request_id(who.key_id, fields),
        "segment": "mass",
        "created_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "topic": form.service_code.value,
        "channel": "app",
        **{k: v for k, v in optional.items() if v is not None},
    }


def _problem_text(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'request'}: {e['msg']}" for e in exc.errors())


def _requests(
    state: ApiState, who: Principal, complaints: pd.DataFrame, statuses: set[str] | None = None
) -> list[dict[str, Any]]:
    """The newest :data:`open311.MOST_REQUESTS` complaints (of ``statuses``) as requests."""
    spot_ids = sorted({s for s in complaints["spot_id"] if isinstance(s, str)})
    spots = state.store.load_spots(ids=spot_ids).set_index("id") if spot_ids else None
    rows: list[dict[str, Any]] = []
    for complaint in complaints.sort_values("created_at", ascending=False).to_dict("records"):
        if len(rows) == open311.MOST_REQUESTS:
            break
        spot = (
            spots.loc[complaint["spot_id"]].to_dict()
            if spots is not None and complaint["spot_id"] in spots.index
            else None
        )
        notes = spot_script(spot, state.templates, now=state.clock()) if spot else None
        queue = state.policy.queues.get(str(spot.get("queue"))) if spot else None
        text = complaint.get("description")
        rows.append(
            open311.service_request(
                complaint,
                spot,
                notes=notes,
                description=for_role(text if isinstance(text, str) else None, who.role),
                queue_title=queue.title if queue is not None else None,
            )
        )
        if statuses is not None and rows[-1]["status"] not in statuses:
            rows.pop()
    return rows


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

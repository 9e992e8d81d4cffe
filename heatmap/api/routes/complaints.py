"""``POST /complaints``: an agent registers a caller's complaint; it joins a spot at once."""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, Response

from heatmap.api.auth import AUTH_RESPONSES, RoleGuard
from heatmap.api.errors import Refusal
from heatmap.api.keys import Principal, Role
from heatmap.api.models import ComplaintAnswer, ComplaintIn, Point, Problem, SpotCard
from heatmap.api.routes import PREFIX
from heatmap.api.routes.quarantine import Lang
from heatmap.api.state import ApiState, State
from heatmap.core.ingest import validate_export
from heatmap.core.msisdn import mask_msisdn
from heatmap.errors import ConflictError
from heatmap.io.exports import RawExport
from heatmap.io.reasons import Language, message, parse_reasons, render
from heatmap.service.workflow import join_complaints
from heatmap.store.base import IngestWrite

router = APIRouter(prefix=PREFIX, tags=["complaints"])
Writer = Annotated[Principal, Depends(RoleGuard(Role.AGENT, Role.ENGINEER))]

_FIELDS = tuple(ComplaintIn.model_fields)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _field_of(reason: str) -> str | None:
    """The field a contract reason is about ("unknown segment" → segment)."""
    words = reason.replace("/", " ").replace(",", " ").split()
    for word in words:
        if word in _FIELDS:
            return word
    return None


def _reasons(reasons: str, lang: Language) -> list[dict[str, Any]]:
    """Each reason with the field it is about, its code and its text in ``lang``."""
    out = []
    for reason in parse_reasons(reasons):
        field = reason.params.get("field") or _field_of(reason.english)
        out.append(
            {
                "loc": ["body", field] if field else ["body"],
                "msg": reason.text(lang),
                "type": "contract",
                "code": reason.code,
            }
        )
    return out


def _join(state: ApiState, ticket_id: str, at: pd.Timestamp) -> None:
    """Join the located complaint to the open spot covering it or in reach (policy.join)."""
    store = state.store
    for attempt in range(2):
        complaint = store.load_complaints(ticket_ids=[ticket_id])
        row = complaint.iloc[0]
        if pd.notna(row["spot_id"]) or pd.isna(row["lat"]):
            return
        state.refresh_index()
        near = state.index.candidates(float(row["lat"]), float(row["lon"]), state.policy.join.reach_m)
        if not near:
            return
        try:
            join_complaints(
                store,
                complaint,
                now=at.to_pydatetime(),
                policy=state.policy,
                reach_m=state.policy.join.reach_m,
                only=near,
            )
            state.refresh_index()
            return
        except ConflictError:
            if attempt:  # the next detection run will place it
                return


def _geocode(state: ApiState, ticket_id: str, address: str) -> None:
    geocoder = state.geocoder()
    if geocoder is None:
        return  # waits for `heatmap geocode`, as after a file ingest without a gazetteer
    row = geocoder.geocode([address], city=state.settings.city).iloc[0]
    state.store.save_geocodes(
        pd.DataFrame(
            {
                "ticket_id": [ticket_id],
                "lat": [row["lat"]],
                "lon": [row["lon"]],
                "precision": [row["precision"]],
                "geo_score": [row["score"]],
                "matched_address": [row["matched"]],
                "geo_reason": [row["reason"]],
            }
        )
    )


@router.post(
    "/complaints",
    response_model=ComplaintAnswer,
    status_code=201,
    summary="Register a complaint",
    responses={
        **AUTH_RESPONSES,
        200: {
            "model": ComplaintAnswer,
            "description": "The ticket was known: unchanged, or updated by an admin key",
        },
        400: {"model": Problem, "description": "Malformed JSON"},
        409: {
            "model": Problem,
            "description": "The ticket is stored with other content:"
            " only the CRM import or an admin key"
            " may change it",
        },
        422: {"model": Problem, "description": "Not a valid complaint: every reason"},
    },
)
def post_complaint(
    state: State, who: Writer, body: ComplaintIn, response: Response, lang: Lang
) -> ComplaintAnswer:
    """Validated exactly like a row of ``heatmap ingest`` (422 with every reason), stored,
    geocoded with the configured gazetteer, and joined to the open spot covering it.

    A new ticket is created (201). Posting a stored ticket again with the same content
    changes nothing (200, ``unchanged``: retries are safe). Changing a stored ticket —
    its number, subscriber, text or any other field — is for the CRM import and admin
    keys: for an agent's or engineer's key it is a 409 and nothing is written. Every
    complaint created or changed here is recorded in ``complaint_changes`` with the key's
    name. Reasons are in English, or in Russian for ``?lang=ru`` or ``Accept-Language: ru``.
    """
    answer = register(state, who, body, lang)
    response.status_code = 201 if answer.result == "inserted" else 200
    return answer


def register(state: ApiState, who: Principal, body: ComplaintIn, lang: Language = "en") -> ComplaintAnswer:
    """Validate, store, geocode and join one complaint (``POST /complaints``, Open311)."""
    store = state.store
    values = body.model_dump(exclude_none=True)
    raw = RawExport(
        source=f"api:{who.key_id}",
        rows=pd.DataFrame(
            [{k: _text(v) for k, v in values.items()}], columns=list(_FIELDS), dtype=object
        ).fillna(""),
        line=np.array([1], dtype=np.int64),
    )
    checked = validate_export(raw, key=store.secret())
    if len(checked.quarantine):
        reasons = str(checked.quarantine["reasons"].iloc[0])
        state.metrics.complaints.labels("invalid").inc()
        lead = message("invalid_complaint", lang)
        raise Refusal(422, f"{lead}: {render(reasons, lang)}", _reasons(reasons, lang))
    at = pd.Timestamp(state.clock())
    try:
        counts = store.apply_ingest(
            IngestWrite(
                source=raw.source,
                at=at.to_pydatetime(),
                read=1,
                complaints=checked.complaints,
                quarantine=checked.quarantine,
                actor=who.actor,
                may_update=who.role == Role.ADMIN,
            )
        )
    except ConflictError:
        state.metrics.complaints.labels("conflict").inc()
        raise
    result = next(k for k in ("inserted", "updated", "unchanged") if counts[k])
    ticket_id = str(checked.complaints["ticket_id"].iloc[0])
    stored = store.load_complaints(ticket_ids=[ticket_id]).iloc[0]
    if pd.isna(stored["precision"]) and isinstance(stored["address"], str):
        _geocode(state, ticket_id, stored["address"])
    _join(state, ticket_id, at)
    stored = store.load_complaints(ticket_ids=[ticket_id]).iloc[0]
    state.metrics.complaints.labels(result).inc()
    spot = None
    if isinstance(stored["spot_id"], str):
        state.refresh_index()
        spot = state.index.card(stored["spot_id"])
    lat, lon = float(stored["lat"]), float(stored["lon"])
    located = math.isfinite(lat) and math.isfinite(lon)
    return ComplaintAnswer(
        ticket_id=ticket_id,
        result=result,
        msisdn=mask_msisdn(stored["msisdn"]) if isinstance(stored["msisdn"], str) else None,
        precision=stored["precision"] if isinstance(stored["precision"], str) else None,
        point=Point(lat=lat, lon=lon) if located else None,
        matched_address=stored["matched_address"] if isinstance(stored["matched_address"], str) else None,
        spot=None if spot is None else SpotCard.model_validate(spot),
    )

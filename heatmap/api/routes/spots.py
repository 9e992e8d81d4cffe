"""Spots as GeoJSON, one spot in full, and the engineer's queue and transitions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import pandas as pd
import shapely
from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query

from heatmap.api.auth import AUTH_RESPONSES, RoleGuard
from heatmap.api.convert import plain, records
from heatmap.api.keys import Principal, Role
from heatmap.api.models import (
    EtaIn,
    FeatureCollection,
    NoteIn,
    Problem,
    QueueSummary,
    QueueView,
    RejectIn,
    ResolveIn,
    SpotBrief,
    SpotFeature,
    SpotsQuery,
)
from heatmap.api.params import parse_bbox
from heatmap.api.routes import PREFIX
from heatmap.api.state import ApiState, State
from heatmap.core.msisdn import mask_msisdn
from heatmap.core.pii import mask_texts
from heatmap.core.script import russian_date, spot_eta_overdue, spot_script
from heatmap.core.workflow_rules import read_moment
from heatmap.domain import SpotStatus, event_title
from heatmap.errors import HeatmapError
from heatmap.render.evidence import evidence, evidence_text
from heatmap.render.geo import spots_geojson
from heatmap.render.intake import intake_fields
from heatmap.service import workflow

router = APIRouter(prefix=PREFIX, tags=["spots"])
Reader = Annotated[Principal, Depends(RoleGuard(Role.AGENT, Role.ENGINEER, Role.ANALYST))]
QueueReader = Annotated[Principal, Depends(RoleGuard(Role.ENGINEER, Role.ANALYST))]
Engineer = Annotated[Principal, Depends(RoleGuard(Role.ENGINEER))]
SpotId = Annotated[str, Path(min_length=1, max_length=64, description="Spot id, e.g. SP-1A2B3C4D")]
QueueName = Annotated[str, Path(min_length=1, max_length=100, description="Queue name (policy)")]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=100,
        description="The spot's updated_at as the caller read it: a spot changed since is a 409",
    ),
]

#: Roles that see complainants' full phone numbers; everyone else sees them masked.
FULL_NUMBERS = frozenset({Role.ENGINEER, Role.ADMIN})
_COMPLAINT_FIELDS = (
    "ticket_id",
    "created_at",
    "msisdn",
    "segment",
    "topic",
    "channel",
    "description",
    "address",
    "matched_address",
    "precision",
    "lat",
    "lon",
)
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "No such spot"}}
_MOVE: dict[int | str, dict[str, Any]] = {
    **AUTH_RESPONSES,
    **_NOT_FOUND,
    400: {"model": Problem, "description": "Malformed JSON"},
    409: {
        "model": Problem,
        "description": "Not allowed from the spot's status, or the spot changed meanwhile (reload and retry)",
    },
    422: {"model": Problem, "description": "Bad body"},
}
_DEFAULT_STATUSES = sorted(s.value for s in SpotStatus if s != SpotStatus.MERGED)


@router.get(
    "/spots",
    response_model=FeatureCollection,
    summary="Spots as GeoJSON",
    responses={**AUTH_RESPONSES, 422: {"model": Problem, "description": "Bad filter"}},
)
def list_spots(state: State, _who: Reader, query: Annotated[SpotsQuery, Query()]) -> FeatureCollection:
    """An RFC 7946 FeatureCollection of spots (lon, lat order), highest priority first,
    filtered by ``bbox`` (spots intersecting it), ``status`` and ``queue``. Each carries
    why it is a spot: observed, expected, excess, relative_risk, p_value, trend (null
    where not computed) and ``evidence_text`` in Russian; when detection last confirmed it
    (``found_at`` as stored, ``confirmed_at``) and whether it still takes complaints
    (``taking_complaints``, ``taking_complaints_until``, ``confirmation_text``)."""
    box = parse_bbox(query.bbox)
    if query.queue is not None and query.queue not in state.policy.queues:
        raise HTTPException(422, f"unknown queue {query.queue!r}: {', '.join(state.policy.queues)}")
    statuses = [s.value for s in query.status] if query.status else _DEFAULT_STATUSES
    spots = state.store.load_spots(statuses=statuses)
    if query.queue is not None:
        spots = spots[spots["queue"] == query.queue]
    if box is not None and len(spots):
        area = shapely.box(box.min_lon, box.min_lat, box.max_lon, box.max_lat)
        spots = spots[shapely.intersects(spots["geometry"].to_numpy(dtype=object), area)]
    collection = spots_geojson(spots, now=state.clock(), active_hours=state.policy.join.active_hours)
    return FeatureCollection.model_validate(plain(collection))


def _complaints(frame: pd.DataFrame, role: str) -> list[dict[str, Any]]:
    frame = frame.loc[:, list(_COMPLAINT_FIELDS)].copy()
    if role not in FULL_NUMBERS:
        frame["msisdn"] = [mask_msisdn(v) if isinstance(v, str) else None for v in frame["msisdn"].tolist()]
        frame["description"] = mask_texts(frame["description"])
    return records(frame)


@router.get(
    "/spots/{spot_id}",
    response_model=SpotFeature,
    summary="One spot in full",
    responses={**AUTH_RESPONSES, **_NOT_FOUND},
)
def get_spot(state: State, who: Reader, spot_id: SpotId) -> SpotFeature:
    """The spot as a GeoJSON Feature with its priority breakdown, why it is a spot
    (observed, expected, excess, relative risk, p-value, trend), complaints (phone numbers
    masked unless the caller is an engineer or admin), history, ETA history, nearby
    network with every alarm of its sites (worst first), the agent's script (by the
    spot's trend), when detection last confirmed it and whether it still takes complaints."""
    detail = workflow.spot_detail(
        state.store, spot_id, now=state.clock(), policy=state.policy, templates=state.templates
    )
    spot = detail.spot
    properties = {k: plain(spot[k]) for k in spot.index if k != "geometry"}
    properties.update(evidence(spot.to_dict()))
    eta, now = spot["eta"], state.clock()
    return SpotFeature.model_validate(
        {
            "type": "Feature",
            "id": str(spot["id"]),
            "geometry": spot["geometry"].__geo_interface__,
            "properties": plain(properties),
            "script": spot_script(spot.to_dict(), state.templates, now=now),
            "eta_overdue": spot_eta_overdue(spot.to_dict(), now),
            "evidence_text": evidence_text(spot.to_dict()),
            "eta_text": None if pd.isna(eta) else russian_date(pd.Timestamp(eta).to_pydatetime()),
            **intake_fields(spot.to_dict(), now=now, active_hours=state.policy.join.active_hours),
            "sla_left_hours": plain(detail.sla_left_hours),
            "network": None if detail.network is None else plain(detail.network.to_dict()),
            "alarms": records(detail.alarms),
            "complaints": _complaints(detail.complaints, who.role),
            "history": records(detail.history.assign(title=detail.history["kind"].map(event_title))),
            "eta_history": records(detail.eta_history),
        }
    )


def _brief(spot: pd.Series) -> dict[str, Any]:
    brief: dict[str, Any] = plain(
        {
            "id": spot["id"],
            "status": spot["status"],
            "queue": spot.get("queue"),
            "engineer": spot.get("engineer"),
            "eta": spot.get("eta"),
            "cause": spot.get("cause"),
            "priority": float(spot.get("priority") or 0.0),
        }
    )
    return brief


def _moved(state: ApiState, spot: pd.Series) -> SpotBrief:
    state.refresh_index()
    return SpotBrief.model_validate(_brief(spot))


def _seen(if_match: str | None) -> datetime | None:
    """The ``updated_at`` an ``If-Match`` header carries (quotes and ``W/`` allowed)."""
    if if_match is None:
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    try:
        return read_moment(text, "If-Match")
    except HeatmapError as exc:  # no time matches the spot's: a failed precondition
        raise HTTPException(
            409,
            f"If-Match {if_match!r} does not match the spot: send the"
            " updated_at it was read with (reload and retry)",
        ) from exc


def _act(
    state: ApiState,
    who: Principal,
    spot_id: str,
    action: str,
    *,
    note: str | None = None,
    cause: str | None = None,
    if_match: str | None = None,
) -> SpotBrief:
    spot = workflow.transition(
        state.store,
        spot_id,
        action,
        actor=who.actor,
        now=state.clock(),
        policy=state.policy,
        note=note,
        cause=cause,
        seen=_seen(if_match),
    )
    return _moved(state, spot)


@router.post(
    "/spots/{spot_id}/take",
    response_model=SpotBrief,
    summary="Take a spot into work",
    tags=["workflow"],
    responses=_MOVE,
)
def take(
    state: State, who: Engineer, spot_id: SpotId, body: NoteIn | None = None, if_match: IfMatch = None
) -> SpotBrief:
    """``in_progress``, with the caller (the key's name) as the engineer."""
    return _act(state, who, spot_id, "take", note=body.note if body else None, if_match=if_match)


@router.post(
    "/spots/{spot_id}/eta",
    response_model=SpotBrief,
    summary="Set the expected fix date",
    tags=["workflow"],
    responses=_MOVE,
)
def set_eta(state: State, who: Engineer, spot_id: SpotId, body: EtaIn, if_match: IfMatch = None) -> SpotBrief:
    """Agents see the current ETA at once; every change is kept in the spot's history.
    An ETA that has already passed is a 422 (a bare date is midnight in Moscow)."""
    spot = workflow.set_eta(
        state.store,
        spot_id,
        read_moment(body.eta, "eta"),
        actor=who.actor,
        now=state.clock(),
        note=body.note,
        seen=_seen(if_match),
    )
    return _moved(state, spot)


@router.post(
    "/spots/{spot_id}/resolve",
    response_model=SpotBrief,
    summary="Resolve a spot",
    tags=["workflow"],
    responses=_MOVE,
)
def resolve(
    state: State, who: Engineer, spot_id: SpotId, body: ResolveIn, if_match: IfMatch = None
) -> SpotBrief:
    """Needs a cause from the policy's list: none or another is a 422 naming them."""
    return _act(state, who, spot_id, "resolve", note=body.note, cause=body.cause, if_match=if_match)


@router.post(
    "/spots/{spot_id}/reject",
    response_model=SpotBrief,
    summary="Reject a spot",
    tags=["workflow"],
    responses=_MOVE,
)
def reject(
    state: State, who: Engineer, spot_id: SpotId, body: RejectIn, if_match: IfMatch = None
) -> SpotBrief:
    return _act(state, who, spot_id, "reject", note=body.reason, if_match=if_match)


@router.post(
    "/spots/{spot_id}/reopen",
    response_model=SpotBrief,
    summary="Reopen a spot",
    tags=["workflow"],
    responses=_MOVE,
)
def reopen(
    state: State, who: Engineer, spot_id: SpotId, body: NoteIn | None = None, if_match: IfMatch = None
) -> SpotBrief:
    return _act(state, who, spot_id, "reopen", note=body.note if body else None, if_match=if_match)


@router.get(
    "/queues",
    response_model=list[QueueSummary],
    summary="Queues with open spots",
    tags=["workflow"],
    responses=AUTH_RESPONSES,
)
def queues(state: State, _who: QueueReader) -> list[QueueSummary]:
    now = state.clock()
    out = []
    for name, queue in state.policy.queues.items():
        view = workflow.queue_view(state.store, name, now=now, policy=state.policy)
        out.append(
            QueueSummary(
                name=name,
                title=queue.title,
                sla_hours=queue.sla_hours,
                open=len(view),
                breached=int(view["breached"].sum()),
                due_today=int(view["due_today"].sum()),
            )
        )
    return out


@router.get(
    "/queues/{name}",
    response_model=QueueView,
    summary="One queue by priority",
    tags=["workflow"],
    responses={**AUTH_RESPONSES, 404: {"model": Problem, "description": "No such queue"}},
)
def queue(state: State, _who: QueueReader, name: QueueName) -> QueueView:
    """Open spots of the queue, highest priority first, with SLA hours left and breaches."""
    if name not in state.policy.queues:
        raise HTTPException(404, f"no queue {name!r}: {', '.join(state.policy.queues)}")
    view = workflow.queue_view(state.store, name, now=state.clock(), policy=state.policy)
    columns = [
        "id",
        "status",
        "priority",
        "subscribers",
        "complaints",
        "sla_left_hours",
        "breached",
        "due_today",
        "age_hours",
        "trend",
        "engineer",
        "eta",
        "cause",
        "address",
        "dominant_topic",
        "updated_at",
    ]
    title = state.policy.queues[name]
    return QueueView(queue=name, title=title.title, sla_hours=title.sla_hours, spots=records(view, columns))

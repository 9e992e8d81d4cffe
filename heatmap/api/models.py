"""Request and answer shapes of the API (they make the OpenAPI document at ``/docs``).

Requests forbid unknown fields: a misspelt parameter is a 422 naming it, never a
silently ignored filter.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from heatmap.core.policy import Trend
from heatmap.domain import SpotStatus

BBOX_HELP = ("min_lon,min_lat,max_lon,max_lat in WGS 84 degrees (RFC 7946 order), at most"
             " HEATMAP_API_MAX_BBOX_DEG degrees on each side")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- queries -------------------------------------------------------------------------
class LookupQuery(_Strict):
    address: str | None = Field(None, min_length=1, max_length=300,
                                description="Free-text Russian address, e.g. 'Вологда, ул. Мира, 1'")
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False,
                              description="Latitude (with lon, instead of an address)")
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False,
                              description="Longitude (with lat, instead of an address)")


class SpotsQuery(_Strict):
    bbox: str | None = Field(None, max_length=200, description=BBOX_HELP)
    status: list[SpotStatus] | None = Field(
        None, description="Only these statuses (repeat the parameter); default: all but merged")
    queue: str | None = Field(None, max_length=100, description="Only spots of this queue")


class HexQuery(_Strict):
    res: int = Field(8, ge=5, le=10, description="H3 resolution (5 … 10)")
    bbox: str | None = Field(None, max_length=200, description=BBOX_HELP)


class SitesQuery(_Strict):
    bbox: str | None = Field(None, max_length=200, description=BBOX_HELP)


# --- bodies --------------------------------------------------------------------------
class ComplaintIn(_Strict):
    """One complaint, with the columns of a CRM export row (DESIGN.md, "Ingest").

    Every field is checked exactly as ``heatmap ingest`` checks a row; a complaint
    that would be quarantined there is a 422 here with every reason.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "ticket_id": "CC-2026-000123", "created_at": "2026-11-20T12:00:00+03:00",
        "msisdn": "+79161234567", "segment": "mass", "topic": "no_coverage",
        "description": "Нет связи дома", "address": "Вологда, ул. Мира, 1",
        "channel": "call_centre"}]})

    ticket_id: str | None = Field(None, max_length=200, description="Unique in the CRM (required)")
    created_at: str | None = Field(None, max_length=64,
                                   description="ISO 8601 with a UTC offset (required)")
    msisdn: str | None = Field(None, max_length=64, description="+79XXXXXXXXX, 89…, 79…")
    subscriber_id: str | None = Field(None, max_length=200)
    segment: str | None = Field(None, max_length=32,
                                description="mass, premium, vip, b2b or b2g (required)")
    ltv: float | str | None = Field(None, description="Roubles, ≥ 0")
    topic: str | None = Field(None, max_length=64,
                              description="Classified from the description when absent")
    description: str | None = Field(None, max_length=4000)
    address: str | None = Field(None, max_length=500, description="An address, or lat and lon")
    lat: float | str | None = None
    lon: float | str | None = None
    region: str | None = Field(None, max_length=200)
    channel: str | None = Field(None, max_length=32)


class NoteIn(_Strict):
    note: str | None = Field(None, max_length=2000)


class ResolveIn(_Strict):
    cause: str | None = Field(None, min_length=1, max_length=64,
                              description="What it was (equipment_failure, power, …)")
    note: str | None = Field(None, max_length=2000)


class RejectIn(_Strict):
    reason: str = Field(min_length=1, max_length=2000, description="Why it is not a problem")


class EtaIn(_Strict):
    eta: str = Field(min_length=4, max_length=64, examples=["2026-11-25"],
                     description="A date (Moscow) or an ISO 8601 time")
    note: str | None = Field(None, max_length=2000)


# --- answers -------------------------------------------------------------------------
class Point(BaseModel):
    lat: float
    lon: float


class SpotCard(BaseModel):
    id: str
    status: str
    kind: str | None
    cause: str | None = Field(description="The engineer's cause, else the suggested one")
    cause_text: str | None = Field(None, description="The cause as the policy titles it"
                                                     " (Russian), when the policy knows it")
    cause_confirmed: bool
    eta: str | None
    eta_text: str | None = Field(description="The ETA as an agent says it: '25 ноября'")
    eta_overdue: bool = Field(False, description="The ETA has passed and the spot is still"
                                                 " open (the script then says so)")
    script: str = Field(description="What the agent reads to the caller")
    queue: str | None
    priority: float
    address: str | None
    subscribers: int
    complaints: int
    dominant_topic: str | None
    observed: float | None = Field(None, description="Weighted distinct complainants in the spot")
    expected: float | None = Field(None, description="Complainants expected for the place and"
                                                      " window")
    excess: float | None = Field(None, description="observed − expected")
    relative_risk: float | None = Field(None, description="observed / expected")
    p_value: float | None = Field(None, description="Chance of so many complainants by chance")
    scan_days: float | None = Field(None, description="The window (days before detection) the"
                                                      " complainants were counted in")
    trend: Trend | None = Field(None, description="new, intensifying, persistent (chronic) or"
                                                  " diminishing; null for the count rule and"
                                                  " known issues")
    evidence_text: str = Field("", description="Why it is a spot, as the pages say it:"
                                               " 'Жалующихся: 14 при ожидаемых 2,1 (…)'")
    distance_m: float | None = None
    covers: bool | None = None


class ResolvedNearby(BaseModel):
    id: str
    cause: str | None
    cause_text: str | None = None
    address: str | None
    resolved_at: str
    distance_m: float
    script: str


class LookupAnswer(BaseModel):
    query: dict[str, Any]
    point: Point | None
    precision: str
    score: float | None
    matched_address: str | None
    reason: str | None
    spot: SpotCard | None
    recently_resolved: list[ResolvedNearby]


class ComplaintAnswer(BaseModel):
    ticket_id: str
    result: Literal["inserted", "updated", "unchanged"]
    msisdn: str | None = Field(description="Masked: +7 9** ***-**-67")
    precision: str | None
    point: Point | None
    matched_address: str | None
    spot: SpotCard | None


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]]


class SpotFeature(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any]
    properties: dict[str, Any] = Field(description="The stored spot, with its evidence"
                                                   " (observed, expected, excess, relative_risk,"
                                                   " p_value, trend; null where not computed)")
    script: str
    evidence_text: str = Field(description="Why it is a spot, in Russian")
    eta_text: str | None
    eta_overdue: bool = Field(False, description="Still open and its ETA has passed")
    sla_left_hours: float | None
    network: dict[str, Any] | None
    complaints: list[dict[str, Any]]
    history: list[dict[str, Any]]
    eta_history: list[dict[str, Any]]


class SpotBrief(BaseModel):
    id: str
    status: str
    queue: str | None
    engineer: str | None
    eta: str | None
    cause: str | None
    priority: float


class QueueSummary(BaseModel):
    name: str
    title: str
    sla_hours: float
    open: int
    breached: int
    due_today: int = Field(description="Open spots not yet breached whose SLA ends before"
                                       " midnight, Moscow time")


class QueueView(BaseModel):
    queue: str
    title: str
    sla_hours: float
    spots: list[dict[str, Any]]


class Live(BaseModel):
    status: Literal["ok"]


class Health(BaseModel):
    status: str
    schema_version: int | None = None
    spots_version: int | None = None
    open_spots: int | None = None
    detail: str | None = None


class Problem(BaseModel):
    detail: Any
    message: str | None = None

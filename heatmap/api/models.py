"""Request and answer shapes of the API (they make the OpenAPI document at ``/docs``).

Requests forbid unknown fields: a misspelt parameter is a 422 naming it, never a
silently ignored filter.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from heatmap.api import patterns
from heatmap.core.policy import Trend
from heatmap.core.workflow_rules import ETA_HELP
from heatmap.domain import Channel, EventKind, Segment, SpotStatus, Topic

BBOX_HELP = (
    "min_lon,min_lat,max_lon,max_lat in WGS 84 degrees (RFC 7946 order; corners in"
    " either order), up to 12 decimals"
)


CONFIRMED_AT_HELP = (
    "Last confirmed by detection (ISO 8601, UTC): the last detection run that found the spot's"
    " place in excess (found_at; created_at for a spot stored before found_at existed);"
    " null for a known issue"
)
TAKING_HELP = (
    "Whether a complaint made now joins the spot: open, and confirmed by detection within"
    " policy.join.active_hours (a known issue takes everything inside it while open)"
)
UNTIL_HELP = (
    "The last moment a complaint joins it unless detection confirms it again"
    " (confirmed_at + active_hours); null for a known issue or a closed spot"
)
CONFIRMATION_HELP = (
    "The two as the pages say them, Moscow time: 'Подтверждено детекцией: 7 декабря, 14:05 мск;"
    " принимает жалобы до 8 декабря, 14:05 мск'"
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")


def _given(name: str, kind: str) -> dict[str, Any]:
    return {"required": [name], "properties": {name: {"type": kind}}}


def _complaint_schema(schema: dict[str, Any]) -> None:
    """A place is both lat and lon, or an address with some text and neither of them."""
    schema["anyOf"] = [
        {"allOf": [_given("lat", "number"), _given("lon", "number")]},
        {
            "required": ["address"],
            "properties": {"address": {"type": "string", "pattern": patterns.NON_BLANK}},
            "not": {"anyOf": [_given("lat", "number"), _given("lon", "number")]},
        },
    ]
    schema["examples"] = [
        {
            "ticket_id": "CC-2026-000123",
            "created_at": "2026-11-20T12:00:00+03:00",
            "msisdn": "+79161234567",
            "segment": "mass",
            "topic": "no_coverage",
            "description": "Нет связи дома",
            "address": "Вологда, ул. Мира, 1",
            "channel": "call_centre",
        }
    ]


# --- queries -------------------------------------------------------------------------
class LookupQuery(_Strict):
    address: str | None = Field(
        None,
        min_length=1,
        max_length=300,
        pattern=patterns.TEXT,
        description="Free-text Russian address, e.g. 'Вологда, ул. Мира,"
        " 1' (with lat and lon too, the point is used)",
    )
    lat: float | None = Field(
        None, ge=-90, le=90, allow_inf_nan=False, description="Latitude (with lon, instead of an address)"
    )
    lon: float | None = Field(
        None, ge=-180, le=180, allow_inf_nan=False, description="Longitude (with lat, instead of an address)"
    )


class SpotsQuery(_Strict):
    bbox: str | None = Field(None, max_length=200, pattern=patterns.BBOX, description=BBOX_HELP)
    status: list[SpotStatus] | None = Field(
        None, description="Only these statuses (repeat the parameter); default: all but merged"
    )
    queue: str | None = Field(None, max_length=100, description="Only spots of this queue")


class HexQuery(_Strict):
    res: int = Field(8, ge=5, le=10, description="H3 resolution (5 … 10)")
    bbox: str | None = Field(None, max_length=200, pattern=patterns.BBOX, description=BBOX_HELP)


class SitesQuery(_Strict):
    bbox: str | None = Field(None, max_length=200, pattern=patterns.BBOX, description=BBOX_HELP)


# --- bodies --------------------------------------------------------------------------
class ComplaintIn(_Strict):
    """One complaint, with the columns of a CRM export row (DESIGN.md, "Ingest").

    The schema says exactly what is taken: a complaint it allows is stored (or, for a
    stored ticket, compared), one it does not is a 422 naming the field. ``null`` is
    the same as leaving a field out. A place is an address or both lat and lon.
    """

    model_config = ConfigDict(extra="forbid", regex_engine="python-re", json_schema_extra=_complaint_schema)

    ticket_id: str = Field(
        min_length=1, max_length=200, pattern=patterns.NON_BLANK, description="Unique in the CRM"
    )
    created_at: str = Field(
        max_length=64,
        pattern=patterns.CREATED_AT,
        examples=["2026-11-20T12:00:00+03:00"],
        description="RFC 3339 date-time with seconds and a UTC offset, 1970-2099",
    )
    msisdn: str | None = Field(
        None,
        max_length=64,
        pattern=patterns.MSISDN,
        description="A Russian mobile number: +7 916 123-45-67, 8 (916) 1234567, 79161234567, 9161234567",
    )
    subscriber_id: str | None = Field(
        None, max_length=200, pattern=patterns.TEXT, description="Derived from msisdn when absent"
    )
    segment: Segment
    ltv: float | None = Field(None, ge=0, le=1e12, allow_inf_nan=False, strict=True, description="Roubles")
    topic: Topic | None = Field(None, description="Classified from the description when absent")
    description: str | None = Field(None, max_length=4000, pattern=patterns.TEXT)
    address: str | None = Field(
        None, max_length=500, pattern=patterns.TEXT, description="An address (with some text), or lat and lon"
    )
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False, strict=True)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False, strict=True)
    region: str | None = Field(None, max_length=200, pattern=patterns.TEXT)
    channel: Channel | None = None

    @model_validator(mode="after")
    def _placed(self) -> ComplaintIn:
        problems = []
        if (self.lat is None) != (self.lon is None):
            problems.append("lat and lon must be given together")
        if (self.lat is None or self.lon is None) and not (self.address or "").strip():
            problems.append("give an address (with some text) or lat and lon")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class NoteIn(_Strict):
    note: str | None = Field(None, max_length=2000)


class ResolveIn(_Strict):
    cause: str = Field(
        min_length=1,
        max_length=64,
        description="What it was: one of the policy's causes (the document lists them)",
    )
    note: str | None = Field(None, max_length=2000)


class RejectIn(_Strict):
    reason: str = Field(
        min_length=1, max_length=2000, pattern=patterns.NON_BLANK, description="Why it is not a problem"
    )


class EtaIn(_Strict):
    eta: str = Field(max_length=64, pattern=patterns.ETA, examples=["2026-11-25"], description=ETA_HELP)
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
    cause_text: str | None = Field(
        None, description="The cause as the policy titles it (Russian), when the policy knows it"
    )
    cause_confirmed: bool
    eta: str | None
    eta_text: str | None = Field(description="The ETA as an agent says it: '25 ноября'")
    eta_overdue: bool = Field(
        False, description="The ETA has passed and the spot is still open (the script then says so)"
    )
    script: str = Field(description="What the agent reads to the caller")
    queue: str | None
    priority: float
    address: str | None
    subscribers: int
    complaints: int
    dominant_topic: str | None
    observed: float | None = Field(None, description="Weighted distinct complainants in the spot")
    expected: float | None = Field(None, description="Complainants expected for the place and window")
    excess: float | None = Field(None, description="observed − expected")
    relative_risk: float | None = Field(None, description="observed / expected")
    p_value: float | None = Field(None, description="Chance of so many complainants by chance")
    scan_days: float | None = Field(
        None, description="The window (days before detection) the complainants were counted in"
    )
    trend: Trend | None = Field(
        None,
        description="new, intensifying, persistent (chronic) or"
        " diminishing; null for the count rule and"
        " known issues",
    )
    evidence_text: str = Field(
        "", description="Why it is a spot, as the pages say it: 'Жалующихся: 14 при ожидаемых 2,1 (…)'"
    )
    confirmed_at: str | None = Field(None, description=CONFIRMED_AT_HELP)
    taking_complaints: bool = Field(False, description=TAKING_HELP)
    taking_complaints_until: str | None = Field(None, description=UNTIL_HELP)
    confirmation_text: str = Field("", description=CONFIRMATION_HELP)
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


class SiteAlarm(BaseModel):
    """One alarm of a network site in reach of a spot."""

    site_id: str
    distance_m: float = Field(description="From the spot's centre to the site")
    severity: str | None = Field(description="critical, major, minor or warning")
    kind: str = Field(
        description="power, transport_link, equipment or capacity (read from the text if not given)"
    )
    start: str | None = Field(description="Raised at (ISO 8601, UTC)")
    end: str | None = Field(description="Cleared at; null while active")
    text: str | None
    active: bool = Field(description="Not cleared")
    during_complaints: bool = Field(description="Overlaps the spot's first to last complaint")


class SpotEvent(BaseModel):
    spot_id: str
    at: str = Field(description="When (ISO 8601, UTC)")
    kind: str = Field(description="What happened, a stable word for scripts: " + ", ".join(EventKind))
    title: str = Field(
        description="The kind in Russian, as the engineers' page shows it ('статус', 'срок', …)"
    )
    from_status: str | None
    to_status: str | None
    related_spot_id: str | None = Field(description="The other spot of a split or merge")
    actor: str | None
    note: str | None
    eta: str | None = Field(description="The ETA set, for an 'eta' event")


class SpotFeature(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any]
    properties: dict[str, Any] = Field(
        description="The stored spot, with its evidence"
        " (observed, expected, excess, relative_risk,"
        " p_value, trend; null where not computed)"
    )
    script: str
    evidence_text: str = Field(description="Why it is a spot, in Russian")
    eta_text: str | None
    eta_overdue: bool = Field(False, description="Still open and its ETA has passed")
    confirmed_at: str | None = Field(None, description=CONFIRMED_AT_HELP)
    taking_complaints: bool = Field(False, description=TAKING_HELP)
    taking_complaints_until: str | None = Field(None, description=UNTIL_HELP)
    confirmation_text: str = Field("", description=CONFIRMATION_HELP)
    sla_left_hours: float | None
    network: dict[str, Any] | None
    alarms: list[SiteAlarm] = Field(
        default_factory=list,
        description="Every alarm of the network sites in reach, worst first"
        " (severity, then overlapping the complaints, still active, latest raised, nearest site)",
    )
    complaints: list[dict[str, Any]]
    history: list[SpotEvent] = Field(description="Every event of the spot, oldest first")
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
    due_today: int = Field(
        description="Open spots not yet breached whose SLA ends before midnight, Moscow time"
    )


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

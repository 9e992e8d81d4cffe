"""The kinds of the columns the PostGIS store writes by COPY (:mod:`heatmap.store.postgis.bulk`)."""

from __future__ import annotations

from collections.abc import Sequence

from heatmap.core.ingest import COMPLAINT_COLUMNS
from heatmap.store.columns import EVENT_COLUMNS, SPOT_COLUMNS

#: Kinds of the columns written by COPY (see :mod:`heatmap.store.postgis.bulk`).
COMPLAINT_KINDS: dict[str, str] = {
    "ticket_id": "text",
    "created_at": "time",
    "msisdn": "text",
    "subscriber_id": "text",
    "segment": "text",
    "ltv": "float",
    "topic": "text",
    "topic_source": "text",
    "description": "text",
    "address": "text",
    "lat": "float",
    "lon": "float",
    "region": "text",
    "channel": "text",
    "content_hash": "text",
}
INSERT_KINDS: dict[str, str] = {
    **COMPLAINT_KINDS,
    "precision": "text",
    "geo_score": "float",
    "ingested_at": "time",
    "updated_at": "time",
}
QUARANTINE_KINDS = {"source": "text", "line": "int", "raw": "text", "reasons": "text"}
#: Quarantined rows as the quarantine table takes them by COPY (its line is an integer).
QUARANTINE_ROW_KINDS = {
    "ingest_id": "int",
    "source": "text",
    "line": "int32",
    "raw": "text",
    "reasons": "text",
    "at": "time",
}
GEOCODE_KINDS = {
    "ticket_id": "text",
    "lat": "float",
    "lon": "float",
    "precision": "text",
    "geo_score": "float",
    "matched_address": "text",
    "geo_reason": "text",
}
#: Kinds of every spot and event column the schema has (a superset of the protocol's).
SPOT_COLUMN_KINDS: dict[str, str] = {
    "id": "text",
    "status": "text",
    "method": "text",
    "geometry": "text",
    "centroid_lat": "float",
    "centroid_lon": "float",
    "region": "text",
    "address": "text",
    "complaints": "int",
    "subscribers": "int",
    "first_complaint_at": "time",
    "last_complaint_at": "time",
    "dominant_topic": "text",
    "priority": "float",
    "breakdown": "text",
    "queue": "text",
    "sla_hours": "float",
    "due_at": "time",
    "eta": "time",
    "cause": "text",
    "engineer": "text",
    "merged_into": "text",
    "created_at": "time",
    "updated_at": "time",
    # schema 2
    "kind": "text",
    "suggested_cause": "text",
    "alarm_site": "text",
    "escalated": "int",
    # schema 7
    "observed": "float",
    "expected": "float",
    "excess": "float",
    "relative_risk": "float",
    "p_value": "float",
    "scan_days": "float",
    "trend": "text",
    # schema 10
    "found_at": "time",
}
EVENT_COLUMN_KINDS: dict[str, str] = {
    "spot_id": "text",
    "at": "time",
    "kind": "text",
    "from_status": "text",
    "to_status": "text",
    "related_spot_id": "text",
    "actor": "text",
    "note": "text",
    "eta": "time",  # schema 2
}
MEMBER_KINDS = {"ticket_id": "text", "spot_id": "text"}
SITE_KINDS = {
    "site_id": "text",
    "lat": "float",
    "lon": "float",
    "technology": "text",
    "band": "text",
    "azimuth": "float",
}
ALARM_KINDS = {
    "site_id": "text",
    "severity": "text",
    "start": "time",
    "end": "time",
    "kind": "text",
    "text": "text",
}
EXPOSURE_KINDS = {"source": "text", "h3_cell": "text", "weight": "float"}
COVERAGE_KINDS = {
    "h3_cell": "text",
    "res": "int32",
    "rsrp_median": "float",
    "rsrp_samples": "int32",
    "rssi_median": "float",
    "rssi_samples": "int32",
}


def _kinds(columns: Sequence[str], known: dict[str, str]) -> dict[str, str]:
    return {c: known.get(c, "") for c in columns}


SPOT_KINDS = _kinds(SPOT_COLUMNS, SPOT_COLUMN_KINDS)
EVENT_KINDS = _kinds(EVENT_COLUMNS, EVENT_COLUMN_KINDS)
EVENT_TIMES = tuple(c for c, k in EVENT_KINDS.items() if k == "time")
#: Protocol columns this adapter has no type for (a newer heatmap.store.columns).
UNKNOWN_COLUMNS = [
    f"{table}.{c}"
    for table, kinds in (("spots", SPOT_KINDS), ("spot_events", EVENT_KINDS))
    for c, k in kinds.items()
    if not k
]
assert tuple(COMPLAINT_KINDS) == COMPLAINT_COLUMNS

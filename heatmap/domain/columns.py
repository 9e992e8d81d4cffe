"""The columns frames have where layers meet: the contract between core, detection and stores.

Frames cross the seams, never SQL or file formats: a validated complaint frame has
:data:`COMPLAINT_COLUMNS`, a spots frame :data:`SPOT_COLUMNS`, an events frame
:data:`EVENT_COLUMNS`, whatever produced or stored them.
"""

from __future__ import annotations

__all__ = ["COMPLAINT_COLUMNS", "EVENT_COLUMNS", "QUARANTINE_COLUMNS", "SPOT_COLUMNS"]

#: Canonical complaint columns, in store order.
COMPLAINT_COLUMNS: tuple[str, ...] = (
    "ticket_id",
    "created_at",
    "msisdn",
    "subscriber_id",
    "segment",
    "ltv",
    "topic",
    "topic_source",
    "description",
    "address",
    "lat",
    "lon",
    "region",
    "channel",
    "content_hash",
)
#: A row validation refused: where it came from, as read, and every reason.
QUARANTINE_COLUMNS: tuple[str, ...] = ("source", "line", "raw", "reasons")

#: Columns of a spot as stored; ``geometry`` holds shapely polygons, ``breakdown`` a dict.
SPOT_COLUMNS: tuple[str, ...] = (
    "id",
    "status",
    "method",
    "geometry",
    "centroid_lat",
    "centroid_lon",
    "region",
    "address",
    "complaints",
    "subscribers",
    "first_complaint_at",
    "last_complaint_at",
    "dominant_topic",
    "priority",
    "breakdown",
    "queue",
    "sla_hours",
    "due_at",
    "eta",
    "cause",
    "engineer",
    "merged_into",
    "created_at",
    "updated_at",
    "kind",
    "suggested_cause",
    "alarm_site",
    "escalated",
    "observed",
    "expected",
    "excess",
    "relative_risk",
    "p_value",
    "scan_days",
    "trend",
    "found_at",
)

#: Columns of a spot event (lineage from detection, lifecycle transitions).
EVENT_COLUMNS: tuple[str, ...] = (
    "spot_id",
    "at",
    "kind",
    "from_status",
    "to_status",
    "related_spot_id",
    "actor",
    "note",
    "eta",
)

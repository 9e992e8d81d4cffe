"""Open311 GeoReport v2 documents: services, service requests and errors, in JSON or XML.

Pure: rows of the store (a complaint, the spot it belongs to) come in, the documents of
the specification (https://wiki.open311.org/GeoReport_v2/) go out. A *service* is a
complaint topic; a *service request* is a complaint; its status is the spot's (open
while the spot is, ``closed`` once it is resolved or rejected), its expected time the
spot's ETA, its notes the agent's script.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

import pandas as pd

from heatmap.domain import TOPIC_LABEL_RU, Topic

#: Spot statuses after which a request is closed.
CLOSED = frozenset({"resolved", "rejected"})
#: The fields of one service request, in the specification's order.
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
#: Most requests one GET answers (the specification's default limit).
MOST_REQUESTS = 1000


def services() -> list[dict[str, Any]]:
    """Every complaint topic as a service (realtime, no extra attributes)."""
    return [
        {
            "service_code": topic.value,
            "service_name": TOPIC_LABEL_RU.get(topic, topic.value),
            "description": f"Жалоба на качество связи: {TOPIC_LABEL_RU.get(topic, topic.value)}",
            "metadata": False,
            "type": "realtime",
            "keywords": "связь, сеть",
            "group": "Качество связи",
        }
        for topic in Topic
    ]


def service_definition(code: str) -> dict[str, Any]:
    """A service's definition: no attributes beyond the standard fields."""
    return {"service_code": code, "attributes": []}


def request_id(key_id: str, fields: Mapping[str, str]) -> str:
    """The ticket of a posted request: the same key posting the same fields gets the same
    ticket, so a client's retry changes nothing."""
    text = "\x1f".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "api_key")
    return "311-" + hashlib.blake2b(f"{key_id}\x1e{text}".encode(), digest_size=8).hexdigest()


def service_request(
    complaint: Mapping[str, Any],
    spot: Mapping[str, Any] | None,
    *,
    notes: str | None,
    description: str | None,
    queue_title: str | None,
) -> dict[str, Any]:
    """One complaint as a service request; ``description`` as the caller's role may see it."""
    topic = _text(complaint.get("topic")) or Topic.OTHER.value
    status = spot.get("status") if spot is not None else None
    eta = spot.get("eta") if spot is not None else None
    updated = spot.get("updated_at") if spot is not None else None
    return {
        "service_request_id": str(complaint["ticket_id"]),
        "status": "closed" if status in CLOSED else "open",
        "status_notes": notes,
        "service_name": TOPIC_LABEL_RU.get(topic, topic),
        "service_code": topic,
        "description": description,
        "agency_responsible": queue_title,
        "service_notice": None,
        "requested_datetime": _moment(complaint.get("created_at")),
        "updated_datetime": _moment(updated) or _moment(complaint.get("created_at")),
        "expected_datetime": _moment(eta),
        "address": _text(complaint.get("matched_address")) or _text(complaint.get("address")),
        "address_id": None,
        "zipcode": None,
        "lat": _number(complaint.get("lat")),
        "long": _number(complaint.get("lon")),
        "media_url": None,
    }


def errors(code: int, description: str) -> list[dict[str, Any]]:
    """The specification's error document."""
    return [{"code": code, "description": description}]


#: Where the Open311 endpoints are: their refusals are the specification's error documents.
PREFIX = "/open311/v2/"


def error_status(path: str, status: int) -> int | None:
    """The status of a refusal at ``path`` as an Open311 errors document, or None when
    ``path`` is not an Open311 endpoint. A request the API cannot take (a format other
    than json or xml, a malformed date: 422 elsewhere) is the specification's 400."""
    if not path.startswith(PREFIX):
        return None
    return 400 if status == 422 else status


def error_document(path: str, status: int, description: str) -> tuple[bytes, str]:
    """The errors document of a refusal at ``path``, in the format its suffix names (JSON
    unless it ends in ``.xml``), and its content type."""
    if path.endswith(".xml"):
        return to_xml("errors", "error", errors(status, description)), "text/xml; charset=utf-8"
    body = json.dumps(errors(status, description), ensure_ascii=False)
    return body.encode("utf-8"), "application/json; charset=utf-8"


def to_xml(root: str, item: str | None, rows: Sequence[Mapping[str, Any]]) -> bytes:
    """``rows`` as ``<root><item>…</item>…</root>``, or the one row's fields right under
    ``<root>`` when ``item`` is None (a service definition); missing values are empty
    elements, a list of values one element per value named in the singular
    (``attributes`` → ``attribute``)."""
    top = ElementTree.Element(root)
    for row in rows:
        _fill(top if item is None else ElementTree.SubElement(top, item), row)
    document: bytes = ElementTree.tostring(top, encoding="utf-8", xml_declaration=True)
    return document


def _fill(element: ElementTree.Element, row: Mapping[str, Any]) -> None:
    for name, value in row.items():
        child = ElementTree.SubElement(element, name)
        if isinstance(value, list):
            for entry in value:
                one = ElementTree.SubElement(child, name.removesuffix("s"))
                if isinstance(entry, Mapping):
                    _fill(one, entry)
                else:
                    one.text = _xml_text(entry)
        else:
            child.text = _xml_text(value)


def _xml_text(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _moment(value: object) -> str | None:
    """A time as RFC 3339 with its offset (the specification's w3 format); None if missing."""
    if value is None or not isinstance(value, (datetime, pd.Timestamp)) or pd.isna(value):
        return None
    moment: str = pd.Timestamp(value).isoformat(timespec="seconds")
    return moment

"""Validate CRM export rows against the data contract (DESIGN.md, "Ingest").

Pure and vectorised: a raw text frame goes in; canonical complaints and
quarantined rows (with every reason) come out. Nothing is dropped: every input
row ends up in exactly one of the two.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heatmap.core.msisdn import normalise_msisdn, pseudonyms, remove_pattern
from heatmap.core.topics import classify_topics
from heatmap.domain import CHANNELS, SEGMENTS, TOPICS
from heatmap.io.exports import RawExport

#: Canonical complaint columns, in store order.
COMPLAINT_COLUMNS: tuple[str, ...] = (
    "ticket_id", "created_at", "msisdn", "subscriber_id", "segment", "ltv", "topic",
    "topic_source", "description", "address", "lat", "lon", "region", "channel",
    "content_hash",
)
QUARANTINE_COLUMNS: tuple[str, ...] = ("source", "line", "raw", "reasons")

_KNOWN = (
    "ticket_id", "created_at", "msisdn", "subscriber_id", "segment", "ltv", "topic",
    "description", "address", "lat", "lon", "region", "channel",
)
_OFFSET = r".*(?:[Zz]|[+\-]\d{2}(?::?\d{2})?)$"
_HASHED = (
    "created_at", "msisdn", "subscriber_id", "segment", "ltv", "topic", "description",
    "address", "lat", "lon", "region", "channel",
)


@dataclass
class Validated:
    """Result of validating one export."""

    complaints: pd.DataFrame
    quarantine: pd.DataFrame
    read: int


def validate_export(raw: RawExport, *, key: bytes) -> Validated:
    """Split ``raw`` into canonical complaints and quarantined rows.

    ``key`` is the keyed-hash key that derives ``subscriber_id`` from ``msisdn``
    when the CRM gave no subscriber id.
    """
    rows = raw.rows
    n = len(rows)
    col = {name: _column(rows, name) for name in _KNOWN}
    problems: list[tuple[np.ndarray, str]] = []

    def problem(mask: pd.Series | np.ndarray, reason: str) -> None:
        array = np.asarray(mask, dtype=bool)
        if array.any():
            problems.append((array, reason))

    ticket = col["ticket_id"]
    problem(ticket == "", "missing ticket_id")

    created_text = col["created_at"]
    created = pd.to_datetime(created_text, utc=True, format="ISO8601", errors="coerce")
    problem(created_text == "", "missing created_at")
    problem((created_text != "") & created.isna(), "created_at is not an ISO 8601 date-time")
    naive = ~created_text.str.match(_OFFSET) & created.notna()
    problem(naive, "created_at has no UTC offset")

    msisdn, msisdn_ok = normalise_msisdn(col["msisdn"])
    problem(~msisdn_ok, "msisdn is not a Russian mobile number (+79XXXXXXXXX)")

    segment = col["segment"].str.lower()
    problem(segment == "", "missing segment")
    problem((segment != "") & ~segment.isin(SEGMENTS), "unknown segment")

    ltv_text = remove_pattern(col["ltv"], r"[\s\x{00a0}]").str.replace(",", ".")
    ltv = pd.to_numeric(ltv_text.where(ltv_text != ""), errors="coerce")
    problem((ltv_text != "") & ltv.isna(), "ltv is not a number")
    problem(ltv < 0, "ltv is negative")

    topic = col["topic"].str.lower()
    problem((topic != "") & ~topic.isin(TOPICS), "unknown topic")

    channel = col["channel"].str.lower()
    problem((channel != "") & ~channel.isin(CHANNELS), "unknown channel")

    lat, lat_given = _coordinate(col["lat"])
    lon, lon_given = _coordinate(col["lon"])
    problem(lat_given & lat.isna(), "lat is not a number")
    problem(lon_given & lon.isna(), "lon is not a number")
    problem((lat < -90) | (lat > 90), "lat outside -90..90")
    problem((lon < -180) | (lon > 180), "lon outside -180..180")
    problem(lat_given ^ lon_given, "lat and lon must be given together")
    address = col["address"]
    problem((address == "") & ~(lat_given & lon_given), "neither address nor lat/lon")

    # A ticket repeated in one export: the last occurrence wins, earlier ones are kept aside.
    repeated = (ticket != "") & ticket.duplicated(keep="last")
    problem(repeated, "ticket_id repeated later in the same export")

    bad = np.zeros(n, dtype=bool)
    reasons = np.full(n, "", dtype=object)
    for mask, reason in problems:
        bad |= mask
        reasons = np.where(mask, np.where(reasons == "", reason, reasons + "; " + reason), reasons)

    good = ~bad
    subscriber = col["subscriber_id"]
    derived = pseudonyms(msisdn.where(subscriber == "", ""), key)
    anonymous = pseudonyms(ticket.where((subscriber == "") & (msisdn == ""), ""), key, prefix="t")
    subscriber = subscriber.where(subscriber != "", derived.where(derived != "", anonymous))

    description = col["description"]
    unlabelled = (topic == "") & (description != "")
    final_topic = topic.astype(object).where(topic != "", None)
    final_topic[unlabelled] = classify_topics(description[unlabelled])
    topic_source = pd.Series(None, index=topic.index, dtype=object)
    topic_source[final_topic.notna()] = "classified"
    topic_source[topic != ""] = "crm"

    complaints = pd.DataFrame(
        {
            "ticket_id": ticket,
            "created_at": created,
            "msisdn": msisdn.replace("", None),
            "subscriber_id": subscriber,
            "segment": segment,
            "ltv": ltv.astype(float),
            "topic": final_topic.replace("", None),
            "topic_source": topic_source,
            "description": description.replace("", None),
            "address": address.replace("", None),
            "lat": lat.where(lat_given & lon_given),
            "lon": lon.where(lat_given & lon_given),
            "region": col["region"].replace("", None),
            "channel": channel.replace("", None),
        }
    )[good].reset_index(drop=True)
    complaints["content_hash"] = content_hashes(complaints)

    quarantine = _quarantine(raw, bad, reasons)
    return Validated(complaints=complaints, quarantine=quarantine, read=n + len(raw.broken))


def content_hashes(complaints: pd.DataFrame) -> pd.Series:
    """A 64-bit fingerprint of what the CRM said about each complaint, as hex text."""
    if complaints.empty:
        return pd.Series([], dtype=object)
    frame = complaints.loc[:, list(_HASHED)].copy()
    frame["created_at"] = frame["created_at"].astype("int64")
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy(np.uint64)
    return pd.Series([f"{h:016x}" for h in hashed.tolist()], index=complaints.index, dtype=object)


def _column(rows: pd.DataFrame, name: str) -> pd.Series:
    if name not in rows.columns:
        return pd.Series(np.full(len(rows), "", dtype=object), index=rows.index)
    return rows[name].fillna("").astype(str).str.strip()


def _coordinate(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    given = text != ""
    value = pd.to_numeric(text.str.replace(",", ".").where(given), errors="coerce")
    return value.astype(float), given


def _quarantine(raw: RawExport, bad: np.ndarray, reasons: np.ndarray) -> pd.DataFrame:
    records = raw.rows[bad].to_dict(orient="records")
    frame = pd.DataFrame(
        {
            "source": raw.source,
            "line": raw.line[bad],
            "raw": [json.dumps(r, ensure_ascii=False) for r in records],
            "reasons": reasons[bad],
        }
    )
    if raw.broken:
        broken = pd.DataFrame(raw.broken, columns=["line", "raw", "reasons"])
        broken.insert(0, "source", raw.source)
        frame = pd.concat([frame, broken], ignore_index=True) if len(frame) else broken
    return frame.loc[:, list(QUARANTINE_COLUMNS)].sort_values("line", ignore_index=True)


@dataclass(frozen=True)
class UpsertPlan:
    """What an ingest batch does to the store: which tickets are new, changed, the same."""

    inserts: pd.DataFrame
    updates: pd.DataFrame
    unchanged: int


def plan_upsert(complaints: pd.DataFrame, existing: pd.DataFrame) -> UpsertPlan:
    """Compare a batch with the stored fingerprints (``existing``: ticket_id, content_hash)."""
    known = existing.set_index("ticket_id")["content_hash"] if len(existing) else pd.Series(
        dtype=object
    )
    previous = complaints["ticket_id"].map(known)
    new = previous.isna()
    changed = ~new & (previous != complaints["content_hash"])
    return UpsertPlan(
        inserts=complaints[new].reset_index(drop=True),
        updates=complaints[changed].reset_index(drop=True),
        unchanged=int((~new & ~changed).sum()),
    )

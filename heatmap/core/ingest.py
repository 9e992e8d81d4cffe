"""Validate CRM export rows against the data contract (DESIGN.md, "Ingest").

Pure and vectorised: a raw text frame goes in; canonical complaints and
quarantined rows (with every reason) come out. Nothing is dropped: every input
row ends up in exactly one of the two.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from heatmap.core import text as tx
from heatmap.core.ingest_checks import Checks, Problem, check_fields, parse_times
from heatmap.core.topics import classify_text
from heatmap.core.upsert import UpsertPlan, maybe_stored, plan_upsert
from heatmap.domain.columns import COMPLAINT_COLUMNS, QUARANTINE_COLUMNS
from heatmap.domain.raw import RawExport

__all__ = [
    "COMPLAINT_COLUMNS",
    "QUARANTINE_COLUMNS",
    "UpsertPlan",
    "Validated",
    "content_hashes",
    "maybe_stored",
    "parse_times",
    "plan_upsert",
    "validate_export",
    "validate_parts",
]

#: Columns an export may carry (the rest of a complaint's are derived here).
_KNOWN = tuple(c for c in COMPLAINT_COLUMNS if c not in ("topic_source", "content_hash"))
_HASHED = _KNOWN[1:]  # every field but the ticket, which is the key


#: Free text is kept exactly as given (a value of only whitespace counts as missing):
#: trimming it could turn "\t=1+1" into a spreadsheet formula, and it is people's words.
_FREE_TEXT = ("description", "address")


def _as_given(values: pd.Series) -> pa.Array:
    """Text as the file had it; empty where it is only whitespace."""
    text = tx.as_text(values)
    blank = pc.equal(pc.utf8_trim_whitespace(text), "")
    return pc.if_else(blank, pa.scalar("", tx.TEXT), text)


def _column(rows: pd.DataFrame, name: str, n: int) -> pa.Array:
    """An export's column as text: free text as given, the rest stripped; absent, empty."""
    if name not in rows.columns:
        return tx.as_text(None, n)
    return _as_given(rows[name]) if name in _FREE_TEXT else tx.stripped(rows[name])


@dataclass
class Validated:
    """Result of validating one export."""

    complaints: pd.DataFrame
    quarantine: pd.DataFrame
    read: int


def validate_parts(
    raw: RawExport,
    *,
    key: bytes,
    rows: int,
    first: int | None = None,
    date_formats: Sequence[str] = (),
    values: Mapping[str, Sequence[str]] | None = None,
) -> Iterator[Validated]:
    """:func:`validate_export` over consecutive slices of ``rows`` rows, lazily.

    ``first`` sets a smaller first slice, and the slices after it double up to ``rows``,
    so that whoever writes the parts can start sooner and has work all along. The one
    rule that spans rows, a ticket repeated later in the export, is decided over the
    whole export first. Lines that could not be parsed come with the first part.
    """
    total = len(raw.rows)
    superseded = _superseded(raw.rows)
    for start, stop in pairwise(_bounds(total, max(rows, 1), first or rows)):
        part = RawExport(
            raw.source,
            raw.rows.iloc[start:stop].reset_index(drop=True),
            raw.line[start:stop],
            raw.broken if start == 0 else [],
            raw.nul_free,
        )
        yield validate_export(
            part, key=key, superseded=superseded[start:stop], date_formats=date_formats, values=values
        )


def _bounds(total: int, rows: int, first: int) -> list[int]:
    """Where the slices start, and the end: ``first`` rows, then twice as many each time
    up to ``rows``. An empty export is one empty slice."""
    bounds, size = [0], max(min(first, rows), 1)
    while bounds[-1] < total:
        bounds.append(min(bounds[-1] + size, total))
        size = min(size * 2, rows)
    return bounds if total else [0, 0]


def _superseded(rows: pd.DataFrame) -> np.ndarray:
    """Rows whose ticket comes again later in the same export (the last one wins)."""
    if "ticket_id" not in rows.columns:
        return np.zeros(len(rows), dtype=bool)
    ticket = tx.stripped(rows["ticket_id"])
    later: np.ndarray = ~tx.empty(ticket) & tx.last_occurrence(ticket)
    return later


def validate_export(
    raw: RawExport,
    *,
    key: bytes,
    superseded: np.ndarray | None = None,
    date_formats: Sequence[str] = (),
    values: Mapping[str, Sequence[str]] | None = None,
) -> Validated:
    """Split ``raw`` into canonical complaints and quarantined rows.

    ``key`` is the keyed-hash key that derives ``subscriber_id`` from ``msisdn``
    when the CRM gave no subscriber id. ``superseded`` marks rows whose ticket
    comes again later in the export (by default decided within ``raw``). Every
    check runs over whole columns in Arrow's kernels; only the reasons of bad
    rows are put together one by one. Complaints come in ticket order, bad rows in
    line order. A created_at not read is told ``date_formats`` (those of the profile
    the export was read by) as what it may be, and an unknown segment, topic or channel
    the profile's ``values`` (its writings of each field) before the contract's.
    """
    rows = raw.rows
    n = len(rows)
    col = {name: _column(rows, name, n) for name in _KNOWN}  # _KNOWN's order is the reasons' order
    checks = Checks()
    fields = check_fields(col, checks, nul_free=raw.nul_free, date_formats=date_formats, values=values)
    ticket, ticket_missing = col["ticket_id"], fields.ticket_missing
    # A ticket repeated in one export: the last occurrence wins, earlier ones are kept aside.
    if superseded is None:
        superseded = ~ticket_missing & tx.last_occurrence(ticket)
    checks(superseded, "ticket_id repeated later in the same export")
    bad = checks.bad(n)
    good = ~bad
    msisdn, segment, channel, created = fields.msisdn, fields.segment, fields.channel, fields.created
    ltv, lat, lon, located = fields.ltv, fields.lat, fields.lon, fields.located

    subscriber_id = _subscriber_ids(col["subscriber_id"], msisdn, ticket, key)
    description = col["description"]
    final_topic, topic_source = _topics(fields.topic, fields.topic_given, description)

    # Complaints come in ticket order: a key that grows in order costs every store's index less.
    kept = np.flatnonzero(good)
    order = kept[pc.sort_indices(ticket.take(pa.array(kept))).to_numpy()]
    keep = pa.array(order)
    texts = {
        "ticket_id": ticket,
        "msisdn": msisdn,
        "subscriber_id": subscriber_id,
        "segment": segment,
        "topic": final_topic,
        "topic_source": topic_source,
        "description": description,
        "address": col["address"],
        "region": col["region"],
        "channel": channel,
    }
    numbers = {"ltv": ltv, "lat": np.where(located, lat, np.nan), "lon": np.where(located, lon, np.nan)}
    complaints = pd.DataFrame(
        {
            name: created.take(order).reset_index(drop=True)
            if name == "created_at"
            else pd.Series(numbers[name][order])
            if name in numbers
            else tx.series(pc.fill_null(texts[name], "").take(keep))
            for name in COMPLAINT_COLUMNS
            if name != "content_hash"
        }
    )
    complaints["content_hash"] = content_hashes(complaints)

    quarantine = _quarantine(raw, bad, _reasons(checks.problems, bad))
    return Validated(complaints=complaints, quarantine=quarantine, read=n + len(raw.broken))


def _subscriber_ids(subscriber: pa.Array, msisdn: pa.Array, ticket: pa.Array, key: bytes) -> pa.Array:
    """The CRM's subscriber id, else a keyed digest of the number, else of the ticket."""
    no_subscriber = tx.empty(subscriber)
    derived = tx.keyed_digests(pc.if_else(pa.array(no_subscriber), msisdn, ""), key, prefix="s")
    anonymous_rows = no_subscriber & tx.empty(msisdn)
    anonymous = tx.keyed_digests(pc.if_else(pa.array(anonymous_rows), ticket, ""), key, prefix="t")
    return pc.if_else(
        pa.array(no_subscriber), pc.if_else(pa.array(anonymous_rows), anonymous, derived), subscriber
    )


def _topics(topic: pa.Array, topic_given: np.ndarray, description: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Each complaint's topic (the CRM's, else classified from its description) and
    where it came from (``crm``, ``classified`` or none)."""
    final_topic = pc.if_else(pa.array(topic_given), topic, pa.scalar(None, tx.TEXT))
    unlabelled = ~topic_given & ~tx.empty(description)
    if unlabelled.any():
        chosen = pa.array(unlabelled)
        classified = pa.array(classify_text(description.filter(chosen)), type=tx.TEXT)
        final_topic = pc.replace_with_mask(final_topic, chosen, classified)
    topic_source = pc.if_else(
        pa.array(topic_given),
        pa.scalar("crm", tx.TEXT),
        pc.if_else(pc.is_valid(final_topic), pa.scalar("classified", tx.TEXT), pa.scalar(None, tx.TEXT)),
    )
    return final_topic, topic_source


#: Characters of a value a reason quotes.
SHOWN = 40


def _reasons(problems: list[Problem], bad: np.ndarray) -> list[str]:
    """Every reason of each bad row, in check order, joined by "; "; a reason quotes the
    row's value (cut to :data:`SHOWN` characters) and what would be allowed."""
    where = np.flatnonzero(bad)
    slot = np.full(len(bad), -1, dtype=np.int64)
    slot[where] = np.arange(len(where))
    found: list[list[str]] = [[] for _ in where]
    for hit, reason, shown, allowed in problems:
        rows = np.flatnonzero(hit)
        values = shown.take(pa.array(rows)).to_pylist() if shown is not None else [None] * len(rows)
        for i, value in zip(slot[rows].tolist(), values, strict=True):
            found[i].append(_with_value(reason, value, allowed))
    return ["; ".join(r) for r in found]


def _with_value(reason: str, value: object, allowed: str | None) -> str:
    if value is None:
        return reason
    text = str(value)
    text = text if len(text) <= SHOWN else text[:SHOWN] + "…"
    return f"{reason} (got {text!r}" + (f", allowed: {allowed})" if allowed else ")")


def content_hashes(complaints: pd.DataFrame) -> pd.Series:
    """A 64-bit fingerprint of what the CRM said about each complaint, as hex text.

    The hashed fields are joined into one text per row (missing values marked
    apart from empty ones) and hashed by pandas' SipHash.
    """
    if complaints.empty:
        return pd.Series([], dtype=object)
    created = complaints["created_at"].dt.tz_convert("UTC").dt.as_unit("us").astype("int64")
    fields = [pc.cast(pa.array(created.to_numpy()), tx.TEXT)]
    for name in _HASHED[1:]:
        values = complaints[name]
        if pd.api.types.is_float_dtype(values):
            fields.append(pc.cast(pa.array(values.to_numpy(), from_pandas=True), tx.TEXT))
        else:
            fields.append(tx.as_text(values, keep_null=True))
    joined = pc.binary_join_element_wise(
        *fields, pa.scalar("\x1f", tx.TEXT), null_handling="replace", null_replacement="\x00"
    )
    hashed = pd.util.hash_array(
        pc.cast(joined, pa.large_binary()).to_numpy(zero_copy_only=False), categorize=False
    )
    return pd.Series(tx.hex_text(hashed), index=complaints.index, dtype="str")


#: The quarantine of an export with no bad row, as the general path below builds it.
_NOTHING_QUARANTINED = pd.DataFrame(
    {
        "source": pd.Series([], dtype="str"),
        "line": np.array([], dtype=np.int64),
        "raw": pd.Series([], dtype="str"),
        "reasons": pd.Series([], dtype=float),
    }
).loc[:, list(QUARANTINE_COLUMNS)]


def _quarantine(raw: RawExport, bad: np.ndarray, reasons: list[str]) -> pd.DataFrame:
    if not raw.broken and not bad.any():  # most exports: nothing to put aside
        return _NOTHING_QUARANTINED.copy()
    where = pa.array(np.flatnonzero(bad))
    values = {str(c): tx.as_text(raw.rows[c], keep_null=True).take(where) for c in raw.rows.columns}
    frame = pd.DataFrame(
        {
            "source": raw.source,
            "line": raw.line[where.to_numpy()],
            "raw": pd.Series(tx.json_objects(values), dtype="str") if values else [],
            "reasons": reasons,
        }
    )
    if raw.broken:
        broken = pd.DataFrame(raw.broken, columns=["line", "raw", "reasons"])
        broken.insert(0, "source", raw.source)
        frame = pd.concat([frame, broken], ignore_index=True) if len(frame) else broken
    return frame.loc[:, list(QUARANTINE_COLUMNS)].sort_values("line", ignore_index=True)

"""The checks of an export's columns (:func:`heatmap.core.ingest.validate_export`): each
failing check is a :class:`Problem` — the rows, why, their value and what is allowed —
and the parsed columns the checks read come back as :class:`Fields`.

Every check runs over a whole column in Arrow's kernels. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from heatmap.core import text as tx
from heatmap.core.msisdn import normalise_msisdn_text
from heatmap.domain import CHANNELS, SEGMENTS, TOPICS

_OFFSET = r"(?:[Zz]|[+\-]\d{2}(?::?\d{2})?)$"
_USUAL_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+\-](?:[01]\d|2[0-3]):?\d{2})$"
#: The contract's date-time, as the reason for one not read shows it.
_ISO_EXAMPLE = "2026-12-01T10:00:00+03:00"
#: What created_at may be without a profile's date formats (rendered in Russian by
#: ``heatmap/io/reasons.toml``).
ISO_ALLOWED = f"e.g. {_ISO_EXAMPLE}, or --profile with the CRM's own format"
#: A created_at that none of the profile's date formats reads: the reason names them first.
_NOT_A_DATE_IN_PROFILE = "created_at is not in the profile's date formats"


class Problem(NamedTuple):
    """Rows failing one check, why, and (for the reason text) their value and what is allowed."""

    found: np.ndarray
    reason: str
    shown: pa.Array | None = None
    allowed: str | None = None


@dataclass
class Checks:
    """The problems found so far; called with the rows a check failed on."""

    problems: list[Problem] = field(default_factory=list)

    def __call__(
        self, found: np.ndarray, reason: str, shown: pa.Array | None = None, allowed: str | None = None
    ) -> None:
        if found.any():
            self.problems.append(Problem(found, reason, shown, allowed))

    def bad(self, n: int) -> np.ndarray:
        """Rows failing any check."""
        bad = np.zeros(n, dtype=bool)
        for problem in self.problems:
            bad |= problem.found
        return bad


@dataclass(frozen=True)
class Fields:
    """The parsed columns of an export, as the checks read them."""

    ticket_missing: np.ndarray
    created: pd.Series
    msisdn: pa.Array
    segment: pa.Array
    ltv: np.ndarray
    topic: pa.Array
    topic_given: np.ndarray
    channel: pa.Array
    lat: np.ndarray
    lon: np.ndarray
    located: np.ndarray


def check_fields(
    col: dict[str, pa.Array],
    checks: Checks,
    *,
    nul_free: bool,
    date_formats: Sequence[str] = (),
    values: Mapping[str, Sequence[str]] | None = None,
) -> Fields:
    """Run every check of a row's own fields on the columns ``col`` (text, one per known
    column); ``nul_free``: the reader saw no NUL character, so none is looked for;
    ``date_formats``: those of the profile the export was read by, which a created_at
    not read is told to follow (:func:`datetime_allowed`); ``values``: per field, the
    writings the profile maps to the contract's values, which an unknown segment, topic
    or channel is told before the contract's own (:func:`values_allowed`)."""
    told = values or {}
    ticket_missing, created, msisdn, segment, ltv = _check_who_and_when(
        col, checks, nul_free=nul_free, date_formats=date_formats, told=told
    )
    topic, topic_given, channel, lat, lon, located = _check_what_and_where(col, checks, told)
    return Fields(
        ticket_missing, created, msisdn, segment, ltv, topic, topic_given, channel, lat, lon, located
    )


def _check_who_and_when(
    col: dict[str, pa.Array],
    checks: Checks,
    *,
    nul_free: bool,
    date_formats: Sequence[str],
    told: Mapping[str, Sequence[str]],
) -> tuple[np.ndarray, pd.Series, pa.Array, pa.Array, np.ndarray]:
    for name in () if nul_free else col:  # no database text type can hold U+0000
        checks(tx.mask(pc.match_substring(col[name], "\x00")), f"{name} holds a NUL character")

    ticket = col["ticket_id"]
    ticket_missing = tx.empty(ticket)
    checks(ticket_missing, "missing ticket_id")

    created_text = col["created_at"]
    created = parse_times(created_text)
    created_ok = created.notna().to_numpy()
    created_missing = tx.empty(created_text)
    checks(created_missing, "missing created_at")
    checks(
        ~created_missing & ~created_ok,
        _NOT_A_DATE_IN_PROFILE if date_formats else "created_at is not an ISO 8601 date-time",
        created_text,
        datetime_allowed(date_formats),
    )
    checks(
        created_ok & ~tx.matches(created_text, _OFFSET),
        "created_at has no UTC offset",
        created_text,
        "+03:00 or Z at the end, or --profile with the time zone",
    )

    msisdn, msisdn_ok = normalise_msisdn_text(col["msisdn"])
    checks(
        ~msisdn_ok,
        "msisdn is not a Russian mobile number",
        pc.utf8_replace_slice(col["msisdn"], 4, -2, "…"),
        "+79XXXXXXXXX, 89XXXXXXXXX or 79XXXXXXXXX",
    )

    segment = tx.lower(col["segment"])
    segment_missing = tx.empty(segment)
    checks(segment_missing, "missing segment")
    checks(
        ~segment_missing & ~tx.is_in(segment, SEGMENTS),
        "unknown segment",
        col["segment"],
        values_allowed(told.get("segment", ()), SEGMENTS),
    )

    ltv_text = tx.remove(col["ltv"], r"[\s\x{00a0}]")
    ltv = tx.to_float(ltv_text)
    checks(~tx.empty(ltv_text) & np.isnan(ltv), "ltv is not a number", col["ltv"], "roubles, e.g. 1250.50")
    checks(ltv < 0, "ltv is negative", col["ltv"])

    return ticket_missing, created, msisdn, segment, ltv


def _check_what_and_where(
    col: dict[str, pa.Array], checks: Checks, told: Mapping[str, Sequence[str]]
) -> tuple[pa.Array, np.ndarray, pa.Array, np.ndarray, np.ndarray, np.ndarray]:
    topic = tx.lower(col["topic"])
    topic_given = ~tx.empty(topic)
    checks(
        topic_given & ~tx.is_in(topic, TOPICS),
        "unknown topic",
        col["topic"],
        values_allowed(told.get("topic", ()), TOPICS),
    )

    channel = tx.lower(col["channel"])
    checks(
        ~tx.empty(channel) & ~tx.is_in(channel, CHANNELS),
        "unknown channel",
        col["channel"],
        values_allowed(told.get("channel", ()), CHANNELS),
    )

    lat, lat_given = tx.to_float(col["lat"]), ~tx.empty(col["lat"])
    lon, lon_given = tx.to_float(col["lon"]), ~tx.empty(col["lon"])
    checks(lat_given & np.isnan(lat), "lat is not a number", col["lat"], "degrees, e.g. 59.22")
    checks(lon_given & np.isnan(lon), "lon is not a number", col["lon"], "degrees, e.g. 39.88")
    checks((lat < -90) | (lat > 90), "lat outside -90..90", col["lat"])
    checks((lon < -180) | (lon > 180), "lon outside -180..180", col["lon"])
    half = lat_given ^ lon_given
    checks(half, "lat and lon must be given together", _point_given(col) if half.any() else None)
    located = lat_given & lon_given
    checks(tx.empty(col["address"]) & ~located, "neither address nor lat/lon")

    return topic, topic_given, channel, lat, lon, located


def _point_given(col: dict[str, pa.Array]) -> pa.Array:
    """Both halves of a point as a row gave them, for a reason to quote: ``lat=59.22, lon=``."""
    lat, lon = (pc.utf8_trim_whitespace(col[name]) for name in ("lat", "lon"))
    words = [pa.scalar(w, lat.type) for w in ("lat=", ", lon=", "")]
    return pc.binary_join_element_wise(words[0], lat, words[1], lon, words[2], null_handling="replace")


def values_allowed(written: Sequence[str], contract: Iterable[str]) -> str:
    """What an unknown segment, topic or channel is told it may be: the writings a profile
    maps (``written``, as its file spells them: ``массовый``, ``колл-центр``) before the
    contract's own values, which a profile lets through as they are."""
    return ", ".join(dict.fromkeys([*written, *sorted(contract)]))


def datetime_allowed(date_formats: Sequence[str]) -> str:
    """What a created_at not read is told it may be: with a profile's ``date_formats``,
    one date-time written in each of them, then in ISO 8601 (the same in any language:
    ``27.11.26 01:45`` beside ``01.12.2026 10:00`` shows what is wrong); else the
    contract's ISO 8601 and the advice to use a profile."""
    if not date_formats:
        return ISO_ALLOWED
    sample = datetime(2026, 12, 1, 10, 0)
    return ", ".join(dict.fromkeys([*(sample.strftime(f) for f in date_formats), _ISO_EXAMPLE]))


def parse_times(text: pa.Array) -> pd.Series:
    """ISO 8601 date-times as UTC (NaT where empty or not a date-time; no offset = UTC).

    The usual CRM form, a full date-time with seconds and an offset, is read by Arrow's
    strict cast, about twenty times faster than pandas. Every other value, and all of them
    when one in the usual form is not a real date-time, is read by pandas' ISO 8601
    parser, so the answers are pandas' throughout.
    """
    times = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[us]")  # UTC wall clock
    usual = tx.mask(pc.match_substring_regex(text, _USUAL_TIME))
    try:
        fast = pc.cast(text.filter(pa.array(usual)), pa.timestamp("us", tz="UTC"))
        times[usual] = fast.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)
        slow = ~usual & ~tx.empty(text)
    except pa.ArrowInvalid:  # some value in the usual form is no real date-time
        slow = ~tx.empty(text)
    if slow.any():
        values = pd.Series(text.filter(pa.array(slow)).to_numpy(zero_copy_only=False))
        parsed = pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")
        times[slow] = parsed.dt.tz_localize(None).dt.as_unit("us").to_numpy()
    return pd.Series(pd.DatetimeIndex(times).tz_localize("UTC"))

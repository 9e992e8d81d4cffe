"""Mapping profiles: how an export that is not in the contract's shape becomes one.

A profile renames columns (the first of its candidate headers found, compared without
case or surrounding spaces), joins several columns into one, fills constants for
fields the file lacks, maps values (``массовый`` → ``mass``), reads dates in the
CRM's own formats in its time zone, and reads decimal commas. Pure: a raw text frame
goes in, a text frame in the contract's columns comes out (the file's own columns are
kept beside them, so a quarantined row still shows what the file said), and
validation then judges it exactly as it judges a file written to the contract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from heatmap.domain.columns import COMPLAINT_COLUMNS
from heatmap.errors import InputError

if TYPE_CHECKING:  # imported where frames are mapped: reading a profile needs no pandas
    import pandas as pd

#: Fields every row needs; one of the place fields (address, or lat and lon) too.
REQUIRED = ("ticket_id", "created_at", "segment")
PLACE = (("address",), ("lat", "lon"))
#: Every field of the contract (DESIGN.md, "Ingest").
CONTRACT: tuple[str, ...] = tuple(c for c in COMPLAINT_COLUMNS if c not in ("topic_source", "content_hash"))
_NUMBERS = ("lat", "lon", "ltv")


@dataclass(frozen=True)
class Reading:
    """How the file's bytes become rows: ``auto`` sniffs (UTF-8 else cp1251; the header's
    most frequent of ``,``, ``;``, tab and ``|``)."""

    encoding: str = "auto"
    separator: str = "auto"


@dataclass(frozen=True)
class Profile:
    """One way of writing an export (see ``heatmap/profiles/*.toml``)."""

    name: str
    description: str = ""
    reading: Reading = field(default_factory=Reading)
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    joined: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    constants: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    date_formats: tuple[str, ...] = ()
    timezone: str | None = None
    decimal_comma: bool = False
    optional: frozenset[str] = frozenset()

    @property
    def is_identity(self) -> bool:
        """Nothing to map: the file is read as the contract."""
        return not (
            self.columns
            or self.joined
            or self.constants
            or self.values
            or self.date_formats
            or self.decimal_comma
        )


def _key(header: object) -> str:
    return str(header).strip().casefold()


def source_columns(headers: Sequence[str], profile: Profile) -> dict[str, str]:
    """Contract field → the file's header it comes from (renamed or as named)."""
    by_key = {_key(h): h for h in headers}
    found: dict[str, str] = {}
    for name in CONTRACT:
        for candidate in (*profile.columns.get(name, ()), name):
            if _key(candidate) in by_key:
                found[name] = by_key[_key(candidate)]
                break
    return found


def check_header(headers: Sequence[str], profile: Profile) -> None:
    """Refuse a file whose header lacks a required field the profile cannot supply,
    naming what is missing, what the file has and the headers closest to each."""
    supplied = (
        set(source_columns(headers, profile))
        | set(profile.constants)
        | set(profile.joined)
        | profile.optional
    )
    missing = [f for f in REQUIRED if f not in supplied]
    if not any(all(f in supplied for f in place) for place in PLACE):
        missing.append("address (or lat and lon)")
    if not missing:
        return
    hints = [f"{m}: closest {close}" for m in missing if (close := _closest(m, headers))]
    raise InputError(
        f"the header lacks required column(s) {', '.join(missing)} (profile {profile.name!r});"
        f" the file has: {', '.join(map(str, headers)) or 'no columns'}"
        + (f"; {'; '.join(hints)}" if hints else "")
        + ". Rename the columns or give a profile (--profile, see `heatmap profile guess`)."
    )


def _closest(name: str, headers: Sequence[str]) -> str:
    from rapidfuzz import fuzz, process

    word = name.split(" ")[0]
    best = process.extract(word, [str(h) for h in headers], scorer=fuzz.WRatio, limit=2, score_cutoff=60)
    return ", ".join(repr(h) for h, _, _ in best)


def apply_profile(rows: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    """``rows`` (text) with the contract's columns made from them by ``profile``."""
    if profile.is_identity:
        return rows
    out = rows.copy()
    for name, header in source_columns(list(rows.columns), profile).items():
        out[name] = rows[header]
    for name, headers in profile.joined.items():
        present = [h for h in headers if h in rows.columns]
        if present:
            out[name] = _join(rows[present])
    for name, value in profile.constants.items():
        if name not in out.columns:
            out[name] = value
        else:
            out[name] = out[name].where(out[name].str.strip() != "", value)
    for name, mapping in profile.values.items():
        if name in out.columns:
            out[name] = _mapped(out[name], mapping)
    if profile.date_formats and "created_at" in out.columns:
        out["created_at"] = dates_iso(out["created_at"], profile.date_formats, profile.timezone)
    if profile.decimal_comma:
        for name in _NUMBERS:
            if name in out.columns:
                out[name] = out[name].str.replace(r"^(-?\d+),(\d+)$", r"\1.\2", regex=True)
    return out


def _join(columns: pd.DataFrame) -> pd.Series:
    parts = columns.apply(lambda c: c.str.strip())
    return parts.apply(lambda row: ": ".join(v for v in row if v), axis=1).astype(object)


def _mapped(values: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    table = {_key(k): v for k, v in mapping.items()}
    keys = values.map(_key)
    return keys.map(table).where(keys.isin(table.keys()), values)


#: An ISO 8601 date or date-time without a UTC offset (``2026-11-27 01:45``).
_ISO_WITHOUT_OFFSET = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"


def dates_iso(values: pd.Series, formats: Sequence[str], timezone: str | None) -> pd.Series:
    """Each value that one of ``formats`` reads as ISO 8601 with the offset of
    ``timezone`` (UTC without one), and with a ``timezone`` each ISO 8601 value without an
    offset as a time there; values with an offset, or unreadable, are kept as they are
    (validation judges them and shows them)."""
    import pandas as pd

    text = values.astype(str).str.strip()
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = parsed.isna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    if timezone:  # a CRM that writes ISO 8601 too writes it in its own zone, without an offset
        bare = parsed.isna() & text.str.fullmatch(_ISO_WITHOUT_OFFSET)
        if bare.any():
            parsed[bare] = pd.to_datetime(text[bare], format="ISO8601", errors="coerce")
    ok = parsed.notna()
    if not ok.any():
        return values
    local = pd.DatetimeIndex(parsed[ok]).tz_localize(
        timezone or "UTC", ambiguous="NaT", nonexistent="shift_forward"
    )
    iso = pd.Series(local.strftime("%Y-%m-%dT%H:%M:%S%z"), index=parsed.index[ok]).dropna()
    out = values.astype(object).copy()
    out[iso.index] = iso.str.replace(r"([+-]\d{2})(\d{2})$", r"\1:\2", regex=True)
    return out


def check_profile(profile: Profile) -> None:
    """Refuse a profile that names fields the contract does not have."""
    named = {*profile.columns, *profile.joined, *profile.constants, *profile.values, *profile.optional}
    unknown = sorted(named - set(CONTRACT))
    if unknown:
        raise InputError(
            f"profile {profile.name!r} names unknown field(s) {', '.join(unknown)};"
            f" the contract's fields are {', '.join(CONTRACT)}"
        )

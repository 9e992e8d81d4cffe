"""The recipient's UTC offset: from the complaint's city or region, else the number range.

Russia keeps fixed offsets all year (no daylight saving since 2014), from UTC+2
(Kaliningrad) to UTC+12 (Kamchatka, Chukotka). Three small tables are packaged in
``heatmap/closeout/data`` (see its ``SOURCES.md``), derived by :func:`build_zone_tables`
from public data:

* ``regions.csv`` — region key → offset (a region spanning several zones, Yakutia,
  takes its capital's);
* ``cities.csv`` — city key, region key → offset;
* ``def_ranges.csv`` — mobile number ranges (10 national digits) → offset, adjacent
  ranges with the same offset merged.

:meth:`ZoneBook.offset` is pure: it answers ``(minutes east of UTC, source)`` where
source is ``city``, ``region``, ``number`` or ``default`` (Moscow, UTC+3).
"""

from __future__ import annotations

import bisect
import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

__all__ = ["MOSCOW_MINUTES", "ZoneBook", "build_zone_tables", "default_zone_book", "place_key"]

MOSCOW_MINUTES = 180
#: Words that name the kind of place, not the place ("Вологодская область" → "вологодская").
_TYPE_WORDS = frozenset(
    (
        "область",
        "обл",
        "край",
        "республика",
        "респ",
        "автономный",
        "автономная",
        "автономного",
        "округ",
        "ао",
        "аобл",
        "г",
        "гор",
        "город",
        "федерального",
        "значения",
        "россия",
        "российская",
        "федерация",
        "чувашия",
    )
)
_NON_LETTERS = re.compile(r"[^0-9a-zа-я]+")
_CITY_MARKER = re.compile(r"(?:^|[\s,.(])(?:г|гор|город)\.?\s+([а-яё][а-яё\- ]+)", re.IGNORECASE)


def place_key(text: str | None) -> str:
    """A comparable key of a place name: lower case, ё → е, no punctuation or type words."""
    if not text:
        return ""
    lowered = text.lower().replace("ё", "е")
    words = [w for w in _NON_LETTERS.sub(" ", lowered).split() if w not in _TYPE_WORDS]
    return " ".join(words)


@dataclass(frozen=True)
class ZoneBook:
    """Offsets (minutes east of UTC) by region key, city key and number range."""

    regions: dict[str, int]
    cities: dict[str, tuple[tuple[str, int], ...]]  # city key → ((region key, offset), …)
    range_starts: tuple[int, ...]
    range_ends: tuple[int, ...]
    range_offsets: tuple[int, ...]
    default: int = MOSCOW_MINUTES

    # --- lookups -------------------------------------------------------------------------
    def region_offset(self, region: str | None) -> int | None:
        found = self.region_of(region)
        return None if found is None else self.regions[found]

    def region_of(self, region: str | None) -> str | None:
        """The packaged region key ``region`` names, by its whole key or a word only it has."""
        key = place_key(region)
        if not key or key in self.regions:
            return key or None
        found = {self._region_words[w] for w in key.split() if w in self._region_words}
        return found.pop() if len(found) == 1 else None

    @cached_property
    def _region_words(self) -> dict[str, str]:
        """Words (4+ letters) that occur in exactly one region key: "кузбасс" → Kemerovo."""
        seen: dict[str, set[str]] = {}
        for key in self.regions:
            for word in key.split():
                if len(word) >= 4:
                    seen.setdefault(word, set()).add(key)
        return {w: next(iter(k)) for w, k in seen.items() if len(k) == 1}

    def city_offset(self, address: str | None, region: str | None = None) -> int | None:
        """The offset of the city an address names after ``г``/``город`` (``г Вологда, …``).

        A name found in several regions with different offsets counts only when
        ``region`` tells which one is meant.
        """
        if not address:
            return None
        region_key = self.region_of(region) if region else None
        for match in _CITY_MARKER.finditer(address):
            words = place_key(match.group(1)).split()
            for size in range(min(3, len(words)), 0, -1):
                entries = self.cities.get(" ".join(words[:size]))
                if not entries:
                    continue
                if region_key is not None:
                    entries = tuple(e for e in entries if e[0] == region_key) or entries
                offsets = {offset for _, offset in entries}
                if len(offsets) == 1:
                    return offsets.pop()
        return None

    def number_offset(self, msisdn: str | None) -> int | None:
        """The offset of the region a Russian mobile number (``+79…``) was issued in."""
        digits = re.sub(r"\D", "", msisdn or "")
        if len(digits) == 11 and digits[0] in "78":
            digits = digits[1:]
        if len(digits) != 10:
            return None
        number = int(digits)
        at = bisect.bisect_right(self.range_starts, number) - 1
        if at >= 0 and number <= self.range_ends[at]:
            return self.range_offsets[at]
        return None

    def offset(
        self, *, address: str | None = None, region: str | None = None, msisdn: str | None = None
    ) -> tuple[int, str]:
        """``(minutes east of UTC, source)``: city, else region, else number, else Moscow."""
        for source, value in (
            ("city", self.city_offset(address, region)),
            ("region", self.region_offset(region)),
            ("number", self.number_offset(msisdn)),
        ):
            if value is not None:
                return value, source
        return self.default, "default"


# --- packaged tables -----------------------------------------------------------------------
def _data_text(name: str) -> str:
    return (resources.files("heatmap.closeout") / "data" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def default_zone_book() -> ZoneBook:
    """The packaged tables, read once."""
    return read_zone_book(_data_text("regions.csv"), _data_text("cities.csv"), _data_text("def_ranges.csv"))


def read_zone_book(regions_csv: str, cities_csv: str, ranges_csv: str) -> ZoneBook:
    regions = {r["key"]: int(r["offset_h"]) * 60 for r in csv.DictReader(regions_csv.splitlines())}
    cities: dict[str, list[tuple[str, int]]] = {}
    for row in csv.DictReader(cities_csv.splitlines()):
        cities.setdefault(row["key"], []).append((row["region_key"], int(row["offset_h"]) * 60))
    rows = sorted(
        (int(r["start"]), int(r["end"]), int(r["offset_h"]) * 60)
        for r in csv.DictReader(ranges_csv.splitlines())
    )
    return ZoneBook(
        regions=regions,
        cities={k: tuple(v) for k, v in cities.items()},
        range_starts=tuple(r[0] for r in rows),
        range_ends=tuple(r[1] for r in rows),
        range_offsets=tuple(r[2] for r in rows),
    )


# --- building the tables from the public data -------------------------------------------------
def _hours(text: str) -> int:
    match = re.fullmatch(r"UTC([+-]\d{1,2})", text.strip())
    if not match:
        raise ValueError(f"not a UTC offset: {text!r}")
    return int(match.group(1))


def build_zone_tables(cities_csv: Path, def_csv: Path) -> dict[str, str]:
    """The three packaged CSV texts from ``city.csv`` (hflabs/city) and ``DEF-9xx.csv``
    (Rossvyaz numbering plan): ``{"regions.csv": …, "cities.csv": …, "def_ranges.csv": …}``."""
    with open(cities_csv, encoding="utf-8", newline="") as handle:
        places = list(csv.DictReader(handle))
    by_region: dict[str, list[dict[str, str]]] = {}
    for row in places:
        by_region.setdefault(place_key(row["region"]), []).append(row)
    regions: dict[str, int] = {}
    for key, rows in by_region.items():
        zones = {_hours(r["timezone"]) for r in rows}
        capital = [r for r in rows if r["capital_marker"] in ("2", "3")] or rows
        regions[key] = _hours(capital[0]["timezone"]) if len(zones) > 1 else zones.pop()
    cities = sorted(
        {
            (
                place_key(r["city"] or r["settlement"] or r["region"]),
                place_key(r["region"]),
                _hours(r["timezone"]),
            )
            for r in places
        }
    )
    book = ZoneBook(
        regions={k: v * 60 for k, v in regions.items()},
        cities=_group(cities),
        range_starts=(),
        range_ends=(),
        range_offsets=(),
    )
    with open(def_csv, encoding="utf-8", newline="") as handle:
        plan = list(csv.reader(handle, delimiter=";"))[1:]
    ranges: list[tuple[int, int, int]] = []
    for code, first, last, *_rest, region in plan:
        offset = _plan_region_offset(book, region)
        if offset is not None:
            ranges.append((int(code + first), int(code + last), offset // 60))
    merged: list[list[int]] = []
    for low, high, hours in sorted(ranges):
        if merged and merged[-1][2] == hours and merged[-1][1] + 1 >= low:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high, hours])
    return {
        "regions.csv": _csv(["key", "offset_h"], sorted(regions.items())),
        "cities.csv": _csv(["key", "region_key", "offset_h"], cities),
        "def_ranges.csv": _csv(["start", "end", "offset_h"], merged),
    }


def _group(cities: Iterable[tuple[str, str, int]]) -> dict[str, tuple[tuple[str, int], ...]]:
    out: dict[str, list[tuple[str, int]]] = {}
    for key, region, hours in cities:
        out.setdefault(key, []).append((region, hours * 60))
    return {k: tuple(v) for k, v in out.items()}


def _plan_region_offset(book: ZoneBook, text: str) -> int | None:
    """Offset of a numbering-plan region ("г. Москва * Московская область", "г. Сочи|Краснодарский
    край", "Сургутский район * г. Сургут"); None when its parts disagree or none is known."""
    found: set[int] = set()
    for part in re.split(r"\||\s\*\s|\sи\s", text):
        offset = book.region_offset(part)
        if offset is None:
            offset = book.city_offset(part if re.search(r"\bг\.?\s", part) else f"г {part}")
        if offset is not None:
            found.add(offset)
    return found.pop() if len(found) == 1 else None


def _csv(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"

"""CSV read record by record, for files the fast reader refuses: every good row is kept.

A row with the wrong number of fields, a field longer than :data:`MAX_FIELD`, or a
quote that is never closed costs that row (as a *broken* record with its line, its text
and the reason), never the rest of the file. An unclosed quote would make the ``csv``
module read on until the next quote, swallowing every row in between into one bad
record; when a record that spans several lines has the wrong width, only its first line
is given up and reading starts again on the line after it.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from heatmap.errors import InputError

if TYPE_CHECKING:
    from heatmap.io.exports import RawExport

#: Longest field kept (characters): a complaint's text is never near it.
MAX_FIELD = 1_000_000
#: Raw text kept of a broken line (characters).
RAW_KEPT = 2_000
#: Why a line whose quotes do not pair up is given up.
UNPAIRED = (
    "the quotes do not pair up from this line on (a quote opened here is never closed,"
    " or a field holds a stray quote)"
)


@dataclass
class _Parsed:
    header: list[str]
    good: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    broken: list[tuple[int, str, str]] = field(default_factory=list)


def read_csv_robust(path: Path, text: str, sep: str) -> RawExport:
    """The rows of ``text`` (a CSV with a header) that parse, and the lines that do not."""
    import pandas as pd

    from heatmap.io.exports import RawExport

    lines = [line + "\n" for line in text.split("\n")]  # (splitlines breaks at \x0b, \u2028…)
    if lines[-1] == "\n":
        lines.pop()
    try:
        parsed = _Parsed(header=[h.strip() for h in next(csv.reader(lines[:1], delimiter=sep), [])])
    except csv.Error as exc:  # a bare carriage return inside the header line
        raise InputError(f"{path}: line 1, the header, is not a CSV line ({exc})") from exc
    limit = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)  # oversized fields are judged below, not by csv
    try:
        _parse(lines, sep, parsed)
    finally:
        csv.field_size_limit(limit)
    header = parsed.header
    rows = (
        pd.DataFrame(parsed.good, columns=header, dtype=str) if parsed.good else pd.DataFrame(columns=header)
    )
    return RawExport(
        str(path),
        rows,
        np.asarray(parsed.lines, dtype=np.int64),
        sorted(parsed.broken),
        nul_free="\x00" not in text,
    )


def _parse(lines: list[str], sep: str, parsed: _Parsed) -> None:
    width = len(parsed.header)
    start = 1  # index of the next record's first line (0 is the header)
    while start < len(lines):
        restart = None
        for first, used, record in _records(lines, start, sep):
            if record is None:  # csv itself gave up on this line
                _broken(parsed, lines, first, 1, UNPAIRED)
                restart = first + 1
                break
            if not any(v.strip() for v in record):
                continue
            if len(record) == width and max(map(len, record)) <= MAX_FIELD:
                parsed.good.append(record)
                parsed.lines.append(first + 1)
                continue
            if len(record) != width and used > 1:
                _broken(parsed, lines, first, 1, UNPAIRED)
                restart = first + 1
                break
            _broken(parsed, lines, first, used, _why(record, width))
        if restart is None:
            return
        start = restart


def _records(lines: list[str], start: int, sep: str) -> Iterator[tuple[int, int, list[str] | None]]:
    """(index of the first line, lines used, fields or None) for each record from ``start``."""
    reader = csv.reader(iter(lines[start:]), delimiter=sep, strict=True)
    done = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield start + done, 1, None
            return
        yield start + done, reader.line_num - done, record
        done = reader.line_num


def _why(record: list[str], width: int) -> str:
    longest = max(map(len, record), default=0)
    if longest > MAX_FIELD:
        return f"a field of {longest:,} characters (at most {MAX_FIELD:,})"
    return f"expected {width} fields, found {len(record)}"


def _broken(parsed: _Parsed, lines: list[str], first: int, used: int, reason: str) -> None:
    raw = "".join(lines[first : first + used]).rstrip("\r\n")
    if len(raw) > RAW_KEPT:
        raw = raw[:RAW_KEPT] + f"… ({len(raw):,} characters)"
    parsed.broken.append((first + 1, raw, reason))

"""``heatmap geocode-file``: a CSV of addresses in, the same rows with the answers added.

Every input cell is kept as written and in order (the standard library's csv reads
and writes text as text); the gazetteer is read with Arrow alone, so the command
never imports pandas. Answers below ``house`` say why in ``reason`` (Russian).
Cells that a spreadsheet would run as a formula are written with a leading
apostrophe (OWASP's rule for CSV injection), as every CSV this tool writes.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from heatmap.core.mapping import Profile, Reading, source_columns
from heatmap.errors import InputError, UsageError
from heatmap.geocode.answers import Answer
from heatmap.geocode.matcher import GazetteerGeocoder
from heatmap.io.atomic import atomic_text
from heatmap.io.formulas import spreadsheet_text
from heatmap.io.sniff import SEPARATORS, sniff_separator, to_utf8, utf16_as_utf8

#: Columns added to every row, in order.
ADDED_COLUMNS: tuple[str, ...] = ("lat", "lon", "precision", "score", "matched", "reason")
#: The separator of a file of one column: the ASCII unit separator, which no address holds.
_NO_SEPARATOR = "\x1f"


def read_rows(path: Path, reading: Reading | None = None) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a CSV, every cell as text; the encoding and separator as
    ``reading`` says, sniffed by default (UTF-8 else cp1251; the header's separator)."""
    reading = reading or Reading()
    try:
        data = path.read_bytes()
        utf8 = utf16_as_utf8(data, str(path))
        data = utf8 if utf8 is not None else to_utf8(data, reading.encoding, str(path))[0]
        separator = _separator(data, reading)
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=separator)
        header = next(reader, None)
        rows = list(_rows_within(reader, 0 if header is None else len(header), path))
    except (OSError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read CSV: {exc}") from exc
    if header is None:
        raise InputError(f"{path}: cannot read CSV: the file is empty")
    return header, rows


def _separator(data: bytes, reading: Reading) -> str:
    """The separator to read with: a header that names one column and holds none of the
    separators makes a file of one column, whose addresses keep their commas."""
    if reading.separator != "auto":
        return reading.separator
    end = data.find(b"\n")
    if not any(sep.encode() in data[: end if end >= 0 else len(data)] for sep in SEPARATORS):
        return _NO_SEPARATOR
    return sniff_separator(data)


def _rows_within(reader: Iterator[list[str]], width: int, path: Path) -> Iterator[list[str]]:
    """The rows, each refused in one line when it has more cells than the header (its
    extra cells would be lost, or an address cut at its first comma)."""
    for row in reader:
        if len(row) > width:
            line = getattr(reader, "line_num", 0)
            raise InputError(
                f"{path}: line {line} has {len(row)} cells, the header {width}:"
                " quote cells that hold the separator"
            )
        yield row


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return spreadsheet_text(repr(value) if isinstance(value, float) else str(value))


def _number_cell(value: float) -> str:
    """:func:`_cell` of a float, without its general checks."""
    return "" if value != value else spreadsheet_text(repr(value))


def _answer_cells(answer: Answer) -> list[str]:
    """The cells of an answer's columns, as :func:`_cell` writes them."""
    lat, lon, precision, score, matched, reason = answer
    if not (type(lat) is float and type(lon) is float and type(score) is float):
        return [*map(_cell, answer)]
    return [
        _number_cell(lat),
        _number_cell(lon),
        _cell(precision),
        _number_cell(score),
        _cell(matched),
        _cell(reason),
    ]


def _lines(width: int, rows: list[list[str]], answers: list[Answer]) -> Iterator[list[str]]:
    """Each row's cells as written (:func:`~heatmap.io.formulas.spreadsheet_text`) and its
    answer's cells; equal answers (addresses of one house, repeated addresses) share their
    cells, made once."""
    added: dict[Answer, list[str]] = {}
    for row, answer in zip(rows, answers, strict=True):
        cells = row if len(row) == width else (row + [""] * (width - len(row)))[:width]
        extra = added.get(answer)
        if extra is None:
            extra = added[answer] = _answer_cells(answer)
        yield [*map(spreadsheet_text, cells), *extra]


def write_rows(path: Path, header: list[str], rows: list[list[str]], answers: list[Answer]) -> None:
    """Write the rows with the answers' columns added; a crash never leaves half a file.

    The file is its owner's only (:mod:`heatmap.io.atomic`): it repeats every cell of
    the input, which is usually a CRM export with phone numbers and complaint text."""
    with atomic_text(path, private=True, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([_cell(h) for h in [*header, *ADDED_COLUMNS]])
        writer.writerows(_lines(len(header), rows, answers))


def geocode_csv(
    in_file: Path,
    column: str | None,
    gazetteer: Path,
    out_file: Path,
    *,
    city: str | None = None,
    profile: Profile | None = None,
) -> Counter[str]:
    """Geocode the ``column`` of ``in_file`` into ``out_file`` (CSV); counts by precision.

    Without ``column``, the address column is the one ``profile`` (or the contract) reads
    the address from."""
    if out_file.suffix.lower() != ".csv":
        raise UsageError(f"{out_file}: geocode-file writes .csv")
    chosen = profile or Profile(name="teplokarty")
    header, rows = read_rows(in_file, chosen.reading)
    column = column or source_columns(header, chosen).get("address")
    if column is None or column not in header:
        raise UsageError(
            f"{in_file} has no column {column or 'address'!r}"
            f" (columns: {', '.join(header)}); name it with --column"
        )
    at = header.index(column)
    geocoder = GazetteerGeocoder.from_parquet(gazetteer, default_city=city)
    answers = geocoder.answers([row[at] if at < len(row) else None for row in rows], city=city)
    write_rows(out_file, header, rows, answers)
    return Counter(a[2] for a in answers)

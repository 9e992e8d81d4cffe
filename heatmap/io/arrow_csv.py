"""Plain CSV files read and written with Arrow: every column kept as the text it was, typed
columns converted on demand, and one column appended on the way out.

File commands (``detect-file``) read a file they then write back with one column more;
Arrow reads and writes it in parallel native code, where pandas would parse and re-format
every cell in Python. Text the spreadsheet would take for a formula is neutralised on
the way out by the same rule as :func:`heatmap.io.writers.spreadsheet_safe`.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from heatmap.core.mapping import Reading
from heatmap.errors import InputError, UsageError
from heatmap.io.sniff import sniff_separator, to_utf8
from heatmap.io.writers import _FORMULA_START, _PLAIN_NUMBER

#: Rows Arrow reads per block; big enough to keep both cores busy, small enough for memory.
_BLOCK_BYTES = 1 << 24


def read_text_csv(path: str | Path, reading: Reading | None = None) -> pa.Table:
    """Every column of the CSV at ``path`` as text, with a header row; the encoding and the
    separator as ``reading`` says, sniffed from the file's start by default (UTF-8 else
    cp1251; the header's most frequent separator).

    Empty cells are empty strings, never missing; a file Arrow cannot parse is an
    :class:`InputError` naming the file and what is wrong, not a traceback.
    """
    encoding, separator = _sniffed(path, reading or Reading())
    read = pacsv.ReadOptions(block_size=_BLOCK_BYTES, encoding=encoding)
    parse = pacsv.ParseOptions(newlines_in_values=True, delimiter=separator)
    try:
        names = pacsv.open_csv(path, read_options=read, parse_options=parse).schema.names
        convert = pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        table = pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{path}: cannot read CSV: {exc}") from exc
    if _quotes(path) % 2:
        raise InputError(
            f"{path}: a quoted cell is never closed (the file holds an odd number"
            " of double quotes), so it would swallow every line after it; fix the"
            " quote and run again"
        )
    return table


def _sniffed(path: str | Path, reading: Reading) -> tuple[str, str]:
    """The encoding and separator to read ``path`` with."""
    if reading.encoding != "auto" and reading.separator != "auto":
        return reading.encoding, reading.separator
    try:
        with open(path, "rb") as raw:
            head = raw.read(1 << 16)
    except OSError as exc:
        raise InputError(f"{path}: cannot read CSV: {exc.strerror}") from exc
    whole_lines = head[: head.rfind(b"\n") + 1] or head
    data, found = to_utf8(whole_lines, reading.encoding, str(path))
    encoding = found if reading.encoding == "auto" else reading.encoding
    return encoding, sniff_separator(data) if reading.separator == "auto" else reading.separator


def _quotes(path: str | Path) -> int:
    """Double quotes in the file: even in any well-formed CSV (each quoted cell opens and
    closes, a quote inside one is doubled), odd when a quoted cell runs to the end."""
    count = 0
    with open(path, "rb") as raw:
        while chunk := raw.read(1 << 24):
            count += chunk.count(b'"')
    return count


def numbers(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Text as float64, NaN where it is not a number; a decimal comma is read as a point."""
    try:
        return np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass  # some cell is not a plain number: go cell by cell
    import pandas as pd

    text = pd.Series(pc.replace_substring(column, ",", ".").to_numpy(zero_copy_only=False))
    return np.asarray(pd.to_numeric(text, errors="coerce"), dtype="float64")


def spreadsheet_safe_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """``column`` with every cell that begins like a formula prefixed by an apostrophe
    (plain numbers such as ``-73.86`` stay as they are)."""
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        return column
    starts = None
    for prefix in _FORMULA_START:
        hit = pc.starts_with(column, prefix)
        starts = hit if starts is None else pc.or_(starts, hit)
    if starts is None or not pc.any(starts).as_py():
        return column
    plain = pc.match_substring_regex(column, f"^(?:{_PLAIN_NUMBER.pattern})$")
    risky = pc.and_(starts, pc.invert(plain))
    quoted = pc.binary_join_element_wise(pa.scalar("'", column.type), column, pa.scalar("", column.type))
    return pc.if_else(risky, quoted, column)


def write_csv_with(table: pa.Table, name: str, values: np.ndarray, path: str | Path) -> None:
    """``table`` with the text column ``name`` (``values``) appended, written to ``path``
    as CSV atomically (a temp file, then a rename): a crash never leaves half a file."""
    target = Path(path)
    safe = _spreadsheet_safe(table)
    if name in safe.column_names:
        safe = safe.drop_columns([name])
    safe = safe.append_column(name, pa.array(values, type=pa.string()))
    try:
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror}") from exc
    os.close(handle)
    try:
        _write(safe, temp)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_table_csv(table: pa.Table, path: str | Path) -> None:
    """``table`` as CSV at ``path``, text that a spreadsheet would run neutralised (not
    atomic: the caller writes to a temporary file and renames it)."""
    _write(_spreadsheet_safe(table), str(path))


def _spreadsheet_safe(table: pa.Table) -> pa.Table:
    return pa.table(
        [spreadsheet_safe_column(table.column(i)) for i in range(table.num_columns)], names=table.column_names
    )


def _write(table: pa.Table, path: str) -> None:
    """Bare cells, as most exports are written, quoted only if some cell needs it; the
    header quoted the same way (Arrow would quote every name)."""
    with open(path, "w", encoding="utf-8", newline="") as header:
        csv.writer(header, lineterminator="\n").writerow(table.column_names)
    for style in ("none", "needed"):
        try:
            with open(path, "ab") as body:
                pacsv.write_csv(
                    table, body, write_options=pacsv.WriteOptions(include_header=False, quoting_style=style)
                )
            return
        except pa.ArrowInvalid:  # a cell holds a comma, a quote or a line break
            with open(path, "r+b") as body:
                body.seek(0)
                body.truncate(len(header_bytes(table.column_names)))


def header_bytes(names: list[str]) -> bytes:
    """The header line as :func:`_write` writes it."""
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(names)
    return line.getvalue().encode("utf-8")

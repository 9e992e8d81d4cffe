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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from heatmap.core.arrow_numpy import constant_text
from heatmap.core.mapping import Reading
from heatmap.errors import InputError, UsageError
from heatmap.io.csv_input import unreadable, whole_file
from heatmap.io.formulas import FORMULA_START, PLAIN_NUMBER, runs_as_formula
from heatmap.io.sniff import sniff_separator, to_utf8, utf16_as_utf8

#: Rows Arrow reads per block; big enough to keep both cores busy, small enough for memory.
_BLOCK_BYTES = 1 << 24
_BOM = b"\xef\xbb\xbf"
#: Bytes the header is parsed from (whole lines of them).
_HEAD_BYTES = 1 << 16
#: First bytes of what :data:`FORMULA_START` names, in UTF-8 (the full-width forms start 0xEF).
_FORMULA_BYTES = sorted({text.encode("utf-8")[0] for text in FORMULA_START})
_COMMA, _NEWLINE = ord(","), ord("\n")
#: Rows joined with their labels in one go.
_ROWS_AT_ONCE = 1 << 16
#: Bytes looked at in one go for cells that begin like a formula.
_CHUNK_BYTES = 1 << 20
#: Cells that begin like a formula looked at one by one before the careful path takes over.
_FEW_CELLS = 10_000
#: What Arrow raises on a file it cannot parse (a codec it calls raises UnicodeError).
_PARSE_ERRORS = (OSError, pa.ArrowInvalid, UnicodeError)


@dataclass(frozen=True)
class CsvSource:
    """A CSV file's bytes, read once, with the encoding, separator and header to parse them by."""

    path: Path
    data: bytes
    encoding: str
    separator: str
    names: list[str]
    #: whether any cell is quoted: only a quoted cell can hold a line break, and a parser
    #: that need not look for them reads a quarter faster
    quoted: bool = True


def open_csv_source(path: str | Path, reading: Reading | None = None) -> CsvSource:
    """The CSV at ``path`` read into memory once (see
    :func:`~heatmap.io.csv_input.whole_file`): the encoding and the
    separator as ``reading`` says, sniffed from the file's start by default (UTF-8 else
    cp1251; the header's most frequent separator), and the header's names. A file
    starting with a UTF-16 byte-order mark (Excel's "Unicode text") is held as UTF-8.

    A file that cannot be read, changes while it is read, has no header or holds an odd
    number of double quotes (a quoted cell never closed, which would swallow every line
    after it) is an :class:`InputError` naming the file and what is wrong, not a traceback.
    """
    try:
        data = whole_file(Path(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot read CSV: {exc.strerror or exc}") from exc
    utf8 = utf16_as_utf8(data, str(path))  # its mark says what it is, whatever was expected
    reading = reading or Reading()
    if utf8 is not None:
        data, reading = utf8, replace(reading, encoding="utf-8")
    encoding, separator = _sniffed(str(path), data[: 1 << 16], reading)
    quoted = data.find(b'"') >= 0  # memchr
    if quoted and sum(int(np.count_nonzero(part == ord('"'))) for _, part in _parts(data)) % 2:
        raise InputError(
            f"{path}: a quoted cell is never closed (the file holds an odd number"
            " of double quotes), so it would swallow every line after it; fix the"
            " quote and run again"
        )
    source = CsvSource(Path(path), data, encoding, separator, [], quoted)
    return replace(source, names=_header(source))


def _parts(data: bytes, start: int = 0, before: int = 0) -> Iterator[tuple[int, np.ndarray]]:
    """``data[start:]`` as NumPy views of at most :data:`_CHUNK_BYTES` bytes (no temporary
    as big as the file), each with where it starts and also holding the ``before`` bytes
    before that."""
    for at in range(start, len(data), _CHUNK_BYTES):
        count = min(_CHUNK_BYTES, len(data) - at) + before
        yield at, np.frombuffer(data, np.uint8, count=count, offset=at - before)


def _header(source: CsvSource) -> list[str]:
    """The header's names, parsed from the file's first whole lines (from more of them,
    then from all of it, when a quoted cell runs past them).

    Parsed whole, on this thread: Arrow's streaming reader, refused by a bad row, could
    leave a thread behind that aborted the process at exit (exit code 134, after the
    error was said)."""
    read, parse = _options(source, threads=False)
    convert = pacsv.ConvertOptions(check_utf8=False)  # cells are converted later, by name

    def names(data: bytes) -> list[str]:
        parsed = pacsv.read_csv(
            pa.BufferReader(data), read_options=read, parse_options=parse, convert_options=convert
        )
        return list(parsed.column_names)

    for size in (_HEAD_BYTES, _BLOCK_BYTES):
        cut = source.data.rfind(b"\n", 0, size) + 1
        if 0 < cut < len(source.data):
            try:
                return names(source.data[:cut])
            except _PARSE_ERRORS:
                pass  # a quoted cell runs past these lines (or a row is bad): parse more
    try:
        return names(source.data)
    except _PARSE_ERRORS as exc:
        raise unreadable(source.path, exc) from exc


def read_text_csv(path: str | Path, reading: Reading | None = None) -> pa.Table:
    """Every column of the CSV at ``path`` as text (see :func:`open_csv_source`)."""
    return read_text_table(open_csv_source(path, reading))


def read_text_table(source: CsvSource) -> pa.Table:
    """Every column of ``source`` as text; empty cells are empty strings, never missing."""
    return _read(source, dict.fromkeys(source.names, pa.string()))


def read_columns(source: CsvSource, text: Sequence[str] = (), numeric: Sequence[str] = ()) -> pa.Table:
    """Only the columns ``text`` (as text, empty cells empty strings) and ``numeric`` (as
    float64, NaN where a cell is not a number, a decimal comma read as a point) of
    ``source``: the others are split off by the parser but never converted."""
    wanted = {**dict.fromkeys(text, pa.string()), **dict.fromkeys(numeric, pa.float64())}
    try:
        return _read(source, wanted, include=True)
    except InputError:
        if not numeric:
            raise
    # some cell is not a plain number: read those columns as text and convert them here
    table = _read(source, {**wanted, **dict.fromkeys(numeric, pa.string())}, include=True)
    for name in numeric:
        at = table.column_names.index(name)
        table = table.set_column(at, name, pa.array(numbers(table.column(name)), type=pa.float64()))
    return table


def _read(source: CsvSource, types: dict[str, pa.DataType], include: bool = False) -> pa.Table:
    read, parse = _options(source)
    convert = pacsv.ConvertOptions(
        column_types=types,
        include_columns=list(types) if include else None,
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )

    def parsed(read: pacsv.ReadOptions) -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(source.data), read_options=read, parse_options=parse, convert_options=convert
        )

    def serial_error() -> str:  # on one thread, Arrow says which row is wrong
        try:
            parsed(_options(source, threads=False)[0])
        except _PARSE_ERRORS as exc:
            return str(exc)
        return ""

    try:
        return parsed(read)
    except _PARSE_ERRORS as exc:
        raise unreadable(source.path, exc, serial_error) from exc


def _options(source: CsvSource, threads: bool = True) -> tuple[pacsv.ReadOptions, pacsv.ParseOptions]:
    read = pacsv.ReadOptions(block_size=_BLOCK_BYTES, encoding=source.encoding, use_threads=threads)
    return read, pacsv.ParseOptions(newlines_in_values=source.quoted, delimiter=source.separator)


def _sniffed(path: str, head: bytes, reading: Reading) -> tuple[str, str]:
    """The encoding and separator to read the file starting with ``head`` by."""
    if reading.encoding != "auto" and reading.separator != "auto":
        return reading.encoding, reading.separator
    whole_lines = head[: head.rfind(b"\n") + 1] or head
    data, found = to_utf8(whole_lines, reading.encoding, path)
    encoding = found if reading.encoding == "auto" else reading.encoding
    return encoding, sniff_separator(data) if reading.separator == "auto" else reading.separator


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
    for prefix in FORMULA_START:
        hit = pc.starts_with(column, prefix)
        starts = hit if starts is None else pc.or_(starts, hit)
    if starts is None or not pc.any(starts).as_py():
        return column
    plain = pc.match_substring_regex(column, f"^(?:{PLAIN_NUMBER.pattern})$")
    risky = pc.and_(starts, pc.invert(plain))
    quoted = pc.binary_join_element_wise(pa.scalar("'", column.type), column, pa.scalar("", column.type))
    return pc.if_else(risky, quoted, column)


def write_csv_with(table: pa.Table, name: str, values: np.ndarray | pa.Array, path: str | Path) -> None:
    """``table`` with the text column ``name`` (``values``) appended, written to ``path``
    as CSV atomically (a temp file, then a rename): a crash never leaves half a file."""
    safe = _spreadsheet_safe(table)
    if name in safe.column_names:
        safe = safe.drop_columns([name])
    column = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    safe = safe.append_column(name, column.cast(pa.string()))
    _atomically(path, lambda temp: _write(safe, temp))


def write_source_with(source: CsvSource, name: str, values: pa.Array, path: str | Path) -> None:
    """``source``'s rows written to ``path`` with the text column ``name`` (``values``, one
    per row) appended, atomically, as :func:`write_csv_with` would write them.

    A plain file (UTF-8, comma-separated, no quotes, no carriage returns, no blank lines,
    no cell a spreadsheet would take for a formula, no column ``name`` yet) is written
    as its own bytes with ``,value`` added to each line: nothing is parsed or formatted
    again. Any other file is read as text and written by :func:`write_csv_with`.
    """
    data = source.data[len(_BOM) :] if source.data[: len(_BOM)] == _BOM else source.data
    ends = _line_ends(data) if _plain(source, data, name) else None
    if ends is None or len(ends) - 1 != len(values):
        write_csv_with(read_text_table(source), name, values, path)
        return
    # Row i with the line end before it is data[ends[i] : ends[i + 1]]: an array of them
    # is the file's own bytes, the label is joined to each, slice by slice.
    rows = pa.Array.from_buffers(
        pa.large_binary(), len(values), [None, pa.py_buffer(ends), pa.py_buffer(data)]
    )
    labels = values.cast(pa.large_binary())
    comma = constant_text(b",", pa.large_binary())

    def write(temp: str) -> None:
        with open(temp, "wb") as out:
            out.write(data[: ends[0]] + b"," + name.encode("utf-8"))
            for low in range(0, len(values), _ROWS_AT_ONCE):
                joined = pc.binary_join_element_wise(
                    rows.slice(low, _ROWS_AT_ONCE), labels.slice(low, _ROWS_AT_ONCE), comma
                )
                offsets = np.frombuffer(joined.buffers()[1], dtype=np.int64)[joined.offset :]
                out.write(memoryview(joined.buffers()[2])[offsets[0] : offsets[len(joined)]])
            out.write(b"\n")

    _atomically(path, write)


def _plain(source: CsvSource, data: bytes, name: str) -> bool:
    """Whether ``data`` (``source``'s bytes past a byte-order mark) can be written back as
    it is with one column added (see :func:`write_source_with`)."""
    return (
        source.separator == ","
        and source.encoding.replace("-", "").lower() == "utf8"
        and name not in source.names
        and not source.quoted
        and data.find(b"\r") < 0
        and (max((int(part.max()) for _, part in _parts(data)), default=0) < 0x80 or _is_utf8(data))
        and not _formula_cells(data)
    )


def _line_ends(data: bytes) -> np.ndarray:
    """Where each line of ``data`` ends (its ``\\n``, or the end of the data for a last line
    without one)."""
    found = [np.flatnonzero(part == _NEWLINE) + at for at, part in _parts(data)]
    ends = np.concatenate([*found, np.zeros(0, dtype=np.int64)]).astype(np.int64)
    return ends if data[-1:] == b"\n" else np.append(ends, len(data))


def _is_utf8(data: bytes) -> bool:
    try:
        str(data, "utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _formula_cells(data: bytes) -> bool:
    """Whether some cell of the comma-separated, quote-free ``data`` (past its header
    line) begins like a formula and is not a plain number: cells that begin with such a
    byte are found in native code, chunk by chunk (no temporary as big as the file), and
    looked at one by one — few in most files (a negative number, mostly)."""
    body = data.find(b"\n") + 1
    starts = [b for b in _FORMULA_BYTES if data.find(bytes([b]), body) >= 0] if body else []
    cells: list[np.ndarray] = []
    for at, part in _parts(data, body, before=1) if starts else ():
        before, first = part[:-1], part[1:]
        begins = first == starts[0]
        for byte in starts[1:]:
            begins |= first == byte
        begins &= (before == _COMMA) | (before == _NEWLINE)
        if begins.any():
            cells.append(np.flatnonzero(begins) + at)
            if sum(map(len, cells)) > _FEW_CELLS:
                return True  # too many to look at one by one: the careful path decides
    for start in np.concatenate([*cells, np.zeros(0, dtype=np.int64)]).tolist():
        ends = [i for i in (data.find(b",", start), data.find(b"\n", start)) if i >= 0]
        cell = data[start : min(ends, default=len(data))].decode("utf-8")
        if runs_as_formula(cell):
            return True
    return False


def _atomically(path: str | Path, write: Callable[[str], None]) -> None:
    """``write`` to a temp file beside ``path``, then the temp file renamed to ``path``."""
    target = Path(path)
    try:
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror}") from exc
    os.close(handle)
    try:
        write(temp)
        os.replace(temp, target)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):  # a directory of that name, a full disk
            raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc
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

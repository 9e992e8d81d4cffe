"""Read CRM exports (CSV with header, JSON Lines or a JSON array, Parquet) into raw text frames.

Every value is kept as text exactly as the file had it, so validation can
report the raw row; each row carries the line number it came from. A line that
cannot even be parsed (broken JSON) becomes a *broken* record instead of
stopping the read.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from heatmap.core.mapping import Reading
from heatmap.domain.raw import RawExport as RawExport  # read here, defined beside the core
from heatmap.errors import InputError
from heatmap.io.robust_csv import RAW_KEPT, read_csv_robust
from heatmap.io.sniff import sniff_separator, to_utf8, utf16_as_utf8


def read_export(path: str | Path, reading: Reading | None = None) -> RawExport:
    """Read a CRM export, choosing the format by extension (.csv, .jsonl/.ndjson, .parquet);
    a CSV's encoding and separator as ``reading`` says (sniffed by default)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: a folder, not a file (name the export files in it, e.g. {path}/*.csv)")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffixes = "".join(path.suffixes).lower()
    if suffixes.endswith((".jsonl", ".ndjson", ".json")):
        return _read_jsonl(path)
    if suffixes.endswith((".parquet", ".pq")):
        return _read_parquet(path)
    if suffixes.endswith((".csv", ".csv.gz", ".txt")):
        return _read_csv(path, reading or Reading())
    raise InputError(f"{path}: unknown export format (expected .csv, .jsonl or .parquet)")


def _read_csv(path: Path, reading: Reading) -> RawExport:
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
    except (OSError, gzip.BadGzipFile, EOFError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    utf8 = utf16_as_utf8(data, str(path))
    if utf8 is not None:
        data = utf8
    elif data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif reading.encoding not in ("auto", "utf-8"):  # a named encoding: transcode once
        data, _ = to_utf8(data, reading.encoding, str(path))
    if not data or data.isspace():  # (isspace stops at the first other byte; strip copies)
        raise InputError(f"{path}: the file is empty (a header row is required)")
    if b"\n" not in data:  # old Mac line ends (a bare CR), as Excel's "CSV (Macintosh)" writes
        data = data.replace(b"\r", b"\n")
    sep = sniff_separator(data) if reading.separator == "auto" else reading.separator
    return _parse_csv(path, data, sep, may_transcode=reading.encoding == "auto")


def _parse_csv(path: Path, data: bytes, sep: str, *, may_transcode: bool) -> RawExport:
    """Arrow's reader on UTF-8 ``data`` (it checks the UTF-8 itself, so a valid file is never
    decoded in Python); a file it refuses is read record by record, after trying Windows-1251
    when its bytes are not UTF-8 and ``may_transcode``."""
    if data.count(b'"') % 2:  # a quote never closed: Arrow would swallow the rest
        return read_csv_robust(path, _decoded(path, data, may_transcode), sep)
    try:
        rows = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, engine="pyarrow", sep=sep)
    except Exception:  # pyarrow's parse errors: bad UTF-8, ragged rows, huge fields
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            if not may_transcode:
                raise InputError(
                    f"{path}: cannot read as UTF-8 text; give the encoding in a profile"
                ) from None
            return _parse_csv(path, to_utf8(data, "cp1251", str(path))[0], sep, may_transcode=False)
        return read_csv_robust(path, text, sep)
    rows = rows.fillna("")
    rows.columns = [str(c).strip() for c in rows.columns]
    return RawExport(
        str(path), rows.reset_index(drop=True), _line_numbers(rows, data, sep), nul_free=b"\x00" not in data
    )


def _decoded(path: Path, data: bytes, may_transcode: bool) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if not may_transcode:
            raise InputError(f"{path}: cannot read as UTF-8 text; give the encoding in a profile") from None
        return to_utf8(data, "cp1251", str(path))[0].decode("utf-8")


def _line_numbers(rows: pd.DataFrame, data: bytes, sep: str) -> np.ndarray:
    """First line of each record: the header is line 1; quoted newlines make rows span lines."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if lines == len(rows) + 1:
        return np.arange(2, len(rows) + 2, dtype=np.int64)
    spans = np.ones(len(rows), dtype=np.int64)
    # Free text first; once the newlines counted inside fields make up every extra line,
    # the other columns cannot hold any (counts only add up), so they are not read.
    free_text = [c for c in ("description", "address") if c in rows.columns]
    for name in [*free_text, *(c for c in rows.columns if c not in free_text)]:
        counted = pc.count_substring(pa.array(rows[name], from_pandas=True), "\n")
        spans += counted.to_numpy(zero_copy_only=False).astype(np.int64)
        if int(spans.sum()) + 1 == lines:
            break
    if int(spans.sum()) + 1 == lines:
        return np.concatenate([[2], 2 + np.cumsum(spans)[:-1]]).astype(np.int64)
    return _csv_line_numbers(data.decode("utf-8"), len(rows), sep)  # blank lines in between


def _csv_line_numbers(text: str, expected: int, sep: str) -> np.ndarray:
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    next(reader, None)
    starts: list[int] = []
    previous_end = reader.line_num
    try:
        for record in reader:
            if record:
                starts.append(previous_end + 1)
            previous_end = reader.line_num
    except csv.Error:  # a bare carriage return Arrow took for a line end: count as it did
        return np.arange(2, expected + 2, dtype=np.int64)
    if len(starts) != expected:
        return np.arange(2, expected + 2, dtype=np.int64)
    return np.asarray(starts, dtype=np.int64)


def _read_jsonl(path: Path) -> RawExport:
    """JSON Lines; or one JSON array of objects, which many tools write instead."""
    try:
        handle = path.open(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: {exc}") from exc
    with handle:
        try:
            array = handle.read(4096).lstrip().startswith("[")
            handle.seek(0)
            records, lines, broken = _json_array(path, handle.read()) if array else _json_lines(handle)
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not UTF-8 text: {exc}") from exc
    rows = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    return RawExport(str(path), _as_text(rows), np.asarray(lines, dtype=np.int64), broken)


_Records = tuple[list[dict[str, object]], list[int], list[tuple[int, str, str]]]


def _json_lines(handle: Iterable[str]) -> _Records:
    """The objects of JSON Lines, the line of each, and the lines that are not objects."""
    records: list[dict[str, object]] = []
    lines: list[int] = []
    broken: list[tuple[int, str, str]] = []
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            broken.append((number, text.rstrip("\n"), f"malformed JSON: {exc.msg}"))
            continue
        if not isinstance(value, dict):
            broken.append((number, text.rstrip("\n"), "a line must hold a JSON object"))
            continue
        records.append(value)
        lines.append(number)
    return records, lines, broken


#: Whitespace and the comma between two items of an array.
_BETWEEN_ITEMS = re.compile(r"\s*(?:,\s*)?")


def _json_array(path: Path, text: str) -> _Records:
    """The objects of one JSON array, the line each starts on, and its other items."""
    decoder = json.JSONDecoder()
    records: list[dict[str, object]] = []
    lines: list[int] = []
    broken: list[tuple[int, str, str]] = []
    at, line, counted = text.index("[") + 1, 1, 0
    while True:
        at = _BETWEEN_ITEMS.match(text, at).end()  # type: ignore[union-attr]
        line, counted = line + text.count("\n", counted, at), at
        if at >= len(text) or text[at] == "]":
            break
        try:
            value, end = decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: a JSON array with an error at line {exc.lineno}: {exc.msg}") from exc
        if isinstance(value, dict):
            records.append(value)
            lines.append(line)
        else:
            broken.append((line, text[at:end][:RAW_KEPT], "an item of the array must be a JSON object"))
        at = end
    if at >= len(text) or text[at + 1 :].strip():
        raise InputError(
            f"{path}: the JSON array that starts it is not closed, or more follows it (line {line});"
            " give JSON Lines (one object per line) or one array of objects"
        )
    return records, lines, broken


def _read_parquet(path: Path) -> RawExport:
    try:
        rows = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a bad file
        raise InputError(f"{path}: cannot read Parquet: {exc}") from exc
    return RawExport(str(path), _as_text(rows), np.arange(1, len(rows) + 1, dtype=np.int64))


def _as_text(rows: pd.DataFrame) -> pd.DataFrame:
    """Every column as text; missing values become the empty string, timestamps ISO 8601."""
    out = pd.DataFrame(index=rows.index)
    for name in rows.columns:
        column = rows[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(column):
            text = column.map(lambda v: "" if pd.isna(v) else pd.Timestamp(v).isoformat())
        else:
            text = column.map(_scalar_text)
        out[str(name)] = text.astype(object)
    return out.reset_index(drop=True)


def _scalar_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)

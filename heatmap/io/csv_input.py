"""A CSV file's bytes as a file command reads them (once, whole, checked against a
writer), and what it says of a file Arrow cannot parse: one line, naming the row and what
is wrong with it, never the parser's own text spread over lines."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

from heatmap.errors import InputError

__all__ = ["one_line", "unreadable", "whole_file"]

#: Arrow's words for a row with more or fewer cells than the header (the row number only
#: when it parsed on one thread).
_CELL_COUNT = re.compile(r"CSV parse error: (?:Row #(\d+): )?Expected (\d+) columns, got (\d+): (.*)", re.S)
_ROW_NUMBER = re.compile(r"Row #(\d+):")
#: Characters of a row shown in a message.
_SHOWN = 80


def whole_file(path: Path) -> bytes:
    """The file's bytes, read (copied) once: what the command then parses and writes back
    is this copy, whatever happens to the file meanwhile. (A memory map would save the
    copy, about 35 ms of CPU for 80 MB, but a file cut short while mapped kills the
    process with SIGBUS, without a word.) A regular file whose size or modification
    time moved while it was read was being written: an :class:`InputError`, not a torn
    copy. A pipe or ``/dev/stdin`` is read as it comes."""
    with path.open("rb") as handle:
        before = os.fstat(handle.fileno())
        data = handle.read()
        after = os.fstat(handle.fileno())
    if stat.S_ISREG(before.st_mode) and (
        len(data) != after.st_size
        or (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns)
    ):
        raise InputError(
            f"{path}: the file changed while it was read ({before.st_size:,} bytes, then"
            f" {after.st_size:,}); run again once whatever writes it has finished"
        )
    return data


def unreadable(path: str | Path, exc: Exception, serial_error: Callable[[], str] | None = None) -> InputError:
    """The error to raise for ``exc``, raised by Arrow parsing the CSV at ``path``.

    A row whose cells do not match the header is named by its number after the header
    (which Arrow gives only when it parses on one thread: ``serial_error`` parses again
    that way and says what it raised), with its start; anything else is Arrow's message
    on one line.
    """
    if isinstance(exc, UnicodeDecodeError):
        return InputError(
            f"{path}: cannot read as {exc.encoding} text ({exc.reason}, byte"
            f" {one_line(repr(exc.object[exc.start : exc.end]))}); give the encoding in a profile"
        )
    said = str(exc)
    found = _CELL_COUNT.match(said)
    if found is None:
        return InputError(f"{path}: cannot read CSV: {one_line(said)}")
    number, expected, got, row = found.groups()
    if number is None and serial_error is not None:
        again = _ROW_NUMBER.search(serial_error())
        number = again.group(1) if again else None
    which = f"row {int(number) - 1} after the header" if number else "a row"
    return InputError(
        f"{path}: cannot read CSV: {which} has {got} cells where the header names {expected}"
        f" ({one_line(row.removesuffix(' ...'))}); fix that row or give the profile's separator"
    )


def one_line(text: str, limit: int = _SHOWN) -> str:
    """``text`` cut to ``limit`` characters, with line breaks and other unprintable
    characters written as escapes (``\\n``, ``\\x00``), so it stays on one line."""
    shown = text if len(text) <= limit else text[:limit] + "…"
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in shown)

"""Tables and messages for people at a terminal (Rich): results on stdout, the rest on stderr."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.table import Table

__all__ = ["cell", "err", "out", "table"]

#: Messages and progress go to stderr, so stdout carries only results. Piped, a message stays
#: one line however long (a script reading it finds a path whole, not folded at 80 columns).
err = Console(stderr=True, highlight=False, soft_wrap=not sys.stderr.isatty())
#: Piped output gets wide tables rather than rich's 80-column default.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def cell(value: object) -> str:
    """A value as a table shows it: missing (None, NaN, NaT, pandas' NA) is blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    if text in _MISSING and type(value).__module__.startswith(("pandas", "numpy")):
        return ""
    return text


_MISSING = frozenset({"nan", "NaT", "<NA>"})


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    """A Rich table of ``rows``; a missing value is an empty cell, never "nan" or "NaT"."""
    grid = Table(title=title, title_justify="left", show_lines=False)
    for name in columns:
        grid.add_column(name, overflow="fold")
    for row in rows:
        grid.add_row(*(cell(v) for v in row))
    return grid

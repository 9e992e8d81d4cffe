"""Tables and messages for people at a terminal (Rich): results on stdout, the rest on stderr."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = ["cell", "err", "out", "table"]

#: Messages and progress go to stderr, so stdout carries only results. Piped, a message stays
#: one line however long (a script reading it finds a path whole, not folded at 80 columns).
#: A message's fixed text may hold Rich markup; text a user gave (a path, a row's value, a
#: name) goes in through ``rich.markup.escape``, and no ``:name:`` in it becomes an emoji.
err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=not sys.stderr.isatty())
#: Piped output gets wide tables rather than rich's 80-column default.
out = Console(highlight=False, emoji=False, width=None if sys.stdout.isatty() else 200)


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
    """A Rich table of ``rows``; a missing value is an empty cell, never "nan" or "NaT".

    Title, headers and cells are plain text, never Rich markup: they hold paths, names and
    values of rows (``[/x]`` in one would stop the table, ``[red]`` would restyle it)."""
    grid = Table(title=Text(title, style="table.title"), title_justify="left", show_lines=False)
    for name in columns:
        grid.add_column(Text(name), overflow="fold")
    for row in rows:
        grid.add_row(*(Text(cell(v)) for v in row))
    return grid

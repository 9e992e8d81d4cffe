"""How the CLI talks: Rich for people (tables, progress on stderr), JSON for scripts."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.table import Table

from heatmap.render.geo import dumps

#: Messages and progress go to stderr, so stdout carries only results.
err = Console(stderr=True, highlight=False)
#: Piped output gets wide tables rather than rich's 80-column default.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def emit_json(value: object) -> None:
    """The one JSON object a ``--json`` run prints on stdout."""
    sys.stdout.write(dumps(value) + "\n")
    sys.stdout.flush()


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    grid = Table(title=title, title_justify="left", show_lines=False)
    for name in columns:
        grid.add_column(name, overflow="fold")
    for row in rows:
        grid.add_row(*("" if v is None else str(v) for v in row))
    return grid

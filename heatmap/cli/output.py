"""How the CLI talks: Rich for people (tables, progress on stderr), JSON for scripts.

The tables and consoles are :mod:`heatmap.render.console`'s, shared with the demo.
"""

from __future__ import annotations

import sys

from heatmap.render.console import cell, err, out, table

__all__ = ["cell", "emit_json", "err", "out", "progress_bar", "table"]


def emit_json(value: object) -> None:
    """The one JSON object a ``--json`` run prints on stdout."""
    from heatmap.render.geo import dumps

    sys.stdout.write(dumps(value) + "\n")
    sys.stdout.flush()


class _Quiet:
    """A progress bar that shows nothing (``--json``, or stderr not a terminal)."""

    def add_task(self, *_a: object, **_k: object) -> int:
        return 0

    def advance(self, *_a: object, **_k: object) -> None:
        return None

    def update(self, *_a: object, **_k: object) -> None:
        return None

    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None


def progress_bar(quiet: bool) -> _Quiet:
    """A transient progress bar on stderr when it is a terminal and not ``quiet``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    if quiet or not err.is_terminal:
        return _Quiet()
    return Progress(  # type: ignore[return-value]
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )

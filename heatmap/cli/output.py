"""How the CLI talks: Rich for people (tables, progress on stderr), JSON for scripts.

The tables and consoles are :mod:`heatmap.render.console`'s, shared with the demo.
"""

from __future__ import annotations

import sys

from heatmap.render.console import cell, err, out, table

__all__ = ["cell", "emit_json", "err", "out", "table"]


def emit_json(value: object) -> None:
    """The one JSON object a ``--json`` run prints on stdout."""
    from heatmap.render.geo import dumps

    sys.stdout.write(dumps(value) + "\n")
    sys.stdout.flush()

"""The ``heatmap`` console script and ``python -m heatmap``: the CLI, imported under a guard.

Importing :mod:`heatmap.cli.app` (Typer, Rich, the commands) takes a moment; a Ctrl-C
then printed a ``KeyboardInterrupt`` traceback. Here it ends the command quietly with
exit code 130 (128 + SIGINT), as a shell reports an interrupted command. Once the app
runs, Click answers a Ctrl-C itself ("Aborted!").
"""

from __future__ import annotations

import sys

#: The exit code of a command interrupted by Ctrl-C (128 + SIGINT).
INTERRUPTED = 130


def main() -> None:
    """Import the CLI and run it; a Ctrl-C while importing exits 130 without a traceback."""
    try:
        from heatmap.cli.app import main as run
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED)
    run()

"""``heatmap`` run in this process, answering like the real process: an exit code, stdout, stderr.

Tests run the CLI through :func:`run_heatmap` instead of ``python -m heatmap`` (a new
interpreter costs about a second of imports per command). It goes through the very entry
point the console script calls, :func:`heatmap.cli.app.main`, so error messages and exit
codes (1 for failures, 2 for bad usage) are those a script sees. Typer's ``CliRunner``
swaps the standard streams and the environment; the working directory and every variable
a command sets are restored afterwards.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Ran:
    """What a finished command left, named as :class:`subprocess.CompletedProcess` names it."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def run_heatmap(
    *args: str,
    db: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
    input: str | None = None,
) -> Ran:
    """Run ``heatmap ARGS`` in-process; ``db`` is passed as ``HEATMAP_DB``."""
    from typer.testing import CliRunner

    variables = {**(env or {}), **({"HEATMAP_DB": db} if db else {})}
    with (
        _kept_environment(),
        contextlib.chdir(cwd or os.getcwd()),
        CliRunner().isolation(input=input, env=variables) as (stdout, stderr, _),
    ):
        code = _exit_code(args)
        sys.stdout.flush()
        sys.stderr.flush()
        return Ran(args, code, stdout.getvalue().decode(), stderr.getvalue().decode())


def _exit_code(args: tuple[str, ...]) -> int:
    """The exit code :func:`heatmap.cli.app.main` ends with; an uncaught exception is 1 with
    its traceback on stderr, as the interpreter does."""
    from heatmap.cli.app import main

    saved = sys.argv
    sys.argv = ["heatmap", *args]
    try:
        main()
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    except Exception:
        traceback.print_exc(file=sys.stderr)
        return 1
    finally:
        sys.argv = saved
    return 0


@contextlib.contextmanager
def _kept_environment() -> Iterator[None]:
    """``os.environ`` as it was before, also when a command wrote to it."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)

"""What the test suite provides itself before it runs, and how it says what it skipped.

``tests/conftest.py`` calls these: a throwaway PostgreSQL+PostGIS server when no
``HEATMAP_TEST_PG_DSN`` is given but the server binaries are installed; a database of its
own for each pytest-xdist worker (a test that cuts every connection of its database then
touches only its worker's tests); one line per group of skipped tests saying why and how
to run them; Chromium for the browser tests (``python -m heatmap.devtools.suite chromium``, run
by ``make dev``: the system's, else Playwright's own, downloaded when it can be).
"""

from __future__ import annotations

import argparse
import functools
import glob
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from contextlib import ExitStack, suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

#: Marked groups of tests that need something from outside Python, and how to provide it.
HOW_TO_ENABLE = {
    "postgis": "set HEATMAP_TEST_PG_DSN=postgresql://… to a database with PostGIS, or install"
    " Debian's postgresql-15-postgis-3 and the suite starts a throwaway server itself",
    "kannel": "apt-get install kannel kannel-extras (bearerbox, smsbox, fakesmsc)",
    "browser": "apt-get install chromium, or .venv/bin/playwright install chromium (Playwright's own"
    " build, downloaded; `make dev` tries it when no Chromium is found)",
    "realdata": "put the public registries and exports in ../shared/data beside the checkout",
}


#: Where Debian's chromium package puts the browser.
SYSTEM_CHROMIUM = "/usr/bin/chromium"


def chromium_path() -> str | None:
    """The Chromium the browser tests drive: the system's (``chromium`` on ``PATH``, else
    Debian's), else Playwright's own build once ``playwright install chromium`` has put it
    in place; None when there is neither."""
    system = shutil.which("chromium") or (SYSTEM_CHROMIUM if Path(SYSTEM_CHROMIUM).is_file() else None)
    return system or playwright_chromium()


@functools.cache
def playwright_chromium() -> str | None:
    """The Chromium build of the installed Playwright, when it has been downloaded."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as playwright:
            path = str(playwright.chromium.executable_path)
    except Error:  # no driver for this platform
        return None
    return path if Path(path).is_file() else None


def provide_chromium() -> str:
    """Chromium for the browser tests: the one found, else Playwright's downloaded now.

    A sentence says which, or why there is none (no network: the tests then skip, saying
    how to run them); a failed download is not an error."""
    found = chromium_path()
    if found:
        return f"the browser tests drive the Chromium at {found}"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "playwright", "install", "chromium"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=900,
        )
        said = (done.stderr + done.stdout).strip().splitlines()
    except (OSError, subprocess.TimeoutExpired) as exc:
        said = [str(exc)]
    playwright_chromium.cache_clear()
    found = chromium_path()
    if found:
        return f"the browser tests drive Playwright's Chromium at {found} (playwright install chromium)"
    why = next((line for line in said if line.startswith("Error")), said[0] if said else "no reason given")
    return (
        f"no Chromium for the browser tests: none installed, and `playwright install chromium` failed"
        f" ({why.removesuffix(', caused by')}); they will skip. To run them: {HOW_TO_ENABLE['browser']}"
    )


def postgis_missing() -> str | None:
    """Why no private PostGIS server can be started here, or ``None`` when one can."""
    from heatmap.devtools.pgserver import server_bin

    try:
        binaries = server_bin()
    except FileNotFoundError as exc:
        return f"{exc} (Debian's postgresql-15)"
    version = binaries.parts[-2]
    if not glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"):
        return f"the PostgreSQL {version} server here lacks PostGIS (Debian's postgresql-{version}-postgis-3)"
    return None


def throwaway_postgis(stack: ExitStack) -> tuple[str | None, str]:
    """Start a private server with PostGIS for this run when the binaries are here.

    Returns its DSN (``None`` when none could be had) and a sentence saying what was done
    or why not. The server stops when ``stack`` closes."""
    from heatmap.devtools.pgserver import private_server

    missing = postgis_missing()
    if missing:
        return None, f"no HEATMAP_TEST_PG_DSN, and {missing}"
    try:
        server = stack.enter_context(private_server())
    except Exception as exc:  # initdb, start or CREATE EXTENSION refused: say which
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, f"no HEATMAP_TEST_PG_DSN, and a throwaway server did not start: {first}"
    return server.dsn, f"PostGIS tests use a throwaway PostgreSQL server at {server.dsn}"


def worker_database(stack: ExitStack, dsn: str, worker: str, run: int) -> str:
    """A database with PostGIS of this xdist worker's own beside ``dsn``'s, named after the
    ``run`` (the controller's process id); ``dsn`` itself when it is not a URL. The worker
    drops it when ``stack`` closes, and the controller drops what a killed worker left."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(dsn)
    if not parts.scheme.startswith("postgres"):
        return dsn
    name = f"{_prefix(dsn, run)}{worker}"
    try:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error:  # no CREATEDB right (or no server): the workers share dsn's database
        return dsn
    stack.callback(drop_worker_databases, dsn, run, name)
    own = urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(own, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return own


def _prefix(dsn: str, run: int) -> str:
    return f"{Path(urlsplit(dsn).path).name or 'postgres'}_xdist{run}_"[:50]


def drop_worker_databases(dsn: str, run: int, only: str | None = None) -> None:
    """Drop the workers' databases of ``run`` (``only`` the one named so, if given)."""
    import psycopg
    from psycopg import sql

    if not urlsplit(dsn).scheme.startswith("postgres"):
        return
    with suppress(psycopg.OperationalError), psycopg.connect(dsn, autocommit=True) as admin:
        names = (
            [only]
            if only
            else [
                str(row[0])
                for row in admin.execute(
                    "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", (_prefix(dsn, run),)
                )
            ]
        )
        for name in names:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def skip_lines(skipped: Iterable[tuple[Iterable[str], str]], notes: dict[str, str]) -> list[str]:
    """One line per group of skipped tests, given each test's keywords and skip reason:
    how many, why (``notes`` may say it better than the first test did) and how to run them.
    A skip outside the marked groups is grouped by its reason."""
    counts: dict[str, int] = {}
    reasons: dict[str, str] = {}
    for keywords, reason in skipped:
        names = set(keywords)
        group = next((g for g in HOW_TO_ENABLE if g in names), f"other: {reason}")
        counts[group] = counts.get(group, 0) + 1
        reasons.setdefault(group, reason)
    lines = []
    for group, count in sorted(counts.items()):
        if group in HOW_TO_ENABLE:
            why = notes.get(group, reasons[group])
            lines.append(f"{count} {group} test(s) skipped: {why}. To run them: {HOW_TO_ENABLE[group]}.")
        else:
            lines.append(f"{count} test(s) skipped: {reasons[group]}")
    return lines


def skip_reason(longrepr: object) -> str:
    """The reason of a skipped test's report (pytest keeps it as (path, line, 'Skipped: …'))."""
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return str(text).removeprefix("Skipped: ")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m heatmap.devtools.suite chromium``: provide Chromium (``make dev`` runs it)."""
    parser = argparse.ArgumentParser(prog="python -m heatmap.devtools.suite", description=__doc__)
    parser.add_argument("what", choices=["chromium"], help="what to provide")
    parser.parse_args(argv)
    print(provide_chromium())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

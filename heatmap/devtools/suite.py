"""What the test suite provides itself before it runs, and how it says what it skipped.

``tests/conftest.py`` calls these: a throwaway PostgreSQL+PostGIS server when no
``HEATMAP_TEST_PG_DSN`` is given but the server binaries are installed; a database of its
own for each pytest-xdist worker (a test that cuts every connection of its database then
touches only its worker's tests); one line per group of skipped tests saying why and how
to run them.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable
from contextlib import ExitStack, suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

#: Marked groups of tests that need something from outside Python, and how to provide it.
HOW_TO_ENABLE = {
    "postgis": "set HEATMAP_TEST_PG_DSN=postgresql://… to a database with PostGIS, or install"
    " Debian's postgresql-15-postgis-3 and the suite starts a throwaway server itself",
    "kannel": "apt-get install kannel kannel-extras (bearerbox, smsbox, fakesmsc)",
    "browser": "apt-get install chromium (Playwright drives the system Chromium)",
    "realdata": "put the public registries and exports in ../shared/data beside the checkout",
}


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

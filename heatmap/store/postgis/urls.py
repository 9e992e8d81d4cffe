"""PostgreSQL URLs (the schema picked by ``search_path``) and driver errors in one line."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from heatmap.errors import StoreError

__all__ = ["connect_error", "conninfo", "display_url", "first_line", "fresh_schema_url", "schema_url", "why"]


def conninfo(url: str) -> str:
    """A libpq connection string for a store URL (``postgis://`` and ``+driver`` accepted)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url  # key=value form
    base = scheme.split("+", 1)[0]
    if base in ("postgis", "postgres", "postgresql"):
        return f"postgresql://{rest}"
    raise StoreError(f"not a PostgreSQL URL: {display_url(url)}")


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        parts = conninfo_to_dict(conninfo(url) if "://" in url else url)
    except (psycopg.ProgrammingError, StoreError):
        return "<unparseable PostgreSQL URL>"
    user = str(parts.get("user") or "")
    host = parts.get("host") or "localhost"
    port = parts.get("port") or "5432"
    shown = f"postgresql://{user + '@' if user else ''}{host}:{port}/{parts.get('dbname') or ''}"
    options = str(parts.get("options") or "")
    return f"{shown} ({options.strip()})" if options else shown


def schema_url(dsn: str, schema: str, *, extra: Sequence[str] = ("public",)) -> str:
    """``dsn`` as a URL whose connections use ``search_path = schema, *extra``."""
    path = ",".join([schema, *extra])
    option = f"-csearch_path={path}"
    if "://" not in dsn:  # key=value conninfo: carry every parameter in the query
        params = {k: str(v) for k, v in conninfo_to_dict(dsn).items()}
        params["options"] = f"{params['options']} {option}" if params.get("options") else option
        return "postgresql://?" + urlencode(params)
    parts = urlsplit(conninfo(dsn))
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query["options"] = f"{query['options']} {option}" if query.get("options") else option
    return urlunsplit(parts._replace(query=urlencode(query)))


@contextmanager
def fresh_schema_url(dsn: str) -> Iterator[str]:
    """A new, uniquely named schema in ``dsn``'s database, as a store URL; dropped after."""
    name = f"heatmap_{uuid.uuid4().hex[:16]}"
    ident = sql.Identifier(name)
    try:
        with psycopg.connect(conninfo(dsn), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(ident))
    except psycopg.Error as exc:
        raise StoreError(f"cannot create a schema in {display_url(dsn)}: {why(exc)}") from exc
    try:
        yield schema_url(dsn, name)
    finally:
        with psycopg.connect(conninfo(dsn), autocommit=True) as conn:
            conn.execute("SET lock_timeout = '60s'")
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(ident))


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def why(exc: psycopg.Error) -> str:
    """A one-line reason for a driver error; lost connections said plainly."""
    text = first_line(exc)
    if isinstance(exc, psycopg.OperationalError):
        return f"the connection to the server was lost or refused ({text})"
    code = f" [{exc.sqlstate}]" if exc.sqlstate else ""
    return f"{text}{code}"


def connect_error(info: str) -> str:
    """Why a fresh connection cannot be made right now (for pool timeouts)."""
    try:
        with psycopg.connect(info, connect_timeout=5):
            return "the server accepts connections again; the pool was busy"
    except psycopg.Error as exc:
        return first_line(exc)

"""The PostGIS store's connection pool, transactions and schema (:class:`heatmap.store.SchemaStore`).

Every subject of the store (:mod:`heatmap.store.postgis`) builds on :class:`PostGISBase`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
import psycopg
from psycopg import Cursor, sql
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from heatmap.errors import MigrationError, StoreError
from heatmap.store import migrate
from heatmap.store.columns import spot_columns_at
from heatmap.store.postgis.kinds import UNKNOWN_COLUMNS
from heatmap.store.postgis.urls import connect_error, conninfo, display_url, first_line, why
from heatmap.store.purge import purge_statements
from heatmap.store.secrets import hash_key

if TYPE_CHECKING:
    from pydantic import SecretStr

Cur = Cursor[tuple[Any, ...]]

#: Advisory lock class ids ("HEAT" + n); the object id is a hash of the schema name, so
#: stores in different schemas of one database do not wait for each other.
LOCK_SCHEMA = 0x48454101
LOCK_INGEST = 0x48454102


class PostGISBase:
    """A PostgreSQL schema with PostGIS: the pool, its transactions and the migrations."""

    def __init__(
        self,
        url: str,
        *,
        min_size: int = 1,
        max_size: int = 4,
        timeout: float = 30.0,
        secret_key: SecretStr | None = None,
    ) -> None:
        self.url = url
        self._configured_key = secret_key
        self._shown = display_url(url)
        if UNKNOWN_COLUMNS:
            raise StoreError(
                "the PostGIS adapter has no column type for "
                f"{', '.join(UNKNOWN_COLUMNS)}: update heatmap/store/postgis/kinds.py"
            )
        self._schema_ok = 0  # the schema version last seen, once it is not 0
        info = self._info = conninfo(url)
        kwargs: dict[str, Any] = {}
        try:
            if "application_name" not in conninfo_to_dict(info):
                kwargs["application_name"] = "teplokarty"
        except psycopg.ProgrammingError as exc:
            raise StoreError(f"bad PostgreSQL URL {self._shown}: {exc}") from exc
        try:  # one direct connection first: a wrong URL fails at once, in libpq's words
            with psycopg.connect(info, **kwargs):
                pass
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to {self._shown}: {first_line(exc)}") from exc
        self._pool = ConnectionPool(
            info,
            kwargs=kwargs,
            min_size=min_size,
            max_size=max_size,
            open=False,
            check=ConnectionPool.check_connection,
            timeout=timeout,
            name=f"teplokarty-{id(self):x}",
        )
        try:
            self._pool.open(wait=True, timeout=timeout)
        except PoolTimeout as exc:
            self._pool.close()
            raise StoreError(f"cannot connect to {self._shown}: {connect_error(info)}") from exc

    # --- plumbing -------------------------------------------------------------------
    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _tx(self, what: str, *, writes: bool = False) -> Iterator[Cur]:
        """A cursor in one transaction: committed at the end, rolled back on any error."""
        try:
            with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
                yield cursor
        except PoolTimeout as exc:
            raise StoreError(
                f"{what}: no connection to {self._shown} within {self._pool.timeout:g} s"
                f" ({connect_error(self._info)})"
            ) from exc
        except psycopg.Error as exc:
            undone = " and was rolled back, nothing of it was stored" if writes else ""
            raise StoreError(f"{what} failed on {self._shown}{undone}: {why(exc)}") from exc

    def _frame(self, what: str, query: sql.Composed | str, params: Sequence[object] = ()) -> pd.DataFrame:
        with self._tx(what) as cursor:
            cursor.execute(query, tuple(params) if params else None)
            names = [d.name for d in cursor.description or ()]
            rows = cursor.fetchall()
        return pd.DataFrame.from_records(rows, columns=names)

    def _require_schema(self, version: int = 1) -> None:
        if self._schema_ok >= version:
            return
        current = self.schema_version()
        if current == 0:
            raise MigrationError(f"{self._shown} has no schema yet: run `heatmap init` first")
        if current < version:
            raise MigrationError(
                f"{self._shown} is at schema {current}, this needs {version}: run `heatmap db upgrade` first"
            )
        self._schema_ok = current

    def _spot_columns(self) -> tuple[str, ...]:
        self._require_schema()
        return spot_columns_at(self._schema_ok)

    @staticmethod
    def _lock(cursor: Cur, kind: int) -> None:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(coalesce(current_schema(), '')))",
            (kind,),
        )

    # --- schema ---------------------------------------------------------------------
    def schema_version(self) -> int:
        with self._tx("reading the schema version") as cursor:
            return stored_version(cursor)

    def upgrade(self) -> list[int]:
        applied: list[int] = []
        known = migrate.migrations("postgis")
        self._schema_ok = 0  # read the version again after this
        while True:  # one transaction per migration, as with SQLite
            with self._tx("upgrade", writes=True) as cursor:
                self._lock(cursor, LOCK_SCHEMA)
                cursor.execute("SELECT current_schema(), current_setting('search_path')")
                schema, path = cursor.fetchone() or (None, "")
                if schema is None:
                    raise MigrationError(
                        f"{self._shown}: no schema of the search_path ({path}) exists:"
                        " create it first (CREATE SCHEMA …)"
                    )
                ensure_postgis(cursor, self._shown)
                cursor.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY,"
                    " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
                )
                current = stored_version(cursor)
                if known and current > known[-1][0]:
                    raise MigrationError(
                        f"{self._shown} is at schema {current}, newer than this version of"
                        f" Teplokarty knows ({known[-1][0]}): upgrade the package"
                    )
                pending = [m for m in known if m[0] > current]
                if not pending:
                    return applied
                version, name, text = pending[0]
                try:
                    cursor.execute(text)
                except psycopg.Error as exc:
                    raise MigrationError(f"migration {name} failed: {why(exc)}") from exc
                if version == 1:
                    cursor.execute(
                        "INSERT INTO meta (key, value) VALUES ('secret', %s)",
                        (secrets.token_hex(32),),
                    )
                cursor.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    (version, name),
                )
            applied.append(version)

    def secret(self) -> bytes:
        self._require_schema()
        with self._tx("reading the store secret") as cursor:
            cursor.execute("SELECT value FROM meta WHERE key = 'secret'")
            row = cursor.fetchone()
        if row is None:
            raise StoreError(f"{self._shown} has no secret in its meta table")
        return hash_key(bytes.fromhex(row[0]), self._configured_key)

    def purge_personal_data(self, *, before: datetime) -> dict[str, int]:
        """Remove the personal data of closed complaints made before ``before``
        (:mod:`heatmap.store.purge`); rows changed per table."""
        self._require_schema()
        removed: dict[str, int] = {}
        with self._tx("purging personal data", writes=True) as cursor:
            for table, statement, params in purge_statements("postgis", before):
                cursor.execute(statement, params)
                removed[table] = cursor.rowcount
        return removed


def stored_version(cursor: Cur) -> int:
    cursor.execute(
        "SELECT CASE WHEN current_schema() IS NULL THEN false"
        " ELSE to_regclass(format('%I.schema_migrations', current_schema())) IS NOT NULL END"
    )
    if not one(cursor):
        return 0
    cursor.execute("SELECT max(version) FROM schema_migrations")
    return int(one(cursor) or 0)


def ensure_postgis(cursor: Cur, shown: str) -> None:
    cursor.execute("SELECT to_regtype('geometry') IS NOT NULL")
    if one(cursor):
        return
    cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")
    if one(cursor):
        raise MigrationError(
            f"PostGIS is installed in {shown} but its types are not on the search_path:"
            " add the extension's schema (usually public) to the URL's search_path"
        )
    try:
        with cursor.connection.transaction():
            cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except psycopg.Error as exc:
        raise MigrationError(
            f"{shown} has no PostGIS and it cannot be added ({why(exc)}): have an"
            " administrator run CREATE EXTENSION postgis in that database"
        ) from exc


def iso(column: str) -> str:
    """SQL for a timestamptz as ISO 8601 UTC text with microseconds (the SQLite form)."""
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"


def select(columns: Sequence[str], times: Sequence[str]) -> str:
    return ", ".join(
        f"{iso(c)} AS {c}" if c in times else '"precision"' if c == "precision" else c for c in columns
    )


def one(cursor: Cur) -> Any:
    row = cursor.fetchone()
    return None if row is None else row[0]


def assign(columns: Sequence[str], source: str) -> sql.Composable:
    return sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(c), sql.Identifier(source, c)) for c in columns
    )

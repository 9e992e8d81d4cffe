"""The SQLite store's connection, transactions and schema (:class:`heatmap.store.SchemaStore`).

Every subject of the store (:mod:`heatmap.store.sqlite`) builds on :class:`SQLiteBase`.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from heatmap.errors import MigrationError, StoreError
from heatmap.store import migrate
from heatmap.store.frames import iso_one
from heatmap.store.purge import purge_statements
from heatmap.store.secrets import hash_key

if TYPE_CHECKING:
    from pydantic import SecretStr

#: Host parameters one statement binds at most (below SQLite's default limit).
CHUNK = 900


#: Mode of a new store file: it holds phone numbers, so it is its owner's only, as every
#: file of personal data (:data:`heatmap.io.atomic.PRIVATE_MODE`, a layer above).
FILE_MODE = 0o600


def _create_private(path: str) -> None:
    """A new store file is made empty with :data:`FILE_MODE` before SQLite opens it (SQLite
    gives the ``-wal`` and ``-shm`` files the database's mode). An existing file keeps its
    mode; a path that cannot be made is left to SQLite to refuse with its own message."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except OSError:
        return


class SQLiteBase:
    """A SQLite file: the connection, its transactions and the schema's migrations."""

    def __init__(self, url: str, *, secret_key: SecretStr | None = None) -> None:
        self.url = url
        self._configured_key = secret_key
        path = url.removeprefix("sqlite:").removeprefix("//")
        path = path.removeprefix("/") if path.startswith("/") and not path.startswith("//") else path
        self.path = path or ":memory:"
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            _create_private(self.path)
        self._db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        try:
            # One ingest writes from a helper thread while its caller validates the
            # next part (never both at once): the connection may cross threads.
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            # Big pages suit a store that takes exports in bulk; SQLite applies this only
            # to a new, empty file (an existing store keeps the page size it was made with).
            db.execute("PRAGMA page_size = 16384")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            # Room for a whole ingest part's pages: spilling them mid-transaction
            # doubles the writes of a big import.
            db.execute("PRAGMA cache_size = -65536")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {self.url}: {exc}") from exc
        return db

    # --- plumbing -------------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Cursor]:
        cursor = self._db.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor
        except BaseException:
            self._db.rollback()
            raise
        else:
            self._db.commit()

    def _frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        cursor = self._db.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description]
        return pd.DataFrame.from_records(cursor.fetchall(), columns=names)

    def _require_schema(self, version: int = 1) -> None:
        current = self.schema_version()
        if current == 0:
            raise MigrationError(f"{self.url} has no schema yet: run `heatmap init` first")
        if current < version:
            raise MigrationError(
                f"{self.url} is at schema {current}, this needs {version}: run `heatmap db upgrade` first"
            )

    # --- schema ---------------------------------------------------------------------
    def schema_version(self) -> int:
        row = self._db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
        ).fetchone()
        if row is None:
            return 0
        value = self._db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
        return int(value or 0)

    def upgrade(self) -> list[int]:
        applied: list[int] = []
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        current = self.schema_version()
        known = migrate.migrations("sqlite")
        if known and current > known[-1][0]:
            raise MigrationError(
                f"{self.url} is at schema {current}, newer than this version of Teplokarty "
                f"knows ({known[-1][0]}): upgrade the package"
            )
        for version, name, sql in known:
            if version <= current:
                continue
            try:
                with self._tx() as cursor:
                    for statement in migrate.statements(sql):
                        cursor.execute(statement)
                    if version == 1:
                        cursor.execute(
                            "INSERT INTO meta (key, value) VALUES ('secret', ?)",
                            (secrets.token_hex(32),),
                        )
                    cursor.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, datetime('now'))",
                        (version, name),
                    )
            except sqlite3.Error as exc:
                raise MigrationError(f"migration {name} failed: {exc}") from exc
            applied.append(version)
        return applied

    def secret(self) -> bytes:
        self._require_schema()
        row = self._db.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
        return hash_key(bytes.fromhex(row[0]), self._configured_key)

    def purge_personal_data(self, *, before: datetime) -> dict[str, int]:
        """Remove the personal data of closed complaints made before ``before``
        (:mod:`heatmap.store.purge`); rows changed per table."""
        self._require_schema()
        removed: dict[str, int] = {}
        with self._tx() as cursor:
            for table, statement, params in purge_statements("sqlite", str(iso_one(before))):
                cursor.execute(statement, params)
                removed[table] = cursor.rowcount
        return removed

"""The SQLite store's HTTP API keys (:class:`heatmap.store.KeyStore`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd

from heatmap.store.frames import iso_one
from heatmap.store.sqlite.schema import SQLiteBase
from heatmap.store.writes import ApiKeyRecord


class SQLiteKeys(SQLiteBase):
    """API keys: their hashes and roles, never the secrets."""

    def save_api_key(self, key: ApiKeyRecord) -> None:
        self._require_schema()
        with self._tx() as cursor:
            cursor.execute(
                "INSERT INTO api_keys (key_id, key_hash, role, name, created_at, revoked_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key.key_id,
                    key.key_hash,
                    key.role,
                    key.name,
                    iso_one(key.created_at),
                    iso_one(key.revoked_at),
                ),
            )

    def load_api_key(self, key_id: str) -> ApiKeyRecord | None:
        self._require_schema()
        row = self._db.execute(
            "SELECT key_id, key_hash, role, name, created_at, revoked_at FROM api_keys WHERE key_id = ?",
            (key_id,),
        ).fetchone()
        return None if row is None else _api_key(row)

    def load_api_keys(self) -> list[ApiKeyRecord]:
        self._require_schema()
        rows = self._db.execute(
            "SELECT key_id, key_hash, role, name, created_at, revoked_at FROM api_keys"
            " ORDER BY created_at, key_id"
        ).fetchall()
        return [_api_key(row) for row in rows]

    def revoke_api_key(self, key_id: str, at: datetime) -> bool:
        self._require_schema()
        with self._tx() as cursor:
            cursor.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL",
                (iso_one(at), key_id),
            )
            return cursor.rowcount == 1


def _api_key(row: Sequence[object]) -> ApiKeyRecord:
    created, revoked = (None if v is None else pd.Timestamp(str(v)).to_pydatetime() for v in row[4:6])
    assert created is not None
    return ApiKeyRecord(
        key_id=str(row[0]),
        key_hash=str(row[1]),
        role=str(row[2]),
        name=None if row[3] is None else str(row[3]),
        created_at=created,
        revoked_at=revoked,
    )

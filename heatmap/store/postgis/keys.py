"""The PostGIS store's HTTP API keys (:class:`heatmap.store.KeyStore`)."""

from __future__ import annotations

from datetime import datetime

from heatmap.store.postgis.schema import PostGISBase
from heatmap.store.writes import ApiKeyRecord


class PostGISKeys(PostGISBase):
    """API keys: their hashes and roles, never the secrets."""

    def save_api_key(self, key: ApiKeyRecord) -> None:
        self._require_schema()
        with self._tx("saving an API key", writes=True) as cursor:
            cursor.execute(
                "INSERT INTO api_keys (key_id, key_hash, role, name, created_at, revoked_at)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (key.key_id, key.key_hash, key.role, key.name, key.created_at, key.revoked_at),
            )

    def load_api_key(self, key_id: str) -> ApiKeyRecord | None:
        self._require_schema()
        with self._tx("reading an API key") as cursor:
            cursor.execute(
                "SELECT key_id, key_hash, role, name, created_at, revoked_at FROM api_keys WHERE key_id = %s",
                (key_id,),
            )
            row = cursor.fetchone()
        return None if row is None else ApiKeyRecord(*row)

    def load_api_keys(self) -> list[ApiKeyRecord]:
        self._require_schema()
        with self._tx("reading API keys") as cursor:
            cursor.execute(
                "SELECT key_id, key_hash, role, name, created_at, revoked_at"
                ' FROM api_keys ORDER BY created_at, key_id COLLATE "C"'
            )
            rows = cursor.fetchall()
        return [ApiKeyRecord(*row) for row in rows]

    def revoke_api_key(self, key_id: str, at: datetime) -> bool:
        self._require_schema()
        with self._tx("revoking an API key", writes=True) as cursor:
            cursor.execute(
                "UPDATE api_keys SET revoked_at = %s WHERE key_id = %s AND revoked_at IS NULL", (at, key_id)
            )
            return cursor.rowcount == 1

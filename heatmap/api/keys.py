"""API keys: ``hm_<id>_<secret>``; the store keeps the id, the role and a hash of the secret.

The secret has 192 random bits, so a plain SHA-256 is enough to make a stolen
database useless for calling the API (a slow password hash protects weak
secrets, and these are not weak).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from heatmap.errors import UsageError
from heatmap.store.base import ApiKeyRecord, Store

PREFIX = "hm"


class Role(StrEnum):
    AGENT = "agent"
    ENGINEER = "engineer"
    ANALYST = "analyst"
    ADMIN = "admin"
    GATEWAY = "gateway"


ROLES: tuple[str, ...] = tuple(r.value for r in Role)


@dataclass(frozen=True)
class Principal:
    """Who calls: the key's id, role and name (the actor recorded for their actions)."""

    key_id: str
    role: str
    name: str | None

    @property
    def actor(self) -> str:
        return self.name or f"key:{self.key_id}"


def hash_secret(key_id: str, secret: str) -> str:
    return hashlib.sha256(f"{key_id}:{secret}".encode()).hexdigest()


def split_key(key: str) -> tuple[str, str] | None:
    """``(key_id, secret)`` of a well-formed key, else None."""
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    if len(parts[1]) != 12 or not all(c in "0123456789abcdef" for c in parts[1]):
        return None
    return parts[1], parts[2]


def create_key(store: Store, *, role: str, now: datetime, name: str | None = None) -> str:
    """Make and store a key for ``role``; the returned text is the only copy of the secret."""
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}: use {', '.join(ROLES)}")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(24)
    store.save_api_key(
        ApiKeyRecord(
            key_id=key_id, key_hash=hash_secret(key_id, secret), role=role, name=name or None, created_at=now
        )
    )
    return f"{PREFIX}_{key_id}_{secret}"


def verify_key(store: Store, key: str) -> Principal | None:
    """The principal of a valid, unrevoked key, else None (no reason given to callers)."""
    parsed = split_key(key)
    if parsed is None:
        return None
    key_id, secret = parsed
    record = store.load_api_key(key_id)
    if record is None or record.revoked_at is not None:
        return None
    if not hmac.compare_digest(record.key_hash, hash_secret(key_id, secret)):
        return None
    return Principal(key_id=record.key_id, role=record.role, name=record.name)

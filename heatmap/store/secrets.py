"""The key of the store's keyed hashes: the operator's when configured, else the store's own.

Subscriber pseudonyms (``subscriber_id`` derived from a phone number, ``msisdn_hash`` in
exports) and rating-link signatures are keyed hashes. Each store makes a random key of
its own at ``init``; an operator who sets ``HEATMAP_SECRET_KEY`` (16 characters or
more, no placeholder) gets that key instead, the same for every store and process that
share the setting. The store does not read the setting: whoever opens it passes it
(:meth:`heatmap.wiring.Services.open_store` passes ``store.secret_key`` of its settings,
which refused a weak key when they were read). Rotation is described in SECURITY.md:
new pseudonyms and links use the new key, those already stored or sent are not re-derived.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import SecretStr

__all__ = ["hash_key"]


def hash_key(own: bytes, configured: SecretStr | None) -> bytes:
    """``configured`` (the operator's key, UTF-8) when given, else ``own``, the store's own key."""
    return own if configured is None else configured.get_secret_value().encode("utf-8")

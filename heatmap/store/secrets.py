"""The key of the store's keyed hashes: ``HEATMAP_SECRET_KEY`` when set, else the store's own.

Subscriber pseudonyms (``subscriber_id`` derived from a phone number, ``msisdn_hash`` in
exports) and rating-link signatures are keyed hashes. Each store makes a random key of
its own at ``init``; an operator who sets ``HEATMAP_SECRET_KEY`` (16 characters or
more, no placeholder) gets that key instead, the same for every store and process that
share the setting. Rotation is described in SECURITY.md: new pseudonyms and links use
the new key, those already stored or sent are not re-derived.
"""

from __future__ import annotations

from heatmap.settings import load_settings

__all__ = ["hash_key"]


def hash_key(own: bytes) -> bytes:
    """``HEATMAP_SECRET_KEY`` (UTF-8) when set, else ``own``, the store's own key.

    A key that is set but weak is refused with :class:`~heatmap.errors.ConfigError`.
    """
    configured = load_settings().secret_key
    return own if configured is None else configured.get_secret_value().encode("utf-8")

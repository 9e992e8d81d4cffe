"""Signed, expiring rating links: ``/r/{token}``. Single use is the store's part.

A token is 18 bytes in URL-safe base64 (24 characters, short enough for an SMS):
the outbox message id (6 bytes), the expiry in Unix seconds (4 bytes) and the first
8 bytes of an HMAC-SHA256 over both. The key is derived from the store's secret, so
tokens cannot be made without it; a changed byte, a stale token or a token for
another message id never verifies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

from heatmap.errors import HeatmapError

__all__ = ["TOKEN_LENGTH", "LinkError", "RatingLinks", "link_key"]

TOKEN_LENGTH = 24
_MAC_BYTES = 8
_LABEL = b"teplokarty rating link v1"


class LinkError(HeatmapError):
    """A rating link that is malformed or forged (``invalid``), ``expired`` or ``used``;
    or an answer that is not a choice of the page (``choice``)."""

    def __init__(self, message: str, *, reason: str = "invalid") -> None:
        super().__init__(message)
        self.reason = reason


def link_key(store_secret: bytes) -> bytes:
    """The signing key of rating links, derived from the store's secret."""
    return hmac.new(store_secret, _LABEL, hashlib.sha256).digest()


@dataclass(frozen=True)
class RatingLinks:
    key: bytes

    def issue(self, message_id: int, expires_at: datetime) -> str:
        if not 0 < message_id < 2**48:
            raise ValueError(f"message id {message_id} does not fit a rating link")
        expiry = int(expires_at.timestamp())
        payload = message_id.to_bytes(6, "big") + struct.pack(">I", expiry)
        token = base64.urlsafe_b64encode(payload + self._mac(payload)).decode("ascii")
        assert len(token) == TOKEN_LENGTH
        return token

    def verify(self, token: str, *, now: datetime) -> int:
        """The message id of a valid, unexpired token; :class:`LinkError` otherwise."""
        try:
            raw = base64.urlsafe_b64decode(token.encode("ascii")) if len(token) == TOKEN_LENGTH else b""
        except (binascii.Error, UnicodeEncodeError):
            raw = b""
        if len(raw) != 6 + 4 + _MAC_BYTES:
            raise LinkError("this rating link is not valid")
        payload, mac = raw[:10], raw[10:]
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise LinkError("this rating link is not valid")
        (expiry,) = struct.unpack(">I", payload[6:])
        if now.astimezone(UTC).timestamp() >= expiry:
            raise LinkError("this rating link has expired", reason="expired")
        return int.from_bytes(payload[:6], "big")

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self.key, payload, hashlib.sha256).digest()[:_MAC_BYTES]

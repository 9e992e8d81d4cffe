"""The shapes close-out frames have at the storage seam (like :mod:`heatmap.domain.columns`)."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "NEW_OUTBOX_COLUMNS",
    "OUTBOX_COLUMNS",
    "OUTBOX_TIMES",
    "RATING_ROW_COLUMNS",
    "SmsStatus",
]


class SmsStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    HELD = "held"  # waiting for the recipient's quiet hours to end
    SENDING = "sending"  # claimed; the gateway call is under way or its outcome unknown
    SENT = "sent"  # the gateway accepted it
    DELIVERED = "delivered"  # a delivery report says the phone got it
    UNDELIVERED = "undelivered"  # a delivery report says it did not arrive
    FAILED = "failed"  # given up after the allowed attempts; last_error says why
    CANCELLED = "cancelled"  # not sent on purpose (opted out, spot reopened)


#: Statuses a message may still leave by being sent.
WAITING = frozenset({SmsStatus.PENDING, SmsStatus.HELD})
#: Statuses of a message the gateway has taken.
ACCEPTED = frozenset({SmsStatus.SENT, SmsStatus.DELIVERED, SmsStatus.UNDELIVERED})

#: Every column of an outbox row, as a store returns it.
OUTBOX_COLUMNS: tuple[str, ...] = (
    "id",
    "spot_id",
    "subscriber_id",
    "event",
    "msisdn",
    "address",
    "cause",
    "utc_offset_min",
    "zone_source",
    "status",
    "attempts",
    "next_attempt_at",
    "held_count",
    "created_at",
    "updated_at",
    "claimed_at",
    "sent_at",
    "delivered_at",
    "gateway",
    "gateway_ref",
    "text",
    "parts",
    "last_error",
    "link_expires_at",
    "link_used_at",
)
#: Columns of a row written when a spot is resolved (the others take their defaults).
NEW_OUTBOX_COLUMNS: tuple[str, ...] = (
    "spot_id",
    "subscriber_id",
    "event",
    "msisdn",
    "address",
    "cause",
    "utc_offset_min",
    "zone_source",
    "status",
    "next_attempt_at",
    "created_at",
    "updated_at",
)
OUTBOX_TIMES: tuple[str, ...] = (
    "next_attempt_at",
    "created_at",
    "updated_at",
    "claimed_at",
    "sent_at",
    "delivered_at",
    "link_expires_at",
    "link_used_at",
)
OUTBOX_INTEGERS: tuple[str, ...] = ("id", "utc_offset_min", "attempts", "held_count", "parts")
#: A rating as stored: every answer is kept, the one in force has no ``superseded_at``.
RATING_ROW_COLUMNS: tuple[str, ...] = (
    "id",
    "spot_id",
    "subscriber_id",
    "outbox_id",
    "event",
    "rating",
    "persists",
    "comment",
    "channel",
    "at",
    "superseded_at",
)
REPORT_COLUMNS: tuple[str, ...] = ("outbox_id", "at", "code", "text")
INBOUND_COLUMNS: tuple[str, ...] = ("at", "msisdn", "outbox_id", "kind", "text")

"""Vocabulary of the domain: the closed sets of values the CRM contract allows.

Values are the wire strings of DESIGN.md; Russian labels are for user-facing text only.
The bottom layer: it imports nothing of ``heatmap``. The shapes frames have where layers
meet live beside it: :mod:`~heatmap.domain.columns` (complaints, spots, events),
:mod:`~heatmap.domain.outbox` (close-out rows), :mod:`~heatmap.domain.raw` (a CRM export
as read, before validation).
"""

from __future__ import annotations

from enum import StrEnum


class Segment(StrEnum):
    MASS = "mass"
    PREMIUM = "premium"
    VIP = "vip"
    B2B = "b2b"
    B2G = "b2g"


class Topic(StrEnum):
    NO_COVERAGE = "no_coverage"
    WEAK_SIGNAL_INDOOR = "weak_signal_indoor"
    DROPPED_CALLS = "dropped_calls"
    VOICE_QUALITY = "voice_quality"
    SLOW_DATA = "slow_data"
    NO_DATA = "no_data"
    NO_4G = "no_4g"
    SMS_DELIVERY = "sms_delivery"
    OTHER = "other"  # not a network topic a CRM names, e.g. 311 requests


class Channel(StrEnum):
    CALL_CENTRE = "call_centre"
    CHAT = "chat"
    APP = "app"
    SOCIAL = "social"
    RETAIL = "retail"
    EMAIL = "email"


class Precision(StrEnum):
    """How exactly a complaint's point is known, best first."""

    POINT = "point"
    HOUSE = "house"
    STREET = "street"
    SETTLEMENT = "settlement"
    NONE = "none"


class SpotStatus(StrEnum):
    NEW = "new"
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    REOPENED = "reopened"
    MERGED = "merged"


OPEN_STATUSES: frozenset[str] = frozenset(
    {SpotStatus.NEW, SpotStatus.QUEUED, SpotStatus.IN_PROGRESS, SpotStatus.REOPENED}
)

#: Weight of a complaint in detection by the precision of its point.
#: ``none`` never counts; a settlement-level point is too coarse to place a spot.
PRECISION_WEIGHT: dict[str, float] = {
    Precision.POINT: 1.0,
    Precision.HOUSE: 1.0,
    Precision.STREET: 0.5,
    Precision.SETTLEMENT: 0.0,
    Precision.NONE: 0.0,
}

TOPIC_LABEL_RU: dict[str, str] = {
    Topic.NO_COVERAGE: "нет покрытия",
    Topic.WEAK_SIGNAL_INDOOR: "слабый сигнал в помещении",
    Topic.DROPPED_CALLS: "обрывы звонков",
    Topic.VOICE_QUALITY: "плохое качество голоса",
    Topic.SLOW_DATA: "низкая скорость интернета",
    Topic.NO_DATA: "нет мобильного интернета",
    Topic.NO_4G: "нет 4G",
    Topic.SMS_DELIVERY: "не доходят SMS",
    Topic.OTHER: "другое",
}

SEGMENTS = frozenset(s.value for s in Segment)
TOPICS = frozenset(t.value for t in Topic)
CHANNELS = frozenset(c.value for c in Channel)
PRECISIONS = frozenset(p.value for p in Precision)

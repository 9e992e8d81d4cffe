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


class EventKind(StrEnum):
    """What a spot event records: lineage from detection, routing, the engineer's workflow."""

    CREATED = "created"
    SPLIT = "split"  # a new spot cut from an open one (related: the one it came from)
    MERGED = "merged"  # this spot went into another (related: the survivor)
    ABSORBED = "absorbed"  # this spot took another in (related: the one merged)
    GROWN = "grown"
    TRANSITION = "transition"  # a status change (from_status, to_status)
    ESCALATED = "escalated"
    REROUTED = "rerouted"
    REROUTE_ADVISED = "reroute_advised"
    ETA = "eta"
    JOINED = "joined"


#: Each event kind as people read it (the API's ``title``, the engineers' page).
EVENT_TITLE_RU: dict[str, str] = {
    EventKind.CREATED: "создано",
    EventKind.SPLIT: "выделено из другого",
    EventKind.MERGED: "объединено",
    EventKind.ABSORBED: "присоединило соседнее пятно",
    EventKind.GROWN: "выросло",
    EventKind.TRANSITION: "статус",
    EventKind.ESCALATED: "эскалация (быстрый рост)",
    EventKind.REROUTED: "переведено в более срочную очередь",
    EventKind.REROUTE_ADVISED: "политика направляет в более срочную очередь",
    EventKind.ETA: "срок",
    EventKind.JOINED: "новые обращения",
}


def event_title(kind: str) -> str:
    """The Russian title of an event ``kind``; a kind without one (written by another
    version) is shown as it is."""
    return EVENT_TITLE_RU.get(kind, kind)


SEGMENTS = frozenset(s.value for s in Segment)
TOPICS = frozenset(t.value for t in Topic)
CHANNELS = frozenset(c.value for c in Channel)
PRECISIONS = frozenset(p.value for p in Precision)

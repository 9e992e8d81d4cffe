"""What the agents' spot index tells about one spot: its card, and the parts of it worked
out only when a lookup first needs them.

A rebuild makes every spot's card (:func:`spot_card`) at once; what only some answers
need — whether the spot takes complaints, before and after its window closes, and the
card as it reads once its ETA has passed — is made by :class:`OnDemand` on the spot's
first lookup after the rebuild and kept for the next ones. A rebuild follows every spot
change, while most spots are looked up seldom if ever between two of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pandas as pd

from heatmap.core.intake import IntakeState, spot_intake
from heatmap.core.script import ScriptTemplates, eta_overdue, russian_date, spot_script
from heatmap.domain import OPEN_STATUSES
from heatmap.render.evidence import evidence, evidence_text
from heatmap.render.intake import fields_of

__all__ = ["CardIntake", "OnDemand", "spot_card", "stamp"]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def stamp(value: object) -> pd.Timestamp | None:
    """A stored time as a timestamp, None where there is none."""
    if value is None or value is pd.NaT:
        return None
    moment = pd.Timestamp(value)
    return None if pd.isna(moment) else moment


def spot_card(
    spot: Mapping[str, object],
    templates: ScriptTemplates,
    now: datetime | None = None,
    cause_titles: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """What an agent needs about a spot at ``now``: status, cause, current ETA (and whether
    it has passed), the script text (by the spot's trend and ETA) and why it is a spot
    (evidence, None where detection gave none)."""
    cause = _text(spot.get("cause"))
    shown_cause = cause or _text(spot.get("suggested_cause"))
    eta = stamp(spot.get("eta"))
    overdue = str(spot["status"]) in OPEN_STATUSES and eta_overdue(
        None if eta is None else eta.to_pydatetime(), now
    )
    return {
        "id": str(spot["id"]),
        "status": str(spot["status"]),
        "kind": _text(spot.get("kind")),
        "cause": shown_cause,
        "cause_text": (cause_titles or {}).get(shown_cause or ""),
        "cause_confirmed": cause is not None,
        "eta": None if eta is None else eta.isoformat(),
        "eta_text": None if eta is None else russian_date(eta.to_pydatetime()),
        "eta_overdue": overdue,
        "script": spot_script(spot, templates, now=now if overdue else None),
        "queue": _text(spot.get("queue")),
        "priority": round(float(spot.get("priority") or 0.0), 2),  # type: ignore[arg-type]
        "address": _text(spot.get("address")),
        "subscribers": int(spot.get("subscribers") or 0),  # type: ignore[call-overload]
        "complaints": int(spot.get("complaints") or 0),  # type: ignore[call-overload]
        "dominant_topic": _text(spot.get("dominant_topic")),
        **evidence(spot),
        "evidence_text": evidence_text(spot),
    }


@dataclass(frozen=True)
class CardIntake:
    """A card's intake fields (:func:`heatmap.render.intake.intake_fields`) as they read up
    to ``until`` and after it (the same when time does not change them), dict and JSON."""

    until: datetime | None
    taking: dict[str, object]
    lapsed: dict[str, object]
    taking_json: bytes
    lapsed_json: bytes

    @classmethod
    def of(cls, spot: Mapping[str, object], *, built: datetime, active_hours: float) -> CardIntake:
        intake = spot_intake(spot, now=built, active_hours=active_hours)
        if intake.until is None:  # time does not change it
            first = later = fields_of(intake)
        else:  # open and detected: taking up to until, lapsed after
            first = fields_of(replace(intake, state=IntakeState.TAKING))
            later = fields_of(replace(intake, state=IntakeState.LAPSED))
        moment = intake.until

        def fragment(fields: dict[str, object]) -> bytes:
            return b"," + json.dumps(fields, ensure_ascii=False).encode()[1:-1]

        return cls(moment, first, later, fragment(first), fragment(later))

    def at(self, now: datetime) -> tuple[dict[str, object], bytes]:
        """The fields and their JSON (``,"confirmed_at":…`` to splice into a card) at ``now``."""
        if self.until is not None and now > self.until:
            return self.lapsed, self.lapsed_json
        return self.taking, self.taking_json


@dataclass(frozen=True)
class OnDemand:
    """The parts of a snapshot's answers made on a spot's first need and kept: its intake
    and its card once the ETA has passed, from the spot's stored values (``records``, by
    position) and the moment the snapshot was built, so they are what the build would have
    made. Two threads making the same spot's at once keep equal values."""

    records: list[dict[str, object]]
    templates: ScriptTemplates
    cause_titles: Mapping[str, str] | None
    built: datetime
    active_hours: float
    intakes: dict[int, CardIntake] = field(default_factory=dict)
    late: dict[int, bytes] = field(default_factory=dict)

    def intake(self, spot: int) -> CardIntake:
        """Whether the spot takes complaints, before and after its window closes."""
        made = self.intakes.get(spot)
        if made is None:
            made = CardIntake.of(self.records[spot], built=self.built, active_hours=self.active_hours)
            self.intakes[spot] = made
        return made

    def late_json(self, spot: int, eta: datetime) -> bytes:
        """The spot's card as it reads once ``eta`` (its ETA) has passed, as JSON without
        its closing brace."""
        made = self.late.get(spot)
        if made is None:
            card = spot_card(
                self.records[spot],
                self.templates,
                now=eta + timedelta(seconds=1),
                cause_titles=self.cause_titles,
            )
            made = json.dumps(card, ensure_ascii=False).encode()[:-1]
            self.late[spot] = made
        return made

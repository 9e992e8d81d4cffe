"""When detection last confirmed a spot and whether it still takes complaints, for the pages.

The values come from :func:`heatmap.core.intake.spot_intake` (the join's time rule at a
given moment); this module says them JSON-ready and in Russian, times in Moscow time as
the agents' dates are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from heatmap.core.intake import Intake, IntakeState, spot_intake
from heatmap.core.script import russian_moment

#: The fields every spot surface carries (API, ``heatmap spot show --json``, GeoJSON).
INTAKE_FIELDS: tuple[str, ...] = (
    "confirmed_at",
    "taking_complaints",
    "taking_complaints_until",
    "confirmation_text",
)


def _when(moment: datetime) -> str:
    return russian_moment(moment) + " мск"


def intake_text(intake: Intake) -> str:
    """What detection confirmed and what the spot takes, in Russian: "Подтверждено
    детекцией: 7 декабря, 14:05 мск; принимает жалобы до 8 декабря, 14:05 мск", or what a
    known issue, a lapsed or a closed spot takes instead."""
    if intake.state is IntakeState.KNOWN_ISSUE:
        return "Известная проблема: принимает все жалобы внутри своей области, пока открыта"
    if intake.known_issue:
        return "Известная проблема закрыта: жалобы не принимает"
    found = "Подтверждено детекцией: " + (
        "время неизвестно" if intake.confirmed_at is None else _when(intake.confirmed_at)
    )
    if intake.state is IntakeState.CLOSED:
        return found + "; пятно закрыто — жалобы не принимает"
    if intake.until is None:
        return found + "; принимает жалобы"
    if intake.state is IntakeState.LAPSED:
        return found + f"; жалобы не принимает с {_when(intake.until)}, пока детекция не найдёт пятно снова"
    return found + f"; принимает жалобы до {_when(intake.until)}"


def intake_fields(spot: Mapping[str, object], *, now: datetime, active_hours: float) -> dict[str, object]:
    """:data:`INTAKE_FIELDS` of a stored spot at ``now``: times ISO 8601 in UTC (None where
    there is none), and the sentence of :func:`intake_text`."""
    return fields_of(spot_intake(spot, now=now, active_hours=active_hours))


def fields_of(intake: Intake) -> dict[str, object]:
    """:data:`INTAKE_FIELDS` of an intake."""
    return {
        "confirmed_at": None if intake.confirmed_at is None else intake.confirmed_at.isoformat(),
        "taking_complaints": intake.taking,
        "taking_complaints_until": None if intake.until is None else intake.until.isoformat(),
        "confirmation_text": intake_text(intake),
    }

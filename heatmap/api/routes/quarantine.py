"""``GET /quarantine``: the rows ingest set aside, with every reason as a code and a text
in the language the client asks for (``?lang=ru`` or ``Accept-Language: ru``; English
otherwise)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query
from pydantic import BaseModel

from heatmap.api.auth import AUTH_RESPONSES, RoleGuard
from heatmap.api.keys import Principal, Role
from heatmap.api.routes import PREFIX
from heatmap.api.state import State
from heatmap.core.pii import for_role
from heatmap.io.reasons import Language, matches, parse_reasons, pick_language

router = APIRouter(prefix=PREFIX, tags=["quarantine"])
Reader = Annotated[Principal, Depends(RoleGuard(Role.ENGINEER, Role.ANALYST))]


def language(
    lang: Annotated[
        Literal["en", "ru"] | None,
        Query(description="Language of the reasons; else Accept-Language decides (English by default)"),
    ] = None,
    accept_language: Annotated[str | None, Header(max_length=500)] = None,
) -> Language:
    """The language a client asks for: ``?lang=``, else its ``Accept-Language``."""
    return pick_language(lang, accept_language)


Lang = Annotated[Language, Depends(language)]


class QuarantineReason(BaseModel):
    """One reason of a quarantined row."""

    code: str
    text: str
    params: dict[str, str]
    value: str | None
    allowed: str | None


class QuarantinedRow(BaseModel):
    """A row ingest set aside: where it came from, its raw text and every reason."""

    id: int
    source: str
    line: int
    at: str
    raw: str
    reasons: str
    reason_codes: list[str]
    details: list[QuarantineReason]


class Quarantined(BaseModel):
    """The quarantined rows asked for, with the language of their reasons."""

    language: Language
    rows: list[QuarantinedRow]


_FILE = "Only rows of files whose path holds this"
_REASON = "Only rows with a reason of this code (unknown_value…), or whose text holds this"


def reason_details(joined: str, lang: Language) -> list[dict[str, Any]]:
    """Each reason of a stored reasons text: its code, its text in ``lang``, its parameters,
    the value the row had and what is allowed."""
    return [r.as_dict(lang) for r in parse_reasons(joined)]


@router.get(
    "/quarantine",
    summary="Quarantined rows with their reasons",
    responses=AUTH_RESPONSES,
    response_model=Quarantined,
)
def quarantined(
    state: State,
    who: Reader,
    lang: Lang,
    file: Annotated[str | None, Query(max_length=500, description=_FILE)] = None,
    reason: Annotated[str | None, Query(max_length=200, description=_REASON)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> Quarantined:
    """Oldest first, as ``heatmap quarantine``. The raw row is shown with personal data
    masked to analysts."""
    rows = state.store.load_quarantine(limit=None if file or reason else limit)
    out: list[QuarantinedRow] = []
    for row in rows.to_dict("records"):
        if file and file not in str(row["source"]):
            continue
        details = reason_details(str(row["reasons"]), lang)
        if reason and not matches(str(row["reasons"]), reason):
            continue
        out.append(
            QuarantinedRow(
                id=int(row["id"]),
                source=str(row["source"]),
                line=int(row["line"]),
                at=str(row["at"]),
                raw=for_role(str(row["raw"]), who.role),
                reasons="; ".join(d["text"] for d in details),
                reason_codes=[d["code"] for d in details],
                details=[QuarantineReason(**d) for d in details],
            )
        )
        if len(out) == limit:
            break
    return Quarantined(language=lang, rows=out)

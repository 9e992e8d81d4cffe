"""What an agent tells a caller about a spot, in Russian, from templates."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

import pandas as pd

from heatmap.errors import ConfigError

_MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


#: Sentences added after the first release (chronic spots, an overdue ETA); an operator's
#: file written before they existed gets the packaged ones.
_LATER_KEYS = ("persistent_with_eta", "persistent_without_eta", "late")


@dataclass(frozen=True)
class ScriptTemplates:
    """Sentences by situation; ``{works}`` is the cause in the caller's terms, ``{eta}`` a date.

    ``with_eta``/``without_eta`` say that works are under way (a new, intensifying or
    diminishing spot, or one without a trend); ``persistent_*`` say that the network is
    being developed there (a chronic spot); ``late`` is said once the ETA has passed and
    the spot is still open (no date that is already history is read out).
    """

    with_eta: str
    without_eta: str
    resolved: str
    not_in_work: str
    works: dict[str, str]
    default_works: str
    persistent_with_eta: str
    persistent_without_eta: str
    late: str


def _packaged_text() -> str:
    return (resources.files("heatmap.templates") / "agent_script.toml").read_text("utf-8")


def load_templates(path: Path | None = None) -> ScriptTemplates:
    """The packaged agent-script templates, or an operator's own TOML file."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8") if path else _packaged_text())
        if any(key not in data for key in _LATER_KEYS):
            packaged = tomllib.loads(_packaged_text())
            data = {**{key: packaged[key] for key in _LATER_KEYS}, **data}
        return ScriptTemplates(
            with_eta=data["with_eta"],
            without_eta=data["without_eta"],
            resolved=data["resolved"],
            not_in_work=data["not_in_work"],
            works=dict(data["works"]),
            default_works=data["default_works"],
            persistent_with_eta=data["persistent_with_eta"],
            persistent_without_eta=data["persistent_without_eta"],
            late=data["late"],
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise ConfigError(f"agent script templates {path or '(packaged)'}: {exc}") from exc


def russian_date(moment: datetime, *, utc_offset_hours: int = 3) -> str:
    """``25 ноября`` in the caller's local time (Moscow unless told otherwise)."""
    local = moment.astimezone(timezone(timedelta(hours=utc_offset_hours)))
    return f"{local.day} {_MONTHS[local.month - 1]}"


def russian_moment(moment: datetime, *, utc_offset_hours: int = 3) -> str:
    """``25 ноября, 18:05`` in the caller's local time (Moscow unless told otherwise)."""
    local = moment.astimezone(timezone(timedelta(hours=utc_offset_hours)))
    return f"{local.day} {_MONTHS[local.month - 1]}, {local.hour:02d}:{local.minute:02d}"


def eta_overdue(eta: datetime | None, now: datetime | None) -> bool:
    """Whether an open spot's ETA has passed at ``now`` (False without either)."""
    return eta is not None and now is not None and eta < now


def spot_eta_overdue(spot: Mapping[str, object], now: datetime) -> bool:
    """Whether a stored spot is still open and its ETA has passed at ``now``."""
    if str(spot.get("status")) in ("resolved", "rejected", "merged"):
        return False
    eta = spot.get("eta")
    moment = None if eta is None or pd.isna(eta) else pd.Timestamp(eta).to_pydatetime()
    return eta_overdue(moment, now)


def agent_script(
    *,
    status: str,
    cause: str | None,
    eta: datetime | None,
    templates: ScriptTemplates,
    trend: str | None = None,
    utc_offset_hours: int = 3,
    now: datetime | None = None,
) -> str:
    """The sentence an agent reads to a caller whose address a spot covers.

    A persistent (chronic) spot is told as planned development of the network; any
    other open spot as works under way; an open spot whose ETA has passed at ``now``
    as works that go on, the new date to come by SMS (``now=None``: never overdue).
    """
    if status == "resolved":
        return templates.resolved
    if status in ("rejected", "merged"):
        return templates.not_in_work
    works = templates.works.get(cause or "", templates.default_works)
    chronic = trend == "persistent"
    if eta_overdue(eta, now):
        return templates.late.format(works=works)
    if eta is None:
        return (templates.persistent_without_eta if chronic else templates.without_eta).format(works=works)
    return (templates.persistent_with_eta if chronic else templates.with_eta).format(
        works=works, eta=russian_date(eta, utc_offset_hours=utc_offset_hours)
    )


def spot_script(
    spot: Mapping[str, object],
    templates: ScriptTemplates,
    *,
    utc_offset_hours: int = 3,
    now: datetime | None = None,
) -> str:
    """:func:`agent_script` for a stored spot (a row of ``Store.load_spots``): its status,
    the engineer's cause else the suggested one, its current ETA and its trend, at ``now``."""
    cause = _text(spot.get("cause")) or _text(spot.get("suggested_cause"))
    eta = spot.get("eta")
    moment = None if eta is None or pd.isna(eta) else pd.Timestamp(eta).to_pydatetime()
    return agent_script(
        status=str(spot.get("status")),
        cause=cause,
        eta=moment,
        templates=templates,
        trend=_text(spot.get("trend")),
        utc_offset_hours=utc_offset_hours,
        now=now,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None

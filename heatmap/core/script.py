"""What an agent tells a caller about a spot, in Russian, from templates."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

from heatmap.errors import ConfigError

_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря")


@dataclass(frozen=True)
class ScriptTemplates:
    """Sentences by situation; ``{works}`` is the cause in the caller's terms, ``{eta}`` a date."""

    with_eta: str
    without_eta: str
    resolved: str
    not_in_work: str
    works: dict[str, str]
    default_works: str


def load_templates(path: Path | None = None) -> ScriptTemplates:
    """The packaged agent-script templates, or an operator's own TOML file."""
    try:
        text = (Path(path).read_text(encoding="utf-8") if path else
                (resources.files("heatmap.templates") / "agent_script.toml").read_text("utf-8"))
        data = tomllib.loads(text)
        return ScriptTemplates(
            with_eta=data["with_eta"], without_eta=data["without_eta"],
            resolved=data["resolved"], not_in_work=data["not_in_work"],
            works=dict(data["works"]),
            default_works=data["default_works"],
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise ConfigError(f"agent script templates {path or '(packaged)'}: {exc}") from exc


def russian_date(moment: datetime, *, utc_offset_hours: int = 3) -> str:
    """``25 ноября`` in the caller's local time (Moscow unless told otherwise)."""
    local = moment.astimezone(timezone(timedelta(hours=utc_offset_hours)))
    return f"{local.day} {_MONTHS[local.month - 1]}"


def agent_script(
    *,
    status: str,
    cause: str | None,
    eta: datetime | None,
    templates: ScriptTemplates,
    utc_offset_hours: int = 3,
) -> str:
    """The sentence an agent reads to a caller whose address a spot covers."""
    if status == "resolved":
        return templates.resolved
    if status in ("rejected", "merged"):
        return templates.not_in_work
    works = templates.works.get(cause or "", templates.default_works)
    if eta is None:
        return templates.without_eta.format(works=works)
    return templates.with_eta.format(works=works,
                                     eta=russian_date(eta, utc_offset_hours=utc_offset_hours))

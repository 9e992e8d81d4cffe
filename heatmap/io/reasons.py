"""Quarantine reasons as codes, in English or Russian (the catalogue: ``reasons.toml``).

Ingest and the readers write each quarantined row's reasons as English text joined by
``"; "``, and the stores keep that text. Here a stored text is read back into
:class:`Reason` records — a machine code (``missing_field``), its parameters (the field),
the value the row had and what is allowed — and rendered again in the language a client
asks for. A reason the catalogue does not know keeps the code ``other`` and its text.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

Language = Literal["en", "ru"]
LANGUAGES: tuple[Language, ...] = ("en", "ru")
#: The code of a reason the catalogue does not know.
OTHER = "other"

#: What each placeholder of an English reason matches.
_PLACEHOLDER = {
    "field": r"[a-z_]+",
    "width": r"\d+",
    "found": r"\d+",
    "length": r"[\d,]+",
    "limit": r"[\d,]+",
    "low": r"-?\d+",
    "high": r"-?\d+",
    "detail": r"[^;]*",
}
#: A value as ingest quotes it (Python's repr of a text), then what is allowed, if said.
_VALUE = re.compile(
    r" \(got (?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")(?:, allowed: (?P<allowed>.*?))?\)(?=; |$)"
)


@dataclass(frozen=True)
class Reason:
    """One reason of a quarantined row."""

    code: str
    params: dict[str, str] = field(default_factory=dict)
    #: The offending value as the English text quotes it (cut, masked), if it does.
    value: str | None = None
    #: What is allowed, as the English text says it, if it does.
    allowed: str | None = None
    #: The English text itself (for a reason of code ``other``, all that is known).
    english: str = ""

    def text(self, lang: Language = "en") -> str:
        """The reason in ``lang``, with the value and what is allowed."""
        if lang == "en" or self.code == OTHER:
            return self.english
        catalogue = _catalogue()
        text: str = catalogue["reasons"][self.code][lang].format(**self.params)
        if self.value is None:
            return text
        values = catalogue["value"]
        if self.allowed is None:
            return f"{text} {values[f'{lang}_bare'].format(value=self.value)}"
        return f"{text} {values[lang].format(value=self.value, allowed=self.allowed_text(lang))}"

    def allowed_text(self, lang: Language = "en") -> str | None:
        """What is allowed in ``lang`` (a list of values stays as it is)."""
        if self.allowed is None or lang == "en":
            return self.allowed
        for entry in _catalogue()["allowed"].values():
            if entry["en"] == self.allowed:
                return str(entry[lang])
        return self.allowed

    def as_dict(self, lang: Language = "en") -> dict[str, Any]:
        """For an API answer or ``--json``: ``code``, ``text``, ``params``, ``value``, ``allowed``."""
        return {
            "code": self.code,
            "text": self.text(lang),
            "params": dict(self.params),
            "value": self.value,
            "allowed": self.allowed_text(lang),
        }


@cache
def _catalogue() -> dict[str, Any]:
    text = (resources.files("heatmap.io") / "reasons.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(code, the English text as a regular expression) for every catalogued reason."""
    out = []
    for code, entry in _catalogue()["reasons"].items():
        parts = re.split(r"\{(\w+)\}", str(entry["en"]))
        pattern = "".join(
            f"(?P<{part}>{_PLACEHOLDER[part]})" if i % 2 else re.escape(part) for i, part in enumerate(parts)
        )
        out.append((code, re.compile(pattern)))
    # the longest first, so that "missing {field}" never takes a reason another one spells out
    return tuple(sorted(out, key=lambda p: -len(p[1].pattern)))


def english(code: str, **params: object) -> str:
    """The English text of the reason ``code`` (as the store keeps it)."""
    return str(_catalogue()["reasons"][code]["en"]).format(**params)


def message(key: str, lang: Language = "en") -> str:
    """One of the catalogue's messages (``[messages]``) in ``lang``."""
    return str(_catalogue()["messages"][key][lang])


def parse_reasons(joined: str) -> list[Reason]:
    """The reasons of one quarantined row, from the text the store keeps."""
    out: list[Reason] = []
    at = 0
    while at < len(joined):
        reason, at = _one(joined, at)
        out.append(reason)
        if joined.startswith("; ", at):
            at += 2
    return out


def _one(joined: str, at: int) -> tuple[Reason, int]:
    """The reason starting at ``at`` and where it ends."""
    for code, pattern in _patterns():
        found = pattern.match(joined, at)
        if found is None:
            continue
        end = found.end()
        quoted = _VALUE.match(joined, end)
        if quoted is None and end != len(joined) and not joined.startswith("; ", end):
            continue  # only the start of a longer text
        params = {k: v for k, v in found.groupdict().items() if v is not None}
        value = allowed = None
        if quoted is not None:
            value, allowed, end = quoted["value"], quoted["allowed"], quoted.end()
        return Reason(code, params, value, allowed, joined[at:end]), end
    end = joined.find("; ", at)
    end = len(joined) if end < 0 else end
    return Reason(OTHER, english=joined[at:end]), end


def render(joined: str, lang: Language = "en") -> str:
    """A stored reasons text in ``lang`` (English comes back as it is)."""
    if lang == "en":
        return joined
    return "; ".join(r.text(lang) for r in parse_reasons(joined))


def codes(joined: str) -> list[str]:
    """The codes of a stored reasons text, in order."""
    return [r.code for r in parse_reasons(joined)]


def matches(joined: str, needle: str) -> bool:
    """Whether a stored reasons text has a reason of code ``needle``, or holds ``needle``
    (any case) in English or in Russian."""
    reasons = parse_reasons(joined)
    wanted = needle.casefold()
    texts = [joined, *(r.text("ru") for r in reasons)]
    return any(r.code == needle for r in reasons) or any(wanted in t.casefold() for t in texts)


def localised(rows: pd.DataFrame, lang: Language) -> pd.DataFrame:
    """Quarantined ``rows`` with their ``reasons`` in ``lang`` and ``reason_codes`` beside."""
    out = rows.copy()
    out["reason_codes"] = [codes(str(r)) for r in rows["reasons"]]
    out["reasons"] = [render(str(r), lang) for r in rows["reasons"]]
    return out


def pick_language(lang: str | None = None, accept_language: str | None = None) -> Language:
    """The language to answer in: ``lang`` when given (``ru``, ``ru-RU``, ``en``…), else the
    one of :data:`LANGUAGES` an ``Accept-Language`` header prefers most; English otherwise."""
    if lang:
        primary = lang.strip().lower().split("-")[0].split("_")[0]
        return "ru" if primary == "ru" else "en"
    best: tuple[float, Language] | None = None
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        weight = _quality(params)
        if weight > 0 and (best is None or weight > best[0]):
            best = (weight, "ru" if primary == "ru" else "en")
    return best[1] if best else "en"


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0

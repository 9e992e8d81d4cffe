"""The one personal-data masker: what every view, export, page, log line and comment uses.

:func:`find_personal_data` returns the spans of personal data in a text,
:func:`mask_personal_data` the text with each replaced by its mask (:data:`MASKS`),
:func:`mask_texts` does that over a column. What is found (see
:mod:`heatmap.core.pii_numbers` and :mod:`heatmap.core.pii_names` for the rules):

* phone numbers in every common writing — ``+7``, ``8``, ``7`` or no country code;
  spaces, dots, dashes, brackets, digits typed one by one; local numbers
  (``123-45-67``) and, after a cue such as ``тел.``, shorter ones;
* e-mail addresses, also spelled out (``ivan (at) mail (dot) ru``, ``ivan собака mail.ru``);
* card numbers (Luhn), passport series and number, SNILS and INN (their check digits);
* names of people where the text gives them away (``меня зовут …``, ``Иванов И.И.``).

Ordinary numbers stay: house and flat numbers, dates, times, sums, speeds, years.

Who sees personal data (152-FZ: only the roles that need it) is decided here too,
:func:`for_role`: engineers (they call the client back) and admins see complaint text
as written; agents, analysts and every export see it masked. Pure functions; nothing
is looked up.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import pandas as pd

from heatmap.core.pii_names import find_names
from heatmap.core.pii_numbers import find_numbers

__all__ = [
    "MASKS",
    "SEES_PERSONAL_DATA",
    "PersonalDataLogFilter",
    "Span",
    "find_personal_data",
    "for_role",
    "mask_personal_data",
    "mask_texts",
    "masked_log_config",
]

#: What each kind of personal data is replaced by.
MASKS: dict[str, str] = {
    "email": "[e-mail скрыт]",
    "card": "[карта скрыта]",
    "passport": "[паспорт скрыт]",
    "snils": "[СНИЛС скрыт]",
    "inn": "[ИНН скрыт]",
    "phone": "[телефон скрыт]",
    "name": "[имя скрыто]",
}
#: Roles that see complaint text and phone numbers as written (they call clients back).
SEES_PERSONAL_DATA = frozenset({"engineer", "admin"})


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    kind: str


_AT = r"(?:@|\s*[(\[{<]\s*(?:at|собака|эт)\s*[)\]}>]\s*|\s+(?:собака|at)\s+)"
_DOT = r"(?:\.|\s*[(\[{<]\s*(?:dot|точка)\s*[)\]}>]\s*|\s+(?:dot|точка)\s+)"
_EMAIL = re.compile(rf"[\w.+\-]+{_AT}[\w\-]+(?:{_DOT}[\w\-]+)*{_DOT}[a-zа-я]{{2,}}(?!\w)", re.IGNORECASE)
#: Texts with none of these hold no personal data this masker finds (a fast path).
_MAYBE = re.compile(r"[\d@]|[A-ZА-ЯЁ]|собак|\bat\b", re.IGNORECASE)


def find_personal_data(text: str | None, *, names: bool = True) -> list[Span]:
    """Spans of personal data in ``text``, sorted and not overlapping."""
    if not text or not _MAYBE.search(text):
        return []
    spans = [
        Span(m.start(), m.end(), "email")
        for m in _EMAIL.finditer(text)
        if "@" in m.group() or _spelled_email(m.group())
    ]

    def free(start: int, end: int) -> bool:
        return all(end <= s.start or start >= s.end for s in spans)

    for number in find_numbers(text):
        if free(number.start, number.end):
            spans.append(Span(number.start, number.end, number.kind))
    if names:
        spans.extend(Span(start, end, "name") for start, end in find_names(text, free))
    return sorted(spans)


def _spelled_email(found: str) -> bool:
    """``ivan собака mail точка ru``: a spelled-out ``@`` needs a domain that looks like one."""
    return (
        re.search(
            r"(?:\.|dot|точка)\s*[)\]}>]?\s*(?:ru|com|net|org|рф|su|info|io|by|kz|ua)$", found, re.IGNORECASE
        )
        is not None
    )


def mask_spans(text: str, spans: Iterable[Span], masks: dict[str, str] | None = None) -> str:
    """``text`` with each of ``spans`` (sorted, not overlapping) replaced by its mask."""
    chosen = MASKS if masks is None else masks
    out: list[str] = []
    at = 0
    for span in spans:
        out.append(text[at : span.start])
        out.append(chosen[span.kind])
        at = span.end
    out.append(text[at:])
    return "".join(out)


def mask_personal_data(text: str | None, *, names: bool = True) -> str | None:
    """``text`` with its personal data masked (None stays None)."""
    if text is None:
        return None
    return mask_spans(text, find_personal_data(text, names=names))


def mask_texts(values: pd.Series, *, names: bool = True) -> pd.Series:
    """:func:`mask_personal_data` over a column (each distinct text once); missing kept."""
    out = values.astype(object).where(values.notna(), None)
    present = out.notna().to_numpy()
    if present.any():
        given = out[present].astype(str)
        distinct = pd.unique(given.to_numpy())
        masked = {t: mask_personal_data(t, names=names) for t in distinct}
        out[present] = given.map(masked)
    return out


def for_role(text: str | None, role: str) -> str | None:
    """``text`` as ``role`` may see it: as written for :data:`SEES_PERSONAL_DATA`, else masked."""
    return text if role in SEES_PERSONAL_DATA else mask_personal_data(text)


class PersonalDataLogFilter(logging.Filter):
    """Masks personal data in log records: the message and each text argument (so a
    formatter that reads the arguments, like uvicorn's access log, still gets them).

    URL-encoded text (``from=%2B79161234567``) is decoded before it is masked. Attach
    it to the handlers that write logs (:func:`masked_log_config` does for uvicorn).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _masked_log_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked_log_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _masked_log_arg(v) for k, v in record.args.items()}
        return True


def _masked_log_arg(value: object) -> object:
    if isinstance(value, str):
        return _masked_log_text(value)
    if isinstance(value, BaseException):
        return _masked_log_text(str(value))
    return value


def _masked_log_text(text: str) -> str:
    if "%" in text:
        decoded = unquote_plus(text)
        if find_personal_data(decoded):
            text = decoded
    return mask_personal_data(text) or text


def masked_log_config(base: dict[str, Any]) -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` dict: ``base`` (e.g. uvicorn's) with
    :class:`PersonalDataLogFilter` on every handler, and the package's own loggers
    (``heatmap.*``) written through its first handler."""
    config = copy.deepcopy(base)
    config.setdefault("filters", {})["personal_data"] = {"()": "heatmap.core.pii.PersonalDataLogFilter"}
    handlers = config.get("handlers", {})
    for handler in handlers.values():
        handler["filters"] = [*handler.get("filters", []), "personal_data"]
    if handlers:
        config.setdefault("loggers", {})["heatmap"] = {
            "handlers": [next(iter(handlers))],
            "level": "INFO",
            "propagate": False,
        }
    return config

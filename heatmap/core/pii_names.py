"""Names of people, where the text gives them away.

A first name with a patronymic (``Иван Петрович``), a surname with initials
(``Иванов И.И.``, ``И.И. Иванов``), an English name with an initial, the capitalised
words after a cue ("меня зовут …", "с уважением, …", "my name is …", "thanks, …",
``Mr.``), and a signature: a last line (or one before a phone number) of two or three
capitalised words. Street names are not names (``ул. К.Маркса``, ``Carl Schurz Park``).
Pure functions of the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["find_names"]

_RU_NAME = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_SP = r"[ \t]+"
_EN_NAME = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"
_PATRONYMIC = r"[А-ЯЁ][а-яё]+(?:ович|евич|ьич|овна|евна|ична|инична)"
_NAME_PATTERNS = [
    # a first name with a patronymic, a surname before or after
    re.compile(rf"(?:{_RU_NAME}{_SP})?{_RU_NAME}{_SP}{_PATRONYMIC}(?:{_SP}{_RU_NAME})?"),
    # a surname with initials, either side
    re.compile(rf"{_RU_NAME}{_SP}[А-ЯЁ]\.[ \t]?[А-ЯЁ]\.|(?<!\w)[А-ЯЁ]\.[ \t]?(?:[А-ЯЁ]\.[ \t]?)?{_RU_NAME}"),
    re.compile(rf"{_EN_NAME}{_SP}[A-Z]\.{_SP}{_EN_NAME}|(?<!\w)[A-Z]\.[ \t]?[A-Z]\.{_SP}{_EN_NAME}"),
]
#: Cue words after which the next one to three capitalised words are a name.
_NAME_CUES = re.compile(
    r"(?<!\w)(?:меня\s+зовут|моё\s+имя|мое\s+имя|фио\s*:?|с\s+уважением,?|спасибо,|"
    r"господин|госпожа|my\s+name\s+is|name\s*:|thanks?,|thank\s+you,|regards,|"
    r"sincerely,|signed,?|contact|call|ask\s+for|(?:mr|mrs|ms|miss|dr)\.?)\s+",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(rf"(?:{_RU_NAME}|{_EN_NAME})(?:{_SP}(?:{_RU_NAME}|{_EN_NAME})){{0,2}}")
#: Words a capitalised run after a cue may start with that are not names.
_NOT_NAMES = frozenset(
    (
        "the",
        "a",
        "an",
        "this",
        "that",
        "me",
        "us",
        "you",
        "him",
        "her",
        "them",
        "it",
        "311",
        "nyc",
        "please",
        "if",
        "i",
        "we",
        "our",
        "my",
        "your",
        "his",
        "я",
        "мы",
        "вы",
        "вас",
        "нас",
        "он",
        "она",
        "они",
        "это",
        "все",
        "всем",
        "спасибо",
        "пожалуйста",
    )
)
_PLACE_WORDS = re.compile(
    r"\b(?:st|street|ave|avenue|road|rd|blvd|drive|dr|lane|place|pl|ny|nj|nyc|brooklyn|bronx|queens|"
    r"manhattan|north|south|east|west|hydrant|fire|request|description|parking|trading|inc|llc|"
    r"staten|island|park|school|building|department|dept|city|hoboken|usa|new|york|police|"
    r"улица|ул|проспект|пр|дом|город|г|в\.о|п\.с)\b",
    re.IGNORECASE,
)


#: A street word just before a name: "ул. К.Маркса" is an address.
_STREET_BEFORE = re.compile(
    r"(?:ул|улица|пр|пр-кт|просп|проспект|пер|переулок|пл|площадь|наб|набережная|б-р|бульвар|ш|"
    r"шоссе|имени|им|мкр|проезд|аллея|линия|st|street|ave|avenue)\.?[ \t]*$",
    re.IGNORECASE,
)


def find_names(text: str, free: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """Spans of names in ``text`` that ``free`` allows (not already taken), not overlapping."""
    found: list[tuple[int, int]] = []

    def add(start: int, end: int) -> None:
        if _STREET_BEFORE.search(text[max(0, start - 16) : start]) or _PLACE_WORDS.search(text[start:end]):
            return
        if free(start, end) and all(end <= s or start >= e for s, e in found):
            found.append((start, end))

    for pattern in _NAME_PATTERNS:
        for m in pattern.finditer(text):
            add(m.start(), m.end())
    for cue in _NAME_CUES.finditer(text):
        run = _CAPITALISED.match(text, cue.end())
        if run and run.group().split()[0].lower() not in _NOT_NAMES:
            add(run.start(), run.end())
    # a signature: a line of two or three capitalised words with nothing else on it
    lines = text.splitlines()
    for m in re.finditer(
        rf"(?m)^[ \t]*((?:{_EN_NAME}|{_RU_NAME})(?:[ \t]+(?:{_EN_NAME}|{_RU_NAME}))"
        r"{1,2})[ \t]*$",
        text,
    ):
        line = text.count("\n", 0, m.start())
        after = lines[line + 1] if line + 1 < len(lines) else ""
        last_or_before_contact = not after.strip() or bool(re.match(r"\s*[\d+(]", after))
        if line > 0 and last_or_before_contact:
            add(m.start(1), m.end(1))
    return found

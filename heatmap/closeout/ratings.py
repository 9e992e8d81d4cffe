"""What a client's reply says: a rating 1–5, "the problem persists", or "stop". Pure.

Replies are short and typed on phones, so the parser is forgiving about form and
strict about meaning:

* a rating is the first thing said — ``5``, ``5/5``, ``4 из 5``, ``Оценка: 3``,
  ``пять``, ``четвёрка`` — and anything after it is the comment (``5 спасибо``);
* ``0``, ``ноль``, ``нет``, ``не решено``, ``не работает``, ``проблема осталась``,
  ``ничего не изменилось``, ``всё так же``… say the problem persists (those phrases
  count anywhere in a reply that does not start with a rating, so "спасибо, но
  интернет всё равно не работает" is heard); "нет проблем" is not a complaint;
* ``стоп``, ``stop``, ``отписаться`` opt the number out of these messages;
* anything else is ``unknown`` and changes nothing.

The comment returned here is the client's raw text: the caller passes it through
:func:`heatmap.closeout.comment_filter.mask_comment` before it is stored or shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["COMMENT_LIMIT", "Reply", "parse_reply"]

Kind = Literal["rating", "persists", "optout", "unknown"]
COMMENT_LIMIT = 500

_WORDS = {
    "ноль": 0,
    "нуль": 0,
    "один": 1,
    "одна": 1,
    "единица": 1,
    "кол": 1,
    "два": 2,
    "две": 2,
    "двойка": 2,
    "три": 3,
    "тройка": 3,
    "четыре": 4,
    "четверка": 4,
    "пять": 5,
    "пятерка": 5,
}
_LEAD = r"(?:моя\s+)?(?:оценка|оцениваю|ставлю|ставим|на)\s*[:\-–—]?\s*"
#: A digit, or a number word standing alone ("один раз пропал" is not a rating of 1).
_NUMBER = re.compile(
    rf"^(?:{_LEAD})?(?:(?P<n>\d+)(?:\s*(?:/|из)\s*5)?(?!\w)"
    rf"|(?P<w>{'|'.join(sorted(_WORDS, key=len, reverse=True))})(?=\s*(?:[.,!;:)\-–—]|$)))"
    r"(?P<rest>.*)$",
    re.DOTALL,
)
_OPT_OUT = re.compile(
    r"^(?:стоп|stop|отписаться|отписка|отпишите(?:\s+меня)?|unsubscribe|"
    r"не\s+(?:присылайте|пишите|присылать|писать))(?:\W|$)"
)
_NOT_A_COMPLAINT = re.compile(r"^нет\s+(?:проблем|претензий|замечаний|вопросов)")
_PERSISTS = re.compile(
    r"(?:^нет(?:\W|$)|не\s+решен[оа]?|не\s+решили|не\s+работает|не\s+работают|"
    r"не\s+исправ(?:ил|лен)\w*|не\s+устранен\w*|не\s+устранил\w*|"
    r"ничего\s+не\s+(?:изменилось|поменялось|исправилось)|"
    r"проблема\s+(?:осталась|остается|сохраняется|не\s+решена|есть|не\s+устранена)|"
    r"вс[её]\s+(?:так\s+же|также|по-?прежнему|равно\s+не)|по-?прежнему\s+(?:нет|плохо|не)|"
    r"до\s+сих\s+пор\s+(?:нет|не|плохо)|стало\s+хуже|лучше\s+не\s+стало|"
    r"связи\s+(?:так\s+и\s+)?нет|интернета?\s+(?:так\s+и\s+)?нет)"
)


@dataclass(frozen=True)
class Reply:
    kind: Kind
    rating: int | None = None
    comment: str | None = None


def _clean(text: str) -> str:
    return " ".join(text.split())


def _comment(text: str) -> str | None:
    rest = _clean(text).lstrip(" .,:;!-–—)(").strip()
    return rest[:COMMENT_LIMIT] or None


def parse_reply(text: str | None) -> Reply:
    """The meaning of an SMS reply or a rating-page answer."""
    original = _clean(text or "")
    lowered = original.lower().replace("ё", "е")
    if not lowered:
        return Reply("unknown")
    if _OPT_OUT.match(lowered):
        return Reply("optout")
    match = _NUMBER.match(lowered)
    if match:
        digits, word = match.group("n"), match.group("w")
        value = int(digits) if digits else _WORDS[word]
        aligned = len(lowered) == len(original)  # lower() kept every character in place
        rest = original[match.start("rest") :] if aligned else match.group("rest")
        if value == 0:
            return Reply("persists", comment=_comment(rest))
        if 1 <= value <= 5:
            return Reply("rating", rating=value, comment=_comment(rest))
        return Reply("unknown")
    if _NOT_A_COMPLAINT.match(lowered):
        return Reply("unknown")
    if _PERSISTS.search(lowered):
        bare = re.fullmatch(r"(?:нет|не\s+решено|не\s+работает)[\s.!]*", lowered)
        return Reply("persists", comment=None if bare else original[:COMMENT_LIMIT])
    return Reply("unknown")

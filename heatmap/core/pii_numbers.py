"""Numbers that identify a person, found in free text: phones, cards, passports, SNILS, INN.

Pure functions of the text. A *run* is a stretch of digit groups joined by the
separators people type inside a number (spaces, dots, dashes, brackets, no more than
three of them in a row), perhaps after a ``+``. Every stretch of consecutive groups
of a run is judged by its digits and by how they are grouped, leftmost and longest
first, so a phone written after a house number (``д. 12 8 916 123-45-67``) is found
and the house number is not.

What counts:

* **phone** — ``+`` and 8–15 digits; 11 digits ``7``/``8`` + a Russian code
  (``8 916 123-45-67``, ``+7.911.123.45.67``, ``8 9 1 1 1 2 3 4 5 6 7``,
  ``+7911-12-34-567``); 10 digits from ``9`` (a mobile without its trunk code); ten
  digits grouped as area code and number (``(495) 123-45-67``, ``212-555-1234``); 11
  digits ``1-212-555-1234``; seven digits as ``123-45-67`` or ``555-1234``; five to seven
  digits in any grouping after a cue (``тел.``, ``моб.``, ``звоните``, ``phone``);
* **card** — 13–19 digits passing the Luhn check (not phone-shaped), or sixteen digits
  (four groups of four, or together);
* **passport** — series and number ``45 06 123456``, ``4506 123456``, or ten digits after
  ``паспорт``/``серия``;
* **snils** — ``123-456-789 01``, or 11 digits whose check number is right (not a mobile);
* **inn** — 10 or 12 digits whose check digits are right, or after ``ИНН``.

Not: dates (``12.11.2026``, ``2026-11-12``), decimals and coordinates, sums with
thousands separators (``1 500 000``), ranges of house numbers (``1041-1047``), postal
codes, years, ids of six to nine digits without a cue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["NumberSpan", "find_numbers", "inn_ok", "luhn_ok", "snils_ok"]


@dataclass(frozen=True, order=True)
class NumberSpan:
    start: int
    end: int
    kind: str


#: Digit groups: a ``+`` perhaps, digits, and the separators typed between them.
#: Between groups: up to four spaces, dashes and brackets, or one dot (". " ends a sentence).
_SEP = r"(?:[ \t\u00a0\u2009\u202f\-\u2010-\u2015()]{1,4}|\)?\.\(?)"
_RUN = re.compile(rf"(?<![\w+])(?:\+[ \t]?)?\(?\d+(?:{_SEP}\d+)*\)?(?![\w])")
_GROUP = re.compile(r"\d+")
#: A cue word glued to its number ("инн7707083893", "тел89161234567") and that number.
_GLUED_CUE = re.compile(r"(?<!\w)(?:инн|тел|т|моб|сот|снилс|паспорт)\.?(?=\d)", re.IGNORECASE)
_GLUED_RUN = re.compile(rf"\d+(?:{_SEP}\d+)*\)?(?![\w])")
#: A mobile number in one block glued to a word on either side ("89161234567доб",
#: "Ольга+79161234567"): no run starts or ends inside a word, but this shape is no house.
_MOBILE_BLOCK = r"(?:\+?[78])?9\d{9}"
_GLUED_MOBILE = re.compile(rf"(?<=[^\W\d_]){_MOBILE_BLOCK}(?!\d)|(?<![\d+]){_MOBILE_BLOCK}(?=[^\W\d_])")
_CUES = {
    "phone": re.compile(
        r"(?<!\w)(?:тел|телефон\w*|т|моб|мобильн\w*|сот|сотов\w*|номер\w*|звоните|"
        r"звонить|(?:по|пере)звони\w*|набер\w*|whatsapp|ватсап|вотсап|viber|вайбер|telegram|телеграм\w*|"
        r"phone|tel|cell|call|ph|fax|факс)\.?[ \t]*[:№#]?[ \t]*$",
        re.IGNORECASE,
    ),
    "passport": re.compile(r"(?<!\w)(?:паспорт\w*|серия|сер\.|passport)[ \t]*[:№]?[ \t]*$", re.IGNORECASE),
    "snils": re.compile(r"(?<!\w)(?:снилс|страхов\w*[ \t]+свидетельств\w*)[ \t]*[:№]?[ \t]*$", re.IGNORECASE),
    "inn": re.compile(r"(?<!\w)(?:инн|inn)[ \t]*[:№]?[ \t]*$", re.IGNORECASE),
    "card": re.compile(r"(?<!\w)(?:карт\w*|card)[ \t]*[:№]?[ \t]*$", re.IGNORECASE),
}
#: Words after a number that make it an address, not a phone.
_ADDRESS_NEXT = re.compile(
    r"[ \t]*(?:st|nd|rd|th)?\.?[ \t]*(?:street|st|ave|avenue|place|pl|road|rd|drive|dr|blvd|"
    r"boulevard|lane|ln|way|terrace|court|ct|ул|улица|д|дом|кв)(?!\w)",
    re.IGNORECASE,
)
#: Units after a number that make it a quantity (a sum, a size, a share), not a phone.
_QUANTITY_NEXT = re.compile(
    r"[ \t]*(?:руб\w*|р\.|₽|\$|usd|rub|тыс\w*|млн|млрд|мб\w*|гб\w*|кб\w*|мбит\w*|м|км|шт\w*|"
    r"%|мин\w*|сек\w*|час\w*|дн\w*|раз\w*)(?!\w)",
    re.IGNORECASE,
)
#: A passport written with words between series and number: "серия 4506 номер 123456".
_PASSPORT_WORDS = re.compile(
    r"(?<!\w)(?:паспорт\w*|серия|сер\.)[ \t]*[:№]?[ \t]*"
    r"(\d{2}[ \t]?\d{2}[ \t]*(?:№|N|No\.?|номер)[ \t]*\d{6})(?!\d)",
    re.IGNORECASE,
)


def luhn_ok(digits: str) -> bool:
    """The Luhn check of card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def snils_ok(digits: str) -> bool:
    """The check number of an 11-digit SNILS (Pension Fund rule)."""
    if len(digits) != 11:
        return False
    body, check = digits[:9], int(digits[9:])
    total = sum(int(d) * w for d, w in zip(body, range(9, 0, -1), strict=True))
    expected = 0 if total in (100, 101) else total % 101 % 100
    return check == expected


_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _inn_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_ok(digits: str) -> bool:
    """The check digits of a taxpayer number: 10 digits (an organisation), 12 (a person)."""
    if len(digits) == 10 and digits.isdigit():
        return _inn_digit(digits, _INN10) == int(digits[9])
    if len(digits) == 12 and digits.isdigit():
        return _inn_digit(digits, _INN11) == int(digits[10]) and _inn_digit(digits, _INN12) == int(digits[11])
    return False


@dataclass(frozen=True)
class _Piece:
    """Consecutive groups of a run, as one candidate."""

    text: str
    digits: str
    sizes: tuple[int, ...]
    plus: bool
    before: str
    after: str

    @property
    def separators(self) -> str:
        return re.sub(r"[\d+]", "", self.text)

    def cue(self, kind: str) -> bool:
        return bool(_CUES[kind].search(self.before[-32:]))


def _is_date(piece: _Piece) -> bool:
    sizes, d = piece.sizes, piece.digits
    if sizes in ((2, 2, 4), (1, 2, 4), (2, 1, 4), (1, 1, 4), (2, 2, 2)):
        day, month = int(d[: sizes[0]]), int(d[sizes[0] : sizes[0] + sizes[1]])
        return 1 <= day <= 31 and 1 <= month <= 12
    if sizes in ((4, 2, 2), (4, 1, 1), (4, 1, 2), (4, 2, 1)):
        month, day = int(d[4 : 4 + sizes[1]]), int(d[4 + sizes[1] :])
        return 1900 <= int(d[:4]) <= 2100 and 1 <= month <= 12 and 1 <= day <= 31
    return False


def _thousands(piece: _Piece) -> bool:
    """``1 500 000``: a sum with thousands separators (spaces or dots)."""
    return (
        len(piece.sizes) > 1
        and piece.sizes[0] <= 3
        and all(s == 3 for s in piece.sizes[1:])
        and len(set(piece.separators.replace("\u00a0", " ").replace("\u202f", " "))) == 1
    )


def _unbracketed(separators: str) -> str:
    """Separators without the opening bracket a run began with and never closed:
    ``(45 10 123456`` is a passport number in brackets, the closing one cut off."""
    return separators[1:] if separators.startswith("(") and ")" not in separators else separators


def _mobile(digits: str) -> bool:
    return bool(re.fullmatch(r"[78]?9\d{9}", digits))


def _russian(digits: str) -> bool:
    """Eleven digits: the trunk or country code and a Russian area or mobile code."""
    return bool(re.fullmatch(r"[78][3-9]\d{9}", digits))


def _phone(p: _Piece) -> bool:
    d, sizes, n = p.digits, p.sizes, len(p.digits)
    cue = p.cue("phone")
    if _QUANTITY_NEXT.match(p.after) and not p.plus:
        return False
    if _ADDRESS_NEXT.match(p.after) and not (p.plus or cue or _mobile(d)):
        return False
    if p.plus:
        return 8 <= n <= 15
    if _is_date(p) and not cue:
        return False
    if _thousands(p) and not (cue or _mobile(d) or _russian(d)):
        return False
    if len(sizes) == 2 and "." in p.separators and not (cue or _mobile(d) or _russian(d)):
        return False  # a decimal number
    if n == 11 and (_russian(d) or (d[0] == "1" and sizes in ((1, 3, 3, 4), (1, 3, 7), (1, 10)))):
        return True
    if n == 10:
        if d[0] == "9":
            return True
        bracketed = re.match(r"\(\d{3,5}\)", p.text) is not None
        return (
            d[0] != "0"
            and d[0] != "1"
            and len(sizes) > 1
            and (
                bracketed
                or sizes
                in ((3, 3, 4), (3, 3, 2, 2), (4, 2, 2, 2), (4, 3, 3), (5, 1, 2, 2), (5, 5), (3, 7), (4, 6))
            )
        )
    if n == 7 and sizes in ((3, 2, 2), (3, 4)):
        return True
    if n == 6 and sizes == (2, 2, 2) and set(p.separators) == {"-"}:
        return True
    return cue and 5 <= n <= 12


def _kind(p: _Piece) -> str | None:
    """What the piece is, or None; the checks with the fewest false alarms first."""
    d, n, sizes = p.digits, len(p.digits), p.sizes
    if p.cue("inn") and n in (10, 12):
        return "inn"
    if p.cue("snils") and n == 11:
        return "snils"
    if p.cue("passport") and n == 10:
        return "passport"
    if p.cue("card") and 13 <= n <= 19:
        return "card"
    if not p.plus:
        if sizes in ((4, 4, 4, 4), (16,)) and len(set(p.separators)) <= 1:
            return "card"
        if (
            13 <= n <= 19
            and luhn_ok(d)
            and not _mobile(d)
            and (len(sizes) == 1 or sizes[:3] == (4, 4, 4) or sizes in ((4, 6, 5), (4, 6, 4)))
        ):
            return "card"
        if sizes == (3, 3, 3, 2):
            return "snils"
        if sizes in ((2, 2, 6), (4, 6)) and _unbracketed(p.separators).strip(" ") == "":
            return "passport"
        if n == 11 and len(sizes) == 1 and not _mobile(d) and snils_ok(d):
            return "snils"
        if len(sizes) == 1 and n in (10, 12) and not _mobile(d) and inn_ok(d):
            return "inn"
    return "phone" if _phone(p) else None


def find_numbers(text: str) -> list[NumberSpan]:
    """Phones, cards, passports, SNILS and INN in ``text``, sorted, not overlapping."""
    found = [NumberSpan(m.start(1), m.end(1), "passport") for m in _PASSPORT_WORDS.finditer(text)]
    taken = [(s.start, s.end) for s in found]
    glued = (_GLUED_RUN.match(text, cue.end()) for cue in _GLUED_CUE.finditer(text))
    for run in [*_RUN.finditer(text), *(m for m in glued if m is not None)]:
        if any(run.start() < e and b < run.end() for b, e in taken):
            continue
        groups = list(_GROUP.finditer(text, run.start(), run.end()))
        i = 0
        while i < len(groups):
            hit = None
            for j in range(min(len(groups), i + 16) - 1, i - 1, -1):
                piece = _piece(text, run, groups, i, j)
                kind = _kind(piece)
                if kind is not None:
                    hit = (j, kind, piece)
                    break
            if hit is None:
                i += 1
                continue
            j, kind, piece = hit
            start, end = groups[j].end() - len(piece.text), groups[j].end()
            if text[end : end + 1] == ")" and piece.text.count("(") > piece.text.count(")"):
                end += 1
            found.append(NumberSpan(start, end, kind))
            i = j + 1
    for mobile in _GLUED_MOBILE.finditer(text):
        if not any(mobile.start() < s.end and s.start < mobile.end() for s in found):
            found.append(NumberSpan(mobile.start(), mobile.end(), "phone"))
    return sorted(found)


def _piece(text: str, run: re.Match[str], groups: list[re.Match[str]], i: int, j: int) -> _Piece:
    """Groups ``i..j`` of ``run``: the first piece of a run keeps its ``+`` and bracket."""
    start, end = groups[i].start(), groups[j].end()
    plus = False
    if i == 0:
        plus = "+" in text[run.start() : start]
        start = run.start()
    elif text[start - 1 : start] == "(":
        start -= 1
    digits = "".join(g.group() for g in groups[i : j + 1])
    sizes = tuple(len(g.group()) for g in groups[i : j + 1])
    return _Piece(
        text[start:end], digits, sizes, plus, text[max(0, start - 32) : start], text[end : end + 24]
    )

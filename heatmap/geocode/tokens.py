"""Tokens of a Russian address: lower case, punctuation gone, glued parts split by a table.

:data:`GLUED` is the table of tokens people glue together ("д52-а", "12к1", "кБ")
and how each splits; :func:`tokenize` applies it. Pure functions, no state.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from heatmap.geocode.keys import fold
from heatmap.geocode.vocabulary import (
    BUILDING_MARKERS,
    CORPUS_MARKERS,
    DISTRICT_TYPES,
    HOUSE_MARKERS,
    IGNORED_MARKERS,
    LITERAL_MARKERS,
    ORDINAL,
    REGION_TYPES,
    SETTLEMENT_TYPES,
    STREET_TYPES,
)

_PARENS = re.compile(r"\([^)]*\)?")
_INITIALS = re.compile(r"(?<![а-яa-z0-9])[а-я]\.\s?[а-я]\.(?=\s?[а-я]{3,})")
_STREET_INITIAL = re.compile(
    r"(?<![а-я])(ул|улица|пр-кт|пр-т|просп|проспект|пер|переулок|б-р|бульвар|наб|пл|ш)"
    r"(\.?\s*)[а-я]\.(?=[а-я]{3,})"
)
#: An initial glued to a name with no street type before it ("К.Маркса, 49", "М.Горького ул."):
#: dropped as after a type ("ул. К.Маркса" is keyed "маркса"). Not a one-letter settlement or
#: street type glued to its name ("д.Кийно", "г.Вологда", "у.Мира").
_GLUED_INITIAL = re.compile(r"(?<!\d )(?<![а-я0-9.\-])[абвежзиклмнорстфцчшщэюя]\.(?=[а-я]{3,})")
#: Saint Petersburg's "В.О." (Васильевский остров) and "П.С." (Петроградская сторона).
_VO = re.compile(r"(?<![а-я])в\.\s?о\.?(?![а-я])|васильевского\s+острова")
_PS = re.compile(r"(?<![а-я])п\.\s?с\.?(?![а-я])|петроградской\s+стороны")
#: Two one-letter abbreviations in a row, or an initial glued to a name ("П.Окинина"):
#: the only texts the four regexes above change.
_LETTER_DOTS = re.compile(r"[а-я]\.\s?[а-я](?![а-я])|(?<![а-я])[а-я]\.[а-я]{3,}")
#: "у.Мира", "д.5", "ул.Мира": a dot glued to the next word is a separator.
_PUNCT = re.compile(r"[^\w\s,;/\-]")
_DASHES = re.compile("[‐‑‒–—―−]")
_SPACED_DASH = re.compile(r"\s-\s|\s-(?=\D)|(?<=\D)-\s")
_LATIN_LOOKALIKE = str.maketrans("abcekmhoptxy", "абсекмнортху")
_LATIN_LETTER = re.compile("[a-z]")
_HAS_CYRILLIC = re.compile(r"[а-я]")
_ANY_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_LATIN_WORD = re.compile(r"[a-z]{2,}")

#: A split: the groups of the match, in order, as tokens ("" groups dropped).
Split = Callable[[re.Match[str]], list[str]]


def _groups(m: re.Match[str]) -> list[str]:
    return [g for g in m.groups() if g]


def _marker_and_value(m: re.Match[str]) -> list[str]:
    """ "д52-а" → ["д", "52а"]: the letter joins the number it was hyphened to."""
    marker, number, letter = m.group(1), m.group(2), m.group(3) or ""
    return [marker, number + letter]


def _marker_and_rest(m: re.Match[str]) -> list[str]:
    """ "д14к2" → ["д", "14", "к", "2"]: the marker, then the rest split again."""
    return [m.group(1), *_split_glued(m.group(2), True)]


#: Glued tokens and how they split; the first pattern that matches wins.
#: ``after_number`` rows apply only right after a house number ("12 кБ", "2 Ак2").
GLUED: tuple[tuple[re.Pattern[str], Split, bool], ...] = (
    # "д17", "д52-а", "дом5", "кв5", "к2", "лит.а" glued: a marker and its value
    (re.compile(r"^(д|дом|вл)(\d+(?:/\d+)?)(?:-?([а-я]))?$"), _marker_and_value, False),
    (re.compile(r"^(д|дом|вл)(\d.*)$"), _marker_and_rest, False),  # "д14к2", "Д397к1"
    (re.compile(r"^(кв|корп|к|стр|лит)(\d+[а-я]?(?:/\d+)?)$"), _groups, False),
    # "20 с3", "8 к1 с5": Moscow's short "строение" glued to its number, after a number only
    # ("с" alone is also a village's type word)
    (re.compile(r"^(с|ст)(\d+[а-я]?)$"), _groups, True),
    # "12к1", "12корп1", "12стр2", "12лита", "12ак2", "52-ак1"
    (re.compile(r"^(\d[\d/\-]*[а-я]?)(корп|кор|к|стр|с|лит)(\d+[а-я]?|[а-я])$"), _groups, False),
    # "2 Ак2": a letter and a corpus after the number
    (re.compile(r"^([а-я])(корп|к|стр|с)(\d+[а-я]?)$"), _groups, True),
    # "3 кБ", "30 кА", "53 ка": a corpus letter glued to its marker
    (re.compile(r"^(к|корп|стр|лит)([а-я])$"), _groups, True),
)


def tokenize(text: str, *, folded: bool = False) -> list[str]:
    """Split an address into lower-case tokens; ``","`` tokens mark part boundaries.

    Parts between commas are tokenized alone and remembered ("г. Вологда", "ул. Мира"
    come back in many addresses); text with brackets, which may hold commas, whole.
    ``folded``: the text is already as :func:`.keys.fold` writes it (not folded again).
    """
    if not folded:
        text = fold(text)
    if "(" in text:
        return list(_tokens(text))
    out: list[str] = []
    for i, part in enumerate(text.replace(";", ",").split(",")):
        if i:
            out.append(",")
        out.extend(_part_tokens(part.strip()))  # (its spaces go anyway: one entry for both)
    return out


@lru_cache(maxsize=131_072)
def _part_tokens(part: str) -> tuple[str, ...]:
    return _tokens(part)


def _tokens(s: str) -> tuple[str, ...]:
    """The tokens of folded text."""
    if _DASHES.search(s):  # (a search and a rare sub: faster than str.translate here)
        s = _DASHES.sub("-", s)
    if "(" in s:
        s = _PARENS.sub(" ", s)
    if "." in s and _LETTER_DOTS.search(s):  # initials, "В.О.", "П.С.", "ул. П.Окинина"
        s = _VO.sub(" во ", s)
        s = _PS.sub(" пс ", s)
        s = _INITIALS.sub(" ", s)
        s = _STREET_INITIAL.sub(r"\1\2 ", s)
        s = _GLUED_INITIAL.sub(" ", s)
    else:
        if "васильевск" in s:
            s = _VO.sub(" во ", s)
        if "петроградск" in s:
            s = _PS.sub(" пс ", s)
    if "ж/д ст" in s:
        s = s.replace("ж/д ст", "ж/д_ст")
    s = _PUNCT.sub(" ", s)
    if "-" in s:
        s = _SPACED_DASH.sub(" ", s)
    s = s.replace(";", ",").replace(",", " , ")
    out: list[str] = []
    for raw in s.split():
        tok = raw.strip("-/")
        if tok.isdigit():
            out.append(tok)  # a plain number: no glued form splits it
            continue
        if not tok:
            continue
        if tok[0].isdigit() and _LATIN_LETTER.search(tok):
            tok = tok.translate(_LATIN_LOOKALIKE)  # "13a" typed with a Latin letter
        after_number = bool(out) and out[-1][:1].isdigit()
        if tok.isalpha() and not after_number:
            out.append(tok)  # what _split_glued would answer, without its cache's look-up
        else:
            out.extend(_split_glued(tok, after_number))
    return tuple(out)


@lru_cache(maxsize=65_536)
def _split_glued(tok: str, after_number: bool) -> tuple[str, ...]:
    if tok.isalpha() and not after_number:
        return (tok,)
    for pattern, split, needs_number in GLUED:
        if needs_number and not after_number:
            continue
        m = pattern.match(tok)
        if m:
            if tok in ALL_MARKERS:
                break  # "кв", "км", "кп" are markers of their own, not "к" + a letter
            return tuple(split(m))
    return (tok,)


def is_number(tok: str | None) -> bool:
    return tok is not None and tok[:1].isdigit()


def is_house_number(tok: str | None) -> bool:
    """A number that is not an ordinal ("12", "12а" but not "2-я")."""
    return tok is not None and tok[:1].isdigit() and not ORDINAL.match(tok)


ALL_MARKERS = frozenset(
    [
        *STREET_TYPES,
        *SETTLEMENT_TYPES,
        *REGION_TYPES,
        *DISTRICT_TYPES,
        *HOUSE_MARKERS,
        *CORPUS_MARKERS,
        *BUILDING_MARKERS,
        *LITERAL_MARKERS,
        *IGNORED_MARKERS,
    ]
)
PART_MARKERS = CORPUS_MARKERS | BUILDING_MARKERS


def is_marker(tok: str | None) -> bool:
    return tok in ALL_MARKERS


def is_word(tok: str | None) -> bool:
    return tok is not None and tok != "," and not is_number(tok)


def ends_part(tok: str | None) -> bool:
    return tok is None or tok == ","


def has_cyrillic(text: str) -> bool:
    return bool(_HAS_CYRILLIC.search(text))


def looks_foreign(text: str) -> bool:
    """True when the text has Latin words and no Cyrillic (transliteration, foreign address)."""
    if _ANY_CYRILLIC.search(text):
        return False
    return bool(_LATIN_WORD.search(text.lower()))

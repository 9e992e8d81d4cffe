"""Normalised keys of names: streets, settlements, regions (pure, cached functions)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from heatmap.geocode.vocabulary import (
    ABBREV_IN_NAME,
    DROP_IN_NAME,
    GIVEN_NAMES,
    NAMEABLE_TYPES,
    NOMINATIVE_ENDINGS,
    NOT_PROPER,
    ORDINAL,
    ORDINAL_WORDS,
    QUALIFIER_FULL,
    QUALIFIERS,
    REGION_ALIASES,
    REGION_TYPES,
    SETTLEMENT_ALIASES,
    TITLES,
    TYPE_NAME_WORDS,
    TYPE_WORDS,
)

#: Full qualifier and ordinal words a one-letter typo may hide.
_FOLD_TARGETS: tuple[tuple[str, str], ...] = tuple(
    [*QUALIFIER_FULL.items(), *((w, n) for w, n in ORDINAL_WORDS.items() if len(w) >= 5)]
)
#: The targets by (initial, length of a word one edit from them), in their order.
_FOLD_NEAR: dict[tuple[str, int], tuple[tuple[str, str], ...]] = {
    (initial, n): tuple(t for t in _FOLD_TARGETS if t[0][0] == initial and abs(len(t[0]) - n) <= 1)
    for initial, n in {(form[0], len(form) + d) for form, _ in _FOLD_TARGETS for d in (-1, 0, 1)}
}
_ALPHA_HYPHEN = re.compile(r"(?<=[а-я])-(?=[а-я]{2})")
_DASHES = re.compile(r"[‐‑‒–—―−]")
_ONE_LETTER_SPLIT = re.compile(r"[\s.,]+")


def fold(text: str) -> str:
    """Lower case, ``ё`` → ``е``, collapse whitespace."""
    return " ".join(text.lower().replace("ё", "е").split())


@lru_cache(maxsize=65_536)
def _name_token(tok: str) -> str:
    m = ORDINAL.match(tok)
    if m:
        return m.group(1)
    if tok in ORDINAL_WORDS:
        return ORDINAL_WORDS[tok]
    if tok in QUALIFIERS:
        return QUALIFIERS[tok]
    if len(tok) >= 5:
        # a misspelt qualifier or ordinal ("Боольшая", "Чтвертая") still folds:
        # one edit from a full form
        for form, canon in _FOLD_NEAR.get((tok[0], len(tok)), ()):
            if DamerauLevenshtein.distance(tok, form, score_cutoff=1) <= 1:
                return canon
    return tok


@lru_cache(maxsize=131_072)
def _street_tokens(name: str) -> tuple[str, ...]:
    """The words of a street name as keys compare them (remembered: a name is asked for with
    and without its type, by the exact and the loose key)."""
    text = fold(name)
    if _DASHES.search(text):
        text = _DASHES.sub("-", text)
    text = text.replace(".", " ").replace(",", " ")
    if "-" in text:
        text = _ALPHA_HYPHEN.sub(" ", text)  # "Миклухо-Маклая" = "Миклухо Маклая"
    out: list[str] = []
    for raw in text.split():
        tok = raw.strip("-")
        if not tok or tok in DROP_IN_NAME:
            continue
        if out and out[-1].isdigit() and ORDINAL.match("1" + tok):
            continue  # "6 й": an ordinal's ending cut off by a hyphen gone ("Пикалево 6-й")
        tok = ABBREV_IN_NAME.get(tok, tok)
        out.append(_name_token(tok))
    return tuple(out)


def _with_type(tokens: Sequence[str], street_type: str | None) -> Sequence[str]:
    if street_type and not any(t.isalpha() and t not in NOT_PROPER for t in tokens):
        word = TYPE_WORDS.get(street_type, street_type)
        if word and word not in tokens:
            return [*tokens, word]
    return tokens


def _sorted_key(tokens: Sequence[str]) -> str:
    if len(tokens) == 1:
        return tokens[0]
    nums = sorted(t for t in tokens if t.isdigit())
    words = sorted(t for t in tokens if not t.isdigit())
    return " ".join(nums + words)


@lru_cache(maxsize=262_144)
def street_key(name: str, street_type: str | None = None) -> str:
    """Order-free key of a street name: ``"2-я Березовая"`` → ``"2 березовая"``.

    Ordinals become digits ("вторая", "2-я", "2" → "2"); qualifiers fold
    ("Б.", "Большая", "Большой" → "б"); "им./имени" is dropped; words are sorted so
    "Академическая Б." equals "Большая Академическая". A name made only of
    numbers takes the type's word: ("2", "линия") → "2 линия" like "2-я Линия".
    """
    return _sorted_key(_with_type(_street_tokens(name), street_type))


@lru_cache(maxsize=262_144)
def street_loose_key(name: str, street_type: str | None = None, *, given_names: bool = False) -> str:
    """Like :func:`street_key` without titles, initials and given names ("Маршала Блюхера" →
    "блюхера"; "Максима Горького", "М. Горького" → "горького"); ``given_names``: keep those
    (the key misspelt names are compared with: "Маркас" is not near every Карла Маркса)."""
    tokens = _street_tokens(name)
    initials = _initials(name, tokens)
    toks = [
        t
        for k, t in enumerate(tokens)
        if t not in TITLES and not (len(t) == 1 and (t not in ("б", "м") or k in initials))
    ]
    proper = [t for t in toks if t not in NAMEABLE_TYPES and t not in TYPE_NAME_WORDS]
    if any(t.isalpha() and t not in NOT_PROPER for t in proper):
        toks = proper  # "Пошехонское шоссе" ~ "ш. Пошехонское"
    surnames = toks if given_names else [t for t in toks if t not in GIVEN_NAMES]
    if any(t.isalpha() and t not in NOT_PROPER for t in surnames):
        toks = surnames  # "Карла Маркса" ~ "К.Маркса" (the registry keys it "маркса")
    return _sorted_key(_with_type(toks, street_type))


def given_names_agree(written: str, registry: str) -> bool:
    """The given names (or their initials) a written street name and a registry one state do
    not differ: "Льва Толстого" is not б-р Алексея Толстого; "М. Горького" may be Максима's."""
    theirs = [t for t in _street_tokens(registry) if t in GIVEN_NAMES]
    if not theirs:
        return True
    ours = _street_tokens(written)
    names = [t for t in ours if t in GIVEN_NAMES]
    if names:
        return bool(set(names) & set(theirs))
    letters = [t for t in ours if len(t) == 1 and t.isalpha()]
    return not letters or any(t[0] in letters for t in theirs)


def _initials(name: str, tokens: Sequence[str]) -> set[int]:
    """Positions of "б" and "м" in a name's tokens that were written as one letter before a
    word not in the nominative: initials ("М.Горького"), not Большая, Малая ("М. Посадская")."""
    if not any(w in ("б", "м") for w in _ONE_LETTER_SPLIT.split(fold(name))):
        return set()
    return {
        k
        for k in range(len(tokens) - 1)
        if tokens[k] in ("б", "м")
        and tokens[k + 1].isalpha()
        and len(tokens[k + 1]) > 1
        and not tokens[k + 1].endswith(NOMINATIVE_ENDINGS)
    }


@lru_cache(maxsize=262_144)
def settlement_key(name: str) -> str:
    """Key of a settlement name: hyphens as spaces, aliases resolved ("СПб" → "санкт петербург")."""
    text = _DASHES.sub("-", fold(name)).replace(".", " ").replace("-", " ")
    key = " ".join(text.split())
    return SETTLEMENT_ALIASES.get(key, key)


def region_key(name: str) -> str:
    """Key of a region name without its type: "Вологодская обл." → "вологодская"."""
    text = _DASHES.sub("-", fold(name)).replace(".", " ").replace("-", " ")
    toks = [t for t in text.split() if t not in REGION_TYPES]
    key = " ".join(toks)
    return REGION_ALIASES.get(key, SETTLEMENT_ALIASES.get(key, key))

"""The address parser's state: the groups of words found so far and the house being read.

:mod:`.rules` and :mod:`.house_rules` read and change a :class:`State` token by token;
:func:`heatmap.geocode.normalise.parse_address` turns the final state into a
:class:`~heatmap.geocode.parsed.ParsedAddress`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from heatmap.geocode.vocabulary import NAMEABLE_TYPES

#: A house number: "12", "12а", "12-а", "12/1", "12/1а", "24а/б"; a hyphenated second
#: number is a range ("22-24", "2/73-75") or a flat ("7-15", "19/20-171") and is dropped.
HOUSE_NUMBER = re.compile(
    r"^(\d+)(?:-\d+)?(?:-?([а-я]))?(?:/(?:(\d+)(?:-\d+)?(?:-?([а-я]))?|([а-я])))?(?:-\d+)?$"
)
#: A letter and a flat glued by a hyphen: "А-77".
LETTER_FLAT = re.compile(r"^([а-я])-\d+$")


@dataclass(slots=True)
class Group:
    """Words of one named part: a region, district, settlement, street or untyped."""

    kind: str | None  # "region", "district", "settlement", "street" or None (untyped)
    type: str | None
    words: list[str]
    after_house: bool = False
    marker: str = ""  # the type word as written


@dataclass(slots=True)
class HouseBuilder:
    number: str = ""
    letter: str = ""
    corpus: str = ""
    building: str = ""
    literal: str = ""
    implicit: bool = False  # number found without a "д." marker
    alone: bool = False  # that number was a part of its own (", 6,")

    def set_number(self, tok: str) -> bool:
        if tok.isdigit():  # (most house numbers: what the pattern reads, without it)
            self.number, self.letter = tok, ""
            return True
        m = HOUSE_NUMBER.match(tok)
        if not m:
            return False
        num, let, frac, flet, slash_letter = m.groups()
        self.number = num + "/" + frac if frac else num
        self.letter = flet or let or slash_letter or ""
        return True

    def clear(self) -> None:
        self.number = self.letter = self.corpus = self.building = self.literal = ""
        self.implicit = self.alone = False


@dataclass(slots=True)
class State:
    """The parser's state while it walks the tokens."""

    toks: list[str]
    i: int = 0  # index of the token after the current one
    groups: list[Group] = field(default_factory=list)
    house: HouseBuilder = field(default_factory=HouseBuilder)
    postal: str | None = None
    cur: Group | None = None
    slot: str | None = None  # house part awaiting a value, or "ignore"
    in_literal_list: bool = False

    def peek(self, k: int = 0) -> str | None:
        """The token ``k`` places after the next one (k=0: the next token)."""
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def close(self) -> None:
        cur = self.cur
        if cur is None:
            return
        if cur.kind == "street" and not cur.words and (cur.marker in NAMEABLE_TYPES):
            cur.words.append(cur.marker)  # "Набережная, 10": the street is called so
        if cur.words or cur.kind is not None:
            self.groups.append(cur)
        self.cur = None

    def word(self, tok: str) -> None:
        """Add a word to the current group (an untyped one when none is open)."""
        if self.cur is None:
            self.cur = Group(None, None, [], after_house=bool(self.house.number))
        self.cur.words.append(tok)

"""The address parser's rules: a table of (rule) functions tried in order on each token.

Each rule looks at the parser's :class:`State`, the token and the one after it, and
either consumes the token (returns True) or leaves it to the next rule. The first
rule that consumes wins; :data:`RULES` is the table, :func:`heatmap.geocode.normalise.
parse_address` the loop. Adding a way of writing is adding or reordering a row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from heatmap.geocode.tokens import (
    ALL_MARKERS,
    ends_part,
    is_house_number,
    is_marker,
    is_number,
    is_word,
)
from heatmap.geocode.vocabulary import (
    BUILDING_MARKERS,
    CORPUS_MARKERS,
    DISTRICT_TYPES,
    HOUSE_MARKERS,
    IGNORED_MARKERS,
    LITERAL_MARKERS,
    NAMEABLE_TYPES,
    NOISE_WORDS,
    ORDINAL,
    REGION_TYPES,
    SETTLEMENT_TYPES,
    STREET_TYPES,
)

#: A house number: "12", "12а", "12-а", "12/1", "12/1а", "24а/б"; a hyphenated second
#: number is a range ("22-24", "2/73-75") or a flat ("7-15", "19/20-171") and is dropped.
_HOUSE_NUMBER = re.compile(
    r"^(\d+)(?:-\d+)?(?:-?([а-я]))?(?:/(?:(\d+)(?:-\d+)?(?:-?([а-я]))?|([а-я])))?(?:-\d+)?$"
)
_LETTER_FLAT = re.compile(r"^([а-я])-\d+$")
_POSTAL = re.compile(r"^\d{6}$")
_PART_MARKERS = CORPUS_MARKERS | BUILDING_MARKERS


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

    def set_number(self, tok: str) -> bool:
        m = _HOUSE_NUMBER.match(tok)
        if not m:
            return False
        num, let, frac, flet, slash_letter = m.groups()
        self.number = num + ("/" + frac if frac else "")
        self.letter = flet or let or slash_letter or ""
        return True

    def clear(self) -> None:
        self.number = self.letter = self.corpus = self.building = self.literal = ""
        self.implicit = False


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
        if cur is not None and cur.kind == "street" and not cur.words and (cur.marker in NAMEABLE_TYPES):
            cur.words.append(cur.marker)  # "Набережная, 10": the street is called so
        if cur is not None and (cur.words or cur.kind is not None):
            self.groups.append(cur)
        self.cur = None

    def word(self, tok: str) -> None:
        """Add a word to the current group (an untyped one when none is open)."""
        if self.cur is None:
            self.cur = Group(None, None, [], after_house=bool(self.house.number))
        self.cur.words.append(tok)


Rule = Callable[[State, str, "str | None"], bool]


def named_marker(tok: str, nxt: str | None) -> tuple[str | None, str | None]:
    """Classify a settlement/street/region/district type marker, or (None, None)."""
    if tok in REGION_TYPES:
        return "region", REGION_TYPES[tok]
    if tok in DISTRICT_TYPES and tok not in ("мо", "го"):
        return "district", DISTRICT_TYPES[tok]
    if tok in STREET_TYPES:
        return "street", STREET_TYPES[tok]
    if tok in SETTLEMENT_TYPES:
        if len(tok) <= 2 and (is_number(nxt) or nxt is None):
            return None, None
        return "settlement", SETTLEMENT_TYPES[tok]
    return None, None


# --------------------------------------------------------------------------- separators


def comma(st: State, tok: str, nxt: str | None) -> bool:
    if tok != ",":
        return False
    st.close()
    st.slot = None
    return True


def postal(st: State, tok: str, nxt: str | None) -> bool:
    if st.postal is None and _POSTAL.match(tok) and not (st.cur and st.cur.words):
        st.postal = tok
        return True
    return False


def noise(st: State, tok: str, nxt: str | None) -> bool:
    return tok in NOISE_WORDS


# --------------------------------------------------------------------------- house parts


def awaited_value(st: State, tok: str, nxt: str | None) -> bool:
    """The value a house part marker waits for ("д." 12, "корп." 2, "лит." А)."""
    if st.slot is None:
        return False
    s, st.slot = st.slot, None
    if s == "house":
        return st.house.set_number(tok)
    if s == "ignore":
        return is_number(tok) or len(tok) <= 3
    if is_number(tok) or len(tok) <= 2:
        val = tok.replace("-", "")
        if s == "corpus":
            st.house.corpus = val
        elif s == "building":
            st.house.building = val
        else:
            st.house.literal = val
            st.in_literal_list = True
        return True
    return False  # the marker had no value: the token is read afresh


def literal_list(st: State, tok: str, nxt: str | None) -> bool:
    """ "лит. А,Б,В": more literals after the first."""
    if st.in_literal_list and len(tok) == 1 and tok.isalpha() and ends_part(nxt):
        st.house.literal += tok
        return True
    st.in_literal_list = False
    return False


def house_marker(st: State, tok: str, nxt: str | None) -> bool:
    """ "д." / "дом" before a number; "д." before a name is a village (left to later rules)."""
    if tok not in HOUSE_MARKERS:
        return False
    if is_number(nxt):
        st.close()
        if st.house.number and not st.house.implicit:
            st.slot = "ignore"  # a second explicit house number: keep the first
            return True
        if st.house.number:  # the implicit number belonged to the street ("линия 2, д. 5")
            _unhouse(st)
        st.slot = "house"
        return True
    if tok != "д":
        return True  # "дом" without a number
    return nxt is None or nxt == "," or is_marker(nxt)  # a dangling "д." (registry artefact)


def part_marker(st: State, tok: str, nxt: str | None) -> bool:
    """Corpus, building, literal and ignored (flat, entrance, floor) markers."""
    h = st.house
    if tok == "кв" and h.number and not h.corpus and ends_part(nxt):
        h.corpus = "в"  # "д. 26 кВ": corpus В, a flat would have its number
        return True
    if (
        tok in CORPUS_MARKERS
        and (h.number or is_number(nxt))
        and (tok != "к" or is_number(nxt) or (nxt is not None and len(nxt) == 1))
    ):
        st.slot = "corpus"
    elif tok in BUILDING_MARKERS and (
        (tok not in ("с", "ст") and h.number)
        or is_number(nxt)
        or (h.number and nxt is not None and len(nxt) == 1)
    ):
        st.slot = "building"
    elif tok in LITERAL_MARKERS and h.number and nxt is not None and nxt != ",":
        st.slot = "literal"
    elif tok in IGNORED_MARKERS and (tok != "под" or is_number(nxt)):
        st.slot = "ignore"
    elif tok == "п" and is_number(nxt) and h.number:
        st.slot = "ignore"  # "п. 3" after a house: подъезд
        return True
    else:
        # "к. Литера А", "к. корпус 5", "к. -": the value follows or is missing
        return tok in _PART_MARKERS and (is_marker(nxt) or ends_part(nxt))
    st.close()
    return True


def house_letter(st: State, tok: str, nxt: str | None) -> bool:
    """A single letter right after the house number: "12 а", "9 А-77"."""
    h = st.house
    if (
        h.number
        and not h.letter
        and st.cur is None
        and (
            (len(tok) == 1 and tok.isalpha() and (ends_part(nxt) or is_marker(nxt) or is_number(nxt)))
            or _LETTER_FLAT.match(tok)
        )
    ):
        h.letter = tok[0]
        return True
    return False


# --------------------------------------------------------------------------- type markers


def type_word_as_name(st: State, tok: str, nxt: str | None) -> bool:
    """A type word that is itself a name: "Набережная ул.", "г. Остров", "Красное Село"."""
    kind, canon = named_marker(tok, nxt)
    cur = st.cur
    if kind is None or cur is None or cur.kind is None:
        return False
    if kind == "street" and cur.kind == "street" and not cur.words and (cur.marker in NAMEABLE_TYPES):
        cur.words.append(cur.marker)  # "Набережная ул.": the first type word is the name
        cur.type = canon
        st.close()
        return True
    if not cur.words and (ends_part(nxt) or is_number(nxt)):
        cur.words.append(tok)  # "г. Остров", "нп. Городок": a type word used as a name
        return True
    if kind == "settlement" and cur.words and ends_part(nxt):
        if len(tok) >= 4 and cur.kind == "settlement":
            cur.words.append(tok)  # "г. Красное Село": a type word inside the name
            return True
        cur.kind, cur.type = kind, canon  # "тер. Дубровка гп": the last type wins
        st.close()
        return True
    if (
        kind == "street"
        and cur.kind == "street"
        and cur.words
        and (ends_part(nxt) or is_number(nxt) or is_marker(nxt))
    ):
        cur.words.append(tok)  # "ул. 5 Линия": the type word is part of the name
        return True
    if (
        kind == "street"
        and tok in NAMEABLE_TYPES
        and cur.kind == "settlement"
        and cur.words
        and (ends_part(nxt))
    ):
        cur.words.append(tok)  # "с. Кичменгский Городок"
        return True
    return False


def type_marker(st: State, tok: str, nxt: str | None) -> bool:
    """A type word before its name ("ул. Мира") or after it ("Мира ул.", "ВОЛОГДА Г.")."""
    kind, canon = named_marker(tok, nxt)
    if kind is None:
        return False
    cur = st.cur
    after = st.peek(1)
    number_then_name = is_word(after) and not is_marker(after) and after is not None and (len(after) > 1)
    suffix = (
        ends_part(nxt)
        or is_marker(nxt)
        or (is_house_number(nxt) and not number_then_name)
        or (
            kind == "region"
            and canon in ("обл", "край", "ао")
            and cur is not None
            and cur.kind is None
            and bool(cur.words)
            and cur.words[-1].endswith(("ая", "ий", "ой", "ский", "цкий"))
        )
    )
    if cur is not None and cur.kind is None and cur.words and suffix:
        cur.kind, cur.type = kind, canon  # a type written after its name: "Тверская ул."
        st.close()
        return True
    if kind == "street" and suffix and cur is not None and cur.kind == "settlement" and (len(cur.words) >= 2):
        name = cur.words.pop()  # "г Вологда Мира ул 5": the last word is the street's name
        st.close()
        st.groups.append(Group(kind, canon, [name], after_house=bool(st.house.number)))
        return True
    if cur is not None and cur.kind is not None and not cur.words:
        st.cur = cur = None  # two markers in a row: keep the later one
    carried: list[str] = []
    if cur is not None and cur.kind is None and all(is_number(w) for w in cur.words):
        carried, st.cur = cur.words, None  # "13 линия В.О.": the ordinal goes along
    st.close()
    st.cur = Group(kind, canon, carried, after_house=bool(st.house.number), marker=tok)
    return True


# --------------------------------------------------------------------------- numbers, words


def number(st: State, tok: str, nxt: str | None) -> bool:
    """A number: part of a name ("8 Марта", "2-я линия") or the house."""
    if not is_number(tok):
        return False
    h = st.house
    street_marker_follows = (
        nxt is not None
        and nxt in STREET_TYPES
        and not h.number
        and named_marker(nxt, st.peek(1))[0] == "street"
    )
    if ORDINAL.match(tok) or street_marker_follows:
        st.word(tok)
        return True
    name_follows = (
        is_word(nxt)
        and not is_marker(nxt)
        and nxt is not None
        and len(nxt) > 1
        and not _LETTER_FLAT.match(nxt)
    )
    if name_follows and not (h.number and st.cur is None):
        st.word(tok)
        return True
    if not h.number and h.set_number(tok):
        h.implicit = True
        st.close()
    return True  # a second bare number after the house: flat or floor


def word(st: State, tok: str, nxt: str | None) -> bool:
    st.word(tok)
    return True


def _unhouse(st: State) -> None:
    """Give an implicit house number back to the street name before it ("линия 2, д. 5")."""
    h = st.house
    if h.implicit and st.groups and st.groups[-1].kind in ("street", None):
        st.groups[-1].words.append(h.number)
    h.clear()


#: The parser's table: tried in order on every token, the first that consumes it wins.
RULES: tuple[Rule, ...] = (
    comma,
    postal,
    noise,
    awaited_value,
    literal_list,
    house_marker,
    part_marker,
    house_letter,
    type_word_as_name,
    type_marker,
    number,
    word,
)
_SPECIAL = frozenset([*ALL_MARKERS, *NOISE_WORDS, "п", "кв"])
#: The same table cut by the kind of token: only the rules that can consume it, in order.
RULES_BY_KIND: dict[str, tuple[Rule, ...]] = {
    "comma": (comma,),
    "number": (postal, awaited_value, literal_list, number),
    "letter": (awaited_value, literal_list, house_letter, word),
    "word": (awaited_value, literal_list, word),
    "other": RULES,
}


@lru_cache(maxsize=65_536)
def kind_of(tok: str) -> str:
    """Which cut of :data:`RULES` a token needs (markers and odd tokens: all of it)."""
    if tok == ",":
        return "comma"
    if tok in _SPECIAL:
        return "other"
    if tok[:1].isdigit():
        return "number"
    if (len(tok) == 1 and tok.isalpha()) or _LETTER_FLAT.match(tok):
        return "letter"
    return "word" if tok.isalpha() else "other"

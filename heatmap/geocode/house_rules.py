"""The parser's rules for separators and house parts ("д. 12", "корп. 2", "лит. А", "кв. 5").

Each rule looks at the parser's :class:`~.parse_state.State`, the token and the one
after it, and either consumes the token (returns True) or leaves it to the next rule
of the table in :mod:`.rules`.
"""

from __future__ import annotations

import re

from heatmap.geocode.parse_state import LETTER_FLAT, Group, State
from heatmap.geocode.tokens import ends_part, is_marker, is_number
from heatmap.geocode.vocabulary import (
    BUILDING_MARKERS,
    CORPUS_MARKERS,
    HOUSE_MARKERS,
    IGNORED_MARKERS,
    LITERAL_MARKERS,
    NOISE_WORDS,
)

POSTAL = re.compile(r"^\d{6}$")
PART_MARKERS = CORPUS_MARKERS | BUILDING_MARKERS
#: Every token :func:`part_marker` may consume.
PART_RULE_TOKENS = PART_MARKERS | LITERAL_MARKERS | IGNORED_MARKERS | {"кв", "п"}

# --------------------------------------------------------------------------- separators


def comma(st: State, tok: str, nxt: str | None) -> bool:
    if tok != ",":
        return False
    st.close()
    st.slot = None
    return True


def postal(st: State, tok: str, nxt: str | None) -> bool:
    if st.postal is None and POSTAL.match(tok) and not (st.cur and st.cur.words):
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
            unhouse(st)
        st.slot = "house"
        return True
    if tok != "д":
        return True  # "дом" without a number
    cur = st.cur
    if ends_part(nxt):
        # a dangling "д." (registry artefact), unless it ends a village's name ("ВЫНДИН
        # ОСТРОВ Д.,": left to the type words)
        return cur is None or cur.kind is not None or not cur.words
    # "д. ул. Мира": dangling; "д. Остров, ...": a village named by a type word
    return is_marker(nxt) and not (nxt is not None and len(nxt) >= 4 and ends_part(st.peek(1)))


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
        return tok in PART_MARKERS and (is_marker(nxt) or ends_part(nxt))
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
            or LETTER_FLAT.match(tok)
        )
    ):
        h.letter = tok[0]
        return True
    return False


def unhouse(st: State) -> None:
    """Give an implicit house number back to the street name before it ("линия 2, д. 5"), or,
    written as a part of its own after a settlement, make it the street's name ("Тихвин, 6,
    дом 20": the micro-district named 6)."""
    h = st.house
    last = st.groups[-1] if st.groups else None
    if h.implicit and last is not None and h.alone and last.kind != "street":
        st.groups.append(Group(None, None, [h.number], after_house=False))
    elif h.implicit and last is not None and last.kind in ("street", None):
        last.words.append(h.number)
    h.clear()

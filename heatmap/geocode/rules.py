"""The address parser's rules: a table of (rule) functions tried in order on each token.

Each rule looks at the parser's :class:`~.parse_state.State`, the token and the one
after it, and either consumes the token (returns True) or leaves it to the next rule.
The first rule that consumes wins; :data:`RULES` is the table,
:func:`heatmap.geocode.normalise.parse_address` the loop. Adding a way of writing is
adding or reordering a row (and, for a new rule, saying in :data:`GUARDS` which
tokens it can consume at all). Separators and house parts are in :mod:`.house_rules`;
type words, numbers and names here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from heatmap.geocode.house_rules import (
    PART_RULE_TOKENS,
    POSTAL,
    awaited_value,
    comma,
    house_letter,
    house_marker,
    literal_list,
    noise,
    part_marker,
    postal,
    unhouse,
)
from heatmap.geocode.parse_state import LETTER_FLAT, Group, HouseBuilder, State
from heatmap.geocode.tokens import ends_part, is_house_number, is_marker, is_number, is_word
from heatmap.geocode.vocabulary import (
    DISTRICT_TYPES,
    HOUSE_MARKERS,
    NAMEABLE_TYPES,
    NOISE_WORDS,
    ORDINAL,
    REGION_TYPES,
    SETTLEMENT_TYPES,
    STREET_TYPES,
)

__all__ = ["RULES", "Group", "HouseBuilder", "State", "rules_for"]

Rule = Callable[[State, str, "str | None"], bool]
_TYPE_WORDS = frozenset([*REGION_TYPES, *DISTRICT_TYPES, *STREET_TYPES, *SETTLEMENT_TYPES])


def _marker_kinds() -> dict[str, tuple[str, str]]:
    """Type word -> (kind, canonical type); a word of several kinds takes the first of
    region, district, street, settlement."""
    kinds: dict[str, tuple[str, str]] = {}
    for kind, words in (
        ("region", REGION_TYPES),
        ("district", {w: c for w, c in DISTRICT_TYPES.items() if w not in ("мо", "го")}),
        ("street", STREET_TYPES),
        ("settlement", SETTLEMENT_TYPES),
    ):
        for word, canon in words.items():
            kinds.setdefault(word, (kind, canon))
    return kinds


_MARKER_KINDS = _marker_kinds()
_NO_MARKER: tuple[None, None] = (None, None)


def named_marker(tok: str, nxt: str | None) -> tuple[str, str] | tuple[None, None]:
    """Classify a settlement/street/region/district type marker, or (None, None)."""
    found = _MARKER_KINDS.get(tok)
    if found is None:
        return _NO_MARKER
    if found[0] == "settlement" and len(tok) <= 2 and (nxt is None or is_number(nxt)):
        return _NO_MARKER  # "д. 5", "с. 2": a house part, not a village
    return found


def type_word(st: State, tok: str, nxt: str | None) -> bool:
    """A type word (its kind looked up once): a name of its own, else a type marker."""
    found = _MARKER_KINDS.get(tok)
    if found is None:
        return False
    kind, canon = found
    if kind == "settlement" and len(tok) <= 2 and (nxt is None or is_number(nxt)):
        return False  # (as named_marker says: "д. 5" is a house part, not a village)
    if st.cur is None:  # (most type words: the first of their part) a new group
        st.cur = Group(kind, canon, [], bool(st.house.number), tok)
        return True
    return type_word_as_name(st, tok, nxt, kind, canon) or type_marker(st, tok, nxt, kind, canon)


def type_word_as_name(st: State, tok: str, nxt: str | None, kind: str, canon: str) -> bool:
    """A type word that is itself a name: "Набережная ул.", "г. Остров", "Красное Село"."""
    cur = st.cur
    if cur is None:
        return False
    if cur.kind is None:
        if cur.words and len(tok) >= 4 and _settlement_type_ends(st, nxt):
            cur.words.append(tok)  # "ВЫНДИН ОСТРОВ Д.,", "Старая Слобода д.": inside the name
            return True
        return False
    if kind == "street" and cur.kind == "street" and not cur.words and (cur.marker in NAMEABLE_TYPES):
        cur.words.append(cur.marker)  # "Набережная ул.": the first type word is the name
        cur.type = canon
        st.close()
        return True
    if not cur.words and (ends_part(nxt) or is_number(nxt)):
        cur.words.append(tok)  # "г. Остров", "нп. Городок": a type word used as a name
        return True
    if cur.kind == "settlement" and not cur.words and tok in NAMEABLE_TYPES and is_word(nxt):
        cur.words.append(tok)  # "деревня Остров Вокзальная у. 7": a settlement needs its name
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
    if kind == "street" and cur.kind == "street" and cur.words and canon == cur.type and is_word(nxt):
        # "мкр. Первый микрорайон ГПЗ-23": the street's own type word inside its name
        cur.words.append(tok)
        return True
    if kind == "street" and tok in NAMEABLE_TYPES and cur.kind == "settlement" and cur.words:
        if not ends_part(nxt):
            return False
        cur.words.append(tok)  # "с. Кичменгский Городок"
        return True
    return False


def _settlement_type_ends(st: State, nxt: str | None) -> bool:
    """A settlement's type word comes next and ends the part ("Д.," after "ВЫНДИН ОСТРОВ")."""
    found = _MARKER_KINDS.get(nxt) if nxt is not None else None
    return found is not None and found[0] == "settlement" and ends_part(st.peek(1))


def _suffix(st: State, kind: str, canon: str, nxt: str | None) -> bool:
    """The type word ends its name's part: it was written after the name."""
    if ends_part(nxt) or is_marker(nxt):
        return True
    if is_house_number(nxt):
        after = st.peek(1)  # "ул. 8 Марта": a number then a name is the name
        if not (is_word(after) and not is_marker(after) and after is not None and len(after) > 1):
            return True
    cur = st.cur
    return (
        kind == "region"
        and canon in ("обл", "край", "ао")
        and cur is not None
        and cur.kind is None
        and bool(cur.words)
        and cur.words[-1].endswith(("ая", "ий", "ой", "ский", "цкий"))
    )


def type_marker(st: State, tok: str, nxt: str | None, kind: str, canon: str) -> bool:
    """A type word before its name ("ул. Мира") or after it ("Мира ул.", "ВОЛОГДА Г.")."""
    cur = st.cur
    if cur is not None and cur.words and cur.kind in (None, "settlement"):
        suffix = _suffix(st, kind, canon, nxt)
        if cur.kind is None and suffix:
            cur.kind, cur.type = kind, canon  # a type written after its name: "Тверская ул."
            st.close()
            return True
        if kind == "street" and suffix and cur.kind == "settlement" and len(cur.words) >= 2:
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
        and not LETTER_FLAT.match(nxt)
    )
    if name_follows and not (h.number and st.cur is None):
        st.word(tok)
        return True
    if h.implicit and st.cur is None and _unnamed_street(st) and h.number and is_house_number(tok):
        unhouse(st)  # "мкр. 1, 5": the first number named the micro-district
    if not h.number and h.set_number(tok):
        h.implicit = True
        h.alone = st.cur is None and ends_part(nxt) and st.i >= 2 and st.toks[st.i - 2] == ","
        st.close()
    return True  # a second bare number after the house: flat or floor


def _unnamed_street(st: State) -> bool:
    """The last group is a street with no name but its type ("мкр.", "микрорайон")."""
    if not st.groups:
        return False
    g = st.groups[-1]
    return g.kind == "street" and (not g.words or (g.words == [g.marker] and g.marker in NAMEABLE_TYPES))


def word(st: State, tok: str, nxt: str | None) -> bool:
    st.word(tok)
    return True


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
    type_word,
    number,
    word,
)
#: The rows of a plain word for an idle state: :func:`word` alone (the parser inlines it).
WORD_ONLY: tuple[Rule, ...] = (word,)
#: Rules that act only while the state waits: for a house part's value
#: (``State.slot``) or for more literals (``State.in_literal_list``). Otherwise they
#: return False without a change, so an idle state skips them.
WAITING_RULES: frozenset[Rule] = frozenset({awaited_value, literal_list})
#: Which tokens a rule can consume at all (a rule returns False, changing nothing,
#: for any other token); rules missing here may consume any token.
GUARDS: dict[Rule, Callable[[str], bool]] = {
    comma: lambda t: t == ",",
    postal: lambda t: POSTAL.match(t) is not None,
    noise: lambda t: t in NOISE_WORDS,
    house_marker: lambda t: t in HOUSE_MARKERS,
    part_marker: lambda t: t in PART_RULE_TOKENS,
    house_letter: lambda t: (len(t) == 1 and t.isalpha()) or LETTER_FLAT.match(t) is not None,
    type_word: lambda t: t in _TYPE_WORDS,
    number: is_number,
}


#: Tokens some guard names: each is looked at on its own by :func:`rules_for`.
_NAMED = frozenset([",", *NOISE_WORDS, *HOUSE_MARKERS, *PART_RULE_TOKENS, *_TYPE_WORDS])


def rules_for(tok: str) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    """The rows of :data:`RULES` that can consume ``tok``, in order: for an idle state,
    and for a state waiting for a value (with :data:`WAITING_RULES`).

    Tokens no guard names by themselves pass or fail every guard alike by their shape
    (a postal code, another number, one letter, a longer word), so one look serves
    each shape; others (markers, "а-77") are looked at one by one. The answer for a
    token is remembered (:data:`BY_TOKEN`, bounded): addresses repeat their words."""
    rows = BY_TOKEN.get(tok)
    if rows is not None:
        return rows
    if tok in _NAMED:
        rows = _rows(tok)
    elif tok[:1].isdigit():
        rows = _rows_of_shape("postal" if POSTAL.match(tok) else "number", tok)
    elif tok.isalpha():
        rows = _rows_of_shape("letter" if len(tok) == 1 else "word", tok)
    else:
        rows = _rows(tok)
    if len(BY_TOKEN) < BY_TOKEN_MAX:
        BY_TOKEN[tok] = rows
    return rows


#: Rows by token, as :func:`rules_for` found them (emptied by ``clear_caches``).
BY_TOKEN: dict[str, tuple[tuple[Rule, ...], tuple[Rule, ...]]] = {}
BY_TOKEN_MAX = 262_144


_SHAPES: dict[str, tuple[tuple[Rule, ...], tuple[Rule, ...]]] = {}


def _rows_of_shape(shape: str, tok: str) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    rows = _SHAPES.get(shape)
    if rows is None:
        rows = _SHAPES[shape] = _rows(tok)
    return rows


@lru_cache(maxsize=65_536)
def _rows(tok: str) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    waiting = tuple(r for r in RULES if r not in GUARDS or GUARDS[r](tok))
    idle = tuple(r for r in waiting if r not in WAITING_RULES)
    return (WORD_ONLY if idle == WORD_ONLY else idle), waiting

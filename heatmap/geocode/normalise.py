"""Parse free-text Russian addresses into components and normalised keys.

Everything here is a pure function of its input: no gazetteer, no I/O.
The parser is forgiving by design — it never raises on strange text; what it
cannot place ends up in :attr:`ParsedAddress.unparsed`.

How it reads: :func:`heatmap.geocode.tokens.tokenize` splits the text (a table of
glued forms: "д52-а", "12к1", "кБ"), then every token goes through the table of
rules in :data:`heatmap.geocode.rules.RULES` (first rule that consumes it wins; only the
rows that can consume the token are tried, see :func:`~heatmap.geocode.rules.rules_for`),
and :func:`_assemble` turns the groups into settlements, street and house.

Vocabulary (lower case, ``ё`` already folded to ``е``, see :mod:`.vocabulary`):
settlement types ``г``, ``п``, ``д``, ``с``, ``пгт``, ``рп`` …; street types ``ул``,
``пр-кт``, ``пер``, ``б-р``, ``ш``, ``наб``, ``пл`` …; house parts ``д``/``дом``,
``корп``/``к``, ``стр``, ``лит``; ignored parts ``кв``, ``под``, ``эт``, ``оф`` and
postal codes. ``д.`` is *дом* when a number follows and *деревня* when a name follows;
``с.`` and ``п.`` are resolved the same way (*строение*/*село*, *подъезд*/*посёлок*).
"""

from __future__ import annotations

from heatmap.geocode import keys, parsed, rules, tokens
from heatmap.geocode.keys import (
    fold,
    region_key,
    settlement_key,
    street_key,
    street_loose_key,
)
from heatmap.geocode.parse_state import Group, HouseBuilder, State
from heatmap.geocode.parsed import House, ParsedAddress
from heatmap.geocode.rules import rules_for
from heatmap.geocode.tokens import has_cyrillic, looks_foreign, tokenize
from heatmap.geocode.vocabulary import FEDERAL_CITIES

__all__ = [
    "House",
    "ParsedAddress",
    "clear_caches",
    "fold",
    "looks_foreign",
    "parse_address",
    "region_key",
    "settlement_key",
    "street_key",
    "street_loose_key",
    "tokenize",
]


def clear_caches() -> None:
    """Forget the tokens, keys and rule rows remembered from earlier addresses (a benchmark
    measuring a cold start; memory)."""
    for cached in (
        tokens._part_tokens,
        tokens._split_glued,
        rules._rows,
        keys._name_token,
        keys._street_tokens,
        keys.street_key,
        keys.street_loose_key,
        keys.settlement_key,
        parsed.house_keys,
    ):
        cached.cache_clear()
    rules.BY_TOKEN.clear()


def parse_address(text: str | None, *, folded: bool = False) -> ParsedAddress:
    """Parse an address string; never raises (garbage gives an empty result).

    ``folded``: the text is already as :func:`.keys.fold` writes it (the matcher's)."""
    if text is None or not isinstance(text, str):
        return ParsedAddress(raw="" if text is None else str(text))
    toks = tokenize(text, folded=folded)
    st = State(toks)
    by_token, word_only = rules.BY_TOKEN, rules.WORD_ONLY
    last = len(toks) - 1
    for k, tok in enumerate(toks):
        nxt = toks[k + 1] if k < last else None  # the next token, None after the last
        st.i = k + 1
        if tok == ",":  # what rules.comma does (the first row for a comma), without the calls
            if st.cur is not None:
                st.close()
            st.slot = None
            continue
        idle, waiting = by_token.get(tok) or rules_for(tok)
        if st.slot is not None or st.in_literal_list:
            idle = waiting
        elif idle is word_only:  # a name's word: what rules.word does, without the calls
            cur = st.cur
            if cur is None:
                st.cur = Group(None, None, [tok], bool(st.house.number))
            else:
                cur.words.append(tok)
            continue
        for rule in idle:
            if rule(st, tok, nxt):
                break
    st.close()
    return _assemble(text, st.groups, st.house, st.postal)


def _assemble(raw: str, groups: list[Group], hb: HouseBuilder, postal: str | None) -> ParsedAddress:
    """Groups to components: region, district, settlements (widest first), street, house."""
    # (no house without a number or a corpus: Zelenograd numbers its buildings by corpus
    # alone, "к. 2305")
    region, region_type, district, streets, untyped, typed = _sort_groups(groups)
    if not typed:
        typed = _promote_settlement(streets, untyped, district)
    street = _choose_street(groups, streets, untyped, hb)
    unparsed = [" ".join(g.words) for g in streets if g is not street] if len(streets) > 1 else []
    settlements = _settlement_chain(groups, street, unparsed, typed)
    if region is None and settlements and settlements[0][1] in FEDERAL_CITIES:
        region = settlements[0][1]
    return ParsedAddress(  # positional: a named tuple is made faster so
        raw,
        region,
        region_type,
        district,
        tuple(settlements),
        street.type if street else None,
        " ".join(street.words) if street else None,
        House(hb.number, hb.letter, hb.corpus, hb.building, hb.literal) if hb.number or hb.corpus else None,
        postal,
        tuple(unparsed),
    )


def _sort_groups(
    groups: list[Group],
) -> tuple[str | None, str | None, str | None, list[Group], list[Group], bool]:
    """Region (key, type), district, street groups, untyped groups, and whether a
    settlement was typed (with or without its name)."""
    region: str | None = None
    region_type: str | None = None
    district: str | None = None
    streets: list[Group] = []
    untyped: list[Group] = []
    typed = False
    for g in groups:
        kind = g.kind
        if kind == "settlement":
            typed = True
        if not g.words:
            continue
        if kind == "street":
            streets.append(g)
        elif kind is None:
            untyped.append(g)
        elif kind == "region" and region is None:
            region, region_type = region_key(" ".join(g.words)), g.type
        elif kind == "district" and district is None:
            district = " ".join(g.words)
    return region, region_type, district, streets, untyped, typed


def _promote_settlement(streets: list[Group], untyped: list[Group], district: str | None) -> bool:
    """No settlement typed: the outer street-like or untyped group is one (True when so)."""
    if streets and (len(streets) >= 2 or (district is not None and not untyped)):
        # "р-н. Всеволожский, мкр. Сертолово-1, ул. Лесная": the outer one is the settlement
        streets.pop(0).kind = "settlement"
        return True
    if district is not None and untyped:
        # "р-н. Струго-Красненский, Владимирский Лагерь, д. 28"
        untyped.pop(0).kind = "settlement"
        return True
    return False


def _choose_street(
    groups: list[Group], streets: list[Group], untyped: list[Group], hb: HouseBuilder
) -> Group | None:
    """The street nearest before the house; untyped, the last group after the settlements."""
    for g in reversed(streets):
        if not g.after_house:
            return g  # the last street written before the house
    if streets:
        return streets[-1]
    if not untyped:
        return None
    last_settlement = -1
    for i, g in enumerate(groups):
        if g.kind == "settlement":
            last_settlement = i
    for g in reversed(groups[last_settlement + 1 :]):
        if g.kind is None and g.words and not g.after_house:
            return g  # the last untyped group after the settlements, before the house
    if hb.number and len(untyped) == 1 and last_settlement < 0:
        return untyped[0]
    return None


def _settlement_chain(
    groups: list[Group], street: Group | None, unparsed: list[str], typed_settlement: bool
) -> list[tuple[str | None, str]]:
    """Settlements, widest first; untyped groups other than the street count as such, and
    those written after the house ("ул. Садовая, д. 17, г. Исилькуль") are the widest
    (unless a settlement is typed: then they are left unparsed)."""
    chain: list[tuple[str | None, str]] = []
    late: list[tuple[str | None, str]] = []
    for g in groups:
        if not g.words or g is street:
            continue
        name = " ".join(g.words)
        if g.kind == "settlement":
            (late if g.after_house else chain).append((g.type, settlement_key(name)))
        elif g.kind is None:
            if not has_cyrillic(name) or (g.after_house and typed_settlement):
                unparsed.append(name)
            else:
                (late if g.after_house else chain).append((None, settlement_key(name)))
    return late + chain

"""Finding a street in the index: exact keys, looser keys, then typos (rapidfuzz)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, Levenshtein

from heatmap.geocode.entries import distance_km
from heatmap.geocode.houses import house_rows, match_house
from heatmap.geocode.index import Index, Locs
from heatmap.geocode.keys import given_names_agree, street_key, street_loose_key
from heatmap.geocode.parsed import House
from heatmap.geocode.vocabulary import TYPE_NAME_WORDS, TYPE_WORDS

S_STREET_LOOSE = 0.95
S_STREET_OTHER_TYPE = 0.93
S_STREET_FUZZY_MAX = 0.88
S_UNNAMED_PLACE = 0.85  # a choice between same-named streets the address does not state
#: Candidates for a misspelt name: within four Levenshtein edits first (rapidfuzz, fast
#: with a small cutoff; two swapped pairs are four), then counted edits (Damerau-
#: Levenshtein: a swapped pair of letters is one). One edit is read when no other
#: street is as close; two only in a name of 8 letters or more, when the house exists on
#: that street and on no other street within three edits. Names shorter than 5 letters
#: are not guessed: an edit there makes another word, and the registry lacks many
#: streets (private houses), so a guess would put the house on the wrong street.
_LEVENSHTEIN_CUTOFF = 4
_FUZZY_MIN_LETTERS = 5
#: A name written with one letter fewer ("Наки" for "Науки") is read only as a letter
#: dropped from a longer name: the one street one edit away, the house there and on no
#: street found within two edits.
_FUZZY_SHORT_LETTERS = 4
_FUZZY_TWO_EDITS_MIN_LETTERS = 8
#: From this many letters, only streets within two edits are rivals of a two-edit guess
#: (tuned on Vologda and St Petersburg: two-typo class 97.2 -> 97.9 %, no more house
#: answers for streets cut from the gazetteer).
_TWO_EDITS_RIVALS_LETTERS = 10
#: Tokens that must be the same in a misspelt name and its street: numbers, qualifiers.
_FIXED_TOKENS = frozenset({"б", "м", "ср", "верх", "ниж", "нов", "стар"})
#: Words of a type alone: a looser key made only of them names no street ("5-й мкр." loosened
#: to "микрорайон" is not "мкр. А").
_TYPE_ONLY = frozenset(TYPE_WORDS.values()) | TYPE_NAME_WORDS


def find_street(
    ix: Index,
    name: str,
    stype: str | None,
    locs: Locs | None,
    named: str | None,
    house: House | None,
    *,
    fuzzy: bool = True,
) -> tuple[int, float] | None:
    """The best street id and its score factor, or None."""
    key = street_key(name, stype)
    found, settled = named_street(ix, name, stype, key, locs, named, house)
    if settled or locs is None or not key or not fuzzy:
        return found
    return guess_street(ix, name, key, stype, locs, named, house)


def guess_street(
    ix: Index, name: str, key: str, stype: str | None, locs: Locs, named: str | None, house: House | None
) -> tuple[int, float] | None:
    """A misspelt name (``key``: :func:`.keys.street_key` of ``name``), else the same without
    initials and titles ("И.Ярослаавцева" for "ул. И.Ярославцева", keyed without its
    initial) when that keeps its numbers and qualifiers ("5-й" is not "микрорайон"):
    :func:`fuzzy_street` on either key."""
    found = fuzzy_street(ix, key, stype, locs, named, house)
    if found is None:
        loose = street_loose_key(name, stype)
        if loose and loose != key and _fixed(loose) == _fixed(key):
            found = fuzzy_street(ix, loose, stype, locs, named, house)
    return found


def named_street(
    ix: Index,
    name: str,
    stype: str | None,
    key: str,
    locs: Locs | None,
    named: str | None,
    house: House | None,
) -> tuple[tuple[int, float] | None, bool]:
    """The street by its exact key (``key``, :func:`.keys.street_key` of the name), else by
    looser keys: (street id and score factor, or None; whether the search is settled, i.e.
    a misspelt name is not to be guessed: a street was found, or one name is shared by
    distant streets)."""
    streets = ix.streets
    fallback: tuple[int, float] | None = None
    ids = ix.street_by_key.get(key)
    for factor in (1.0, S_STREET_LOOSE):
        if factor != 1.0:  # looser keys, only when the exact one gave nothing with the house
            loose = street_loose_key(name, stype)
            named_loose = not _TYPE_ONLY.issuperset(loose.split())
            ids = [
                *(ix.street_by_key.get(loose, ()) if named_loose else ()),
                *(ix.street_by_loose.get(loose, ()) if named_loose else ()),
                *ix.street_by_loose.get(key, ()),
            ]
            if ids:  # a looser key drops "2" of "2-я Линия": not "5-я Линия"; nor Льва for Алексея
                numbers = _numbers(key)
                ids = [
                    s
                    for s in ids
                    if streets[s].numbers in ((), numbers) and given_names_agree(name, streets[s].display)
                ]
        if not ids:
            continue
        if locs is None:
            cands = ids
        elif len(ids) == 1:  # (most names: one street)
            cands = ids if streets[ids[0]].locality in locs else []
        else:
            cands = [s for s in ids if streets[s].locality in locs]
        if not cands:
            continue
        if len(cands) == 1:
            picked: tuple[int, float] | None = _the_street(ix, cands[0], stype, named)
        else:
            picked = pick_street(ix, cands, stype, named, house)
        if picked is None:
            return fallback, True  # same name in distant places: do not guess further
        sid, f = picked
        if house is None or match_house(ix, sid, house)[0]:
            return (sid, factor * f), True
        fallback = fallback or (sid, factor * f)  # a looser name may have the house
    return fallback, fallback is not None


def pick_street(
    ix: Index, cands: list[int], stype: str | None, named: str | None, house: House | None
) -> tuple[int, float] | None:
    """Choose among streets with one name: by type, named locality, then house.

    Returns None when the choice is left to chance (far apart, same evidence).
    A choice the address does not state (the house exists on only one of them,
    the street is in a sub-settlement not named) lowers the score.
    """
    if len(cands) == 1:
        return _the_street(ix, cands[0], stype, named)
    cands = list(dict.fromkeys(cands))
    factor = 1.0
    if stype and stype != "пр":
        same = [s for s in cands if ix.streets[s].type == stype]
        if same:
            cands = same
        elif any(ix.streets[s].type for s in cands):
            factor = S_STREET_OTHER_TYPE
    elif stype == "пр":
        same = [s for s in cands if ix.streets[s].type in ("пр-кт", "проезд", "пр")]
        cands = same or cands
    if named:
        inner = [s for s in cands if ix.locality_of(s).name == named]
        if inner:
            cands = inner
        else:
            factor *= S_UNNAMED_PLACE  # "СПб, ул. Коммуны" for Колпино's
    if len(cands) > 1 and house is not None:
        with_house = [s for s in cands if house_rows(ix, s, house)]
        if with_house and len(with_house) < len(cands):
            cands = with_house
            factor *= S_UNNAMED_PLACE  # the registry is not complete: a weak proof
    if len(cands) > 1:
        lats = [ix.streets[s].lat for s in cands]
        lons = [ix.streets[s].lon for s in cands]
        if distance_km(min(lats), min(lons), max(lats), max(lons)) > 1.0:
            return None
        factor *= 0.8  # nearby, but still a choice the address did not make
    return cands[0], factor


def _the_street(ix: Index, sid: int, stype: str | None, named: str | None) -> tuple[int, float]:
    """:func:`pick_street` for one candidate: its score factor by type and locality."""
    st = ix.streets[sid]
    factor = S_STREET_OTHER_TYPE if stype and stype != "пр" and st.type and st.type != stype else 1.0
    if named and ix.localities[st.locality].name != named:
        factor *= S_UNNAMED_PLACE  # "СПб, ул. Коммуны" for Колпино's
    return sid, factor


def _choices(ix: Index, locs: Locs) -> tuple[frozenset[int], list[str], list[int]]:
    """Street keys of these localities (with their street ids), shortest first."""
    frozen = frozenset(locs)
    choices = ix.fuzzy_choices.get(frozen)
    if choices is None:
        pairs = sorted(
            (
                (k, sid)
                for lid in locs
                for sid in ix.localities[lid].streets
                for k in (ix.streets[sid].key, *ix.streets[sid].alt_keys)
                if k
            ),
            key=lambda pair: len(pair[0]),
        )
        choices = ([k for k, _ in pairs], [sid for _, sid in pairs])
        if len(ix.fuzzy_choices) < 10_000:
            ix.fuzzy_choices[frozen] = choices
    return frozen, *choices


def fuzzy_street(
    ix: Index,
    key: str,
    stype: str | None,
    locs: Locs,
    named: str | None,
    house: House | None,
) -> tuple[int, float] | None:
    """A misspelt street name: the one street clearly closest, or None."""
    letters = sum(map(str.isalpha, key))
    if letters < _FUZZY_SHORT_LETTERS or (letters < _FUZZY_MIN_LETTERS and house is None):
        return None
    frozen, keys, ids = _choices(ix, locs)
    if not keys:
        return None
    fixed = _fixed(key)
    # a name one edit away is found by dict lookups; only when there is none are the
    # keys within four edits searched (the decision for one edit sees no further)
    ranked = _rank(ix, key, keys, ids, _one_edit_hits(ix, frozen, keys, key), fixed)
    if letters < _FUZZY_MIN_LETTERS:
        chosen = _decide_short(ix, ranked, house)
    else:
        if not ranked or ranked[0][0] > 1:
            ranked = _rank(ix, key, keys, ids, _close_hits(ix, frozen, keys, key), fixed)
        chosen = _decide(ix, ranked, house, letters, key)
    if chosen is None:
        return None
    edits, top = chosen
    picked = pick_street(ix, top, stype, named, house)
    if picked is None:
        return None
    sid, f = picked
    similarity = 1.0 - edits / max(len(key), len(ix.streets[sid].key), 1)
    return sid, f * S_STREET_FUZZY_MAX * similarity


def _one_edit_hits(
    ix: Index, frozen: frozenset[int], keys: list[str], key: str
) -> list[tuple[str, float, int]]:
    """Keys one edit (or a swap) away, and a few two away: (key, Levenshtein distance,
    position), nearest first. Two keys one edit apart share a deletion (symmetric delete)."""
    index = ix.fuzzy_one_edit.get(frozen)
    if index is None:
        index = {}
        add = index.setdefault
        for i, k in enumerate(keys):  # (a position twice under one variant does no harm)
            add(k, []).append(i)
            for j in range(len(k)):
                add(k[:j] + k[j + 1 :], []).append(i)
        if len(ix.fuzzy_one_edit) < 1_000:
            ix.fuzzy_one_edit[frozen] = index
    get = index.get
    found = set(get(key, ()))
    for j in range(len(key)):
        near = get(key[:j] + key[j + 1 :])
        if near:
            found.update(near)
    scored = sorted([(Levenshtein.distance(key, keys[i]), i) for i in found])
    return [(keys[i], float(edits), i) for edits, i in scored]


def _close_hits(ix: Index, frozen: frozenset[int], keys: list[str], key: str) -> list[tuple[str, float, int]]:
    """Keys within four Levenshtein edits (at most 40, nearest first) of a key's length
    give or take three (a longer or shorter key is further away). They decide a guess two
    edits away, which keeps the first letter (see :func:`_decide`): only keys starting
    with the written key's letter are searched (all when it starts with a number)."""
    hits = ix.fuzzy_hits.get((frozen, key))
    if hits is None:
        start = key[:1]
        same, places = _starting_with(ix, frozen, keys, start) if start.isalpha() else (keys, None)
        lo = bisect_left(same, len(key) - 3, key=len)
        hi = bisect_right(same, len(key) + 3, key=len)
        found = process.extract(
            key, same[lo:hi], scorer=Levenshtein.distance, limit=40, score_cutoff=_LEVENSHTEIN_CUTOFF
        )
        if places is None:
            hits = [(k, score, i + lo) for k, score, i in found]
        else:
            hits = [(k, score, places[i + lo]) for k, score, i in found]
        if len(ix.fuzzy_hits) < 200_000:
            ix.fuzzy_hits[(frozen, key)] = hits
    return hits


def _starting_with(
    ix: Index, frozen: frozenset[int], keys: list[str], start: str
) -> tuple[list[str], list[int]]:
    """The keys starting with ``start`` (shortest first, as ``keys``) and their positions
    in ``keys`` (made for every first letter at once, the first time one is asked for)."""
    found = ix.fuzzy_by_start.get((frozen, start))
    if found is None:
        by_start: dict[str, tuple[list[str], list[int]]] = {}
        for i, k in enumerate(keys):
            same, places = by_start.setdefault(k[:1], ([], []))
            same.append(k)
            places.append(i)
        if len(ix.fuzzy_by_start) < 100_000:
            ix.fuzzy_by_start.update(((frozen, first), both) for first, both in by_start.items())
        found = by_start.get(start, ([], []))
    return found


def _rank(
    ix: Index, key: str, keys: list[str], ids: list[int], hits: list[tuple[str, float, int]], fixed: list[str]
) -> list[tuple[int, list[int]]]:
    """Streets of the hits by their counted edits (Damerau-Levenshtein), nearest first."""
    best_by_key: dict[str, tuple[int, list[int]]] = {}
    for _k, _s, i in hits:
        if _fixed(keys[i]) != fixed:
            continue  # "2-я Линия" is not "3-я Линия", "Малая" not "Большая"
        edits = DamerauLevenshtein.distance(key, keys[i], score_cutoff=3)
        if edits == 2 and len(keys[i]) < _FUZZY_TWO_EDITS_MIN_LETTERS:
            edits = 3  # two edits in a short name: another name, not a typo
        skey = ix.streets[ids[i]].key
        old = best_by_key.get(skey)
        if old is None or edits < old[0]:
            best_by_key[skey] = (edits, [ids[i]])
        elif edits == old[0]:
            old[1].append(ids[i])
    return sorted(best_by_key.values(), key=lambda t: t[0])


def _numbers(key: str) -> tuple[str, ...]:
    """The numbers of a street key ("2 линия" → ("2",))."""
    return tuple(t for t in key.split() if t.isdigit())


def _fixed(key: str) -> list[str]:
    return [t for t in key.split() if t.isdigit() or t in _FIXED_TOKENS]


def _decide_short(
    ix: Index, ranked: list[tuple[int, list[int]]], house: House | None
) -> tuple[int, list[int]] | None:
    """A short written name (:data:`_FUZZY_SHORT_LETTERS` letters: "Наки" for "Науки"): the
    one street one edit away, with no other street as close, when the house exists there
    and on no other street found within two edits."""
    if house is None or not ranked or ranked[0][0] != 1:
        return None
    edits, sids = ranked[0]
    if any(e <= 1 for e, _ in ranked[1:]):
        return None
    kept = [s for s in sids if house_rows(ix, s, house)]
    others = any(house_rows(ix, s, house) for e, ids in ranked[1:] if e <= 3 for s in ids)
    if not kept or others or min(len(ix.streets[s].key) for s in kept) <= _FUZZY_SHORT_LETTERS:
        return None
    return edits, kept


def _decide(
    ix: Index,
    ranked: list[tuple[int, list[int]]],
    house: House | None,
    letters: int,
    written: str,
) -> tuple[int, list[int]] | None:
    """One edit: the street with no rival as close (the house breaks a tie). Two edits, in
    a long name: the house exists there and on no other street within three edits (within
    two for a name of :data:`_TWO_EDITS_RIVALS_LETTERS` letters or more: a third edit
    away from so long a name is another name). With two edits only streets whose key
    starts with the letter the written key (``written``) starts with count, as the guess
    or as its rivals: people seldom misspell a name's first letter ("Теженая" is Тележная,
    not Южная three edits away; "Алтайская" is not Балтийская). Tuned on Vologda and St
    Petersburg: two-typo class 98.6 -> 99.3 %, houses of cut streets answered ``house``
    7 -> 3 (the case generator keeps first letters too: a first-letter typo's cost is not
    measured there)."""
    near = [(edits, sids) for edits, sids in ranked if edits <= 3]
    if not near or near[0][0] > 2:
        return None
    best, sids = near[0]
    rivals = [n for n in near[1:] if n[0] == best]
    if best <= 1 and not rivals:
        return best, sids
    if house is None:
        return None
    # the closest streets with the house, nearest first: enough to see the first and
    # whether a rival as close (or, for two edits, close) has the house too
    limit = best if best <= 1 else (2 if letters >= _TWO_EDITS_RIVALS_LETTERS else 3)
    housed: list[tuple[int, list[int]]] = []
    for edits, ids in near:
        if housed and edits > limit:
            break
        kept = [s for s in ids if house_rows(ix, s, house)]
        if best == 2 and written[:1].isalpha():  # (a leading number is a fixed token)
            kept = [s for s in kept if ix.streets[s].key[:1] == written[:1]]  # see _decide
        if not kept:
            continue
        if not housed and edits != best:
            return None
        housed.append((edits, kept))
        if len(housed) > 1:
            return None
    return (best, housed[0][1]) if housed else None

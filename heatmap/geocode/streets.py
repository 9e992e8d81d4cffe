"""Finding a street in the index: exact keys, looser keys, then typos (rapidfuzz)."""

from __future__ import annotations

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from heatmap.geocode.entries import haversine_km
from heatmap.geocode.houses import house_rows, match_house
from heatmap.geocode.index import Index
from heatmap.geocode.keys import street_key, street_loose_key
from heatmap.geocode.parsed import House

S_STREET_LOOSE = 0.95
S_STREET_OTHER_TYPE = 0.93
S_STREET_FUZZY_MAX = 0.88
S_UNNAMED_PLACE = 0.85  # a choice between same-named streets the address does not state
#: Candidates for a misspelt name (rapidfuzz ratio, 0..100), then Damerau-Levenshtein:
#: a name this similar is taken when no other street is as close; a less similar one
#: (two typos) only when the house exists there and the next street is clearly further.
_FUZZY_CUTOFF = 70.0
_FUZZY_SURE = 0.8
_FUZZY_LOOSE = 0.6
_FUZZY_MARGIN = 0.12
#: Two typos are only read in names this long: in a short name they make another word
#: (and the registry lacks many streets of private houses, which a loose match would hide).
_FUZZY_LOOSE_MIN_LETTERS = 8


def find_street(
    ix: Index, name: str, stype: str | None, locs: set[int] | None, named: str | None,
    house: House | None, *, fuzzy: bool = True,
) -> tuple[int, float] | None:
    """The best street id and its score factor, or None."""
    key = street_key(name, stype)
    loose = street_loose_key(name, stype)
    tiers: list[tuple[list[int], float]] = [
        (ix.street_by_key.get(key, []), 1.0),
        (ix.street_by_key.get(loose, []) + ix.street_by_loose.get(loose, [])
         + ix.street_by_loose.get(key, []), S_STREET_LOOSE),
    ]
    fallback: tuple[int, float] | None = None
    for ids, factor in tiers:
        cands = [s for s in ids if locs is None or ix.streets[s].locality in locs]
        if not cands:
            continue
        picked = pick_street(ix, cands, stype, named, house)
        if picked is None:
            return fallback  # same name in distant places: do not guess further
        sid, f = picked
        if house is None or match_house(ix, sid, house)[0]:
            return sid, factor * f
        fallback = fallback or (sid, factor * f)  # a looser name may have the house
    if fallback is not None or locs is None or not key or not fuzzy:
        return fallback
    return fuzzy_street(ix, key, stype, locs, named, house)


def pick_street(
    ix: Index, cands: list[int], stype: str | None, named: str | None, house: House | None
) -> tuple[int, float] | None:
    """Choose among streets with one name: by type, named locality, then house.

    Returns None when the choice is left to chance (far apart, same evidence).
    A choice the address does not state (the house exists on only one of them,
    the street is in a sub-settlement not named) lowers the score.
    """
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
        spread = haversine_km(min(lats), min(lons), max(lats), max(lons))
        if float(spread) > 1.0:
            return None
        factor *= 0.8  # nearby, but still a choice the address did not make
    return cands[0], factor


def _choices(ix: Index, locs: set[int]) -> tuple[frozenset[int], list[str], list[int]]:
    frozen = frozenset(locs)
    choices = ix.fuzzy_choices.get(frozen)
    if choices is None:
        keys: list[str] = []
        ids: list[int] = []
        for lid in locs:
            for sid in ix.localities[lid].streets:
                for k in (ix.streets[sid].key, *ix.streets[sid].alt_keys):
                    if k:
                        keys.append(k)
                        ids.append(sid)
        choices = (keys, ids)
        if len(ix.fuzzy_choices) < 10_000:
            ix.fuzzy_choices[frozen] = choices
    return frozen, *choices


def fuzzy_street(
    ix: Index, key: str, stype: str | None, locs: set[int], named: str | None,
    house: House | None,
) -> tuple[int, float] | None:
    """A misspelt street name: the one street clearly closest, or None."""
    frozen, keys, ids = _choices(ix, locs)
    if not keys:
        return None
    digits = [t for t in key.split() if t.isdigit()]
    hits = ix.fuzzy_hits.get((frozen, key))
    if hits is None:
        hits = process.extract(key, keys, scorer=fuzz.ratio, limit=12,
                               score_cutoff=_FUZZY_CUTOFF)
        if len(ix.fuzzy_hits) < 200_000:
            ix.fuzzy_hits[(frozen, key)] = hits
    # re-rank by Damerau-Levenshtein: a swapped pair of letters is one typo
    best_by_key: dict[str, tuple[float, list[int]]] = {}
    for _k, _s, i in hits:
        if [t for t in keys[i].split() if t.isdigit()] != digits:
            continue
        sim = DamerauLevenshtein.normalized_similarity(key, keys[i])
        skey = ix.streets[ids[i]].key
        old = best_by_key.get(skey)
        if old is None or sim > old[0] + 1e-9:
            best_by_key[skey] = (sim, [ids[i]])
        elif abs(sim - old[0]) <= 1e-9:
            old[1].append(ids[i])
    ranked = sorted(best_by_key.values(), key=lambda t: -t[0])
    chosen = _decide(ix, ranked, house)
    if chosen is None:
        return None
    best, top = chosen
    picked = pick_street(ix, top, stype, named, house)
    if picked is None:
        return None
    sid, f = picked
    return sid, f * S_STREET_FUZZY_MAX * best


def _decide(
    ix: Index, ranked: list[tuple[float, list[int]]], house: House | None
) -> tuple[float, list[int]] | None:
    """The clearly closest street; the house, when given, decides between close ones
    (and, in a long name, picks a less similar one clearly ahead of the rest)."""
    if not ranked:
        return None
    best = ranked[0][0]
    rival = ranked[1][0] if len(ranked) > 1 else 0.0
    if best >= _FUZZY_SURE and rival < best - 1e-9:
        return ranked[0]
    if house is None:
        return None  # two different streets equally close, or too far: do not guess
    housed = [(sim, kept) for sim, sids in ranked
              if (kept := [s for s in sids if house_rows(ix, s, house)])]
    if not housed:
        return None
    h_best = housed[0][0]
    h_rival = housed[1][0] if len(housed) > 1 else 0.0
    if h_best >= _FUZZY_SURE:
        return housed[0] if h_rival < h_best - 1e-9 else None
    clear = h_rival <= h_best - _FUZZY_MARGIN and h_best >= best - _FUZZY_MARGIN
    long_name = len(ix.streets[housed[0][1][0]].key) >= _FUZZY_LOOSE_MIN_LETTERS
    return housed[0] if long_name and h_best >= _FUZZY_LOOSE and clear else None

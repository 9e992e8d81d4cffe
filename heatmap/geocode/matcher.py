"""Offline geocoding against a gazetteer: exact dict lookups first, fuzzy street names last.

Precision rules: a matched house gives ``house``; a matched street without its
house gives ``street`` (median of the street's houses); a matched settlement
alone gives ``settlement``; anything else ``none`` with a reason. A house whose
registry point is shared by many houses answers with that point's coarser precision.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from heatmap.domain import Precision
from heatmap.errors import GeocodeError
from heatmap.geocode.answers import Answer, answers_frame, no_match
from heatmap.geocode.gazetteer import ENTRY_COLUMNS, haversine_km
from heatmap.geocode.normalise import (
    House,
    ParsedAddress,
    looks_foreign,
    parse_address,
    region_key,
    settlement_key,
    street_key,
    street_loose_key,
)

#: Full words of settlement types that can end a settlement's name ("Красное Село").
_SETTLEMENT_WORDS = {"с": "село", "п": "поселок", "д": "деревня", "г": "город", "сл": "слобода"}
_PRECISION_RANK = {"house": 0, "street": 1, "settlement": 2, "none": 3}
#: Score factors by how the parts were matched.
_S_SETTLEMENT_NAMED = 1.0
_S_SETTLEMENT_HINT = 0.97
_S_SETTLEMENT_GUESSED = 0.85  # no settlement in the text: the street is unique in the gazetteer
_S_STREET_LOOSE = 0.95
_S_STREET_OTHER_TYPE = 0.93
_S_STREET_FUZZY_MAX = 0.88
_S_HOUSE_LOOSE = 0.95
_S_HOUSE_RELAXED = 0.8
_S_STREET_LEVEL = 0.6
_S_SETTLEMENT_LEVEL = 0.4
_S_REREAD = 0.95  # the address had to be re-read (settlement hidden in the street, …)
_S_UNNAMED_PLACE = 0.85  # a choice between same-named streets the address does not state
#: Houses of one address spread further than this are not one building.
_SAME_BUILDING_KM = 0.2
_FUZZY_CUTOFF = 82.0


@dataclass(slots=True)
class _Street:
    locality: int
    type: str | None
    key: str
    display: str
    houses: dict[str, int]  # house key -> entry row
    loose: dict[str, list[int]]
    unlettered: dict[str, list[int]]  # house key without the literal ("лит. А")
    base: dict[str, list[int]]
    lat: float
    lon: float
    alt_keys: list[str]  # looser keys (no titles, no type word) for fuzzy matching


@dataclass(slots=True)
class _Locality:
    name: str  # innermost settlement key
    chain: tuple[str, ...]
    region: str
    lat: float
    lon: float
    streets: list[int]


def _coarser(a: str, b: str) -> str:
    return a if _PRECISION_RANK[a] >= _PRECISION_RANK[b] else b


class GazetteerGeocoder:
    """Geocode Russian addresses against gazetteer entries (see :func:`build_gazetteer`).

    ``default_city`` is used when an address names no settlement and no ``city``
    hint is given. Answers are cached per (address, city).
    """

    def __init__(self, entries: pd.DataFrame, *, default_city: str | None = None) -> None:
        missing = [c for c in ENTRY_COLUMNS if c not in entries.columns]
        if missing:
            raise GeocodeError(f"not a gazetteer frame: missing {missing}")
        self.default_city = default_city
        self._lat = entries["lat"].to_numpy(dtype=float)
        self._lon = entries["lon"].to_numpy(dtype=float)
        self._address = entries["address"].astype(str).to_list()
        self._point_precision = entries["point_precision"].astype(str).to_list()
        self._row_house = entries["house"].astype(str).to_list()
        self._localities: list[_Locality] = []
        self._streets: list[_Street] = []
        self._loc_by_name: dict[str, set[int]] = defaultdict(set)
        self._loc_by_region: dict[str, set[int]] = defaultdict(set)
        self._street_by_key: dict[str, list[int]] = defaultdict(list)
        self._street_by_loose: dict[str, list[int]] = defaultdict(list)
        self._fuzzy_choices: dict[frozenset[int], tuple[list[str], list[int]]] = {}
        self._cache: dict[tuple[str | None, str | None], Answer] = {}
        self._fuzzy_hits: dict[tuple[frozenset[int], str], list[tuple[str, float, int]]] = {}
        self._build(entries)

    # ------------------------------------------------------------------ index

    def _build(self, entries: pd.DataFrame) -> None:
        loc_ids: dict[str, int] = {}
        street_ids: dict[tuple[int, str | None, str], int] = {}
        loc_points: dict[int, list[int]] = defaultdict(list)
        street_points: dict[int, list[int]] = defaultdict(list)
        cols = [entries[c].to_list() for c in (
            "locality", "region", "street_type", "street", "street_key", "house",
            "house_loose_key", "house_base", "point_precision",
        )]
        for row, (loc, region, stype, street, skey, house, hloose, hbase, pprec) in enumerate(
            zip(*cols, strict=True)
        ):
            # frames read by other means may carry NaN for missing text
            region = region if isinstance(region, str) else None
            stype = stype if isinstance(stype, str) and stype else None
            street = street if isinstance(street, str) else ""
            skey = skey if isinstance(skey, str) else ""
            lid = loc_ids.get(loc)
            if lid is None:
                lid = loc_ids[loc] = len(self._localities)
                chain = tuple(loc.split("|", 1)[1].split("/"))
                self._localities.append(_Locality(chain[-1], chain, region or "", 0.0, 0.0, []))
                for name in set(chain):
                    self._loc_by_name[name].add(lid)
                self._loc_by_region[region or ""].add(lid)
            skey = skey or ""
            sid = street_ids.get((lid, stype, skey))
            if sid is None:
                sid = street_ids[(lid, stype, skey)] = len(self._streets)
                self._streets.append(
                    _Street(lid, stype, skey, street or "", {}, defaultdict(list),
                            defaultdict(list), defaultdict(list), 0.0, 0.0, [])
                )
                self._localities[lid].streets.append(sid)
                self._street_by_key[skey].append(sid)
                if street:
                    # titles dropped, and the bare name for queries written without a type
                    for alt in {street_loose_key(street, stype), street_key(street)}:
                        if alt != skey and alt:
                            self._street_by_loose[alt].append(sid)
                            self._streets[sid].alt_keys.append(alt)
            st = self._streets[sid]
            st.houses.setdefault(house, row)
            st.loose[hloose].append(row)
            if " л" in house:
                st.unlettered[house.split(" л", 1)[0]].append(row)
            st.base[hbase].append(row)
            if pprec != "settlement":
                street_points[sid].append(row)
            loc_points[lid].append(row)
        for sid, st in enumerate(self._streets):
            rows = street_points.get(sid) or [next(iter(st.houses.values()))]
            st.lat, st.lon = self._median(rows)
        for lid, loc in enumerate(self._localities):
            loc.lat, loc.lon = self._median(loc_points[lid])

    def _median(self, rows: Sequence[int]) -> tuple[float, float]:
        idx = np.asarray(rows, dtype=np.int64)
        return float(np.median(self._lat[idx])), float(np.median(self._lon[idx]))

    # ------------------------------------------------------------------ API

    def geocode(self, addresses: Sequence[str | None], *, city: str | None = None) -> pd.DataFrame:
        """Answer one row per address, in order, with :data:`GEOCODE_COLUMNS`."""
        hint = city if city is not None else self.default_city
        out: list[Answer] = []
        cache = self._cache
        for text in addresses:
            key = (text if isinstance(text, str) else None, hint)
            ans = cache.get(key)
            if ans is None:
                try:
                    ans = self._geocode_one(key[0], hint)
                except Exception as exc:  # a bug must not sink a whole batch
                    ans = no_match(f"internal error: {type(exc).__name__}")
                if len(cache) < 1_000_000:
                    cache[key] = ans
            out.append(ans)
        return answers_frame(out)

    # ------------------------------------------------------------------ one address

    def _geocode_one(self, text: str | None, hint: str | None) -> Answer:
        if text is None or not text.strip():
            return no_match("empty address")
        if looks_foreign(text):
            return no_match("not a Russian address (no Cyrillic text)")
        p = parse_address(text)
        if not p.settlements and not p.street and p.house is None:
            return no_match("no address parts recognised")
        # -------- where to look
        region_locs: set[int] | None = None
        if p.region:
            region_locs = self._loc_by_region.get(p.region)
            if region_locs is None:
                alt = self._loc_by_name.get(p.region)
                if alt is None:
                    return no_match(f"region '{p.region}' is not in the gazetteer")
                region_locs = alt
        settlements, street_name = self._resplit(p)
        best = self._try(p, settlements, street_name, hint, region_locs)
        if best[2] != "house":
            # other readings: "Москва Зеленоград 1606", "СПб Ломоносов Заводская 2"
            # (settlements hidden in the street), "Красное Село" (a type word in the
            # name); keep the most precise
            readings = self._merges(p.settlements, p.street)
            if len(settlements) >= 2:
                # "г. Санкт-Петербург Искровский, д. 30": the last "settlement" is the street
                last = settlements[-1][1]
                readings.append((settlements[:-1], f"{last} {street_name or ''}".strip()))
            if street_name:
                readings += self._peel(settlements, street_name, region_locs)
            for sets, street in readings:
                ans = self._try(p, sets, street, hint, region_locs)
                ans = (ans[0], ans[1], ans[2], round(ans[3] * _S_REREAD, 4), ans[4], ans[5])
                if (_PRECISION_RANK[ans[2]], -ans[3]) < (_PRECISION_RANK[best[2]], -best[3]):
                    best = ans
                elif ans[2] == best[2] == "settlement":
                    best = ans  # the deeper settlement
        return best

    def _try(
        self, p: ParsedAddress, settlements: list[tuple[str | None, str]],
        street_name: str | None, hint: str | None, region_locs: set[int] | None,
    ) -> Answer:
        """Geocode one reading of the address (settlements + street)."""
        locs, named, settle_factor = self._localities_for(settlements, hint, region_locs)
        if locs is not None and not locs:
            unknown = next((n for _t, n in settlements if n not in self._loc_by_name), None)
            if unknown:
                return no_match(f"settlement '{unknown}' is not in the gazetteer")
            return no_match("settlement not in the gazetteer (or not in the region given)")
        settle_fallback = locs is None
        if locs is None:
            locs = region_locs  # None = the whole gazetteer
            settle_factor = _S_SETTLEMENT_GUESSED if region_locs is None else 0.9
        if street_name is None and p.house is not None and locs is not None:
            ans = self._house_without_street(p.house, locs, named, settle_factor)
            if ans is not None:
                return ans
        if street_name:
            found = self._find_street(street_name, p.street_type, locs, named, p.house)
            if found is not None:
                sid, s_factor = found
                return self._answer_street(sid, p.house, settle_factor * s_factor)
            if settle_fallback:
                if self._street_by_key.get(street_key(street_name, p.street_type)):
                    return no_match(f"street '{street_name}' is in several settlements: give a city")
                return no_match(f"street '{street_name}' not found (no settlement given)")
        if locs is not None and not settle_fallback:
            return self._answer_settlement(locs, named, settle_factor)
        return no_match("no settlement recognised")

    def _merges(
        self, given: tuple[tuple[str | None, str], ...], street: str | None
    ) -> list[tuple[list[tuple[str | None, str]], str | None]]:
        """Readings where a settlement type word belongs to the name ("Красное Село")."""
        out: list[tuple[list[tuple[str | None, str]], str | None]] = []
        for i, (stype, name) in enumerate(given):
            own = _SETTLEMENT_WORDS.get(stype or "")
            if own and self._known(f"{name} {own}"):
                merged = (stype, settlement_key(f"{name} {own}"))
                out.append(([*given[:i], merged, *given[i + 1:]], street))
            if i + 1 < len(given):
                ntype, nname = given[i + 1]
                word = _SETTLEMENT_WORDS.get(ntype or "")
                if word and self._known(f"{name} {word}"):
                    merged = (stype, settlement_key(f"{name} {word}"))
                    if i + 2 == len(given):  # "г Красное Село Красногородская 15"
                        out.append(([*given[:i], merged], f"{nname} {street or ''}".strip()))
                    out.append(([*given[:i], merged, (None, nname), *given[i + 2:]], street))
        return out

    def _peel(
        self, settlements: list[tuple[str | None, str]], street: str,
        region_locs: set[int] | None, depth: int = 0,
    ) -> list[tuple[list[tuple[str | None, str]], str | None]]:
        """Readings where leading or trailing words of the street name are settlements."""
        out: list[tuple[list[tuple[str | None, str]], str | None]] = []
        current = self._localities_for(settlements, None, region_locs)[0] if settlements else None
        words = street.split()
        for k in range(1, len(words) + 1):
            splits = ((" ".join(words[:k]), words[k:]), (" ".join(words[-k:]), words[:-k]))
            for name, rest in splits:
                key = settlement_key(name)
                ids = self._loc_by_name.get(key)
                if not ids:
                    continue
                within = ids if current is None else ids & current
                if region_locs is not None:
                    within = within & region_locs
                if not within:
                    continue
                sets = [*settlements, (None, key)]
                left = " ".join(rest) or None
                out.append((sets, left))
                if left and depth < 2:
                    out.extend(self._peel(sets, left, region_locs, depth + 1))
        return out[:12]

    def _known(self, name: str) -> str | None:
        key = settlement_key(name)
        return key if key in self._loc_by_name else None

    def _segment(
        self, words: list[str], within: set[int] | None
    ) -> tuple[list[str], list[str]]:
        """Known settlement names at the start of ``words`` (longest first), and the rest.

        Each name after the first must lie within the ones before ("СПб Сестрорецк").
        """
        found: list[str] = []
        i = 0
        while i < len(words):
            for k in range(len(words), i, -1):
                key = self._known(" ".join(words[i:k]))
                if key is None:
                    continue
                ids = self._loc_by_name[key]
                if within is not None and not ids & within:
                    continue
                within = ids if within is None else ids & within
                found.append(key)
                i = k
                break
            else:
                break
        return found, words[i:]

    def _resplit(self, p: ParsedAddress) -> tuple[list[tuple[str | None, str]], str | None]:
        """Repair settlement names the parser cut or glued.

        "г. Вологда Мира, 5": the street's words went to the settlement;
        "СПб Сестрорецк": two settlements in one group; "Красное Село": the type
        word belongs to the name.
        """
        given = list(p.settlements)
        street = p.street
        out: list[tuple[str | None, str]] = []
        i = 0
        while i < len(given):
            stype, name = given[i]
            if name in self._loc_by_name:
                out.append((stype, name))
                i += 1
                continue
            within: set[int] | None = None
            for _t, prev in out:
                ids = self._loc_by_name.get(prev)
                if ids:
                    within = set(ids) if within is None else (within & ids or within)
            found, rest = self._segment(name.split(), within)
            out.extend((stype if j == len(found) - 1 else None, key) for j, key in enumerate(found))
            if rest:
                if found and i == len(given) - 1:
                    street = f"{' '.join(rest)} {street}" if street else " ".join(rest)
                elif not found:
                    out.append((stype, name))  # unknown: left for the caller to judge
            i += 1
        return out, street

    def _localities_for(
        self, settlements: list[tuple[str | None, str]], hint: str | None,
        region_locs: set[int] | None,
    ) -> tuple[set[int] | None, str | None, float]:
        """Candidate localities, the innermost named settlement, and a score factor."""
        names = [name for _t, name in settlements]
        hint_factor = _S_SETTLEMENT_HINT
        if names:
            cand: set[int] | None = None
            unknown_typed = False
            for (stype, name) in settlements:
                ids = self._loc_by_name.get(name)
                if ids is None:
                    if stype is not None:
                        unknown_typed = True
                    continue
                cand = set(ids) if cand is None else (cand & ids or cand)
            if cand is not None:
                if region_locs is not None:
                    cand &= region_locs
                known = [n for n in names if n in self._loc_by_name]
                return cand, known[-1], _S_SETTLEMENT_NAMED
            if unknown_typed or not hint:
                # "Екатеринбург, Малышева 5": a place the gazetteer does not cover
                return set(), None, 0.0
            hint_factor *= 0.9  # an unknown name, maybe not a settlement: trust the hint less
        for fallback in (hint,) if hint else ():
            ids = self._loc_by_name.get(settlement_key(fallback))
            if ids is None:
                ids = self._loc_by_region.get(region_key(fallback))
            if ids:
                cand = set(ids) if region_locs is None else set(ids) & region_locs
                if cand:
                    return cand, settlement_key(fallback), hint_factor
        return None, None, 0.0

    # ------------------------------------------------------------------ streets

    def _find_street(
        self, name: str, stype: str | None, locs: set[int] | None, named: str | None,
        house: House | None,
    ) -> tuple[int, float] | None:
        """The best street id and its score factor, or None."""
        key = street_key(name, stype)
        loose = street_loose_key(name, stype)
        tiers: list[tuple[list[int], float]] = [
            (self._street_by_key.get(key, []), 1.0),
            (self._street_by_key.get(loose, []) + self._street_by_loose.get(loose, [])
             + self._street_by_loose.get(key, []), _S_STREET_LOOSE),
        ]
        fallback: tuple[int, float] | None = None
        for ids, factor in tiers:
            cands = [s for s in ids if locs is None or self._streets[s].locality in locs]
            if not cands:
                continue
            picked = self._pick_street(cands, stype, named, house)
            if picked is None:
                return fallback  # same name in distant places: do not guess further
            sid, f = picked
            if house is None or self._match_house(sid, house)[0]:
                return sid, factor * f
            fallback = fallback or (sid, factor * f)  # a looser name may have the house
        if fallback is not None or locs is None or not key:
            return fallback
        return self._fuzzy_street(key, stype, locs, named, house)

    def _pick_street(
        self, cands: list[int], stype: str | None, named: str | None, house: House | None
    ) -> tuple[int, float] | None:
        """Choose among streets with one name: by type, named locality, then house.

        Returns None when the choice is left to chance (far apart, same evidence).
        A choice the address does not state (the house exists on only one of them,
        the street is in a sub-settlement not named) lowers the score.
        """
        cands = list(dict.fromkeys(cands))
        factor = 1.0
        if stype and stype != "пр":
            same = [s for s in cands if self._streets[s].type == stype]
            if same:
                cands = same
            elif any(self._streets[s].type for s in cands):
                factor = _S_STREET_OTHER_TYPE
        elif stype == "пр":
            same = [s for s in cands if self._streets[s].type in ("пр-кт", "проезд", "пр")]
            cands = same or cands
        if named:
            inner = [s for s in cands if self._localities[self._streets[s].locality].name == named]
            if inner:
                cands = inner
            else:
                factor *= _S_UNNAMED_PLACE  # "СПб, ул. Коммуны" for Колпино's
        if len(cands) > 1 and house is not None:
            with_house = [s for s in cands if self._house_rows(s, house)]
            if with_house and len(with_house) < len(cands):
                cands = with_house
                factor *= _S_UNNAMED_PLACE  # the registry is not complete: a weak proof
        if len(cands) > 1:
            lats = [self._streets[s].lat for s in cands]
            lons = [self._streets[s].lon for s in cands]
            spread = haversine_km(min(lats), min(lons), max(lats), max(lons))
            if float(spread) > 1.0:
                return None
            factor *= 0.8  # nearby, but still a choice the address did not make
        return cands[0], factor

    def _fuzzy_street(
        self, key: str, stype: str | None, locs: set[int], named: str | None, house: House | None
    ) -> tuple[int, float] | None:
        frozen = frozenset(locs)
        choices = self._fuzzy_choices.get(frozen)
        if choices is None:
            keys: list[str] = []
            ids: list[int] = []
            for lid in locs:
                for sid in self._localities[lid].streets:
                    for k in (self._streets[sid].key, *self._streets[sid].alt_keys):
                        if k:
                            keys.append(k)
                            ids.append(sid)
            choices = (keys, ids)
            if len(self._fuzzy_choices) < 10_000:
                self._fuzzy_choices[frozen] = choices
        keys, ids = choices
        if not keys:
            return None
        digits = [t for t in key.split() if t.isdigit()]
        hits = self._fuzzy_hits.get((frozen, key))
        if hits is None:
            hits = process.extract(key, keys, scorer=fuzz.ratio, limit=8, score_cutoff=_FUZZY_CUTOFF)
            if len(self._fuzzy_hits) < 200_000:
                self._fuzzy_hits[(frozen, key)] = hits
        # re-rank by Damerau-Levenshtein: a swapped pair of letters is one typo
        good = [
            (DamerauLevenshtein.normalized_similarity(key, keys[i]), ids[i]) for _k, _s, i in hits
            if [t for t in keys[i].split() if t.isdigit()] == digits
        ]
        if not good:
            return None
        best = max(sim for sim, _ in good)
        top = [sid for sim, sid in good if sim >= best - 1e-9]
        if len({self._streets[s].key for s in top}) > 1 and house is not None:
            top = [s for s in top if self._house_rows(s, house)]  # the house decides
        if len({self._streets[s].key for s in top}) != 1:
            return None  # two different streets equally close: do not guess
        picked = self._pick_street(top, stype, named, house)
        if picked is None:
            return None
        sid, f = picked
        return sid, f * _S_STREET_FUZZY_MAX * best

    # ------------------------------------------------------------------ houses

    def _house_rows(self, sid: int, house: House) -> list[int]:
        """Rows of this house on the street (exact, loose or without the literal)."""
        st = self._streets[sid]
        row = st.houses.get(house.key)
        if row is not None:
            return [row]
        rows = st.loose.get(house.loose_key)
        if not rows and not house.literal:
            rows = st.unlettered.get(house.key)
        return rows or []

    def _match_house(self, sid: int, house: House) -> tuple[list[int], float]:
        st = self._streets[sid]
        row = st.houses.get(house.key)
        if row is not None:
            return [row], 1.0
        rows = st.loose.get(house.loose_key)
        if rows:
            return rows, _S_HOUSE_LOOSE
        rows = st.unlettered.get(house.key) if not house.literal else None
        if rows:
            return rows, _S_HOUSE_LOOSE * 0.95  # "77 к2" for "77 к2 лит. А"
        base = st.base.get(house.base, [])
        if not base and house.number and not house.corpus:
            # Zelenograd style: "Зеленоград, 1117" means "корп. 1117"
            as_corpus = House("", corpus=house.number.split("/")[0] + house.letter)
            row = st.houses.get(as_corpus.key)
            return ([row], _S_HOUSE_LOOSE) if row is not None else ([], 0.0)
        if not base:
            return [], 0.0
        if house.has_extras or "/" in house.number:
            # "12а" asked, only "12" known (or "12/1" asked, "12" known)
            plain = [r for r in base if self._row_house[r] == house.base]
            return plain, _S_HOUSE_RELAXED
        return base, _S_HOUSE_RELAXED

    def _answer_rows(self, rows: list[int], factor: float) -> Answer | None:
        if len(rows) == 1:
            r = rows[0]
            return (float(self._lat[r]), float(self._lon[r]), self._point_precision[r],
                    factor, self._address[r], None)
        lat, lon = self._median(rows)
        idx = np.asarray(rows)
        spread = haversine_km(self._lat[idx].min(), self._lon[idx].min(),
                              self._lat[idx].max(), self._lon[idx].max())
        if float(spread) > _SAME_BUILDING_KM:
            return None
        prec = "house"
        for r in rows:
            prec = _coarser(prec, self._point_precision[r])
        return (lat, lon, prec, factor * 0.95, self._address[rows[0]], None)

    def _answer_street(self, sid: int, house: House | None, factor: float) -> Answer:
        st = self._streets[sid]
        if house is not None:
            rows, h_factor = self._match_house(sid, house)
            if rows:
                ans = self._answer_rows(rows, factor * h_factor)
                if ans is not None:
                    lat, lon, prec, score, matched, _ = ans
                    if prec != "house":
                        score = min(score, _S_STREET_LEVEL if prec == "street"
                                    else _S_SETTLEMENT_LEVEL)
                    return (lat, lon, prec, round(score, 4), matched, None)
        loc = self._localities[st.locality]
        prec = "street"
        # a street whose every point is a settlement position is only a settlement
        if all(self._point_precision[r] == "settlement" for r in st.houses.values()):
            prec = "settlement"
        score = factor * (_S_STREET_LEVEL if prec == "street" else _S_SETTLEMENT_LEVEL)
        matched = f"{' / '.join(loc.chain)}, {st.type + ' ' if st.type else ''}{st.display}"
        return (st.lat, st.lon, prec, round(score, 4), matched, None)

    def _house_without_street(
        self, house: House, locs: set[int], named: str | None, factor: float
    ) -> Answer | None:
        """Villages numbered without streets: "д. Кийно, д. 12"."""
        cands = [s for s in self._street_by_key.get("", []) if self._streets[s].locality in locs]
        if named:
            inner = [s for s in cands if self._localities[self._streets[s].locality].name == named]
            cands = inner or cands
        if len(cands) > 1:
            cands = [s for s in cands if self._house_rows(s, house)]  # "п. Московский, г. Московский"
        for sid in cands[:1] if len(cands) == 1 else []:
            rows, h_factor = self._match_house(sid, house)
            if rows:
                ans = self._answer_rows(rows, factor * h_factor)
                if ans is not None:
                    lat, lon, prec, score, matched, _ = ans
                    if prec != "house":
                        score = min(score, _S_SETTLEMENT_LEVEL)
                    return (lat, lon, prec, round(score, 4), matched, None)
        return None

    def _answer_settlement(self, locs: set[int], named: str | None, factor: float) -> Answer:
        cands = sorted(locs)
        if named:
            inner = [lid for lid in cands if self._localities[lid].name == named]
            cands = inner or cands
        if len(cands) > 1:
            lats = [self._localities[i].lat for i in cands]
            lons = [self._localities[i].lon for i in cands]
            if float(haversine_km(min(lats), min(lons), max(lats), max(lons))) > 30.0:
                return no_match(f"settlement '{named}' is ambiguous ({len(cands)} places)")
        loc = self._localities[cands[0]]
        matched = " / ".join(loc.chain)
        return (loc.lat, loc.lon, Precision.SETTLEMENT.value,
                round(factor * _S_SETTLEMENT_LEVEL, 4), matched, None)

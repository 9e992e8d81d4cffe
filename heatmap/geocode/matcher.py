"""Offline geocoding against a gazetteer: exact dict lookups first, fuzzy street names last.

Precision rules: a matched house gives ``house``; a matched street without its
house gives ``street`` (median of the street's houses, or the point of a neighbour
house when only the letter or corpus asked for is missing); a matched settlement
alone gives ``settlement``; anything else ``none``. Every answer below ``house``
carries a reason in Russian. A house whose registry point is shared by many houses
answers with that point's coarser precision. An address naming no settlement is
looked for in the gazetteer's dominant city first (see :data:`.index.DOMINANT_SHARE`).

The index lives in :mod:`.index`, streets are found by :mod:`.streets`, houses and
answers by :mod:`.houses`; this module reads an address in its possible ways.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heatmap.geocode.answers import Answer, answers_frame, no_match
from heatmap.geocode.compact import index_columns
from heatmap.geocode.entries import INDEX_COLUMNS
from heatmap.geocode.houses import (
    answer_settlement,
    answer_street,
    house_without_street,
    rank,
)
from heatmap.geocode.index import Locs, build_index
from heatmap.geocode.normalise import (
    ParsedAddress,
    fold,
    looks_foreign,
    parse_address,
    region_key,
    settlement_key,
    street_key,
)
from heatmap.geocode.streets import find_street, guess_street, named_street
from heatmap.geocode.vocabulary import NAMEABLE_TYPES, TYPE_WORDS

if TYPE_CHECKING:
    import pandas as pd

#: Full words of settlement types that can end a settlement's name ("Красное Село").
_SETTLEMENT_WORDS = {"с": "село", "п": "поселок", "д": "деревня", "г": "город", "сл": "слобода"}
#: Score factors by how the settlement was found.
_S_SETTLEMENT_NAMED = 1.0
_S_SETTLEMENT_HINT = 0.97
_S_SETTLEMENT_GUESSED = 0.85  # no settlement in the text: dominant city or a unique street
_S_REREAD = 0.95  # the address had to be re-read (settlement hidden in the street, …)

Settlements = list[tuple[str | None, str]]


def _reread(ans: Answer) -> Answer:
    """The answer of a reading other than the parser's: a lower score."""
    lat, lon, precision, score, matched, reason = ans
    return (lat, lon, precision, round(score * _S_REREAD, 4), matched, reason)


class GazetteerGeocoder:
    """Geocode Russian addresses against gazetteer entries (see :func:`build_gazetteer`).

    ``default_city`` is used when an address names no settlement and no ``city``
    hint is given. Answers are cached per (address as :func:`.keys.fold` writes it,
    city): addresses written alike, whatever their case and spaces, are answered once.
    """

    def __init__(
        self,
        entries: pd.DataFrame | Mapping[str, Sequence[Any]],
        *,
        default_city: str | None = None,
    ) -> None:
        self.default_city = default_city
        if not isinstance(entries, Mapping):  # a frame
            frame = entries
            entries = {c: frame[c].to_list() for c in INDEX_COLUMNS if c in frame.columns}
        self._ix = build_index(entries)
        self._cache: dict[tuple[str | None, str | None], Answer] = {}

    @classmethod
    def from_parquet(cls, path: str | Path, *, default_city: str | None = None) -> GazetteerGeocoder:
        """A geocoder over a gazetteer file: its compact columns when they are beside it
        (see :mod:`.compact`), else the Parquet file read with Arrow alone (no pandas)."""
        return cls(index_columns(path), default_city=default_city)

    def geocode(self, addresses: Sequence[str | None], *, city: str | None = None) -> pd.DataFrame:
        """Answer one row per address, in order, with :data:`GEOCODE_COLUMNS`."""
        return answers_frame(self.answers(addresses, city=city))

    def answers(self, addresses: Sequence[str | None], *, city: str | None = None) -> list[Answer]:
        """The answers as tuples (lat, lon, precision, score, matched, reason)."""
        hint = city if city is not None else self.default_city
        out: list[Answer] = []
        cache = self._cache
        for text in addresses:
            # the parser reads an address as fold() writes it (lower case, ё as е, single
            # spaces): addresses written alike are answered once
            key = (fold(text) if isinstance(text, str) else None, hint)
            ans = cache.get(key)
            if ans is None:
                try:
                    ans = self._geocode_one(key[0], hint)
                except Exception as exc:  # a bug must not sink a whole batch
                    ans = no_match(f"внутренняя ошибка геокодера: {type(exc).__name__}")
                if len(cache) < 1_000_000:
                    cache[key] = ans
            out.append(ans)
        return out

    # ------------------------------------------------------------------ one address

    def _geocode_one(self, text: str | None, hint: str | None) -> Answer:
        if text is None or not text.strip():
            return no_match("пустой адрес")
        if looks_foreign(text):
            return no_match("не российский адрес (нет кириллицы)")
        p = parse_address(text, folded=True)
        if not p.settlements and not p.street and p.house is None:
            return no_match("в адресе не распознано ни одной части")
        # -------- where to look
        region_locs: Locs | None = None
        if p.region:
            region_locs = self._ix.loc_by_region.get(p.region)
            if region_locs is None:
                alt = self._ix.loc_by_name.get(p.region)
                if alt is None:
                    return no_match(f"региона «{p.region}» нет в справочнике")
                region_locs = alt
        settlements, street_name = self._resplit(p)
        if not settlements and street_name:
            led = self._led_by_settlement(p, street_name, hint, region_locs)
            if led is not None:
                return led
        best = self._try(p, settlements, street_name, hint, region_locs)
        if best[2] != "house":
            # other readings: "Москва Зеленоград 1606", "СПб Ломоносов Заводская 2"
            # (settlements hidden in the street), "Красное Село" (a type word in the
            # name); keep the most precise
            readings = self._merges(p.settlements, p.street)
            last_type, last = settlements[-1] if settlements else ("", "")
            if len(settlements) >= 2 or (
                last_type is None and street_name and last not in self._ix.loc_by_name
            ):
                # "г. Санкт-Петербург Искровский, д. 30": the last "settlement" is the street;
                # "Первый микрорайон ГПЗ-23, д. 1": an unknown untyped one is the name's start
                readings.append((settlements[:-1], f"{last} {street_name or ''}".strip()))
            if street_name:
                readings += self._peel(settlements, street_name, region_locs)
            for sets, street in readings:
                ans = _reread(self._try(p, sets, street, hint, region_locs))
                if (rank(ans[2]), -ans[3]) < (rank(best[2]), -best[3]):
                    best = ans
                elif ans[2] == best[2] == "settlement":
                    best = ans  # the deeper settlement
        return best

    def _led_by_settlement(
        self, p: ParsedAddress, street_name: str, hint: str | None, region_locs: Locs | None
    ) -> Answer | None:
        """ "Архангельск Локомотивная у. 45": a settlement leads the street's words. Read so
        first (as a re-reading), not after a vain search for the whole name; the house, or
        None. A settlement alone before a type word that names streets ("Кировск Набережная
        д. 3": read as its type) leaves that word as the name."""
        found, rest = self._segment(street_name.split(), region_locs)
        if found and not rest and TYPE_WORDS.get(p.street_type or "") in NAMEABLE_TYPES:
            rest = [TYPE_WORDS[p.street_type or ""]]
        if not found or not rest:
            return None
        ans = self._try(p, [(None, k) for k in found], " ".join(rest), hint, region_locs)
        return _reread(ans) if ans[2] == "house" else None

    def _try(
        self,
        p: ParsedAddress,
        settlements: Settlements,
        street_name: str | None,
        hint: str | None,
        region_locs: Locs | None,
    ) -> Answer:
        """Geocode one reading of the address (settlements + street)."""
        ix = self._ix
        locs, named, settle_factor = self._localities_for(settlements, hint, region_locs)
        if locs is not None and not locs:
            unknown = next((n for _t, n in settlements if n not in ix.loc_by_name), None)
            if unknown:
                return no_match(f"населённого пункта «{unknown}» нет в справочнике")
            return no_match("населённого пункта нет в справочнике (или в указанном регионе)")
        if locs is None and region_locs is None and (ix.dominant is not None or not p.settlements):
            ans = self._without_settlement(p, street_name)
            if ans is not None:
                return ans
        settle_fallback = locs is None
        if locs is None:
            locs = region_locs  # None = the whole gazetteer
            settle_factor = _S_SETTLEMENT_GUESSED if region_locs is None else 0.9
        if street_name is None and p.house is not None and locs is not None:
            ans = house_without_street(ix, p.house, locs, named, settle_factor)
            if ans is not None:
                return ans
        if street_name:
            found = find_street(ix, street_name, p.street_type, locs, named, p.house)
            if found is not None:
                sid, s_factor = found
                return answer_street(ix, sid, p.house, settle_factor * s_factor)
            if settle_fallback:
                if ix.street_by_key.get(street_key(street_name, p.street_type)):
                    return no_match(
                        f"улица «{street_name}» есть в нескольких населённых пунктах: укажите город"
                    )
                return no_match(f"улица «{street_name}» не найдена (город не указан)")
        if locs is not None and not settle_fallback:
            reason = (
                f"улица «{street_name}» не найдена в населённом пункте"
                if street_name
                else "улица не указана: точка населённого пункта"
            )
            return answer_settlement(ix, locs, named, settle_factor, reason)
        return no_match("населённый пункт не распознан")

    def _without_settlement(self, p: ParsedAddress, street_name: str | None) -> Answer | None:
        """No settlement named: the dominant city's street, else one unique in the gazetteer,
        else a misspelt name in the dominant city; with no dominant city, anywhere in the
        gazetteer (as when only its region is named: "Ленинградская обл., ул. Жданрва 5")."""
        ix = self._ix
        if not street_name:
            return None
        city = ix.dominant
        stype, house = p.street_type, p.house
        key = street_key(street_name, stype)
        found, settled = named_street(ix, street_name, stype, key, city, None, house)
        if found is None and city is not None and len(city) < len(ix.localities):
            found = named_street(ix, street_name, stype, key, None, None, house)[0]
        if found is None and ix.street_by_key.get(key):
            return None  # the name is elsewhere, in several places: say so
        if found is None and not settled and key:  # a misspelt name in the city
            found = guess_street(ix, street_name, key, stype, city or ix.everywhere, None, house)
        if found is None:
            return None
        sid, s_factor = found
        return answer_street(ix, sid, p.house, _S_SETTLEMENT_GUESSED * s_factor)

    def _merges(
        self, given: tuple[tuple[str | None, str], ...], street: str | None
    ) -> list[tuple[list[tuple[str | None, str]], str | None]]:
        """Readings where a settlement type word belongs to the name ("Красное Село")."""
        out: list[tuple[list[tuple[str | None, str]], str | None]] = []
        for i, (stype, name) in enumerate(given):
            own = _SETTLEMENT_WORDS.get(stype or "")
            if own and self._known(f"{name} {own}"):
                merged = (stype, settlement_key(f"{name} {own}"))
                out.append(([*given[:i], merged, *given[i + 1 :]], street))
            if i + 1 < len(given):
                ntype, nname = given[i + 1]
                word = _SETTLEMENT_WORDS.get(ntype or "")
                if word and self._known(f"{name} {word}"):
                    merged = (stype, settlement_key(f"{name} {word}"))
                    if i + 2 == len(given):  # "г Красное Село Красногородская 15"
                        out.append(([*given[:i], merged], f"{nname} {street or ''}".strip()))
                    out.append(([*given[:i], merged, (None, nname), *given[i + 2 :]], street))
        return out

    def _peel(
        self,
        settlements: list[tuple[str | None, str]],
        street: str,
        region_locs: Locs | None,
        depth: int = 0,
    ) -> list[tuple[list[tuple[str | None, str]], str | None]]:
        """Readings where leading or trailing words of the street name are settlements."""
        out: list[tuple[list[tuple[str | None, str]], str | None]] = []
        current = self._localities_for(settlements, None, region_locs)[0] if settlements else None
        words = street.split()
        for k in range(1, len(words) + 1):
            splits = ((" ".join(words[:k]), words[k:]), (" ".join(words[-k:]), words[:-k]))
            for name, rest in splits:
                key = settlement_key(name)
                ids = self._ix.loc_by_name.get(key)
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
        return key if key in self._ix.loc_by_name else None

    def _segment(self, words: list[str], within: Locs | None) -> tuple[list[str], list[str]]:
        """Known settlement names at the start of ``words`` (longest first), and the rest.

        Each name after the first must lie within the ones before ("СПб Сестрорецк").
        """
        found: list[str] = []
        i = 0
        heads = self._ix.settlement_heads
        while i < len(words):
            head = words[i].replace("-", " ").replace(".", " ").split()
            if head and head[0] not in heads:
                break  # no settlement name (nor alias) starts with this word
            for k in range(len(words), i, -1):
                key = self._known(" ".join(words[i:k]))
                if key is None:
                    continue
                ids = self._ix.loc_by_name[key]
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
            if name in self._ix.loc_by_name:
                out.append((stype, name))
                i += 1
                continue
            within: Locs | None = None
            for _t, prev in out:
                ids = self._ix.loc_by_name.get(prev)
                if ids:
                    within = ids if within is None else (within & ids or within)
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
        self,
        settlements: list[tuple[str | None, str]],
        hint: str | None,
        region_locs: Locs | None,
    ) -> tuple[Locs | None, str | None, float]:
        """Candidate localities, the innermost named settlement, and a score factor."""
        hint_factor = _S_SETTLEMENT_HINT
        if settlements:
            cand: Locs | None = None
            unknown_typed = False
            known = ""  # the innermost name the gazetteer knows
            for stype, name in settlements:
                ids = self._ix.loc_by_name.get(name)
                if ids is None:
                    if stype is not None:
                        unknown_typed = True
                    continue
                # the index's own set when one name is known (never changed here)
                cand = ids if cand is None else (cand & ids or cand)
                known = name
            if cand is not None:
                if region_locs is not None:
                    cand = cand & region_locs
                return cand, known, _S_SETTLEMENT_NAMED
            if unknown_typed or not hint:
                # "Екатеринбург, Малышева 5": a place the gazetteer does not cover
                return set(), None, 0.0
            hint_factor *= 0.9  # an unknown name, maybe not a settlement: trust the hint less
        for fallback in (hint,) if hint else ():
            ids = self._ix.loc_by_name.get(settlement_key(fallback))
            if ids is None:
                ids = self._ix.loc_by_region.get(region_key(fallback))
            if ids:
                cand = set(ids) if region_locs is None else set(ids) & region_locs
                if cand:
                    return cand, settlement_key(fallback), hint_factor
        return None, None, 0.0

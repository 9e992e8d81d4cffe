"""Houses on a matched street, and the answers (point, precision, score, reason) they give.

Precision before recall: ``house`` only when the house is that building — its key
matched exactly, or with its letter, literal and letter corpus in one slot. When
the letter or corpus asked for is not in the registry ("12а" asked, only "12"
known), the answer is ``street`` at that neighbour's point with a reason, never a
confident ``house`` on another building.
"""

from __future__ import annotations

from heatmap.domain import Precision
from heatmap.geocode.answers import Answer, no_match
from heatmap.geocode.entries import distance_km
from heatmap.geocode.index import Index, Locs
from heatmap.geocode.parsed import House, house_keys

_PRECISION_RANK = {"house": 0, "street": 1, "settlement": 2, "none": 3}
S_HOUSE_LOOSE = 0.95
S_STREET_LEVEL = 0.6
S_SETTLEMENT_LEVEL = 0.4
#: Houses of one address spread further than this are not one building.
_SAME_BUILDING_KM = 0.2


def rank(precision: str) -> int:
    return _PRECISION_RANK[precision]


def _coarser(a: str, b: str) -> str:
    return a if _PRECISION_RANK[a] >= _PRECISION_RANK[b] else b


def shown(house: House) -> str:
    """The house as a person reads it: "12а к1 стр. 2 лит. Б"."""
    parts = [house.number + house.letter] if house.number else []
    if house.corpus:
        parts.append(f"корп. {house.corpus}")
    if house.building:
        parts.append(f"стр. {house.building}")
    if house.literal:
        parts.append(f"лит. {house.literal}")
    return " ".join(parts)


def house_rows(ix: Index, sid: int, house: House) -> list[int]:
    """Rows of this very house on the street (exact, loose or without the literal)."""
    st = ix.streets[sid]
    exact, loose = house_keys(house)
    row = st.houses.get(exact)
    if row is not None:
        return [row]
    rows = st.loose.get(loose)
    if not rows and not house.literal:
        rows = st.unlettered.get(exact)
    return rows or []


def match_house(ix: Index, sid: int, house: House) -> tuple[list[int], float, bool]:
    """Rows for the house, a score factor, and whether they are that building."""
    st = ix.streets[sid]
    exact, loose = house_keys(house)
    row = st.houses.get(exact)
    if row is not None:
        return [row], 1.0, True
    rows = st.loose.get(loose)
    if rows:
        return rows, S_HOUSE_LOOSE, True
    rows = st.unlettered.get(exact) if not house.literal else None
    if rows:
        return rows, S_HOUSE_LOOSE * 0.95, True  # "77 к2" for "77 к2 лит. А"
    base = st.base.get(house.base, [])
    if not base and house.number and not house.corpus:
        # Zelenograd style: "Зеленоград, 1117" means "корп. 1117"
        as_corpus = House("", corpus=house.number.split("/")[0] + house.letter)
        row = st.houses.get(as_corpus.key)
        return ([row], S_HOUSE_LOOSE, True) if row is not None else ([], 0.0, False)
    if house.has_extras or "/" in house.number:
        # "12а" asked, only "12" known: a neighbour, not this building
        return [r for r in base if ix.row_house[r] == house.base], 1.0, False
    return base, 1.0, False  # "12" asked, only "12а", "12б" known


def answer_rows(ix: Index, rows: list[int], factor: float) -> Answer | None:
    """One building's answer from its rows (None when they are far apart)."""
    if len(rows) == 1:
        r = rows[0]
        return (ix.lat[r], ix.lon[r], ix.point_precision[r], factor, ix.address[r], None)
    lat, lon = ix.median(rows)
    lats = [ix.lat[r] for r in rows]
    lons = [ix.lon[r] for r in rows]
    if distance_km(min(lats), min(lons), max(lats), max(lons)) > _SAME_BUILDING_KM:
        return None
    prec = "house"
    for r in rows:
        prec = _coarser(prec, ix.point_precision[r])
    return (lat, lon, prec, factor * 0.95, ix.address[rows[0]], None)


def _capped(ans: Answer, reason: str | None) -> Answer:
    """An answer whose registry point is coarser than a house scores like its precision."""
    lat, lon, prec, score, matched, _ = ans
    if prec == "house":
        return (lat, lon, prec, round(score, 4), matched, None)
    cap = S_STREET_LEVEL if prec == "street" else S_SETTLEMENT_LEVEL
    why = reason or "у дома в справочнике нет своей точки (она общая для нескольких домов)"
    return (lat, lon, prec, round(min(score, cap), 4), matched, why)


def answer_street(ix: Index, sid: int, house: House | None, factor: float) -> Answer:
    """The house on the street, else the street (its houses' median point)."""
    st = ix.streets[sid]
    reason = "номер дома не указан: точка улицы"
    if house is not None:
        rows, h_factor, same = match_house(ix, sid, house)
        if same and len(rows) == 1 and ix.point_precision[rows[0]] == "house":
            r = rows[0]  # (most answers) what answer_rows and _capped give, without the calls
            return (ix.lat[r], ix.lon[r], "house", round(factor * h_factor, 4), ix.address[r], None)
        ans = answer_rows(ix, rows, factor * h_factor) if rows else None
        if ans is not None and same:
            return _capped(ans, None)
        if ans is not None:
            lat, lon, _prec, _score, matched, _ = ans
            near = ix.row_house[rows[0]]
            return (
                lat,
                lon,
                Precision.STREET.value,
                round(factor * S_STREET_LEVEL, 4),
                matched,
                f"дома {shown(house)} нет в справочнике, показан дом {near} той же улицы: точность до улицы",
            )
        reason = (
            f"дома {shown(house)} нет в справочнике на этой улице: точка улицы"
            if not rows
            else f"дом {shown(house)}: несколько зданий далеко друг от друга, точка улицы"
        )
    loc = ix.localities[st.locality]
    prec = "street"
    # a street whose every point is a settlement position is only a settlement
    if all(ix.point_precision[r] == "settlement" for r in st.houses.values()):
        prec = "settlement"
        reason = "у улицы в справочнике только точка населённого пункта"
    score = factor * (S_STREET_LEVEL if prec == "street" else S_SETTLEMENT_LEVEL)
    matched = f"{' / '.join(loc.chain)}, {st.type + ' ' if st.type else ''}{st.display}"
    return (st.lat, st.lon, prec, round(score, 4), matched, reason)


def house_without_street(
    ix: Index, house: House, locs: Locs, named: str | None, factor: float
) -> Answer | None:
    """Villages numbered without streets: "д. Кийно, д. 12"."""
    cands = [s for s in ix.street_by_key.get("", []) if ix.streets[s].locality in locs]
    if named:
        inner = [s for s in cands if ix.locality_of(s).name == named]
        cands = inner or cands
    if len(cands) > 1:
        cands = [s for s in cands if house_rows(ix, s, house)]  # "п. Московский, г. Московский"
    if len(cands) != 1:
        return None
    rows, h_factor, same = match_house(ix, cands[0], house)
    ans = answer_rows(ix, rows, factor * h_factor) if rows and same else None
    if ans is None:
        return None
    return _capped(ans, "у дома в справочнике только точка населённого пункта")


def answer_settlement(ix: Index, locs: Locs, named: str | None, factor: float, reason: str) -> Answer:
    """The settlement's point (median of its houses), or none when the name is ambiguous."""
    cands = sorted(locs)
    if named:
        inner = [lid for lid in cands if ix.localities[lid].name == named]
        cands = inner or cands
    if len(cands) > 1:
        lats = [ix.localities[i].lat for i in cands]
        lons = [ix.localities[i].lon for i in cands]
        if distance_km(min(lats), min(lons), max(lats), max(lons)) > 30.0:
            return no_match(f"населённый пункт «{named}» неоднозначен ({len(cands)} мест)")
    loc = ix.localities[cands[0]]
    return (
        loc.lat,
        loc.lon,
        Precision.SETTLEMENT.value,
        round(factor * S_SETTLEMENT_LEVEL, 4),
        " / ".join(loc.chain),
        reason,
    )

"""The matcher's index over gazetteer entries: localities, streets, houses, dict lookups."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from heatmap.errors import GeocodeError
from heatmap.geocode.entries import INDEX_COLUMNS
from heatmap.geocode.keys import street_key, street_loose_key
from heatmap.geocode.vocabulary import SETTLEMENT_ALIASES

#: Localities to look in: a set of the index's own (never changed by the matcher) or a new one.
Locs = AbstractSet[int]
#: A city holding this share of the gazetteer's houses is where an address without a
#: settlement is looked for first ("a gazetteer of one city, or one dominant city").
DOMINANT_SHARE = 0.6


@dataclass(slots=True)
class Street:
    locality: int
    type: str | None
    key: str
    display: str
    houses: dict[str, int]  # house key -> entry row
    loose: dict[str, list[int]]
    unlettered: dict[str, list[int]]  # house key without the literal ("лит. А")
    base: dict[str, list[int]]
    lat: float = 0.0
    lon: float = 0.0
    alt_keys: list[str] = field(default_factory=list)  # looser keys for fuzzy matching
    numbers: tuple[str, ...] = ()  # the numbers of its key ("2 линия" -> ("2",))


@dataclass(slots=True)
class Locality:
    name: str  # innermost settlement key
    chain: tuple[str, ...]
    region: str
    lat: float = 0.0
    lon: float = 0.0
    streets: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Index:
    """Everything the matcher looks up, built once per gazetteer."""

    lat: list[float]
    lon: list[float]
    address: list[str]
    point_precision: list[str]
    row_house: list[str]
    localities: list[Locality] = field(default_factory=list)
    streets: list[Street] = field(default_factory=list)
    loc_by_name: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    loc_by_region: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    street_by_key: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    street_by_loose: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: Localities of the dominant city (None when no city dominates).
    #: First words of the settlement names and of their aliases ("санкт", "спб").
    settlement_heads: frozenset[str] = frozenset()
    dominant: frozenset[int] | None = None
    dominant_name: str | None = None
    #: Every locality (where a misspelt name is looked for when no settlement is named and
    #: none dominates).
    everywhere: frozenset[int] = frozenset()
    fuzzy_choices: dict[frozenset[int], tuple[list[str], list[int]]] = field(default_factory=dict)
    fuzzy_hits: dict[tuple[frozenset[int], str], list[tuple[str, float, int]]] = field(default_factory=dict)
    #: Per set of localities and first letter: its fuzzy choices starting so, and their positions.
    fuzzy_by_start: dict[tuple[frozenset[int], str], tuple[list[str], list[int]]] = field(
        default_factory=dict
    )
    #: Per set of localities: each street key and its one-letter deletions -> positions in
    #: the localities' fuzzy choices (misspelt names one edit away, found by dict lookups).
    fuzzy_one_edit: dict[frozenset[int], dict[str, list[int]]] = field(default_factory=dict)

    def median(self, rows: Sequence[int]) -> tuple[float, float]:
        if len(rows) == 1:
            return self.lat[rows[0]], self.lon[rows[0]]
        return _median([self.lat[r] for r in rows]), _median([self.lon[r] for r in rows])

    def locality_of(self, sid: int) -> Locality:
        return self.localities[self.streets[sid].locality]


def _median(values: list[float]) -> float:
    """The median (the mean of the two middle values for an even count), as numpy's."""
    values.sort()
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2.0


def _text(value: object) -> str | None:
    """Frames read by other means may carry NaN for missing text."""
    return value if isinstance(value, str) else None


def build_index(columns: Mapping[str, Sequence[Any]]) -> Index:
    """Index gazetteer entries given as columns (lists) of :data:`.entries.INDEX_COLUMNS`."""
    missing = [c for c in INDEX_COLUMNS if c not in columns]
    if missing:
        raise GeocodeError(f"not a gazetteer frame: missing {missing}")
    ix = Index(
        lat=[float(x) for x in columns["lat"]],
        lon=[float(x) for x in columns["lon"]],
        address=[str(a) for a in columns["address"]],
        point_precision=[str(p) for p in columns["point_precision"]],
        row_house=[str(h) for h in columns["house"]],
    )
    loc_ids: dict[str, int] = {}
    street_ids: dict[tuple[int, str | None, str], int] = {}
    loc_points: dict[int, list[int]] = defaultdict(list)
    street_points: dict[int, list[int]] = defaultdict(list)
    cols = [
        columns[c]
        for c in (
            "locality",
            "region",
            "street_type",
            "street",
            "street_key",
            "house",
            "house_loose_key",
            "house_base",
            "point_precision",
        )
    ]
    for row, (loc, region, stype, street, skey, house, hloose, hbase, pprec) in enumerate(
        zip(*cols, strict=True)
    ):
        lid = loc_ids.get(loc)
        if lid is None:
            lid = loc_ids[loc] = _add_locality(ix, loc, _text(region) or "")
        stype = _text(stype) or None
        skey = _text(skey) or ""
        sid = street_ids.get((lid, stype, skey))
        if sid is None:
            sid = street_ids[(lid, stype, skey)] = _add_street(ix, lid, stype, skey, _text(street) or "")
        st = ix.streets[sid]
        st.houses.setdefault(house, row)
        st.loose[hloose].append(row)
        if " л" in house:
            st.unlettered[house.split(" л", 1)[0]].append(row)
        st.base[hbase].append(row)
        if pprec != "settlement":
            street_points[sid].append(row)
        loc_points[lid].append(row)
    for sid, st in enumerate(ix.streets):
        st.lat, st.lon = ix.median(street_points.get(sid) or [next(iter(st.houses.values()))])
    for lid, loc in enumerate(ix.localities):
        loc.lat, loc.lon = ix.median(loc_points[lid])
    _find_dominant(ix, {lid: len(rows) for lid, rows in loc_points.items()})
    ix.everywhere = frozenset(range(len(ix.localities)))
    names = [*ix.loc_by_name, *SETTLEMENT_ALIASES]
    ix.settlement_heads = frozenset(name.split()[0] for name in names if name)
    return ix


def _add_locality(ix: Index, loc: str, region: str) -> int:
    lid = len(ix.localities)
    chain = tuple(loc.split("|", 1)[1].split("/"))
    ix.localities.append(Locality(chain[-1], chain, region))
    for name in set(chain):
        ix.loc_by_name[name].add(lid)
    ix.loc_by_region[region].add(lid)
    return lid


def _add_street(ix: Index, lid: int, stype: str | None, skey: str, street: str) -> int:
    sid = len(ix.streets)
    st = Street(lid, stype, skey, street, {}, defaultdict(list), defaultdict(list), defaultdict(list))
    st.numbers = tuple(t for t in skey.split() if t.isdigit())
    ix.streets.append(st)
    ix.localities[lid].streets.append(sid)
    ix.street_by_key[skey].append(sid)
    if street:
        # titles dropped, and the bare name for queries written without a type; misspelt
        # names are compared with these keeping the given names ("Карла Маркса")
        for alt in {street_loose_key(street, stype, given_names=True), street_key(street)}:
            if alt != skey and alt:
                ix.street_by_loose[alt].append(sid)
                st.alt_keys.append(alt)
        surname = street_loose_key(street, stype)  # "Максима Горького" ~ "М.Горького"
        if surname != skey and surname not in st.alt_keys:
            ix.street_by_loose[surname].append(sid)
    return sid


def _find_dominant(ix: Index, houses: dict[int, int]) -> None:
    """The city (with the settlements inside it) holding most of the houses, if it dominates."""
    by_city: Counter[tuple[str, str]] = Counter()
    for lid, n in houses.items():
        loc = ix.localities[lid]
        by_city[(loc.region, loc.chain[0])] += n
    if not by_city:
        return
    (region, city), n = by_city.most_common(1)[0]
    if n >= DOMINANT_SHARE * sum(by_city.values()):
        ix.dominant = frozenset(
            lid for lid, loc in enumerate(ix.localities) if loc.region == region and loc.chain[0] == city
        )
        ix.dominant_name = city

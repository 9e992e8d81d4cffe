"""Parse free-text Russian addresses into components and normalised keys.

Everything here is a pure function of its input: no gazetteer, no I/O.
The parser is forgiving by design — it never raises on strange text; what it
cannot place ends up in :attr:`ParsedAddress.unparsed`.

Vocabulary (lower case, ``ё`` already folded to ``е``):

* settlement types ``г``, ``п``, ``д``, ``с``, ``пгт``, ``рп`` …, canonicalised;
* street types ``ул``, ``пр-кт``, ``пер``, ``б-р``, ``ш``, ``наб``, ``пл`` …;
* house parts ``д``/``дом``, ``корп``/``к``, ``стр``, ``лит``;
* ignored parts ``кв``, ``под``, ``эт``, ``оф`` and postal codes.

``д.`` is *дом* when a number follows and *деревня* when a name follows;
``с.`` and ``п.`` are resolved the same way (*строение*/*село*, *подъезд*/*посёлок*).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from heatmap.geocode.keys import (
    fold,
    region_key,
    settlement_key,
    street_key,
    street_loose_key,
)
from heatmap.geocode.vocabulary import (
    BUILDING_MARKERS,
    CORPUS_MARKERS,
    DISTRICT_TYPES,
    FEDERAL_CITIES,
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

__all__ = [
    "House",
    "ParsedAddress",
    "fold",
    "looks_foreign",
    "parse_address",
    "region_key",
    "settlement_key",
    "street_key",
    "street_loose_key",
    "tokenize",
]

# --------------------------------------------------------------------------- regexes

_PARENS = re.compile(r"\([^)]*\)?")
_INITIALS = re.compile(r"(?<![а-яa-z0-9])[а-я]\.\s?[а-я]\.(?=\s?[а-я]{3,})")
_STREET_INITIAL = re.compile(
    r"(?<![а-я])(ул|улица|пр-кт|пр-т|просп|проспект|пер|переулок|б-р|бульвар|наб|пл|ш)"
    r"(\.?\s*)[а-я]\.(?=[а-я]{3,})"
)
#: Saint Petersburg's "В.О." (Васильевский остров) and "П.С." (Петроградская сторона).
_VO = re.compile(r"(?<![а-я])в\.\s?о\.?(?![а-я])|васильевского\s+острова")
_PS = re.compile(r"(?<![а-я])п\.\s?с\.?(?![а-я])|петроградской\s+стороны")
_PUNCT = re.compile(r"[^\w\s,;/\-]")
_DASH_TABLE = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_SPACED_DASH = re.compile(r"\s-\s|\s-(?=\D)|(?<=\D)-\s")
#: "12к1", "12корп1", "12стр2", "12лит а" glued together.
_GLUED_HOUSE = re.compile(
    r"^(\d[\d/\-]*[а-я]?)(корп|кор|к|стр|с|лит)(\d+[а-я]?|[а-я])$"
)
_LETTER_CORPUS = re.compile(r"^([а-я])(корп|к|стр|с)(\d+[а-я]?)$")
_GLUED_MARKER = re.compile(r"^(д|дом|кв|корп|к|стр|лит)(\d+[а-я]?(?:/\d+)?)$")
#: A house number: "12", "12а", "12-а", "12/1", "12/1а", "24а/б"; a hyphenated second
#: number is a range ("22-24", "2/73-75") or a flat ("7-15", "19/20-171") and is dropped.
_HOUSE_NUMBER = re.compile(
    r"^(\d+)(?:-\d+)?(?:-?([а-я]))?(?:/(?:(\d+)(?:-\d+)?(?:-?([а-я]))?|([а-я])))?(?:-\d+)?$"
)
_LATIN_LOOKALIKE = str.maketrans("abcekmhoptxy", "абсекмнортху")
_LETTER_FLAT = re.compile(r"^([а-я])-\d+$")
_POSTAL = re.compile(r"^\d{6}$")
_HAS_CYRILLIC = re.compile(r"[а-я]")
_LATIN_WORD = re.compile(r"[a-z]{2,}")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class House:
    """A house number split into its parts (all lower case, may be empty)."""

    number: str = ""  #: "12", "13/15"
    letter: str = ""  #: "а" in "12а"
    corpus: str = ""  #: "1" in "корп. 1" (may be a letter in the registry)
    building: str = ""  #: "2" in "стр. 2"
    literal: str = ""  #: "а" in "лит. А" (several letters when listed)

    @property
    def key(self) -> str:
        """The exact house key: ``12а к1 с2 ла``."""
        parts = [self.number + self.letter] if self.number else []
        if self.corpus:
            parts.append("к" + self.corpus)
        if self.building:
            parts.append("с" + self.building)
        if self.literal:
            parts.append("л" + self.literal)
        return " ".join(parts)

    @property
    def loose_key(self) -> str:
        """Key with every letter-like part (letter, literal, letter corpus) in one slot."""
        letters = [self.letter]
        corpus = self.corpus
        building = self.building
        if corpus.isalpha():
            letters.append(corpus)
            corpus = ""
        if building.isalpha():
            letters.append(building)
            building = ""
        if self.literal:
            letters.append(self.literal[0])
        letter = next((x for x in letters if x), "")
        parts = [self.number + letter] if self.number else []
        if corpus:
            parts.append("к" + corpus)
        if building:
            parts.append("с" + building)
        return " ".join(parts)

    @property
    def base(self) -> str:
        """Only the leading number, before any fraction: ``12`` for ``12/1а к2``."""
        return self.number.split("/", 1)[0]

    @property
    def has_extras(self) -> bool:
        return bool(self.letter or self.corpus or self.building or self.literal)


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """An address split into components; names are normalised but readable."""

    raw: str
    region: str | None = None
    region_type: str | None = None
    district: str | None = None
    #: Settlements from the widest to the narrowest: ``(("г", "москва"), ("г", "троицк"))``.
    settlements: tuple[tuple[str | None, str], ...] = ()
    street_type: str | None = None
    street: str | None = None
    house: House | None = None
    postal_code: str | None = None
    #: Name groups the parser could not place.
    unparsed: tuple[str, ...] = field(default=())

    @property
    def settlement(self) -> str | None:
        return self.settlements[-1][1] if self.settlements else None

    @property
    def settlement_type(self) -> str | None:
        return self.settlements[-1][0] if self.settlements else None

    @property
    def street_key(self) -> str | None:
        return street_key(self.street, self.street_type) if self.street else None

    @property
    def house_key(self) -> str | None:
        return self.house.key if self.house else None

    @property
    def key(self) -> str:
        """Normalised key of the whole address: ``region|settlement|type|street|house``."""
        return "|".join(
            (
                self.region or "",
                settlement_key(self.settlement) if self.settlement else "",
                self.street_type or "",
                self.street_key or "",
                self.house_key or "",
            )
        )


# --------------------------------------------------------------------------- tokens


def tokenize(text: str) -> list[str]:
    """Split an address into lower-case tokens; ``","`` tokens mark part boundaries."""
    s = fold(text).translate(_DASH_TABLE)
    if "(" in s:
        s = _PARENS.sub(" ", s)
    if "." in s:  # initials and "В.О." (the regexes are only worth it with dots)
        s = _VO.sub(" во ", s)
        s = _PS.sub(" пс ", s)
        s = _INITIALS.sub(" ", s)
        s = _STREET_INITIAL.sub(r"\1\2 ", s)
    elif "васильевск" in s:
        s = _VO.sub(" во ", s)
    if "ж/д ст" in s:
        s = s.replace("ж/д ст", "ж/д_ст")
    s = _PUNCT.sub(" ", s)
    if "-" in s:
        s = _SPACED_DASH.sub(" ", s)
    s = s.replace(";", ",").replace(",", " , ")
    out: list[str] = []
    for raw in s.split():
        tok = raw.strip("-/")
        if not tok:
            continue
        if tok.isalpha():
            out.append(tok)
            continue
        m0 = _LETTER_CORPUS.match(tok)
        if m0 and out and out[-1][:1].isdigit():
            out.extend(m0.groups())  # "2 Ак2": letter and corpus glued
            continue
        if tok[0].isdigit():
            tok = tok.translate(_LATIN_LOOKALIKE)  # "13a" typed with a Latin letter
        m = _GLUED_HOUSE.match(tok)
        if m:
            out.extend(m.groups())
            continue
        # "д17", "кв5": a marker glued to its number
        m2 = _GLUED_MARKER.match(tok)
        if m2:
            out.extend(m2.groups())
            continue
        out.append(tok)
    return out


def _is_number(tok: str | None) -> bool:
    return tok is not None and tok[:1].isdigit()


def _is_house_number(tok: str | None) -> bool:
    """A number that is not an ordinal ("12", "12а" but not "2-я")."""
    return tok is not None and tok[:1].isdigit() and not ORDINAL.match(tok)


_ALL_MARKERS = frozenset(
    [*STREET_TYPES, *SETTLEMENT_TYPES, *REGION_TYPES, *DISTRICT_TYPES, *HOUSE_MARKERS,
     *CORPUS_MARKERS, *BUILDING_MARKERS, *LITERAL_MARKERS, *IGNORED_MARKERS]
)


_PART_MARKERS = CORPUS_MARKERS | BUILDING_MARKERS


def _is_marker(tok: str | None) -> bool:
    return tok in _ALL_MARKERS


def _is_word(tok: str | None) -> bool:
    return tok is not None and tok != "," and not _is_number(tok)


def _ends_part(tok: str | None) -> bool:
    return tok is None or tok == ","


# --------------------------------------------------------------------------- parser


@dataclass(slots=True)
class _Group:
    kind: str | None  # "region", "district", "settlement", "street" or None (untyped)
    type: str | None
    words: list[str]
    after_house: bool = False
    marker: str = ""  # the type word as written


@dataclass(slots=True)
class _HouseBuilder:
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

    def build(self) -> House | None:
        if not self.number and not self.corpus:
            return None  # (Zelenograd numbers its buildings by corpus alone: "к. 2305")
        return House(self.number, self.letter, self.corpus, self.building, self.literal)


def _value(tok: str) -> str:
    """A corpus/building/literal value: ``"1"``, ``"а"``, ``"2а"``."""
    return tok.replace("-", "")


def parse_address(text: str | None) -> ParsedAddress:
    """Parse an address string; never raises (garbage gives an empty result)."""
    if text is None or not isinstance(text, str):
        return ParsedAddress(raw="" if text is None else str(text))
    toks = tokenize(text)
    groups: list[_Group] = []
    house = _HouseBuilder()
    postal: str | None = None
    cur: _Group | None = None
    slot: str | None = None  # house part awaiting a value, or "ignore"
    in_literal_list = False
    n = len(toks)

    def close() -> None:
        nonlocal cur
        if cur is not None and cur.kind == "street" and not cur.words and (
            cur.marker in NAMEABLE_TYPES
        ):
            cur.words.append(cur.marker)  # "Набережная, 10": the street is called so
        if cur is not None and (cur.words or cur.kind is not None):
            groups.append(cur)
        cur = None

    i = 0
    while i < n:
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < n else None
        i += 1
        if tok == ",":
            close()
            slot = None
            continue
        if _POSTAL.match(tok) and postal is None and not (cur and cur.words):
            postal = tok
            continue
        if tok in NOISE_WORDS:
            continue
        # ---- a value awaited by a house part marker
        if slot is not None:
            s, slot = slot, None
            if s == "house" and house.set_number(tok):
                continue
            if s == "ignore" and (_is_number(tok) or len(tok) <= 3):
                continue
            if s in ("corpus", "building", "literal") and (_is_number(tok) or len(tok) <= 2):
                val = _value(tok)
                if s == "corpus":
                    house.corpus = val
                elif s == "building":
                    house.building = val
                else:
                    house.literal = val
                    in_literal_list = True
                continue
            # the marker had no value: fall through and handle tok normally
        # ---- literal lists "лит. А,Б,В"
        if in_literal_list and len(tok) == 1 and tok.isalpha() and _ends_part(nxt):
            house.literal += tok
            continue
        in_literal_list = False
        # ---- markers whose meaning depends on what follows
        if tok in HOUSE_MARKERS and _is_number(nxt):
            close()
            if house.number and not house.implicit:
                slot = "ignore"  # a second explicit house number: keep the first
                continue
            if house.number:  # the implicit number belonged to the street ("линия 2, д. 5")
                _unhouse(groups, house)
            slot = "house"
            continue
        if tok in HOUSE_MARKERS and tok != "д":
            continue  # "дом" without a number
        if tok == "д" and (nxt is None or nxt == "," or _is_marker(nxt)):
            continue  # a dangling "д." (registry artefact)
        if tok in CORPUS_MARKERS and (house.number or _is_number(nxt)) and (
            tok != "к" or _is_number(nxt) or (nxt is not None and len(nxt) == 1)
        ):
            close()
            slot = "corpus"
            continue
        if tok in BUILDING_MARKERS and (
            (tok not in ("с", "ст") and house.number) or _is_number(nxt)
            or (house.number and nxt is not None and len(nxt) == 1)
        ):
            close()
            slot = "building"
            continue
        if tok in LITERAL_MARKERS and house.number and nxt is not None and nxt != ",":
            close()
            slot = "literal"
            continue
        if tok in IGNORED_MARKERS and (tok != "под" or _is_number(nxt)):
            close()
            slot = "ignore"
            continue
        if tok == "п" and _is_number(nxt) and house.number:
            slot = "ignore"  # "п. 3" after a house: подъезд
            continue
        if tok in _PART_MARKERS and (_is_marker(nxt) or _ends_part(nxt)):
            continue  # "к. Литера А", "к. корпус 5", "к. -": the value follows or is missing
        # ---- a single letter right after the house number: "12 а"
        if (
            house.number and not house.letter and cur is None and (
                (len(tok) == 1 and tok.isalpha()
                 and (_ends_part(nxt) or _is_marker(nxt) or _is_number(nxt)))
                or _LETTER_FLAT.match(tok)
            )
        ):
            house.letter = tok[0]  # "12 а", "9 А-77"
            continue
        # ---- type markers of named parts
        kind, canon = _named_marker(tok, nxt)
        if (
            kind == "street" and cur is not None and cur.kind == "street" and not cur.words
            and cur.marker in NAMEABLE_TYPES
        ):
            # "Набережная ул.": the first type word is the street's name
            cur.words.append(cur.marker)
            cur.type = canon
            close()
            continue
        if kind is not None and cur is not None and cur.kind is not None and not cur.words and (
            _ends_part(nxt) or _is_number(nxt)
        ):
            cur.words.append(tok)  # "г. Остров", "нп. Городок": a type word used as a name
            continue
        if (
            kind == "settlement" and cur is not None and cur.kind is not None and cur.words
            and _ends_part(nxt)
        ):
            if len(tok) >= 4 and cur.kind == "settlement":
                cur.words.append(tok)  # "г. Красное Село": a type word inside the name
                continue
            cur.kind, cur.type = kind, canon  # "тер. Дубровка гп": the last type wins
            close()
            continue
        if (
            kind == "street" and cur is not None and cur.kind == "street" and cur.words
            and (_ends_part(nxt) or _is_number(nxt) or _is_marker(nxt))
        ):
            cur.words.append(tok)  # "ул. 5 Линия": the type word is part of the name
            continue
        if (
            kind == "street" and tok in NAMEABLE_TYPES and cur is not None
            and cur.kind == "settlement" and cur.words and _ends_part(nxt)
        ):
            cur.words.append(tok)  # "с. Кичменгский Городок"
            continue
        if kind is not None:
            number_then_name = (
                i + 1 < n and _is_word(toks[i + 1]) and not _is_marker(toks[i + 1])
                and len(toks[i + 1]) > 1
            )
            suffix = _ends_part(nxt) or _is_marker(nxt) or (
                _is_house_number(nxt) and not number_then_name
            ) or (
                kind == "region" and canon in ("обл", "край", "ао") and cur is not None
                and cur.kind is None and bool(cur.words)
                and cur.words[-1].endswith(("ая", "ий", "ой", "ский", "цкий"))
            )
            if cur is not None and cur.kind is None and cur.words and suffix:
                # a type written after its name: "Тверская ул."
                cur.kind, cur.type = kind, canon
                close()
                continue
            if (
                kind == "street" and suffix and cur is not None and cur.kind == "settlement"
                and len(cur.words) >= 2
            ):
                # "г Вологда Мира ул 5": the last word is the street's name
                name = cur.words.pop()
                close()
                groups.append(_Group(kind, canon, [name], after_house=bool(house.number)))
                continue
            if cur is not None and cur.kind is not None and not cur.words:
                cur = None  # two markers in a row: keep the later one
            carried: list[str] = []
            if cur is not None and cur.kind is None and all(_is_number(w) for w in cur.words):
                carried, cur = cur.words, None  # "13 линия В.О.": the ordinal goes along
            close()
            cur = _Group(kind, canon, carried, after_house=bool(house.number), marker=tok)
            continue
        # ---- numbers: part of a name ("8 Марта", "2-я линия") or the house
        if _is_number(tok):
            street_marker_follows = (
                nxt is not None and nxt in STREET_TYPES and not house.number
                and _named_marker(nxt, toks[i + 1] if i + 1 < n else None)[0] == "street"
            )
            if ORDINAL.match(tok) or street_marker_follows:
                if cur is None:
                    cur = _Group(None, None, [], after_house=bool(house.number))
                cur.words.append(tok)
                continue
            name_follows = (
                _is_word(nxt) and not _is_marker(nxt) and nxt is not None and len(nxt) > 1
                and not _LETTER_FLAT.match(nxt)
            )
            if name_follows and not (house.number and cur is None):
                if cur is None:
                    cur = _Group(None, None, [], after_house=bool(house.number))
                cur.words.append(tok)
                continue
            if house.number:
                continue  # a second bare number after the house: flat or floor
            if house.set_number(tok):
                house.implicit = True
                close()
                continue
            continue
        # ---- plain words
        if cur is None:
            cur = _Group(None, None, [], after_house=bool(house.number))
        cur.words.append(tok)
    close()
    return _assemble(text, groups, house, postal)


def _unhouse(groups: list[_Group], house: _HouseBuilder) -> None:
    """Give an implicit house number back to the street name before it ("линия 2, д. 5")."""
    if house.implicit and groups and groups[-1].kind in ("street", None):
        groups[-1].words.append(house.number)
    house.number = house.letter = house.corpus = house.building = house.literal = ""
    house.implicit = False


def _named_marker(tok: str, nxt: str | None) -> tuple[str | None, str | None]:
    """Classify a settlement/street/region/district type marker, or (None, None)."""
    if tok in REGION_TYPES:
        return "region", REGION_TYPES[tok]
    if tok in DISTRICT_TYPES and tok not in ("мо", "го"):
        return "district", DISTRICT_TYPES[tok]
    if tok in STREET_TYPES:
        return "street", STREET_TYPES[tok]
    if tok in SETTLEMENT_TYPES:
        if len(tok) <= 2 and (_is_number(nxt) or nxt is None):
            return None, None
        return "settlement", SETTLEMENT_TYPES[tok]
    return None, None


def _assemble(
    raw: str, groups: list[_Group], hb: _HouseBuilder, postal: str | None
) -> ParsedAddress:
    region: str | None = None
    region_type: str | None = None
    district: str | None = None
    streets: list[_Group] = []
    untyped: list[_Group] = []
    for g in groups:
        if not g.words:
            continue
        name = " ".join(g.words)
        if g.kind == "region" and region is None:
            region, region_type = region_key(name), g.type
        elif g.kind == "district" and district is None:
            district = name
        elif g.kind == "street":
            streets.append(g)
        elif g.kind is None:
            untyped.append(g)
    if not any(g.kind == "settlement" for g in groups) and streets and (
        len(streets) >= 2 or (district is not None and not untyped)
    ):
        # "р-н. Всеволожский, мкр. Сертолово-1, ул. Лесная": the outer one is the settlement
        streets[0].kind = "settlement"
        streets.pop(0)
    elif not any(g.kind == "settlement" for g in groups) and district is not None and untyped:
        untyped[0].kind = "settlement"  # "р-н. Струго-Красненский, Владимирский Лагерь, д. 28"
        untyped.pop(0)
    street: _Group | None = None
    if streets:
        # the street nearest before the house wins; others are leftovers
        before = [g for g in streets if not g.after_house]
        street = before[-1] if before else streets[-1]
    elif untyped:
        last_settlement = max(
            (i for i, g in enumerate(groups) if g.kind == "settlement"), default=-1
        )
        later = [g for g in untyped if groups.index(g) > last_settlement]
        before = [g for g in later if not g.after_house]
        if before:
            street = before[-1]
        elif hb.number and len(untyped) == 1 and last_settlement < 0:
            street = untyped[0]
    unparsed: list[str] = [" ".join(g.words) for g in streets if g is not street]
    # untyped groups other than the street: settlements, widest first; those
    # written after the house ("ул. Садовая, д. 17, г. Исилькуль") are the widest
    chain: list[tuple[str | None, str]] = []
    late: list[tuple[str | None, str]] = []
    typed_settlement = any(g.kind == "settlement" for g in groups)
    for g in groups:
        if not g.words or g is street:
            continue
        name = " ".join(g.words)
        if g.kind == "settlement":
            (late if g.after_house else chain).append((g.type, settlement_key(name)))
        elif g.kind is None:
            if not _HAS_CYRILLIC.search(name) or (g.after_house and typed_settlement):
                unparsed.append(name)
            else:
                (late if g.after_house else chain).append((None, settlement_key(name)))
    settlements = late + chain
    if region is None and settlements and settlements[0][1] in FEDERAL_CITIES:
        region = settlements[0][1]
    street_name = " ".join(street.words) if street else None
    return ParsedAddress(
        raw=raw,
        region=region,
        region_type=region_type,
        district=district,
        settlements=tuple(settlements),
        street_type=street.type if street else None,
        street=street_name,
        house=hb.build(),
        postal_code=postal,
        unparsed=tuple(unparsed),
    )


def looks_foreign(text: str) -> bool:
    """True when the text has Latin words and no Cyrillic (transliteration, foreign address)."""
    s = text.lower()
    return not _HAS_CYRILLIC.search(s.replace("ё", "е")) and bool(_LATIN_WORD.search(s))

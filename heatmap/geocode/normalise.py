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

# --------------------------------------------------------------------------- vocabulary

REGION_TYPES: dict[str, str] = {
    "обл": "обл", "область": "обл", "об": "обл",
    "респ": "респ", "республика": "респ", "р-ка": "респ",
    "край": "край", "кр": "край",
    "ао": "ао", "аобл": "ао", "округ": "ао",
}

DISTRICT_TYPES: dict[str, str] = {
    "р-н": "р-н", "район": "р-н", "р-он": "р-н", "рн": "р-н", "мр-н": "р-н",
    "го": "го", "мо": "го",
}

SETTLEMENT_TYPES: dict[str, str] = {
    "г": "г", "гор": "г", "город": "г",
    "п": "п", "пос": "п", "поселок": "п",
    "д": "д", "дер": "д", "деревня": "д",
    "с": "с", "село": "с",
    "пгт": "пгт", "гп": "пгт", "рп": "рп", "кп": "кп", "дп": "дп", "нп": "нп",
    "х": "х", "хут": "х", "хутор": "х",
    "ст-ца": "ст-ца", "станица": "ст-ца", "аул": "аул",
    "сл": "сл", "слобода": "сл", "ст": "ст", "станция": "ст",
    "ж/д_ст": "ст", "ж/д_оп": "ст", "п/ст": "ст", "рзд": "рзд", "разъезд": "рзд",
    "казарма": "казарма",
}

STREET_TYPES: dict[str, str] = {
    "ул": "ул", "улица": "ул", "у": "ул", "ули": "ул",
    "пр-т": "пр-кт", "пр-кт": "пр-кт", "прт": "пр-кт", "пркт": "пр-кт", "просп": "пр-кт",
    "проспект": "пр-кт", "пр": "пр",
    "пер": "пер", "переулок": "пер", "пер-к": "пер",
    "б-р": "б-р", "бул": "б-р", "бульв": "б-р", "бульвар": "б-р", "б-р-р": "б-р",
    "ш": "ш", "шос": "ш", "шоссе": "ш",
    "наб": "наб", "набережная": "наб", "наб-я": "наб",
    "пл": "пл", "площадь": "пл", "пл-дь": "пл",
    "мкр": "мкр", "мкрн": "мкр", "мкр-н": "мкр", "микрорайон": "мкр", "мк-н": "мкр",
    "аллея": "аллея", "ал": "аллея",
    "линия": "линия", "лин": "линия",
    "проезд": "проезд", "пр-д": "проезд", "пр-зд": "проезд",
    "туп": "туп", "тупик": "туп",
    "кв-л": "кв-л", "квартал": "кв-л",
    "тракт": "тракт", "дор": "дор", "дорога": "дор", "городок": "городок",
    "тер": "тер", "территория": "тер", "остров": "остров", "спуск": "спуск",
    "просек": "просек", "проток": "проток", "пар": "парк",
    "км": "км", "сквер": "сквер", "въезд": "въезд", "канал": "канал",
}

#: Full type words that are also street names of their own ("ул. Набережная").
NAMEABLE_TYPES = frozenset({
    "набережная", "шоссе", "площадь", "аллея", "линия", "проезд", "тупик", "бульвар",
    "проспект", "переулок", "квартал", "микрорайон", "тракт", "дорога", "городок", "спуск",
    "просек", "сквер", "канал", "остров",
})

HOUSE_MARKERS = frozenset({"д", "дом", "вл", "влд", "владение", "двлд"})
CORPUS_MARKERS = frozenset({"к", "корп", "корпус", "кор", "крп"})
BUILDING_MARKERS = frozenset({"стр", "строение", "с", "ст", "сооруж", "соор", "сооружение"})
LITERAL_MARKERS = frozenset({"лит", "литера", "литер", "литерa", "л"})
IGNORED_MARKERS = frozenset({
    "кв", "квартира", "оф", "офис", "пом", "помещение", "ком", "комн", "комната",
    "под", "подъезд", "пд", "п-д", "эт", "этаж", "инв", "инв№", "инв.№",
})
NOISE_WORDS = frozenset({"россия", "рф", "российская", "федерация", "общ", "общежитие"})

#: Federal cities are both a region and a settlement.
FEDERAL_CITIES = frozenset({"москва", "санкт петербург", "севастополь"})

SETTLEMENT_ALIASES: dict[str, str] = {
    "спб": "санкт петербург", "с пб": "санкт петербург", "питер": "санкт петербург",
    "с петербург": "санкт петербург", "ст петербург": "санкт петербург",
    "петербург": "санкт петербург", "ленинград": "санкт петербург",
    "мск": "москва", "екб": "екатеринбург", "н новгород": "нижний новгород",
}

REGION_ALIASES: dict[str, str] = {
    "мо": "московская", "ло": "ленинградская", "спб": "санкт петербург",
    "питер": "санкт петербург", "мск": "москва",
}

_ORDINAL_WORDS: dict[str, str] = {}
for _n, _stem in enumerate(
    ("перв", "втор", "трет", "четверт", "пят", "шест", "седьм", "восьм", "девят", "десят"),
    start=1,
):
    for _end in ("ая", "ый", "ой", "ое", "ий", "ья", "ье", "ий"):
        _ORDINAL_WORDS[_stem + _end] = str(_n)
_ORDINAL_WORDS.update({"третья": "3", "третий": "3", "третье": "3"})

#: Adjectives that qualify a street name, folded to one form whatever the gender.
_QUALIFIERS: dict[str, str] = {}
for _canon, _forms in {
    "б": ("б", "бол", "больш", "большая", "большой", "большое", "большие"),
    "м": ("м", "мал", "малая", "малый", "малое", "малые"),
    "ср": ("ср", "сред", "средн", "средняя", "средний", "среднее"),
    "верх": ("верх", "верхн", "верхняя", "верхний", "верхнее"),
    "ниж": ("ниж", "нижн", "нижняя", "нижний", "нижнее"),
    "нов": ("нов", "новая", "новый", "новое", "новые"),
    "стар": ("стар", "старая", "старый", "старое", "старые"),
}.items():
    for _f in _forms:
        _QUALIFIERS[_f] = _canon

_DROP_IN_NAME = frozenset({"им", "имени", "ул", "улица"})

#: Titles dropped by the loose street key ("ул. Маршала Блюхера" ~ "ул. Блюхера").
_TITLES = frozenset({
    "академика", "адмирала", "генерала", "маршала", "героя", "героев", "космонавта",
    "профессора", "комиссара", "летчика", "капитана", "лейтенанта", "полковника",
    "писателя", "поэта", "композитора", "художника", "архитектора", "братьев", "сестер",
    "партизана", "пионера", "доктора", "инженера", "авиаконструктора", "ак", "ген", "марш",
    "адм", "проф", "пр", "св", "святого", "во",
})

_ABBREV_IN_NAME: dict[str, str] = {"ак": "академика", "ген": "генерала", "марш": "маршала"}

# --------------------------------------------------------------------------- regexes

_PARENS = re.compile(r"\([^)]*\)?")
_INITIALS = re.compile(r"(?<![а-яa-z0-9])[а-я]\.\s?[а-я]\.(?=\s?[а-я]{3,})")
_STREET_INITIAL = re.compile(
    r"(?<![а-я])(ул|улица|пр-кт|пр-т|просп|проспект|пер|переулок|б-р|бульвар|наб|пл|ш)"
    r"(\.?\s*)[а-я]\.(?=[а-я]{3,})"
)
_VO = re.compile(r"(?<![а-я])в\.\s?о\.?(?![а-я])|васильевского\s+острова")
_GLUED_NUMBER_SIGN = re.compile(r"№\s*")
_PUNCT = re.compile(r"[^\w\s,/\-]")
_DASHES = re.compile(r"[‐‑‒–—―−]")
_SPACED_DASH = re.compile(r"\s-\s|\s-(?=\D)|(?<=\D)-\s")
_COMMAS = re.compile(r"[,;]+")
#: "12к1", "12корп1", "12стр2", "12лит а" glued together.
_GLUED_HOUSE = re.compile(
    r"^(\d+[а-я]?(?:/\d+[а-я]?)?)(корп|кор|к|стр|с|лит)(\d+[а-я]?|[а-я])$"
)
_ORDINAL = re.compile(r"^(\d+)-?(?:я|й|ая|ой|ий|ый|ое|ье|го|ого|ым|ом)$")
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


# --------------------------------------------------------------------------- keys


def fold(text: str) -> str:
    """Lower case, ``ё`` → ``е``, collapse whitespace."""
    return " ".join(text.lower().replace("ё", "е").split())


def _name_token(tok: str) -> str:
    m = _ORDINAL.match(tok)
    if m:
        return m.group(1)
    if tok in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[tok]
    return _QUALIFIERS.get(tok, tok)


def _street_tokens(name: str) -> list[str]:
    text = _DASHES.sub("-", fold(name)).replace(".", " ").replace(",", " ")
    out: list[str] = []
    for raw in text.split():
        tok = raw.strip("-")
        if not tok or tok in _DROP_IN_NAME:
            continue
        tok = _ABBREV_IN_NAME.get(tok, tok)
        out.append(_name_token(tok))
    return out


#: Words a street type contributes to a name made only of numbers ("2-я линия").
_TYPE_WORDS: dict[str, str] = {
    "линия": "линия", "проезд": "проезд", "аллея": "аллея", "мкр": "микрорайон",
    "кв-л": "квартал", "городок": "городок", "туп": "тупик", "пер": "переулок",
    "просек": "просек", "тракт": "тракт", "ул": "улица", "км": "км", "ш": "шоссе",
    "наб": "набережная", "пл": "площадь", "пр-кт": "проспект", "б-р": "бульвар",
}
_TYPE_NAME_WORDS = frozenset({"улица", "поселок", "микрорайон"})
_NOT_PROPER = frozenset({"во", "б", "м", "ср", "верх", "ниж", "нов", "стар"})


def _with_type(tokens: list[str], street_type: str | None) -> list[str]:
    if street_type and not any(t.isalpha() and t not in _NOT_PROPER for t in tokens):
        word = _TYPE_WORDS.get(street_type, street_type)
        if word not in tokens:
            return [*tokens, word]
    return tokens


def _sorted_key(tokens: list[str]) -> str:
    nums = sorted(t for t in tokens if t.isdigit())
    words = sorted(t for t in tokens if not t.isdigit())
    return " ".join(nums + words)


def street_key(name: str, street_type: str | None = None) -> str:
    """Order-free key of a street name: ``"2-я Березовая"`` → ``"2 березовая"``.

    Ordinals become digits ("вторая", "2-я", "2" → "2"); qualifiers fold
    ("Б.", "Большая", "Большой" → "б"); "им./имени" is dropped; words are sorted so
    "Академическая Б." equals "Большая Академическая". A name made only of
    numbers takes the type's word: ("2", "линия") → "2 линия" like "2-я Линия".
    """
    return _sorted_key(_with_type(_street_tokens(name), street_type))


def street_loose_key(name: str, street_type: str | None = None) -> str:
    """Like :func:`street_key` without titles and initials ("Маршала Блюхера" → "блюхера")."""
    toks = [
        t for t in _street_tokens(name)
        if t not in _TITLES and not (len(t) == 1 and t not in ("б", "м"))
    ]
    proper = [t for t in toks if t not in NAMEABLE_TYPES and t not in _TYPE_NAME_WORDS]
    if any(t.isalpha() and t not in _NOT_PROPER for t in proper):
        toks = proper  # "Пошехонское шоссе" ~ "ш. Пошехонское"
    return _sorted_key(_with_type(toks, street_type))


def settlement_key(name: str) -> str:
    """Key of a settlement name: hyphens as spaces, aliases resolved ("СПб" → "санкт петербург")."""
    text = _DASHES.sub("-", fold(name)).replace(".", " ").replace("-", " ")
    key = " ".join(text.split())
    return SETTLEMENT_ALIASES.get(key, key)


def region_key(name: str) -> str:
    """Key of a region name without its type: "Вологодская обл." → "вологодская"."""
    text = _DASHES.sub("-", fold(name)).replace(".", " ").replace("-", " ")
    toks = [t for t in text.split() if t not in REGION_TYPES]
    key = " ".join(toks)
    return REGION_ALIASES.get(key, SETTLEMENT_ALIASES.get(key, key))


# --------------------------------------------------------------------------- tokens


def tokenize(text: str) -> list[str]:
    """Split an address into lower-case tokens; ``","`` tokens mark part boundaries."""
    s = fold(text)
    s = _PARENS.sub(" ", s)
    s = _DASHES.sub("-", s)
    s = _VO.sub(" во ", s)
    s = _INITIALS.sub(" ", s)
    s = _STREET_INITIAL.sub(r"\1\2 ", s)
    s = _GLUED_NUMBER_SIGN.sub(" ", s)
    s = s.replace("ж/д ст", "ж/д_ст")
    s = _PUNCT.sub(" ", s.replace("_", "\x00")).replace("\x00", "_")
    s = _SPACED_DASH.sub(" ", s)
    s = _COMMAS.sub(" , ", s)
    out: list[str] = []
    for raw in s.split():
        tok = raw.strip("-/")
        if not tok:
            continue
        if tok[0].isdigit():
            tok = tok.translate(_LATIN_LOOKALIKE)  # "13a" typed with a Latin letter
        m = _GLUED_HOUSE.match(tok)
        if m:
            out.extend(m.groups())
            continue
        # "д17", "кв5": a marker glued to its number
        m2 = re.match(r"^(д|дом|кв|корп|к|стр|лит)(\d+[а-я]?(?:/\d+)?)$", tok)
        if m2:
            out.extend(m2.groups())
            continue
        out.append(tok)
    return out


def _is_number(tok: str | None) -> bool:
    return tok is not None and tok[:1].isdigit()


def _is_house_number(tok: str | None) -> bool:
    """A number that is not an ordinal ("12", "12а" but not "2-я")."""
    return tok is not None and tok[:1].isdigit() and not _ORDINAL.match(tok)


def _is_marker(tok: str | None) -> bool:
    return tok is not None and (
        tok in STREET_TYPES or tok in SETTLEMENT_TYPES or tok in REGION_TYPES
        or tok in DISTRICT_TYPES or tok in HOUSE_MARKERS or tok in CORPUS_MARKERS
        or tok in BUILDING_MARKERS or tok in LITERAL_MARKERS or tok in IGNORED_MARKERS
    )


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
        if kind is not None and cur is not None and cur.kind is not None and not cur.words and (
            _ends_part(nxt) or _is_number(nxt)
        ):
            cur.words.append(tok)  # "г. Остров", "нп. Городок": a type word used as a name
            continue
        if (
            kind == "settlement" and cur is not None and cur.kind is not None and cur.words
            and _ends_part(nxt)
        ):
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
            suffix = _ends_part(nxt) or _is_house_number(nxt) or _is_marker(nxt) or (
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
            if _ORDINAL.match(tok) or street_marker_follows:
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

"""What the parser returns: an address split into components, and its house."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from heatmap.geocode.keys import settlement_key, street_key


class House(NamedTuple):
    """A house number split into its parts (all lower case, may be empty).

    A named tuple, not a frozen dataclass: the parser makes one per address, and a
    tuple is made several times faster."""

    number: str = ""  #: "12", "13/15"
    letter: str = ""  #: "а" in "12а"
    corpus: str = ""  #: "1" in "корп. 1" (may be a letter in the registry)
    building: str = ""  #: "2" in "стр. 2"
    literal: str = ""  #: "а" in "лит. А" (several letters when listed)

    @property
    def key(self) -> str:
        """The exact house key: ``12а к1 с2 ла``."""
        return house_keys(self)[0]

    @property
    def loose_key(self) -> str:
        """Key with every letter-like part (letter, literal, letter corpus) in one slot."""
        return house_keys(self)[1]

    @property
    def base(self) -> str:
        """Only the leading number, before any fraction: ``12`` for ``12/1а к2``."""
        return self.number.split("/", 1)[0]

    @property
    def has_extras(self) -> bool:
        return bool(self.letter or self.corpus or self.building or self.literal)


class ParsedAddress(NamedTuple):
    """An address split into components; names are normalised but readable (a named
    tuple, made once per address: see :class:`House`)."""

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
    unparsed: tuple[str, ...] = ()

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


@lru_cache(maxsize=65_536)
def house_keys(house: House) -> tuple[str, str]:
    """The exact and the loose key of a house (asked for many times while matching;
    remembered)."""
    number, letter, corpus, building, literal = house
    parts = [number + letter] if number else []
    if corpus:
        parts.append("к" + corpus)
    if building:
        parts.append("с" + building)
    if literal:
        parts.append("л" + literal)
    letters = [letter]
    if corpus.isalpha():
        letters.append(corpus)
        corpus = ""
    if building.isalpha():
        letters.append(building)
        building = ""
    if literal:
        letters.append(literal[0])
    first = next((x for x in letters if x), "")
    loose = [number + first] if number else []
    if corpus:
        loose.append("к" + corpus)
    if building:
        loose.append("с" + building)
    return " ".join(parts), " ".join(loose)

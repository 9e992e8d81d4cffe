"""Online geocoders (Nominatim, Yandex) through geopy, behind the :class:`Geocoder` protocol.

Every answer — found or not — is kept in a SQLite cache keyed by provider and
query, so a file is never sent twice; provider errors are not cached. Requests
are spaced by a rate limiter whose clock and sleep can be injected (tests, batch
jobs). The provider's own classification of a result gives its precision.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from heatmap.domain import Precision
from heatmap.errors import GeocodeError
from heatmap.geocode.answers import Answer, answers_frame, no_match
from heatmap.geocode.normalise import fold, looks_foreign, parse_address
from heatmap.io.atomic import create_if_missing

#: Score given to an online answer by its precision (the provider is not verified
#: against a registry, so even a house stays below full confidence).
ONLINE_SCORES: dict[str, float] = {"house": 0.85, "street": 0.55, "settlement": 0.35}
_LEVEL_WORDS = {"street": "улица", "settlement": "населённый пункт"}

_NOMINATIM_HOUSE = frozenset({"house", "building", "residential", "apartments", "detached"})
_NOMINATIM_STREET = frozenset(
    {
        "road",
        "street",
        "residential",
        "primary",
        "secondary",
        "tertiary",
        "pedestrian",
        "living_street",
        "service",
        "unclassified",
        "trunk",
        "footway",
        "square",
    }
)
_NOMINATIM_SETTLEMENT = frozenset(
    {
        "city",
        "town",
        "village",
        "hamlet",
        "suburb",
        "neighbourhood",
        "quarter",
        "city_district",
        "borough",
        "locality",
        "isolated_dwelling",
        "allotments",
        "municipality",
    }
)
_YANDEX_KIND = {
    "house": "house",
    "street": "street",
    "locality": "settlement",
    "district": "settlement",
    "metro": "settlement",
    "railway_station": "settlement",
    "area": "settlement",
}


def nominatim_precision(raw: Mapping[str, Any]) -> str:
    """Precision of a Nominatim result from ``addresstype``/``type``/``place_rank``."""
    kind = str(raw.get("addresstype") or raw.get("type") or "")
    cls = str(raw.get("class") or raw.get("category") or "")
    if kind in ("house", "building") or cls == "building":
        return "house"
    try:
        rank = int(raw.get("place_rank", -1))
    except (TypeError, ValueError):
        rank = -1
    if rank >= 28:
        return "house"
    if cls == "highway" or kind in ("road", "street") or 26 <= rank <= 27:
        return "street"
    if kind in _NOMINATIM_SETTLEMENT or (cls == "place" and kind not in _NOMINATIM_HOUSE):
        return "settlement" if rank < 0 or rank >= 12 else "none"
    if 13 <= rank <= 25:
        return "settlement"
    return "none"


def yandex_precision(raw: Mapping[str, Any]) -> tuple[str, float]:
    """Precision and a score factor of a Yandex GeoObject from its ``kind``/``precision``."""
    meta = raw.get("metaDataProperty", {}).get("GeocoderMetaData", {})
    kind = str(meta.get("kind", ""))
    how = str(meta.get("precision", ""))
    prec = _YANDEX_KIND.get(kind, "none")
    factor = 1.0
    if prec == "house":
        if how in ("number",):
            factor = 0.9  # the number matched, not the corpus or letter
        elif how in ("near", "range"):
            prec, factor = "street", 1.0  # a neighbouring or interpolated house
        elif how == "street":
            prec = "street"
        elif how == "other":
            prec = "settlement"
    return prec, factor


class RateLimit:
    """At most one call per ``min_interval`` seconds (clock and sleep injectable)."""

    def __init__(
        self,
        min_interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval = float(min_interval)
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        now = self._clock()
        if self._last is not None:
            delay = self._last + self.min_interval - now
            if delay > 0:
                self._sleep(delay)
                now = self._clock()
        self._last = now


class GeocodeCache:
    """A persistent (provider, query) → JSON answer store in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # its owner's only, as the policy says of personal data (the addresses typed);
            # a path that cannot be made is left to SQLite to refuse
            with contextlib.suppress(OSError):
                create_if_missing(self.path, private=True)
        try:
            self._db = sqlite3.connect(str(path))
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS geocode_cache ("
                " provider TEXT NOT NULL, query TEXT NOT NULL, answer TEXT,"
                " created REAL NOT NULL, PRIMARY KEY (provider, query))"
            )
            self._db.commit()
        except sqlite3.Error as exc:
            raise GeocodeError(f"cannot open geocode cache {path}: {exc}") from exc

    def get(self, provider: str, query: str) -> tuple[bool, Any]:
        """(found, answer); the answer is None for a remembered miss."""
        row = self._db.execute(
            "SELECT answer FROM geocode_cache WHERE provider = ? AND query = ?", (provider, query)
        ).fetchone()
        if row is None:
            return False, None
        return True, (json.loads(row[0]) if row[0] is not None else None)

    def put(self, provider: str, query: str, answer: Any) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO geocode_cache VALUES (?, ?, ?, ?)",
            (
                provider,
                query,
                None if answer is None else json.dumps(answer, ensure_ascii=False),
                time.time(),
            ),
        )
        self._db.commit()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM geocode_cache").fetchone()[0])

    def close(self) -> None:
        self._db.close()


def make_geopy_geocoder(
    provider: str, *, api_key: str | None = None, user_agent: str = "teplokarty", timeout: float = 10.0
) -> Any:
    """A geopy geocoder for ``"nominatim"`` or ``"yandex"``."""
    from geopy.geocoders import Nominatim, Yandex

    name = provider.lower()
    if name == "nominatim":
        return Nominatim(user_agent=user_agent, timeout=timeout)
    if name == "yandex":
        if not api_key:
            raise GeocodeError("the Yandex geocoder needs an API key")
        return Yandex(api_key=api_key, timeout=timeout, user_agent=user_agent)
    raise GeocodeError(f"unknown geocoding provider {provider!r} (nominatim, yandex)")


class OnlineGeocoder:
    """Geocode through a geopy geocoder with a cache and a rate limit.

    ``geocoder`` is a geopy geocoder object (``Nominatim``, ``Yandex``) or a
    provider name for :func:`make_geopy_geocoder`. ``cache`` is a SQLite path (or
    a :class:`GeocodeCache`, or None for no cache). ``min_delay_seconds`` spaces
    requests (Nominatim's policy is one per second).
    """

    def __init__(
        self,
        geocoder: Any,
        *,
        cache: str | Path | GeocodeCache | None = None,
        min_delay_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        api_key: str | None = None,
        country: str = "Россия",
        default_city: str | None = None,
    ) -> None:
        if isinstance(geocoder, str):
            geocoder = make_geopy_geocoder(geocoder, api_key=api_key)
        self._geocoder = geocoder
        self.provider = type(geocoder).__name__.lower()
        self._cache = cache if isinstance(cache, GeocodeCache) or cache is None else (GeocodeCache(cache))
        self._limit = RateLimit(min_delay_seconds, clock=clock, sleep=sleep)
        self.country = country
        self.default_city = default_city
        self.requests = 0  #: provider calls made (cache misses)

    # ------------------------------------------------------------------ API

    def geocode(self, addresses: Sequence[str | None], *, city: str | None = None) -> pd.DataFrame:
        """Answer one row per address, in order, with :data:`GEOCODE_COLUMNS`."""
        hint = city if city is not None else self.default_city
        memo: dict[str, Answer] = {}
        rows: list[Answer] = []
        for text in addresses:
            query = self.query_for(text, hint)
            if query is None:
                reason = (
                    "пустой адрес"
                    if not isinstance(text, str) or not text.strip()
                    else "не российский адрес (нет кириллицы)"
                )
                rows.append(no_match(reason))
                continue
            if query not in memo:
                memo[query] = self._answer(query)
            rows.append(memo[query])
        return answers_frame(rows)

    def query_for(self, text: str | None, city: str | None) -> str | None:
        """The query sent for an address: whitespace folded, city and country added."""
        if not isinstance(text, str) or not text.strip() or looks_foreign(text):
            return None
        query = " ".join(text.split())
        if city and not parse_address(query).settlements and fold(city) not in fold(query):
            query = f"{city}, {query}"
        if self.country and "росси" not in fold(query):
            query = f"{query}, {self.country}"
        return query

    # ------------------------------------------------------------------ one query

    def _answer(self, query: str) -> Answer:
        if self._cache is not None:
            found, stored = self._cache.get(self.provider, query)
            if found:
                return self._to_answer(stored)
        try:
            stored = self._ask(query)
        except Exception as exc:  # geopy raises many kinds: timeouts, quota, HTTP
            return no_match(f"ошибка геокодера {self.provider}: {type(exc).__name__}")
        if self._cache is not None:
            self._cache.put(self.provider, query, stored)
        return self._to_answer(stored)

    def _ask(self, query: str) -> dict[str, Any] | None:
        self._limit.wait()
        self.requests += 1
        location = self._geocoder.geocode(query, exactly_one=True)
        if location is None:
            return None
        return {
            "lat": float(location.latitude),
            "lon": float(location.longitude),
            "address": str(location.address),
            "raw": location.raw,
        }

    def _to_answer(self, stored: dict[str, Any] | None) -> Answer:
        if stored is None:
            return no_match(f"{self.provider} не нашёл адрес")
        raw = stored.get("raw") or {}
        if "metaDataProperty" in raw:
            prec, factor = yandex_precision(raw)
        else:
            prec, factor = nominatim_precision(raw), 1.0
        if prec == Precision.NONE.value:
            return no_match(f"ответ {self.provider} слишком грубый: {stored.get('address')}")
        score = round(ONLINE_SCORES[prec] * factor, 4)
        reason = (
            None
            if prec == Precision.HOUSE.value
            else (f"{self.provider} нашёл адрес только до уровня «{_LEVEL_WORDS[prec]}»")
        )
        return (float(stored["lat"]), float(stored["lon"]), prec, score, stored.get("address"), reason)

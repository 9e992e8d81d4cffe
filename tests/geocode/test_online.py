"""The online adapter, against recorded provider responses (no network)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from geopy.adapters import BaseSyncAdapter
from geopy.exc import GeocoderTimedOut
from geopy.geocoders import Nominatim, Yandex

from heatmap.errors import GeocodeError
from heatmap.geocode.base import GEOCODE_COLUMNS
from heatmap.geocode.online import (
    GeocodeCache,
    OnlineGeocoder,
    RateLimit,
    nominatim_precision,
    yandex_precision,
)

FIXTURES = Path(__file__).with_name("fixtures")


class Recorded(BaseSyncAdapter):  # type: ignore[misc]  # geopy has no annotations
    """A geopy adapter answering from a JSON file keyed by the query text."""

    def __init__(
        self, *, proxies: Any, ssl_context: Any, answers: dict[str, Any], param: str, fail: bool = False
    ) -> None:
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        self.answers, self.param, self.fail = answers, param, fail
        self.urls: list[str] = []

    def get_json(self, url: str, *, timeout: Any, headers: Any) -> Any:
        self.urls.append(url)
        if self.fail:
            raise GeocoderTimedOut("recorded timeout")
        query = parse_qs(urlparse(url).query)[self.param][0]
        return self.answers[query]

    def get_text(self, url: str, *, timeout: Any, headers: Any) -> str:
        return json.dumps(self.get_json(url, timeout=timeout, headers=headers))


def recorded(kind: str, fail: bool = False) -> tuple[Any, list[Recorded]]:
    answers = json.loads((FIXTURES / f"{kind}.json").read_text(encoding="utf-8"))
    made: list[Recorded] = []

    def factory(*, proxies: Any, ssl_context: Any) -> Recorded:
        adapter = Recorded(
            proxies=proxies,
            ssl_context=ssl_context,
            answers=answers,
            param="q" if kind == "nominatim" else "geocode",
            fail=fail,
        )
        made.append(adapter)
        return adapter

    if kind == "nominatim":
        return Nominatim(user_agent="teplokarty-tests", adapter_factory=factory), made
    return Yandex(api_key="test-key", adapter_factory=factory), made


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_nominatim_precisions(tmp_path: Path) -> None:
    geo, adapters = recorded("nominatim")
    clock = FakeClock()
    g = OnlineGeocoder(geo, cache=tmp_path / "cache.sqlite", clock=clock.clock, sleep=clock.sleep)
    frame = g.geocode(
        [
            "Вологда, ул. Мира, 12",
            "Вологда, ул. Мира, 999",
            "Вологда",
            "Вологодская область",
            "ул. Несуществующая, 1",
            None,
            "1600 Pennsylvania Ave, Washington",
        ]
    )
    assert list(frame.columns) == list(GEOCODE_COLUMNS)
    expected = ["house", "street", "settlement", "none", "none", "none", "none"]
    assert list(frame.precision) == expected
    assert frame.lat.iloc[0] == pytest.approx(59.2205913)
    assert frame.lon.iloc[0] == pytest.approx(39.8879512)
    assert frame.score.iloc[0] > frame.score.iloc[1] > frame.score.iloc[2] > 0
    assert "улица Мира" in frame.matched.iloc[0]
    assert frame.reason.iloc[0] is None and "улица" in frame.reason.iloc[1]
    assert "слишком грубый" in frame.reason.iloc[3] and frame.matched.iloc[3] is None
    assert "не нашёл" in frame.reason.iloc[4] and math.isnan(frame.lat.iloc[4])
    assert frame.reason.iloc[5] == "пустой адрес"
    assert "не российский адрес" in frame.reason.iloc[6]
    assert len(adapters[0].urls) == 5 and g.requests == 5
    # one request per second: four waits of a full second after the first call
    assert clock.sleeps == [1.0, 1.0, 1.0, 1.0]


def test_cache_is_persistent_and_keyed_by_provider(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    geo, adapters = recorded("nominatim")
    first = OnlineGeocoder(geo, cache=path, min_delay_seconds=0).geocode(
        ["Вологда, ул. Мира, 12", "Вологда, ул. Мира, 12", "ул. Несуществующая, 1"]
    )
    assert len(adapters[0].urls) == 2  # the repeat is answered from memory
    geo2, adapters2 = recorded("nominatim", fail=True)  # the network is "down" now
    again = OnlineGeocoder(geo2, cache=path, min_delay_seconds=0)
    second = again.geocode(["Вологда, ул. Мира, 12", "ул. Несуществующая, 1"])
    assert adapters2[0].urls == [] and again.requests == 0
    assert list(second.precision) == ["house", "none"]
    assert second.lat.iloc[0] == first.lat.iloc[0]
    cache = GeocodeCache(path)
    assert len(cache) == 2
    assert cache.get("nominatim", "Вологда, ул. Мира, 12, Россия")[0]
    assert cache.get("yandex", "Вологда, ул. Мира, 12, Россия") == (False, None)


def test_provider_errors_are_reasons_and_not_cached(tmp_path: Path) -> None:
    geo, _ = recorded("nominatim", fail=True)
    g = OnlineGeocoder(geo, cache=tmp_path / "c.sqlite", min_delay_seconds=0)
    frame = g.geocode(["Вологда, ул. Мира, 12"])
    assert frame.precision.iloc[0] == "none"
    assert frame.reason.iloc[0] == "ошибка геокодера nominatim: GeocoderTimedOut"
    assert len(GeocodeCache(tmp_path / "c.sqlite")) == 0


def test_yandex_precisions() -> None:
    geo, adapters = recorded("yandex")
    g = OnlineGeocoder(geo, cache=None, min_delay_seconds=0, country="")
    frame = g.geocode(
        [
            "Москва, Тверская улица, 7",
            "Москва, Тверская улица, 7к9",
            "Москва, Тверская улица, 999",
            "Зеленоград",
            "Москва, улица Нигде, 1",
        ]
    )
    assert list(frame.precision) == ["house", "house", "street", "settlement", "none"]
    assert frame.lat.iloc[0] == pytest.approx(55.757651)
    assert frame.lon.iloc[0] == pytest.approx(37.611857)
    assert frame.score.iloc[0] > frame.score.iloc[1]  # "number": the corpus did not match
    assert "apikey=test-key" in adapters[0].urls[0]


def test_city_hint_prefixes_query() -> None:
    geo, _ = recorded("nominatim")
    g = OnlineGeocoder(geo, min_delay_seconds=0)
    assert g.query_for("ул. Мира, 12", "Вологда") == "Вологда, ул. Мира, 12, Россия"
    assert g.query_for("Вологда, ул. Мира, 12", "Череповец") == "Вологда, ул. Мира, 12, Россия"
    frame = g.geocode(["ул. Мира, 999"], city="Вологда")
    assert frame.precision.iloc[0] == "street"


def test_precision_mapping_functions() -> None:
    assert nominatim_precision({"class": "place", "type": "house", "place_rank": 30}) == "house"
    road = {"class": "highway", "type": "primary", "place_rank": 26}
    assert nominatim_precision(road) == "street"
    assert nominatim_precision({"class": "place", "type": "village", "place_rank": 19}) == ("settlement")
    assert nominatim_precision({"class": "boundary", "type": "administrative", "place_rank": 4}) == "none"
    assert yandex_precision(
        {"metaDataProperty": {"GeocoderMetaData": {"kind": "house", "precision": "near"}}}
    ) == ("street", 1.0)
    assert yandex_precision({"metaDataProperty": {"GeocoderMetaData": {"kind": "province"}}})[0] == "none"


def test_rate_limit_spacing() -> None:
    clock = FakeClock()
    limit = RateLimit(2.0, clock=clock.clock, sleep=clock.sleep)
    limit.wait()
    clock.now += 0.5
    limit.wait()
    clock.now += 5.0
    limit.wait()
    assert clock.sleeps == [1.5]


def test_provider_names() -> None:
    with pytest.raises(GeocodeError):
        OnlineGeocoder("yandex")  # needs a key
    with pytest.raises(GeocodeError):
        OnlineGeocoder("google")
    assert OnlineGeocoder("nominatim", min_delay_seconds=0).provider == "nominatim"


def test_a_new_cache_is_its_owners_only_and_an_old_one_keeps_its_mode(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        GeocodeCache(tmp_path / "new.sqlite")
        (tmp_path / "old.sqlite").touch(mode=0o644)
        GeocodeCache(tmp_path / "old.sqlite")
    finally:
        os.umask(old_umask)
    assert (tmp_path / "new.sqlite").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "old.sqlite").stat().st_mode & 0o777 == 0o644

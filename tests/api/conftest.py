"""Fixtures of the API tests: a store with one spot around a known house, keys per role, clients."""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from heatmap.api import create_app
from heatmap.api.keys import ROLES, create_key
from heatmap.api.settings import ApiSettings
from heatmap.core.policy import load_policy
from heatmap.detect.run import DetectParams
from heatmap.devtools.samples import sample_file
from heatmap.geocode import build_gazetteer, save_gazetteer
from heatmap.service import detect_spots, ingest
from heatmap.settings import Settings
from heatmap.store import Store, open_store

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
POLICY = load_policy()
HEADER = "ticket_id,created_at,msisdn,segment,topic,description,address,lat,lon,region\n"
#: A house of the sample registry; the test spot is built around it.
HOUSE = "обл. Вологодская, г. Вологда, ул. Пролетарская, д. 22"
HOUSE_LAT, HOUSE_LON = 59.22907, 39.869577
#: Somewhere in Vologda far (> 1 km) from the spot.
ELSEWHERE = (59.2000, 39.8300)


def msisdn_of(ticket: str) -> str:
    return f"+7916{zlib.crc32(ticket.encode()) % 10**7:07d}"


def write_export(
    path: Path,
    rows: list[tuple[str, float, float]],
    *,
    created: str = "2026-11-19T10:00:00+03:00",
    topic: str = "no_coverage",
) -> Path:
    lines = [
        f"{t},{created},{msisdn_of(t)},mass,{topic},Нет связи дома,,{lat},{lon},Вологодская"
        for t, lat, lon in rows
    ]
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def gazetteer_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    entries, _ = build_gazetteer(sample_file("vologda_addresses.csv"))
    return save_gazetteer(entries, tmp_path_factory.mktemp("gazetteer") / "vologda.parquet")


@dataclass
class World:
    """A store with one open spot around :data:`HOUSE`, keys of every role, a clock.

    Tests reach the place and helpers through this object (test modules do not import
    each other).
    """

    store: Store
    spot_id: str
    keys: dict[str, str]
    settings: Settings
    api: ApiSettings
    now: list[datetime]
    tmp: Path
    house: str = HOUSE
    lat: float = HOUSE_LAT
    lon: float = HOUSE_LON
    elsewhere: tuple[float, float] = ELSEWHERE
    policy: object = POLICY

    def write_export(self, name: str, rows: list[tuple[str, float, float]], **kwargs: str) -> Path:
        return write_export(self.tmp / name, rows, **kwargs)

    def msisdn_of(self, ticket: str) -> str:
        return msisdn_of(ticket)

    def clock(self) -> datetime:
        return self.now[0]

    def app_client(self, **api_overrides: object) -> TestClient:
        api = self.api.model_copy(update=api_overrides) if api_overrides else self.api
        return TestClient(create_app(self.settings, self.store, api=api, clock=self.clock))

    def headers(self, role: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[role]}


@dataclass(frozen=True)
class Built:
    """What :func:`build_world` put in a store: the spot and a key of every role."""

    spot_id: str
    keys: dict[str, str]


def build_world(store: Store, folder: Path) -> Built:
    rows = [(f"T{i}", HOUSE_LAT + (i - 2) * 1e-4, HOUSE_LON + (i % 2) * 1e-4) for i in range(5)]
    ingest(store, [write_export(folder / "spot.csv", rows)], now=NOW, policy=POLICY)
    # five complainants at one house and nothing else around: no expected count to exceed,
    # so the world's spot is made by the count rule (detection has its own tests)
    detect_spots(store, params=DetectParams(rule="count"), policy=POLICY, now=NOW)
    spots = store.load_spots()
    assert len(spots) == 1, spots
    keys = {role: create_key(store, role=role, now=NOW, name=f"{role}.tester") for role in ROLES}
    return Built(spot_id=str(spots["id"].iloc[0]), keys=keys)


@pytest.fixture(scope="session")
def sqlite_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Built]:
    """The world's SQLite store, built once per worker: each test gets a copy of the file."""
    folder = tmp_path_factory.mktemp("world")
    store = open_store(f"sqlite:///{folder / 'heatmap.db'}")
    try:
        store.upgrade()
        built = build_world(store, folder)
    finally:
        store.close()
    return folder / "heatmap.db", built


@pytest.fixture
def world(store_url: str, tmp_path: Path, gazetteer_path: Path, request: pytest.FixtureRequest) -> World:
    """A store of each kind with :func:`build_world` in it: on SQLite a copy of
    :func:`sqlite_world`'s, on PostGIS built in the test's fresh schema."""
    built: Built | None = None
    if store_url.startswith("sqlite:///"):
        template, built = request.getfixturevalue("sqlite_world")
        with (
            closing(sqlite3.connect(template)) as source,
            closing(sqlite3.connect(store_url.removeprefix("sqlite:///"))) as copy,
        ):
            source.backup(copy)
    store: Store = request.getfixturevalue("store")  # opens the copy, or the empty schema
    built = built or build_world(store, tmp_path)
    settings = Settings(db=store.url, gazetteer=gazetteer_path, city="Вологда")
    # tests make many unauthorised calls on purpose; the limit has tests of its own
    api = ApiSettings(index_check_ms=0, key_cache_s=0, hex_cache_s=0, leaflet_url="", auth_fail_limit=100_000)
    return World(
        store=store,
        spot_id=built.spot_id,
        keys=dict(built.keys),
        settings=settings,
        api=api,
        now=[NOW],
        tmp=tmp_path,
    )


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with world.app_client() as test_client:
        yield test_client


@pytest.fixture
def as_role(client: TestClient, world: World) -> Callable[..., object]:
    """``as_role("agent", "get", "/api/v1/…", params=…)`` → the response."""

    def call(role: str, method: str, path: str, **kwargs: object) -> object:
        headers = {**world.headers(role), **dict(kwargs.pop("headers", {}) or {})}  # type: ignore[call-overload]
        return client.request(method.upper(), path, headers=headers, **kwargs)  # type: ignore[arg-type]

    return call

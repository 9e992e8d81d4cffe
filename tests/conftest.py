"""Fixtures shared by the whole suite: stores, the samples, the real data, a fixed clock."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from heatmap.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
SHARED_DATA = ROOT.parent / "shared" / "data"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


#: Set in CI: a test of a marked group that skips is a failure there.
REQUIRE_ALL = os.environ.get("HEATMAP_TEST_REQUIRE_ALL") == "1"
_GROUPS = ("postgis", "kannel", "browser", "realdata", "slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Real-data tests skip with a reason when ../shared/data is absent."""
    if SHARED_DATA.is_dir():
        return
    skip = pytest.mark.skip(reason=f"real data not found at {SHARED_DATA}")
    for item in items:
        if "realdata" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """With HEATMAP_TEST_REQUIRE_ALL=1, a skipped test of a marked group fails."""
    outcome = yield
    report = outcome.get_result()
    groups = [g for g in _GROUPS if g in item.keywords]
    if REQUIRE_ALL and report.skipped and groups:
        report.outcome = "failed"
        report.longrepr = f"{'/'.join(groups)} test skipped in CI: {report.longrepr}"


@pytest.fixture
def private_pg(request: pytest.FixtureRequest) -> Iterator[object]:
    """A throwaway PostgreSQL server with PostGIS that the test may stop and restart; in the
    locale given by indirect parametrisation (C.UTF-8 without)."""
    from heatmap.devtools.pgserver import private_server, server_bin

    locale = getattr(request, "param", "C.UTF-8")
    try:
        server_bin()
    except FileNotFoundError as exc:
        pytest.skip(f"needs the PostgreSQL server binaries (Debian's postgresql-15): {exc}")
    known = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout
    if locale.lower().replace("utf-8", "utf8") not in known.lower().split():
        pytest.skip(
            f"needs the {locale} locale: Debian's locales, then `locale-gen {locale}` (.ci/run does it)"
        )
    with private_server(locale=locale) as server:
        yield server


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'heatmap.db'}"


def _postgis_url() -> str | None:
    return os.environ.get("HEATMAP_TEST_PG_DSN")


STORE_KINDS = [
    "sqlite",
    pytest.param("postgis", marks=pytest.mark.postgis),
]


@pytest.fixture(params=STORE_KINDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty store of each kind (PostGIS when a DSN is given)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'heatmap.db'}"
        return
    dsn = _postgis_url()
    if not dsn:
        pytest.skip("PostGIS tests need HEATMAP_TEST_PG_DSN=postgresql://… (see README)")
    from heatmap.store.postgis import fresh_schema_url

    with fresh_schema_url(dsn) as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A fresh store with its schema, of each kind."""
    opened = open_store(store_url)
    opened.upgrade()
    yield opened
    opened.close()


@pytest.fixture
def sample_export() -> Path:
    return SAMPLES / "crm_export.csv"

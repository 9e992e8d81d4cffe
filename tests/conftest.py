"""Fixtures shared by the whole suite: stores, the samples, the real data, a fixed clock."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from heatmap.devtools import suite
from heatmap.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
SHARED_DATA = ROOT.parent / "shared" / "data"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


#: Set in CI: a test of a marked group that skips is a failure there.
REQUIRE_ALL = os.environ.get("HEATMAP_TEST_REQUIRE_ALL") == "1"
_GROUPS = ("postgis", "kannel", "browser", "realdata", "slow")


#: Hypothesis in CI (CI=true): the same examples on every run (a red run can be re-run), no
#: deadline (a loaded machine is not a slow function), no example database to carry over.
#: Each property sets the number of examples its assertions need; the profile keeps them.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, database=None, print_blob=True)
_PROFILE = "ci" if os.environ.get("CI") else "default"
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _PROFILE))

PG_DSN = "HEATMAP_TEST_PG_DSN"
_STACK = pytest.StashKey[ExitStack]()
_NOTES = pytest.StashKey[dict[str, str]]()
_HEADER = pytest.StashKey[list[str]]()


def pytest_configure(config: pytest.Config) -> None:
    """Provide what the suite can by itself: without a DSN, a throwaway PostGIS server when
    the server binaries are here; under pytest-xdist, a database per worker."""
    stack = ExitStack()
    config.stash[_STACK] = stack
    config.stash[_NOTES] = {}
    config.stash[_HEADER] = []
    config.add_cleanup(stack.close)
    worker = getattr(config, "workerinput", None)
    given = os.environ.get(PG_DSN)
    if worker is None and not given:
        dsn, note = suite.throwaway_postgis(stack)
        if dsn:
            stack.callback(os.environ.pop, PG_DSN, None)
            os.environ[PG_DSN] = dsn  # the xdist workers, started later, inherit it
            config.stash[_HEADER].append(note)
        else:
            config.stash[_NOTES]["postgis"] = note
    if worker is None and os.environ.get(PG_DSN) and config.getoption("numprocesses", None):
        stack.callback(suite.drop_worker_databases, os.environ[PG_DSN], os.getpid())
    if worker is not None and given:
        stack.callback(os.environ.__setitem__, PG_DSN, given)
        # the workers' parent is the controller: its process id names this run
        os.environ[PG_DSN] = suite.worker_database(stack, given, worker["workerid"], os.getppid())
    if worker is None and hasattr(config.option, "loadscopereorder"):
        # --dist loadfile: files go out in the order the workers collected them (longest first,
        # see pytest_collection_modifyitems), not xdist's own by number of tests, which sent
        # the few-test long files (notebooks, schemathesis) last
        config.option.loadscopereorder = False


def pytest_report_header(config: pytest.Config) -> list[str]:
    return config.stash.get(_HEADER, [])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """One line per group of skipped tests: why, and how to run them."""
    skipped = [
        (list(r.keywords), suite.skip_reason(r.longrepr)) for r in terminalreporter.stats.get("skipped", [])
    ]
    lines = suite.skip_lines(skipped, config.stash.get(_NOTES, {}))
    if lines:
        terminalreporter.write_sep("-", "skipped groups")
        for line in lines:
            terminalreporter.write_line(line)


#: Started first, so that a long test does not run alone at the end of a parallel run.
_EARLY = ("slow", "browser", "kannel")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Real-data tests skip with a reason when ../shared/data is absent. In a pytest-xdist
    worker (``--dist loadfile``: a file's tests run on one worker, its fixtures built once)
    the files with long tests come first, then the files with the most tests."""
    if not SHARED_DATA.is_dir():
        skip = pytest.mark.skip(reason=f"real data not found at {SHARED_DATA}")
        for item in items:
            if "realdata" in item.keywords:
                item.add_marker(skip)
    if getattr(config, "workerinput", None) is not None:
        early = {item.path for item in items if any(mark in item.keywords for mark in _EARLY)}
        tests = Counter(item.path for item in items)
        items.sort(key=lambda item: (item.path not in early, -tests[item.path]))


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
    from heatmap.devtools.pgserver import private_server

    locale = getattr(request, "param", "C.UTF-8")
    missing = suite.postgis_missing()
    if missing:
        pytest.skip(f"needs a PostgreSQL server with PostGIS of its own: {missing}")
    known = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout
    if locale.lower().replace("utf-8", "utf8") not in known.lower().split():
        pytest.skip(
            f"needs the {locale} locale: Debian's locales, then `locale-gen {locale}` (.ci/run does it)"
        )
    with private_server(locale=locale) as server:
        yield server


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``heatmap demo`` on the samples, built once per test run: the first pytest-xdist worker
    to ask builds it in the run's temporary folder, holding a file lock; the others wait for
    it and share it. Read only: :func:`demo_copy` gives a test a copy of its own to change."""
    from heatmap.devtools.demo import run_demo

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the workers' folders are in the run's
    folder, built = root / "demo", root / "demo.built"
    with (root / "demo.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not built.exists():  # a build that failed half-way is made again
            run_demo(folder)
            built.touch()
    return folder


@pytest.fixture(scope="session")
def demo_copy(demo_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``demo_copy(name)``: a fresh copy of the demo's folder (store, gazetteer, map) to change."""

    def copy(name: str) -> Path:
        folder = tmp_path_factory.mktemp(name)
        shutil.copytree(demo_build, folder, dirs_exist_ok=True)
        return folder

    return copy


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

"""Assertions for tests and notebooks, in the spirit of ``geopandas.testing``; a probe of
what a piece of code imports; headless Chromium for tests of the pages and the map."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import shapely


def same_partition(a: Sequence[object], b: Sequence[object], *, noise: object = -1) -> bool:
    """True when labellings ``a`` and ``b`` put the same points together (ids may differ)."""
    left = pd.Series(list(a), dtype=object)
    right = pd.Series(list(b), dtype=object)
    if len(left) != len(right):
        return False
    noisy_left = left.isna() | (left == noise)
    noisy_right = right.isna() | (right == noise)
    if not (noisy_left == noisy_right).all():
        return False
    pairs = pd.DataFrame({"a": left[~noisy_left], "b": right[~noisy_right]}).drop_duplicates()
    return bool(pairs["a"].is_unique and pairs["b"].is_unique)


def assert_same_partition(a: Sequence[object], b: Sequence[object], *, noise: object = -1) -> None:
    """Fail unless ``a`` and ``b`` are the same clustering up to renaming clusters."""
    if not same_partition(a, b, noise=noise):
        left = np.asarray(list(a), dtype=object)
        right = np.asarray(list(b), dtype=object)
        diff = np.flatnonzero(
            pd.Series(left).astype(str).to_numpy() != pd.Series(right).astype(str).to_numpy()
        )
        raise AssertionError(
            f"labellings differ as partitions ({len(left)} vs {len(right)} points; "
            f"first differing positions {diff[:10].tolist()})"
        )


def assert_counts_add_up(counts: dict[str, int]) -> None:
    """An ingest summary accounts for every row read: nothing dropped silently."""
    expected = {"read", "inserted", "updated", "unchanged", "quarantined"}
    if set(counts) != expected:
        raise AssertionError(f"ingest counts must have exactly {sorted(expected)}: {counts}")
    settled = counts["inserted"] + counts["updated"] + counts["unchanged"] + counts["quarantined"]
    if settled != counts["read"]:
        raise AssertionError(f"{counts['read']} rows read but {settled} accounted for: {counts}")


def spots_covering(
    spots: pd.DataFrame, points: Iterable[tuple[float, float]], *, tolerance_m: float = 150.0
) -> list[str | None]:
    """For each (lat, lon), the id of a non-merged spot within ``tolerance_m``, else None."""
    live = spots[spots["status"] != "merged"]
    geometry = np.asarray(live["geometry"].tolist(), dtype=object)
    found: list[str | None] = []
    for lat, lon in points:
        degrees = tolerance_m / 111_000.0
        near = shapely.dwithin(geometry, shapely.Point(lon, lat), degrees)
        found.append(str(live["id"].iloc[int(np.flatnonzero(near)[0])]) if near.any() else None)
    return found


#: Starts the line on which a probe reports its modules (the code it runs may print too).
MODULES_LINE = "heatmap.testing loaded:"


def modules_loaded_by(code: str, modules: Iterable[str]) -> list[str]:
    """Which of ``modules`` (``"pandas"``, ``"scipy.spatial"``) are in ``sys.modules``
    once ``code`` has run in a fresh interpreter (this one: ``sys.executable``), sorted.

    A fresh one, because whatever ran before in this process has imported them already.
    A package counts as loaded when any of its modules is (Python imports the parents).
    ``code`` that fails, or exits before its end, is an :class:`AssertionError` with its
    stderr: a probe that did not run cannot pass.
    """
    wanted = sorted(set(modules))
    probe = (
        f"{code}\nimport sys as _s\nprint({MODULES_LINE!r}, *[m for m in {wanted!r} if m in _s.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    _, marked, after = done.stdout.rpartition(MODULES_LINE)
    if done.returncode != 0 or not marked:
        raise AssertionError(f"the probe failed (exit {done.returncode}):\n{code}\n{done.stderr}")
    return after.partition("\n")[0].split()


def assert_imports_none(code: str, modules: Iterable[str]) -> None:
    """Fail if ``code``, run in a fresh interpreter, imports any of ``modules`` (a
    command's start-up kept light, an optional library left alone): see
    :func:`modules_loaded_by`."""
    loaded = modules_loaded_by(code, modules)
    if loaded:
        raise AssertionError(f"{', '.join(loaded)} imported by:\n{code}")


#: Chromium's switches for tests: headless, and fetching nothing of its own accord.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """Headless Chromium driven by Playwright, for a pytest test of a page or a saved map:
    the system's Chromium, else Playwright's own build
    (:func:`heatmap.devtools.suite.chromium_path`); the test is skipped where either is
    missing. Yields Playwright's ``Browser``."""
    import pytest

    from heatmap.devtools import suite

    sync_api = pytest.importorskip("playwright.sync_api")
    path = suite.chromium_path()
    if path is None:
        pytest.skip(f"no Chromium at {suite.SYSTEM_CHROMIUM}, on PATH or of Playwright's")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=list(CHROMIUM_ARGS))
        yield launched
        launched.close()


class OnePointGeocoder:
    """A geocoder (:class:`heatmap.geocode.Geocoder`) that puts every address on one house
    point and counts its calls: for testing what happens around geocoding."""

    def __init__(self, lat: float = 59.22, lon: float = 39.88) -> None:
        self.lat, self.lon = lat, lon
        self.calls = 0

    def geocode(self, addresses: Sequence[str | None], *, city: str | None = None) -> pd.DataFrame:
        self.calls += 1
        n = len(addresses)
        return pd.DataFrame(
            {
                "lat": [self.lat] * n,
                "lon": [self.lon] * n,
                "precision": ["house"] * n,
                "score": [1.0] * n,
                "matched": ["x"] * n,
                "reason": [None] * n,
            }
        )

"""End to end: `heatmap demo` on the samples finds the planted spots and writes its files.

The demo is the run's one build (``demo_build`` in tests/conftest.py), shared with the
browser and export tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from heatmap.devtools.samples import SAMPLES_NOW, generate_export, read_addresses
from heatmap.store import open_store
from heatmap.testing import spots_covering


@pytest.fixture(scope="module")
def demo_dir(demo_copy: Callable[[str], Path]) -> Path:
    return demo_copy("demo")


def test_demo_writes_map_geojson_and_store(demo_dir: Path) -> None:
    assert (demo_dir / "map.html").stat().st_size > 10_000
    features = json.loads((demo_dir / "spots.geojson").read_text(encoding="utf-8"))["features"]
    assert len(features) >= 6
    html = (demo_dir / "map.html").read_text(encoding="utf-8")
    for label in ("Приоритет пятна", "Жалобы (гексагоны)", "Пятна"):
        assert label in html or json.dumps(label)[1:-1] in html, label


def test_demo_finds_every_planted_spot(demo_dir: Path) -> None:
    _, plants = generate_export(read_addresses(), n=2500, seed=1, now=SAMPLES_NOW)
    store = open_store(f"sqlite:///{demo_dir / 'heatmap.db'}")
    spots = store.load_spots()
    found = spots_covering(spots, [(p.lat, p.lon) for p in plants])
    assert all(found), f"planted spots not found: {[p for p, f in zip(plants, found, strict=True) if not f]}"
    top = set(spots.head(len(plants))["id"])
    assert set(found) <= top | set(spots["id"]), "planted spots are real spots"
    assert len(set(found)) == len(plants), "each planted spot is a spot of its own"


def test_demo_geocodes_most_addresses(demo_dir: Path) -> None:
    store = open_store(f"sqlite:///{demo_dir / 'heatmap.db'}")
    complaints = store.load_complaints()
    addressed = complaints[complaints["address"].notna()]
    assert (addressed["precision"] == "house").mean() > 0.9
    assert complaints["precision"].notna().all()

"""Benchmark the gazetteer basemap (``/api/v1/basemap``) on real address registries.

For each registry of ``../shared/data/addresses`` named: the gazetteer is built, then the
basemap (:func:`heatmap.render.basemap.build_basemap`, what ``heatmap serve`` does at
start) and views around the median house are answered at zooms 16, 14, 12 and 10 (a
view 1366x768 px wide at that zoom): features, JSON size and time per answer (mean of 20).

Usage: ``python benchmarks/bench_basemap.py [REGISTRY.csv.gz ...]`` (default: Vologda
region and Moscow).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

ADDRESSES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "addresses"
DEFAULT = ["housedata_vologodskaya_20161006.csv.gz", "housedata_moskow_20170614.csv.gz"]
WIDTH, HEIGHT = 1366, 768


def view(lat: float, lon: float, zoom: int) -> tuple[float, float, float, float]:
    """The bbox a WIDTH x HEIGHT map shows at ``zoom`` around (lat, lon)."""
    degrees_per_px = 360 / (256 * 2**zoom)
    half_lon = WIDTH / 2 * degrees_per_px
    half_lat = HEIGHT / 2 * degrees_per_px * math.cos(math.radians(lat))
    return lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat


def main() -> None:
    from heatmap.geocode import build_gazetteer
    from heatmap.render.basemap import build_basemap

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("registries", nargs="*", default=DEFAULT)
    args = parser.parse_args()
    for name in args.registries:
        path = Path(name) if Path(name).exists() else ADDRESSES / name
        entries, _ = build_gazetteer(path)
        started = time.perf_counter()
        layer = build_basemap(entries)
        built = time.perf_counter() - started
        lat, lon = float(entries["lat"].median()), float(entries["lon"].median())
        print(
            f"{path.name}: {layer.houses} houses, {len(layer.streets)} street labels,"
            f" {len(layer.settlements)} settlements; basemap built in {built:.2f} s"
        )
        for zoom in (16, 14, 12, 10):
            box = view(lat, lon, zoom)
            started = time.perf_counter()
            for _ in range(20):
                features = layer.features(box, zoom)
            each = (time.perf_counter() - started) / 20 * 1000
            size = len(
                json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
            )
            print(f"  zoom {zoom}: {len(features)} features, {size / 1024:.0f} KiB, {each:.1f} ms")


if __name__ == "__main__":
    main()

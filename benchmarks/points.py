"""Synthetic complaint points for detection benchmarks and tests.

``make_points(n, seed)`` spreads complaints over many Russian cities the way a national
operator's complaints spread: a diffuse layer in each city (share grows sub-linearly with
population, spread grows with the city's area, so big cities are not denser than small
ones), compact hotspots of varied size and radius (a faulty site, a building with poor
indoor coverage), a rural layer around cities and a very sparse national background.
Some subscribers complain repeatedly from (almost) the same place, and many points sit
exactly on house centroids, so identical coordinates are common — as after geocoding.

City centres and populations come from ``../shared/data/cities/city.csv`` when that file
exists, otherwise from a small built-in list.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

EARTH_RADIUS_M = 6_371_008.8
_M_PER_DEG = np.pi * EARTH_RADIUS_M / 180.0

#: (name, lat, lon, population) used when the shared city table is absent.
_BUILTIN_CITIES: tuple[tuple[str, float, float, int], ...] = (
    ("Москва", 55.7540, 37.6204, 11_514_330),
    ("Санкт-Петербург", 59.9391, 30.3159, 4_848_742),
    ("Новосибирск", 55.0282, 82.9235, 1_498_921),
    ("Екатеринбург", 56.8386, 60.6055, 1_377_738),
    ("Нижний Новгород", 56.3240, 44.0053, 1_250_615),
    ("Казань", 55.7943, 49.1115, 1_216_965),
    ("Самара", 53.1951, 50.1067, 1_164_900),
    ("Омск", 54.9848, 73.3674, 1_154_000),
    ("Челябинск", 55.1603, 61.4008, 1_130_273),
    ("Ростов-на-Дону", 47.2226, 39.7188, 1_089_261),
    ("Уфа", 54.7348, 55.9578, 1_062_300),
    ("Красноярск", 56.0093, 92.8525, 973_826),
    ("Пермь", 58.0103, 56.2342, 991_530),
    ("Воронеж", 51.6593, 39.1969, 889_989),
    ("Волгоград", 48.7072, 44.5169, 1_021_244),
    ("Вологда", 59.2205, 39.8915, 301_642),
    ("Архангельск", 64.5393, 40.5170, 348_716),
    ("Петрозаводск", 61.7892, 34.3596, 263_540),
    ("Псков", 57.8194, 28.3318, 203_279),
    ("Великий Новгород", 58.5215, 31.2755, 218_717),
    ("Владивосток", 43.1164, 131.8823, 592_069),
    ("Хабаровск", 48.4649, 135.0599, 577_441),
    ("Анадырь", 64.7337, 177.4968, 13_045),
    ("Калининград", 54.7070, 20.5073, 431_902),
    ("Мурманск", 68.9696, 33.0745, 307_257),
    ("Кириллов", 59.8591, 38.3748, 7_735),
)

_SHARE_BACKGROUND = 0.03  # uniform over the country's box
_SHARE_RURAL = 0.10  # wide cloud around cities
_SHARE_HOTSPOT = 0.45  # compact concentrations
_SHARE_REPEAT = 0.15  # same subscriber again, same or nearby place
_SHARE_SNAPPED = 0.40  # coordinates of a house centroid (exact duplicates)
_PEOPLE_PER_KM2 = 3_000.0  # sets a city's spread from its population
_WINDOW_END = pd.Timestamp("2025-06-30T21:00:00Z")
_WINDOW = pd.Timedelta(days=30)


def load_cities(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """City table with columns ``name, lat, lon, population``.

    Looks for the shared city table next to the repository (or at ``path``) and falls
    back to a built-in list of 26 cities.
    """
    candidates = (
        [Path(path)]
        if path is not None
        else [
            Path(__file__).resolve().parents[2] / "shared" / "data" / "cities" / "city.csv",
            Path("../shared/data/cities/city.csv"),
        ]
    )
    for candidate in candidates:
        if candidate.is_file():
            raw = pd.read_csv(candidate)
            name = raw["city"].fillna(raw["region"]).astype(str)
            out = pd.DataFrame(
                {
                    "name": name,
                    "lat": raw["geo_lat"].astype("float64"),
                    "lon": raw["geo_lon"].astype("float64"),
                    "population": raw["population"].astype("float64"),
                }
            )
            out = out.dropna()
            return out[out["population"] > 0].reset_index(drop=True)
    return pd.DataFrame(list(_BUILTIN_CITIES), columns=["name", "lat", "lon", "population"]).astype(
        {"population": "float64"}
    )


def _offset(
    lat: np.ndarray, lon: np.ndarray, north_m: np.ndarray, east_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Move points by metre offsets (local flat approximation, fine below ~100 km)."""
    new_lat = np.clip(lat + north_m / _M_PER_DEG, -89.9, 89.9)
    coslat = np.maximum(np.cos(np.radians(lat)), 0.05)
    new_lon = lon + east_m / (_M_PER_DEG * coslat)
    new_lon = (new_lon + 180.0) % 360.0 - 180.0
    return new_lat, new_lon


def _split(n: int, shares: list[float]) -> list[int]:
    counts = [round(n * s) for s in shares]
    counts.append(max(0, n - sum(counts)))
    return counts


def make_points(n: int, seed: int = 0, *, cities: pd.DataFrame | None = None) -> pd.DataFrame:
    """``n`` synthetic complaints: ``lat, lon, subscriber_id, created_at`` (shuffled rows).

    Deterministic for a given ``(n, seed, cities)``.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    rng = np.random.default_rng(seed)
    city = load_cities() if cities is None else cities
    c_lat = city["lat"].to_numpy(dtype="float64")
    c_lon = city["lon"].to_numpy(dtype="float64")
    pop = city["population"].to_numpy(dtype="float64")
    # complaint share grows slower than population; spread grows with the city's area
    c_share = pop**0.8 / np.sum(pop**0.8)
    c_sigma_m = 1_000.0 * np.sqrt(pop / (np.pi * _PEOPLE_PER_KM2)) / 1.5 + 300.0

    n_base = n - round(n * _SHARE_REPEAT)
    n_bg, n_rural, n_hot, n_city = _split(n_base, [_SHARE_BACKGROUND, _SHARE_RURAL, _SHARE_HOTSPOT])
    lats: list[np.ndarray] = []
    lons: list[np.ndarray] = []

    # national background: uniform over the box of the cities
    lats.append(rng.uniform(c_lat.min() - 1.0, c_lat.max() + 1.0, n_bg))
    lons.append(rng.uniform(c_lon.min() - 1.0, c_lon.max() + 1.0, n_bg))

    # rural cloud: wide Gaussians around cities
    who = rng.choice(len(city), size=n_rural, p=c_share)
    la, lo = _offset(
        c_lat[who],
        c_lon[who],
        rng.normal(0.0, 25_000.0, n_rural),
        rng.normal(0.0, 25_000.0, n_rural),
    )
    lats.append(la)
    lons.append(lo)

    # diffuse city layer
    who = rng.choice(len(city), size=n_city, p=c_share)
    sig = c_sigma_m[who]
    la, lo = _offset(
        c_lat[who],
        c_lon[who],
        rng.normal(0.0, 1.0, n_city) * sig,
        rng.normal(0.0, 1.0, n_city) * sig,
    )
    lats.append(la)
    lons.append(lo)

    # hotspots: heavy-tailed sizes, radii 30..300 m, placed inside cities
    if n_hot > 0:
        sizes = np.maximum(1, np.round(rng.lognormal(np.log(20.0), 1.1, n_hot // 4 + 1)))
        sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n_hot)) + 1].astype(np.int64)
        sizes[-1] -= int(sizes.sum()) - n_hot
        sizes = sizes[sizes > 0]
        k = len(sizes)
        who = rng.choice(len(city), size=k, p=c_share)
        h_lat, h_lon = _offset(
            c_lat[who],
            c_lon[who],
            rng.normal(0.0, 1.0, k) * c_sigma_m[who],
            rng.normal(0.0, 1.0, k) * c_sigma_m[who],
        )
        h_sig = np.exp(rng.uniform(np.log(30.0), np.log(300.0), k))
        rep_lat = np.repeat(h_lat, sizes)
        rep_lon = np.repeat(h_lon, sizes)
        rep_sig = np.repeat(h_sig, sizes)
        la, lo = _offset(
            rep_lat,
            rep_lon,
            rng.normal(0.0, 1.0, n_hot) * rep_sig,
            rng.normal(0.0, 1.0, n_hot) * rep_sig,
        )
        lats.append(la)
        lons.append(lo)

    lat = np.concatenate(lats)
    lon = np.concatenate(lons)
    base_n = len(lat)
    subscriber = rng.permutation(np.arange(base_n, dtype=np.int64) * 7 + 1_000_003)

    # geocoded to a house: snap to a ~20 m grid, which makes exact duplicates
    snap = rng.random(base_n) < _SHARE_SNAPPED
    lat[snap] = np.round(lat[snap] / 0.0002) * 0.0002
    lon[snap] = np.round(lon[snap] / 0.0003) * 0.0003

    # repeat complaints: an earlier subscriber again, same point or a few metres away
    n_rep = n - base_n
    if n_rep > 0 and base_n > 0:
        src = rng.integers(0, base_n, n_rep)
        jitter = np.where(rng.random(n_rep) < 0.5, 0.0, 15.0)
        r_lat, r_lon = _offset(
            lat[src],
            lon[src],
            rng.normal(0.0, 1.0, n_rep) * jitter,
            rng.normal(0.0, 1.0, n_rep) * jitter,
        )
        lat = np.concatenate([lat, r_lat])
        lon = np.concatenate([lon, r_lon])
        subscriber = np.concatenate([subscriber, subscriber[src]])

    order = rng.permutation(len(lat))
    seconds = rng.uniform(0.0, _WINDOW.total_seconds(), len(lat))
    created = _WINDOW_END - pd.to_timedelta(np.sort(seconds)[::-1], unit="s")
    return pd.DataFrame(
        {
            "lat": lat[order],
            "lon": lon[order],
            "subscriber_id": pd.array([f"s{v:010d}" for v in subscriber[order]], dtype="str"),
            "created_at": created,
        }
    )


if __name__ == "__main__":  # pragma: no cover - manual look at the generator
    import sys

    frame = make_points(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
    print(frame.head())
    print(frame.describe())

"""Planted concentrations over an address-density background, for measuring detection.

Given the houses of one city (coordinates from an address registry), the generator
places complainants the way a real month of complaints looks to a detector:

* **background** — each complainant on a registry house drawn uniformly (so complaints
  follow address density), a few metres off the house point, at a fixed rate per house
  (default one complainant per 7 houses per 30 days), at times uniform over the window;
  given house ``weight`` (e.g. each house's dwellings), houses are drawn in proportion
  to it instead — complaints follow residents, as a real operator's do;
* **planted concentrations** — each centred on a house drawn uniformly among the city's
  houses (dense centres and sparse suburbs alike), with 8–30 distinct complainants on
  houses within 200 m of the centre (in proportion to ``weight`` when given; where fewer
  than 3 houses are that close, scattered within 150 m of it), at times within the last
  7 days of the window.

A small share of complainants complain twice (same ``subscriber_id``), so a detector that
counts complaints instead of complainants is caught out. The background does not depend
on the number planted: for one seed, the background-only export (``planted=0``) holds
exactly the background rows of the planted one.

:func:`synthetic_town` makes houses for tests that need a city without a registry.

Pure: the caller passes the house coordinates and ``now``; no I/O, no clock.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from heatmap.errors import InputError

#: Columns of a generated complaints frame.
COLUMNS: tuple[str, ...] = ("ticket_id", "subscriber_id", "lat", "lon", "created_at", "precision", "planted")
#: Columns of the planted-centre frame.
CENTRE_COLUMNS: tuple[str, ...] = ("planted", "lat", "lon", "complainants", "houses_near")
#: :func:`generate_history` draws its background with this seed plus the export's.
HISTORY_SEED = 1_000_000_000
_EARTH_RADIUS_M = 6_371_008.8
_M_PER_DEG = np.pi * _EARTH_RADIUS_M / 180.0


@dataclass(frozen=True)
class PlantSpec:
    """How much background and what to plant."""

    window_days: float = 30.0
    #: background complainants per registry house per 30 days
    background_rate: float = 1 / 7
    planted: int = 12
    min_complainants: int = 8
    max_complainants: int = 30
    #: planted complainants live on houses this close to the centre house
    radius_m: float = 200.0
    #: with fewer houses than this within ``radius_m``, scatter around the centre instead
    min_houses_near: int = 3
    scatter_m: float = 150.0
    #: planted complaints fall within this many days before ``now``
    recent_days: float = 7.0
    #: share of complainants who complain a second time
    repeat_share: float = 0.05
    #: each complaint lies up to this far from its house point
    jitter_m: float = 10.0
    #: planted centres at least this far apart, while the city allows it
    min_separation_m: float = 1000.0


@dataclass(frozen=True)
class PlantedExport:
    """A generated export: the complaints and the planted centres (truth)."""

    complaints: pd.DataFrame
    centres: pd.DataFrame
    #: distinct background complainants
    background: int


def distance_m(
    lat1: np.ndarray | float, lon1: np.ndarray | float, lat2: np.ndarray | float, lon2: np.ndarray | float
) -> np.ndarray:
    """Great-circle distance in metres (vectorised, broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def offset(
    lat: np.ndarray, lon: np.ndarray, rng: np.random.Generator, radius_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each point moved to a uniform random place within ``radius_m`` of it."""
    r = radius_m * np.sqrt(rng.random(len(lat)))
    angle = rng.random(len(lat)) * 2 * np.pi
    dlat = r * np.cos(angle) / _M_PER_DEG
    dlon = r * np.sin(angle) / (_M_PER_DEG * np.cos(np.radians(lat)))
    return lat + dlat, lon + dlon


def generate_planted(
    lat: np.ndarray,
    lon: np.ndarray,
    *,
    now: datetime,
    seed: int,
    spec: PlantSpec | None = None,
    weight: np.ndarray | None = None,
) -> PlantedExport:
    """Complaints over the houses ``lat, lon`` of one city, drawn in proportion to
    ``weight`` (None: uniformly); see the module docstring."""
    spec = spec or PlantSpec()
    lat, lon, share = _checked(lat, lon, spec, now, weight)
    background_rng, plant_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    end = pd.Timestamp(now).tz_convert("UTC")
    n_background = int(np.ceil(spec.background_rate * len(lat) * spec.window_days / 30.0))
    if share is None:
        houses = background_rng.integers(0, len(lat), n_background)
    else:
        houses = background_rng.choice(len(lat), n_background, p=share)
    blat, blon = offset(lat[houses], lon[houses], background_rng, spec.jitter_m)
    frames = [_complainants(blat, blon, background_rng, spec, end, spec.window_days, prefix="bg", planted=-1)]
    centres = _centres(lat, lon, plant_rng, spec)
    for k, clat, clon, size in zip(
        centres["planted"].tolist(),
        centres["lat"].tolist(),
        centres["lon"].tolist(),
        centres["complainants"].tolist(),
        strict=True,
    ):
        plat, plon = _planted_points(lat, lon, (clat, clon), size, plant_rng, spec, share)
        frames.append(
            _complainants(plat, plon, plant_rng, spec, end, spec.recent_days, prefix=f"p{k}", planted=k)
        )
    complaints = pd.concat(frames, ignore_index=True)
    complaints = complaints.sort_values(["created_at", "subscriber_id"], kind="stable")
    complaints = complaints.reset_index(drop=True)
    complaints.insert(0, "ticket_id", [f"Q{seed}-{i:06d}" for i in range(len(complaints))])
    return PlantedExport(
        complaints=complaints.loc[:, list(COLUMNS)], centres=centres, background=n_background
    )


def generate_history(
    lat: np.ndarray,
    lon: np.ndarray,
    *,
    now: datetime,
    seed: int,
    days: float = 180.0,
    spec: PlantSpec | None = None,
    weight: np.ndarray | None = None,
    chronic: bool = False,
) -> pd.DataFrame:
    """The ``days`` of complaints before the window of the export of ``seed`` (which
    ends at ``now``): a background at the export's rate drawn apart from the export's
    own, and with ``chronic`` the export's planted places complaining all along, each at
    its size per window (places and sizes as :func:`generate_planted` draws them with
    ``spec``) — a chronic problem the store has seen before."""
    spec = spec or PlantSpec()
    end = now - pd.Timedelta(days=spec.window_days)
    past = dataclasses.replace(spec, window_days=days, planted=0)
    frames = [
        generate_planted(lat, lon, now=end, seed=HISTORY_SEED + seed, spec=past, weight=weight).complaints
    ]
    if chronic and spec.planted:
        sizes = generate_planted(
            lat, lon, now=now, seed=seed, spec=dataclasses.replace(spec, background_rate=0.0)
        )
        scale = days / spec.window_days
        for k, size in zip(sizes.centres["planted"], sizes.centres["complainants"], strict=True):
            one = dataclasses.replace(
                spec,
                window_days=days,
                recent_days=days,
                background_rate=0.0,
                min_complainants=max(1, round(size * scale)),
                max_complainants=max(1, round(size * scale)),
            )
            plants = generate_planted(lat, lon, now=end, seed=seed, spec=one, weight=weight).complaints
            frames.append(plants[plants["planted"] == k])
    history = pd.concat(frames, ignore_index=True).sort_values("created_at", kind="stable")
    history["ticket_id"] = [f"H{seed}-{i:06d}" for i in range(len(history))]
    return history.reset_index(drop=True)


def _checked(
    lat: np.ndarray, lon: np.ndarray, spec: PlantSpec, now: datetime, weight: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Houses with coordinates, and each one's share of the weight (None: uniform)."""
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    if lat.shape != lon.shape or lat.ndim != 1:
        raise InputError("house lat and lon must be 1-d arrays of one length")
    ok = np.isfinite(lat) & np.isfinite(lon)
    share = None
    if weight is not None:
        weight = np.asarray(weight, dtype=np.float64)
        if weight.shape != lat.shape or not (np.isfinite(weight[ok]) & (weight[ok] >= 0)).all():
            raise InputError("house weight must be one finite, non-negative value per house")
        if not weight[ok].sum() > 0:
            raise InputError("house weight sums to 0: no house to place complaints on")
        share = weight[ok] / weight[ok].sum()
    lat, lon = lat[ok], lon[ok]
    if len(lat) == 0:
        raise InputError("no houses with coordinates to place complaints on")
    if now.tzinfo is None:
        raise InputError("now must be timezone-aware")
    if not 1 <= spec.min_complainants <= spec.max_complainants:
        raise InputError("need 1 <= min_complainants <= max_complainants")
    if spec.planted < 0 or spec.background_rate < 0:
        raise InputError("planted and background_rate must not be negative")
    if not 0 < spec.recent_days <= spec.window_days:
        raise InputError("recent_days must lie in (0, window_days]")
    return lat, lon, share


def _centres(lat: np.ndarray, lon: np.ndarray, rng: np.random.Generator, spec: PlantSpec) -> pd.DataFrame:
    """Planted centre houses, uniform over houses, kept apart while the city allows it."""
    chosen: list[int] = []
    for index in rng.permutation(len(lat)):
        if len(chosen) == spec.planted:
            break
        if chosen and distance_m(lat[chosen], lon[chosen], lat[index], lon[index]).min() < (
            spec.min_separation_m
        ):
            continue
        chosen.append(int(index))
    if len(chosen) < spec.planted:  # a small town: fill up without the separation
        rest = np.setdiff1d(np.arange(len(lat)), chosen)
        chosen += rng.choice(rest, min(len(rest), spec.planted - len(chosen)), replace=False).tolist()
    idx = np.asarray(chosen, dtype=np.int64)
    sizes = rng.integers(spec.min_complainants, spec.max_complainants + 1, len(idx))
    near = [int((distance_m(lat, lon, lat[i], lon[i]) <= spec.radius_m).sum()) for i in idx]
    return pd.DataFrame(
        {
            "planted": np.arange(len(idx), dtype=np.int64),
            "lat": lat[idx],
            "lon": lon[idx],
            "complainants": sizes.astype(np.int64),
            "houses_near": np.asarray(near, dtype=np.int64),
        }
    )


def _planted_points(
    lat: np.ndarray,
    lon: np.ndarray,
    centre: tuple[float, float],
    size: int,
    rng: np.random.Generator,
    spec: PlantSpec,
    share: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Where the complainants of one planted concentration are."""
    clat, clon = centre
    near = np.flatnonzero(distance_m(lat, lon, clat, clon) <= spec.radius_m)
    if len(near) >= spec.min_houses_near and (share is None or share[near].sum() > 0):
        p = None if share is None else share[near] / share[near].sum()
        pick = rng.choice(near, size, replace=True, p=p)
        return offset(lat[pick], lon[pick], rng, spec.jitter_m)
    return offset(np.full(size, clat), np.full(size, clon), rng, spec.scatter_m)


def _complainants(
    lat: np.ndarray,
    lon: np.ndarray,
    rng: np.random.Generator,
    spec: PlantSpec,
    end: pd.Timestamp,
    days: float,
    *,
    prefix: str,
    planted: int,
) -> pd.DataFrame:
    """One complaint per complainant, plus a second one (same place) for a few of them."""
    n = len(lat)
    subscriber = np.array([f"{prefix}-{i:05d}" for i in range(n)], dtype=object)
    again = np.flatnonzero(rng.random(n) < spec.repeat_share)
    who = np.concatenate([np.arange(n), again])
    seconds = rng.random(len(who)) * days * 86_400.0
    created = end - pd.to_timedelta(np.round(seconds), unit="s")
    return pd.DataFrame(
        {
            "subscriber_id": subscriber[who],
            "lat": lat[who],
            "lon": lon[who],
            "created_at": created,
            "precision": "house",
            "planted": np.full(len(who), planted, dtype=np.int64),
        }
    )


def synthetic_town(
    seed: int, *, houses: int = 3000, dense_share: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """House ``lat, lon`` of a synthetic town: a dense centre (``dense_share`` of the
    houses evenly within 1 km; at 3,000 houses ~60 within 200 m of any of them) and
    sparse suburbs evenly over the ring out to 8 km."""
    rng = np.random.default_rng(seed)
    dense = int(houses * dense_share)
    r = np.concatenate(
        [1_000 * np.sqrt(rng.uniform(0, 1, dense)), np.sqrt(rng.uniform(1_000**2, 8_000**2, houses - dense))]
    )
    angle = rng.uniform(0, 2 * np.pi, houses)
    lat = 59.2 + r * np.cos(angle) / 111_320
    lon = 39.9 + r * np.sin(angle) / (111_320 * np.cos(np.radians(59.2)))
    return lat, lon

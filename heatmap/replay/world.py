"""The simulated city: houses from a registry, incidents, and every complaint that could come.

Pure: the houses and the configuration in, frames out; deterministic for the seed.

* **Background** — ``background_per_day`` complainants a day on registry houses drawn
  uniformly (complaints follow address density), at times uniform over the replay.
* **Incidents** — a Poisson process of ``incidents_per_week``; each has a cause (its
  weight in :data:`heatmap.replay.config.CAUSES`), a centre on a house drawn uniformly,
  a radius, and a share of the affected subscribers (``subscribers_per_house`` per house
  within the radius) who complain, at times exponential after the start (most early,
  some late). A self-healing cause (power) ends after a lognormal time by itself; the
  others end only when an engineer's fix holds, so their complaints are *candidates*:
  the replay lets through only those made before the incident actually ended.
* **Network** — sites over the city and the alarms of the incidents that raise one
  (:mod:`heatmap.replay.network`), drawn from a generator of their own so that the
  complaints are the same with or without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from heatmap.core.network import SITE_COLUMNS
from heatmap.errors import InputError
from heatmap.replay.config import CHRONIC, ReplayConfig
from heatmap.replay.network import PLANNED_ALARM_COLUMNS, noc_fixes, plan_alarms, plan_sites

__all__ = ["INCIDENT_COLUMNS", "World", "city_houses", "plan_world"]

INCIDENT_COLUMNS = (
    "incident",
    "cause",
    "start",
    "lat",
    "lon",
    "radius_m",
    "share",
    "houses",
    "subscribers",
    "self_heal_at",
    "chronic",
    "noc_fix_at",
)
_M_PER_DEG = 111_195.0
_SEGMENTS = (("mass", 0.80), ("premium", 0.10), ("vip", 0.03), ("b2b", 0.05), ("b2g", 0.02))
_TOPICS = (
    "no_coverage",
    "weak_signal_indoor",
    "dropped_calls",
    "voice_quality",
    "slow_data",
    "no_data",
    "no_4g",
    "sms_delivery",
)


@dataclass(frozen=True)
class World:
    """Incidents (truth) and candidate complaints, ``incident`` = -1 for the background;
    the network's sites and planned alarms (none without sites)."""

    incidents: pd.DataFrame
    complaints: pd.DataFrame
    houses: pd.DataFrame
    sites: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(SITE_COLUMNS)))
    alarms: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(PLANNED_ALARM_COLUMNS)))


def city_houses(addresses: pd.DataFrame, *, max_km: float = 40.0, max_per_point: int = 20) -> pd.DataFrame:
    """``lat, lon`` of a registry's houses within ``max_km`` of their median point.

    Registries carry houses geocoded far away: the Omsk file has 20,274 of its houses on
    one point in Moscow, a geocoder's fallback. A point shared by more than
    ``max_per_point`` houses is such a fallback and is left out; the median of the rest
    is the city's, and what lies beyond ``max_km`` of it is left out too.
    """
    lat = pd.to_numeric(addresses["LAT"], errors="coerce")
    lon = pd.to_numeric(addresses["LON"], errors="coerce")
    ok = lat.between(-90, 90) & lon.between(-180, 180)
    shared = pd.DataFrame({"lat": lat, "lon": lon}).groupby(["lat", "lon"])["lat"].transform("size")
    ok &= shared <= max_per_point
    lat, lon = lat[ok].to_numpy(float), lon[ok].to_numpy(float)
    if len(lat) == 0:
        raise InputError("the registry has no house with valid coordinates")
    lat0, lon0 = float(np.median(lat)), float(np.median(lon))
    near = _metres(lat, lon, lat0, lon0) <= max_km * 1000
    if near.sum() < 50:
        raise InputError(
            f"the registry has {int(near.sum())} houses within {max_km:g} km of its"
            " median point: too few to replay a city"
        )
    return pd.DataFrame({"lat": lat[near], "lon": lon[near]})


def _metres(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    dy = (lat - lat0) * _M_PER_DEG
    dx = (lon - lon0) * _M_PER_DEG * np.cos(np.radians(lat0))
    return np.asarray(np.hypot(dx, dy))


def plan_world(houses: pd.DataFrame, config: ReplayConfig) -> World:
    """Incidents and candidate complaints over ``config.days`` from ``config.start``."""
    rng = np.random.default_rng(config.seed)
    lat, lon = houses["lat"].to_numpy(float), houses["lon"].to_numpy(float)
    incidents = _incidents(lat, lon, config, rng)
    parts = [_background(lat, lon, config, rng)]
    for row in incidents.itertuples(index=False):
        parts.append(_incident_complaints(row, lat, lon, config, rng))
    complaints = pd.concat(parts, ignore_index=True)
    complaints = _with_repeats(complaints, config, rng)
    horizon = pd.Timestamp(config.start) + pd.Timedelta(days=config.days)
    complaints = complaints[complaints["created_at"] < horizon]
    complaints = complaints.sort_values(["created_at", "subscriber"], kind="stable")
    complaints = _dressed(complaints.reset_index(drop=True), config, rng)
    if config.site_spacing_m <= 0:
        return World(incidents, complaints, houses)
    sites = plan_sites(houses, spacing_m=config.site_spacing_m)
    network = np.random.default_rng(config.seed + 104_729)
    alarms = plan_alarms(incidents, sites, config, network)
    incidents = incidents.assign(noc_fix_at=noc_fixes(incidents, alarms, config, network))
    return World(incidents, complaints, houses, sites, alarms)


def _incidents(
    lat: np.ndarray, lon: np.ndarray, config: ReplayConfig, rng: np.random.Generator
) -> pd.DataFrame:
    count = int(rng.poisson(config.incidents_per_week * config.days / 7))
    names = list(config.causes)
    weights = np.array([config.causes[n].weight for n in names], float)
    cause = rng.choice(names, size=count, p=weights / weights.sum())
    start = pd.Timestamp(config.start) + pd.to_timedelta(
        np.sort(rng.uniform(0, config.days * 24, count)), unit="h"
    )
    centre = rng.integers(len(lat), size=count)
    rows = []
    for i in range(count):
        spec = config.causes[str(cause[i])]
        radius = float(rng.uniform(*spec.radius_m))
        inside = int((_metres(lat, lon, lat[centre[i]], lon[centre[i]]) <= radius).sum())
        heal = (
            start[i] + pd.Timedelta(hours=float(spec.self_heal_hours * rng.lognormal(0, 0.5)))
            if spec.self_heal_hours > 0
            else pd.NaT
        )
        rows.append(
            {
                "incident": i,
                "cause": str(cause[i]),
                "start": start[i],
                "lat": float(lat[centre[i]]),
                "lon": float(lon[centre[i]]),
                "radius_m": radius,
                "share": float(rng.uniform(*spec.share)),
                "houses": inside,
                "subscribers": inside * config.subscribers_per_house,
                "self_heal_at": heal,
                "chronic": str(cause[i]) in CHRONIC,
            }
        )
    frame = pd.DataFrame(rows, columns=list(INCIDENT_COLUMNS))
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["self_heal_at"] = pd.to_datetime(frame["self_heal_at"], utc=True)
    frame["noc_fix_at"] = pd.to_datetime(frame["noc_fix_at"], utc=True)  # set with the network
    return frame


def _background(
    lat: np.ndarray, lon: np.ndarray, config: ReplayConfig, rng: np.random.Generator
) -> pd.DataFrame:
    n = int(rng.poisson(config.background_per_day * config.days))
    house = rng.integers(len(lat), size=n)
    hours = rng.uniform(0, config.days * 24, n)
    return pd.DataFrame(
        {
            "lat": lat[house],
            "lon": lon[house],
            "incident": -1,
            "created_at": pd.Timestamp(config.start) + pd.to_timedelta(hours, "h"),
            "topic": rng.choice(_TOPICS, size=n),
        }
    )


def _incident_complaints(
    row: object, lat: np.ndarray, lon: np.ndarray, config: ReplayConfig, rng: np.random.Generator
) -> pd.DataFrame:
    spec = config.causes[str(row.cause)]  # type: ignore[attr-defined]
    c_lat, c_lon = float(row.lat), float(row.lon)  # type: ignore[attr-defined]
    near = np.flatnonzero(_metres(lat, lon, c_lat, c_lon) <= float(row.radius_m))  # type: ignore[attr-defined]
    n = int(rng.poisson(float(row.share) * float(row.subscribers)))  # type: ignore[attr-defined]
    house = near[rng.integers(len(near), size=n)] if len(near) else np.zeros(0, int)
    delay = rng.exponential(spec.complaint_mean_hours, size=len(house))
    return pd.DataFrame(
        {
            "lat": lat[house],
            "lon": lon[house],
            "incident": int(row.incident),  # type: ignore[attr-defined]
            "created_at": row.start + pd.to_timedelta(delay, "h"),  # type: ignore[attr-defined]
            "topic": rng.choice(list(spec.topics), size=len(house)),
        }
    )


def _with_repeats(complaints: pd.DataFrame, config: ReplayConfig, rng: np.random.Generator) -> pd.DataFrame:
    """Number the complainants; ``repeat_share`` of them call again a day or so later."""
    complaints = complaints.assign(subscriber=np.arange(len(complaints)))
    again = complaints[rng.random(len(complaints)) < config.repeat_share].copy()
    again["created_at"] = again["created_at"] + pd.to_timedelta(rng.exponential(24.0, size=len(again)), "h")
    return pd.concat([complaints, again], ignore_index=True)


def _dressed(complaints: pd.DataFrame, config: ReplayConfig, rng: np.random.Generator) -> pd.DataFrame:
    """Ticket ids, numbers, segments and a few metres of GPS jitter: a CRM export's rows."""
    n = len(complaints)
    people = complaints["subscriber"].to_numpy()
    segment = rng.choice(
        [s for s, _ in _SEGMENTS], p=[p for _, p in _SEGMENTS], size=int(people.max(initial=0)) + 1
    )
    jitter = rng.normal(0, 15, size=(n, 2))
    lat = complaints["lat"].to_numpy(float)
    return pd.DataFrame(
        {
            "ticket_id": [f"RP{config.seed}-{i:07d}" for i in range(n)],
            "created_at": complaints["created_at"].to_numpy(),
            "subscriber_id": [f"sim-{config.seed}-{s:07d}" for s in people],
            "msisdn": [f"+79{100_000_000 + s * 7 % 899_999_999:09d}" for s in people],
            "segment": segment[people],
            "topic": complaints["topic"].to_numpy(),
            "lat": np.round(lat + jitter[:, 0] / _M_PER_DEG, 6),
            "lon": np.round(
                complaints["lon"].to_numpy(float) + jitter[:, 1] / (_M_PER_DEG * np.cos(np.radians(lat))), 6
            ),
            "incident": complaints["incident"].to_numpy(int),
        }
    ).assign(created_at=lambda f: pd.to_datetime(f["created_at"], utc=True))

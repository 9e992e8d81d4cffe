"""The simulated city: deterministic by seed, complaints where people live and incidents are."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heatmap.devtools.samples import read_addresses
from heatmap.errors import InputError
from heatmap.replay.config import CAUSES, ReplayConfig
from heatmap.replay.world import city_houses, plan_world

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "vologda_addresses.csv"


@pytest.fixture(scope="module")
def houses() -> pd.DataFrame:
    return city_houses(read_addresses(SAMPLE))


def test_same_seed_same_world_other_seed_other_world(houses: pd.DataFrame) -> None:
    config = ReplayConfig(days=10, seed=3, incidents_per_week=7, background_per_day=40)
    a, b = plan_world(houses, config), plan_world(houses, config)
    pd.testing.assert_frame_equal(a.complaints, b.complaints)
    pd.testing.assert_frame_equal(a.incidents, b.incidents)
    other = plan_world(houses, config.with_overrides(seed=4))
    assert not other.complaints["lat"].equals(a.complaints["lat"])


def test_background_on_houses_and_incidents_inside_their_radius(houses: pd.DataFrame) -> None:
    config = ReplayConfig(days=14, seed=5, incidents_per_week=10, background_per_day=50)
    world = plan_world(houses, config)
    complaints, incidents = world.complaints, world.incidents
    background = complaints[complaints["incident"] < 0]
    assert 0.8 * 50 * 14 < background["subscriber_id"].nunique() < 1.2 * 50 * 14
    assert len(incidents) > 5 and set(incidents["cause"]) <= set(CAUSES)
    for row in incidents.itertuples():
        mine = complaints[complaints["incident"] == row.incident]
        dy = (mine["lat"] - row.lat) * 111_195
        dx = (mine["lon"] - row.lon) * 111_195 * np.cos(np.radians(row.lat))
        assert (np.hypot(dx, dy) <= row.radius_m + 100).all()  # jitter of a few metres
        assert (mine["created_at"] >= row.start).all()
    assert complaints["created_at"].is_monotonic_increasing
    assert complaints["ticket_id"].is_unique
    horizon = pd.Timestamp(config.start) + pd.Timedelta(days=14)
    assert complaints["created_at"].max() < horizon
    # only self-healing causes end by themselves
    heals = incidents.dropna(subset=["self_heal_at"])
    assert set(heals["cause"]) <= {c for c, s in CAUSES.items() if s.self_heal_hours > 0}


def test_houses_far_from_the_city_are_left_out() -> None:
    registry = pd.DataFrame(
        {
            "LAT": [55.0 + i * 1e-4 for i in range(60)] + [55.75],
            "LON": [73.3] * 60 + [37.6],
            "ADDRESS": ["x"] * 61,
        }
    )
    houses = city_houses(registry)
    assert len(houses) == 60 and houses["lon"].max() < 74  # the "Moscow" house is gone
    with pytest.raises(InputError, match="too few"):
        city_houses(registry.head(10))


def test_a_point_many_houses_share_is_a_fallback_left_out() -> None:
    """As in the Omsk registry: most houses on one point in Moscow, the city's elsewhere."""
    city = pd.DataFrame(
        {"LAT": [54.98 + i * 1e-4 for i in range(80)], "LON": [73.37] * 80, "ADDRESS": ["x"] * 80}
    )
    fallback = pd.DataFrame({"LAT": [55.76] * 200, "LON": [37.64] * 200, "ADDRESS": ["y"] * 200})
    houses = city_houses(pd.concat([city, fallback], ignore_index=True))
    assert len(houses) == 80 and houses["lon"].min() > 73

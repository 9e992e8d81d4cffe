"""A DBSCAN spot's exposure: the union of the discs around its core points, where they are."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heatmap.detect.disc_union import spot_areas, union_exposure
from heatmap.devtools.samples_planted import distance_m


def grid_points(step_m: float = 20.0, half_m: float = 1_000.0) -> pd.DataFrame:
    """Exposure points every ``step_m`` over a square around (59.2, 39.9), weight 1."""
    offsets = np.arange(-half_m, half_m + 1, step_m)
    dy, dx = np.meshgrid(offsets, offsets)
    lat = 59.2 + dy.ravel() / 111_195.0
    lon = 39.9 + dx.ravel() / (111_195.0 * np.cos(np.radians(59.2)))
    return pd.DataFrame({"lat": lat, "lon": lon, "weight": 1.0})


def test_the_union_by_brute_force() -> None:
    points = grid_points()
    rng = np.random.default_rng(3)
    core_lat = 59.2 + rng.uniform(-0.004, 0.004, 9)
    core_lon = 39.9 + rng.uniform(-0.006, 0.006, 9)
    spot = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2])
    got = union_exposure(core_lat, core_lon, spot, points, eps_m=250.0)
    d = distance_m(core_lat[:, None], core_lon[:, None], points["lat"].to_numpy(), points["lon"].to_numpy())
    for s in (0, 1, 2):
        assert got[s] == (d[spot == s] <= 250.0).any(axis=0).sum()


def test_cores_apart_cover_more_than_one_disc_and_each_point_counts_once() -> None:
    points = grid_points()
    one = union_exposure(np.array([59.2]), np.array([39.9]), np.array([7]), points, eps_m=250.0)
    # the same core twice is the same disc; two cores 60 m apart cover more
    twice = union_exposure(
        np.array([59.2, 59.2]), np.array([39.9, 39.9]), np.array([7, 7]), points, eps_m=250.0
    )
    apart = union_exposure(
        np.array([59.2, 59.2 + 60 / 111_195.0]), np.array([39.9, 39.9]), np.array([7, 7]), points, eps_m=250.0
    )
    assert one[7] == twice[7]
    assert 1.1 * one[7] < apart[7] < 1.2 * one[7]  # a lens of about 2 · 250 · 60 m² more
    assert abs(one[7] - np.pi * 250**2 / 20**2) < 0.03 * one[7]


def test_no_exposure_near_is_zero() -> None:
    far = pd.DataFrame({"lat": [10.0], "lon": [10.0], "weight": [5.0]})
    got = union_exposure(np.array([59.2]), np.array([39.9]), np.array([0]), far, eps_m=250.0)
    assert got.tolist() == [0.0]


def test_a_spots_area_is_floored_and_scaled_by_its_cores_mean_history() -> None:
    points = pd.DataFrame(
        {"lat": [59.2, 59.2, 59.25], "lon": [39.9, 39.9001, 39.9], "weight": [2.0, 5.0, 0.5]}
    )
    spot_of = np.array([7, 7, -1, 9])
    lat = np.array([59.2, 59.2005, 59.3, 59.25])
    lon = np.array([39.9, 39.9, 39.9, 39.9])
    history = np.array([1.0, 3.0, 5.0, 1.0])
    area = spot_areas(spot_of, lat, lon, history, floor=1.0, exposure=points, eps_m=250.0)
    # spot 7: its two cores' discs hold the first two points once each (2 + 5), times
    # their mean history factor (2); spot 9: 0.5, floored at 1; the non-core is no spot
    assert area.to_dict() == pytest.approx({7: 14.0, 9: 1.0})
    assert spot_areas(
        np.array([-1]), lat[:1], lon[:1], history[:1], floor=1.0, exposure=points, eps_m=250.0
    ).empty


def test_exposure_across_the_antimeridian_is_near() -> None:
    """In Chukotka 179.99° E and 179.99° W are 0.02° apart (~940 m at 65° N), not 360°:
    the prefilter's squares wrap, so a spot on one side counts the houses on the other."""
    across = pd.DataFrame(
        {"lat": [65.0, 65.0, 65.0], "lon": [-179.999, 179.9995, -179.99], "weight": [3.0, 2.0, 7.0]}
    )
    got = union_exposure(np.array([65.0]), np.array([179.999]), np.array([0]), across, eps_m=250.0)
    assert got[0] == 5.0  # 94 m and 23 m away; the third is 517 m away
    points = grid_points()
    rng = np.random.default_rng(11)
    core_lat, core_lon = 59.2 + rng.uniform(-0.004, 0.004, 9), 39.9 + rng.uniform(-0.006, 0.006, 9)
    spot = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2])
    here = union_exposure(core_lat, core_lon, spot, points, eps_m=250.0)

    def moved(lon: np.ndarray) -> np.ndarray:  # 39.9° E to the antimeridian, wrapped into ±180°
        return (lon - 39.9 + 180.0 + 180.0) % 360.0 - 180.0

    shifted = points.assign(lon=moved(points["lon"].to_numpy()))
    there = union_exposure(core_lat, moved(core_lon), spot, shifted, eps_m=250.0)
    assert (shifted["lon"] < 0).any() and (shifted["lon"] > 0).any()
    assert there.tolist() == here.tolist()


def test_a_point_near_two_spots_counts_in_each_and_by_brute_force_everywhere() -> None:
    """Where the cores of several spots are near, every core within eps counts; where one
    spot's are, its nearest: the same areas by either, at every eps."""
    points = grid_points()
    rng = np.random.default_rng(17)
    core_lat = 59.2 + rng.uniform(-0.006, 0.006, 40)
    core_lon = 39.9 + rng.uniform(-0.01, 0.01, 40)
    spot = rng.integers(0, 6, 40)
    d = distance_m(core_lat[:, None], core_lon[:, None], points["lat"].to_numpy(), points["lon"].to_numpy())
    for eps in (60.0, 250.0, 700.0):
        got = union_exposure(core_lat, core_lon, spot, points, eps_m=eps)
        within = d <= eps
        for s in np.unique(spot):
            assert got[s] == within[spot == s].any(axis=0).sum()
        shared = (np.stack([within[spot == s].any(axis=0) for s in np.unique(spot)]).sum(axis=0) > 1).sum()
        assert shared > 0  # some points are in two spots' areas

"""The shortcuts of the expected rule's core test: the least strength a core can have,
strengths left as bounds and counted exactly only where the bounds do not decide."""

from __future__ import annotations

import numpy as np
import pytest

from heatmap.detect import neighbours
from heatmap.detect.disc_cores import _failing_others
from heatmap.detect.stats import poisson_upper_tail
from heatmap.detect.window_search import Search, _window_strengths, strengths_at


@pytest.mark.parametrize("mean", [0.0, 0.03, 0.9, 7.5, 120.0])
@pytest.mark.parametrize("cutoff", [0.0, 1e-12, 3.5e-6, 0.01, 0.5])
def test_no_count_at_or_below_the_failing_one_passes(mean: float, cutoff: float) -> None:
    others = _failing_others(mean, cutoff)

    def tail(o: np.ndarray) -> np.ndarray:
        return poisson_upper_tail(o, np.full(o.shape, mean))

    if others == -np.inf:  # every count passes
        assert tail(np.array([1e-9])).max() <= cutoff
        return
    assert np.isfinite(others)
    below = np.linspace(0.0, others, 2001)
    assert (tail(below) > cutoff).all()
    assert tail(np.array([others + 1e-6 * max(1.0, others)]))[0] <= cutoff


def _town(seed: int) -> tuple[np.ndarray, ...]:
    """Points on a few hundred houses, subscribers complaining from several of them,
    some located to a street only (weight 0.5) or not at all (0)."""
    rng = np.random.default_rng(seed)
    houses = np.column_stack([59.2 + rng.uniform(0, 0.02, 300), 39.9 + rng.uniform(0, 0.04, 300)])
    at = rng.integers(0, len(houses), 3000)
    who = rng.integers(0, 900, len(at))
    weight = rng.choice([0.0, 0.5, 1.0], size=len(at), p=[0.05, 0.25, 0.7])
    age = rng.uniform(0, 30, len(at))
    return houses[at, 0], houses[at, 1], who, weight, age


@pytest.mark.parametrize(("seed", "block"), [(0, 64), (1, 64), (2, 8192), (3, 8192)])
def test_bounded_strengths_hold_the_exact_ones_and_count_them_alike(
    seed: int, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    lat, lon, who, weight, age = _town(seed)
    monkeypatch.setattr(neighbours, "_BLOCK", block)  # blocks of 64: many pairs across blocks
    masks = [(age <= days) & (weight > 0) for days in (1.0, 3.0, 7.0, 30.0)]
    exact = _window_strengths(lat, lon, who, weight, masks, 250.0)
    searched: list[Search] = []
    upper: list[np.ndarray] = []
    reach = [2.0, 3.0, 4.0, 6.0]
    found = _window_strengths(lat, lon, who, weight, masks, 250.0, search=searched, reach=reach, upper=upper)
    search = searched[0]
    assert search.bounded_mask == 3 and len(upper) == 1
    assert (found[3] <= exact[3]).all() and (exact[3] <= upper[0]).all()
    assert (found[3] < exact[3]).any() and (exact[3] < upper[0]).any()  # bounds, not counts
    for k in range(3):  # the others: exact wherever they may reach their reach
        counted = exact[k] >= reach[k]
        np.testing.assert_array_equal(found[k][counted], exact[k][counted])
        assert (found[k][~counted] < reach[k]).all()
    need = np.zeros(search.loc_of_slot.shape[0], dtype=bool)
    need[::3] = True
    counted = search.exact(need)
    inside = masks[3][search.kept] & need[search.slot]
    np.testing.assert_array_equal(counted[search.slot[inside]], exact[3][search.kept[inside]])
    assert (counted[~need] == 0).all()


def test_strengths_per_slot_are_the_points_strengths() -> None:
    lat, lon, who, weight, age = _town(7)
    weight[weight > 0] = 1.0  # unweighted: counted with plain keys
    south = lat < np.quantile(lat, 0.6)  # more than half the points, not all places
    masks = [(age <= 3.0) & (weight > 0), south & (weight > 0), weight > 0]
    locations = neighbours._distinct_locations(lat, lon)
    lower, ceiling, search = strengths_at(
        lat, lon, who, weight, masks, 250.0, reach=[2.0, 4.0, 5.0], locations=locations
    )
    per_point: list[np.ndarray] = []
    found = _window_strengths(
        lat,
        lon,
        who,
        weight,
        masks,
        250.0,
        search=[],
        reach=[2.0, 4.0, 5.0],
        locations=locations,
        upper=per_point,
    )
    assert search is not None and search.bounded_mask == 2
    slot_of = np.full(locations[1].shape[0], -1)
    slot_of[search.location[search.loc_of_slot]] = np.arange(search.loc_of_slot.shape[0])
    loc = locations[0]
    for k, mask in enumerate(masks):  # 3 days: counted over its own slots; the south: zeroed elsewhere
        np.testing.assert_array_equal(lower[k, slot_of[loc[mask]]], found[k][mask])
        assert (lower[k][np.setdiff1d(np.arange(lower.shape[1]), slot_of[loc[mask]])] == 0).all()
    np.testing.assert_array_equal(ceiling[slot_of[loc[masks[2]]]], per_point[0][masks[2]])

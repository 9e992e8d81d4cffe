"""The radius search's counting helpers (heatmap.detect.neighbours)."""

from __future__ import annotations

import numpy as np

from heatmap.detect.neighbours import EARTH_RADIUS_M, _Block, _Counter, _locations

EPS_M = 250.0


def _town(seed: int, n: int = 3_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points in a few square kilometres, a third of them by complainants seen at
    several places."""
    rng = np.random.default_rng(seed)
    lat = 59.22 + rng.uniform(0.0, 0.02, n)
    lon = 39.89 + rng.uniform(0.0, 0.04, n)
    who = np.arange(n)
    again = rng.random(n) < 0.33
    who[again] = rng.integers(0, n // 10, int(again.sum()))
    return lat, lon, who


def _brute_pairs(space_xyz: np.ndarray, block: _Block, multi: np.ndarray) -> set[tuple[int, int]]:
    """Every (local i, slot j) with j within eps of i (itself included) holding
    multi-location subscribers, by distances alone."""
    chord = 2.0 * np.sin(0.5 * EPS_M / EARTH_RADIUS_M)
    out: set[tuple[int, int]] = set()
    for i in range(block.start, block.stop):
        near = np.flatnonzero(((space_xyz - space_xyz[i]) ** 2).sum(axis=1) <= chord * chord)
        out.update((i - block.start, int(j)) for j in near if multi[j])
    return out


def test_multi_pairs_are_the_neighbours_holding_multi_location_subscribers() -> None:
    lat, lon, who = _town(1)
    _, space, slot = _locations(lat, lon, EPS_M / EARTH_RADIUS_M)
    counter = _Counter.build(slot, who, None, space.loc.shape[0])
    xyz = np.column_stack([space._x, space._y, space._z])
    for block in space.blocks():
        i, j = counter._multi_pairs(block)
        pairs = set(zip(i.tolist(), j.tolist(), strict=True))
        assert len(pairs) == i.size  # each once
        assert pairs == _brute_pairs(xyz, block, counter.multi_mass > 0.0)


def test_multi_pairs_of_a_narrowed_block_far_into_the_slots() -> None:
    """Local numbers kept as int16 (the clustering's blocks) in a block starting past
    int16's range: the slots are widened, not wrapped."""
    n_loc = 50_000
    start = 40_000
    mass = np.zeros(n_loc)
    mass[[start + 1, start + 3, 7]] = 1.0
    counter = _Counter(
        weighted=False,
        per_location=np.zeros(n_loc),
        ent_ptr=np.zeros(n_loc + 1, dtype=np.int64),
        ent_sub=np.zeros(0, dtype=np.int64),
        ent_w=None,
        n_sub=1,
        multi_mass=mass,
    )
    u = np.array([0, 1, 2], dtype=np.int16)
    v = np.array([1, 3, 4], dtype=np.int16)
    block = _Block(start, start + 5, u, v, earlier=[(np.array([2], dtype=np.int16), np.array([7]))])
    i, j = counter._multi_pairs(block)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [
        (0, start + 1),
        (1, start + 1),
        (1, start + 3),
        (2, 7),
        (3, start + 1),
        (3, start + 3),
    ]
    assert j.dtype == np.int64


def _counter_by_definition(
    slot: np.ndarray, who: np.ndarray, n_loc: int
) -> tuple[np.ndarray, list[list[int]]]:
    """Per location: its subscribers seen nowhere else, counted, and the others, sorted."""
    places: dict[int, set[int]] = {}
    for s, w in zip(slot.tolist(), who.tolist(), strict=True):
        places.setdefault(w, set()).add(s)
    alone = np.zeros(n_loc)
    shared: list[list[int]] = [[] for _ in range(n_loc)]
    for w, at in places.items():
        for s in at:
            if len(at) == 1:
                alone[s] += 1.0
            else:
                shared[s].append(w)
    return alone, [sorted(subs) for subs in shared]


def test_counter_entries_by_definition_with_one_point_subscribers_left_unsorted() -> None:
    """Unweighted, a subscriber with one point is counted where it is without sorting its
    entry among the rest: the counter is still the definition's."""
    lat, lon, who = _town(2)
    _, space, slot = _locations(lat, lon, EPS_M / EARTH_RADIUS_M)
    n_loc = space.loc.shape[0]
    counter = _Counter.build(slot, who, None, n_loc)
    alone, shared = _counter_by_definition(slot, who, n_loc)
    assert np.array_equal(counter.per_location, alone)
    got = [
        counter.ent_sub[a:b].tolist() for a, b in zip(counter.ent_ptr[:-1], counter.ent_ptr[1:], strict=True)
    ]
    assert got == shared
    assert np.array_equal(counter.multi_mass, np.array([float(len(s)) for s in shared]))

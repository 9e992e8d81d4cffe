"""Peaks of a spot's cells: two bursts joined through a shared edge come apart at a
real dip between them; one concentration, however uneven, stays whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import h3
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from heatmap.detect.cell_peaks import SADDLE_SHARE, peak_parts
from heatmap.detect.exposure import address_layer, layer_points
from heatmap.detect.h3 import _components
from heatmap.detect.run import DetectParams, label_points
from heatmap.devtools.samples_planted import PlantSpec, generate_planted
from heatmap.devtools.samples_planted import synthetic_town as town

START = h3.latlng_to_cell(58.52, 31.29, 9)


def _ids(names: list[str]) -> np.ndarray:
    return np.array([h3.str_to_int(c) for c in names], dtype=np.uint64)


def _chain(length: int) -> list[str]:
    """``length`` cells in a line, each sharing an edge with the next only."""
    end = next(c for c in sorted(h3.grid_ring(START, length - 1)) if h3.grid_distance(START, c) == length - 1)
    path = list(h3.grid_path_cells(START, end))
    assert len(path) == length
    return path


def test_two_bursts_joined_through_a_low_cell_come_apart_at_it() -> None:
    # the case found on fresh data (Velikiy Novgorod, seed 3020): 10, 8 | 5 | 7, 14
    parts = peak_parts(_ids(_chain(5)), np.array([10.0, 8.0, 5.0, 7.0, 14.0]))
    # the saddle (5: half the lower peak, not above it) goes with its highest neighbour (8)
    assert parts.tolist() == [1, 1, 1, 0, 0]  # the higher peak's part is numbered first


def test_a_saddle_above_half_the_lower_peak_keeps_one_spot() -> None:
    parts = peak_parts(_ids(_chain(5)), np.array([10.0, 8.0, 5.5, 7.0, 14.0]))
    assert parts.tolist() == [0, 0, 0, 0, 0]


def test_the_share_is_of_the_lower_peak() -> None:
    heights = np.array([10.0, 4.0, 30.0])  # 4 is below half of 10, far below half of 30
    assert peak_parts(_ids(_chain(3)), heights).tolist() == [
        1,
        0,
        0,
    ]  # the saddle joins its highest neighbour
    assert peak_parts(_ids(_chain(3)), heights, saddle_share=0.3).tolist() == [0, 0, 0]


def test_a_dip_must_be_in_the_rate_not_only_in_the_count() -> None:
    # the Velikiy Novgorod cells: the saddle has 14 houses and 5 complainants, the peaks
    # 6 houses with 10 and 10 houses with 14 — a gap between two problems
    chain, counts = _ids(_chain(5)), np.array([10.0, 8.0, 5.0, 7.0, 14.0])
    houses = np.array([6.0, 7.0, 14.0, 23.0, 10.0])
    assert peak_parts(chain, counts, count=counts, exposure=houses).tolist() == [1, 1, 1, 0, 0]
    # one outage whose complainants follow the houses: fewer in the middle, as few live there
    assert peak_parts(chain, counts, count=counts, exposure=counts).tolist() == [0, 0, 0, 0, 0]
    # a binomial tail of P(X <= 5 | 15, 0.7) = 0.0037 splits at 0.01, not at 0.001
    assert set(peak_parts(chain, counts, count=counts, exposure=houses, dip_p=0.001).tolist()) == {0}


def test_two_compact_bursts_a_kilometre_apart_split_without_a_rate_dip() -> None:
    # complainants in proportion to exposure everywhere (no dip in the rate), but each
    # part touches its peak and the peaks are three cells apart (~1 km at res 9)
    chain, heights = _ids(_chain(4)), np.array([10.0, 4.0, 3.0, 12.0])
    assert peak_parts(chain, heights, count=heights, exposure=heights).tolist() == [1, 1, 0, 0]
    # two cells apart: one problem's unevenness
    near, close = _ids(_chain(3)), np.array([10.0, 3.0, 12.0])
    assert peak_parts(near, close, count=close, exposure=close).tolist() == [0, 0, 0]
    # a part reaching further than its peak's neighbours is one wide outage's
    wide = np.array([10.0, 8.0, 5.0, 7.0, 14.0])
    assert peak_parts(_ids(_chain(5)), wide, count=wide, exposure=wide).tolist() == [0, 0, 0, 0, 0]


def test_two_bursts_joined_through_a_low_cell_off_their_peaks_split() -> None:
    # Vologda, seed 7222: two bursts 1.1 km apart joined through cells of 2 complainants;
    # the low cell between them touches neither peak, yet each burst is compact
    chain, heights = _ids(_chain(5)), np.array([10.0, 6.0, 2.0, 3.0, 12.0])
    assert peak_parts(chain, heights, count=heights, exposure=heights).tolist() == [1, 1, 1, 0, 0]
    # a cell of real height off its peak is one wide outage's spread: no split
    spread = np.array([10.0, 6.0, 5.0, 7.0, 14.0])
    assert set(peak_parts(chain, spread, count=spread, exposure=spread).tolist()) == {0}


def test_a_compact_concentration_never_splits() -> None:
    # every cell touches the highest one: no cell can start a second peak
    disc = [START, *sorted(h3.grid_ring(START, 1))]
    rng = np.random.default_rng(3)
    for _ in range(50):
        heights = rng.uniform(0, 10, size=7)
        heights[0] = 11.0
        assert set(peak_parts(_ids(disc), heights).tolist()) == {0}


def test_cells_sharing_no_edge_are_apart() -> None:
    far = sorted(h3.grid_ring(START, 3))[0]
    assert peak_parts(_ids([START, far]), np.array([1.0, 2.0])).tolist() == [1, 0]


def test_nothing_in_nothing_out() -> None:
    assert peak_parts(np.zeros(0, dtype=np.uint64), np.zeros(0)).size == 0


def test_the_default_share_is_a_half() -> None:
    assert SADDLE_SHARE == 0.5


@settings(max_examples=60, deadline=None)
@given(
    picks=st.lists(st.integers(0, 36), min_size=1, max_size=37, unique=True),
    heights=st.lists(st.floats(0.1, 50.0), min_size=37, max_size=37),
    share=st.floats(0.0, 1.0),
)
def test_parts_are_connected_pieces_of_the_components(
    picks: list[int], heights: list[float], share: float
) -> None:
    area = sorted(h3.grid_disk(START, 3))
    names = [area[i] for i in picks]
    ids = _ids(names)
    h = np.array([heights[i] for i in picks])
    parts = peak_parts(ids, h, saddle_share=share)
    whole = _components(ids)
    for part in set(parts.tolist()):
        inside = parts == part
        assert len(set(whole[inside].tolist())) == 1  # never across components
        assert len(set(_components(ids[inside]).tolist())) == 1  # each part is connected
    # no split at all when any saddle joins (share below every height's share of a peak)
    merged = peak_parts(ids, h, saddle_share=-1.0)
    assert len(set(merged.tolist())) == len(set(whole.tolist()))


NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _two_bursts(counts: list[int]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """A town's month of background, and bursts of the last two days along a chain of five
    cells in its centre with ``counts`` distinct complainants per cell."""
    lat, lon = town(11, houses=1500)
    background = generate_planted(lat, lon, now=NOW, seed=11, spec=PlantSpec(planted=0)).complaints
    start = h3.latlng_to_cell(float(np.median(lat)), float(np.median(lon)), 9)
    end = next(c for c in sorted(h3.grid_ring(start, 4)) if h3.grid_distance(start, c) == 4)
    chain = list(h3.grid_path_cells(start, end))
    rng = np.random.default_rng(11)
    rows = []
    for cell, n in zip(chain, counts, strict=True):
        c_lat, c_lon = h3.cell_to_latlng(cell)
        for _ in range(n):
            rows.append((c_lat + rng.normal(0, 2e-4), c_lon + rng.normal(0, 4e-4), cell))
    burst = pd.DataFrame(rows, columns=["lat", "lon", "cell"])
    burst = burst[
        [h3.latlng_to_cell(a, b, 9) == c for a, b, c in zip(burst.lat, burst.lon, burst.cell, strict=True)]
    ]
    burst = burst.assign(
        ticket_id=[f"B{i}" for i in range(len(burst))],
        subscriber_id=[f"b{i}" for i in range(len(burst))],
        created_at=[NOW - timedelta(hours=float(h)) for h in rng.uniform(1, 40, len(burst))],
        precision="house",
        planted=0,
    ).drop(columns="cell")
    exposure = layer_points(address_layer(lat, lon))
    return pd.concat([background, burst], ignore_index=True), exposure, chain


def _spot_cells(counts: list[int]) -> list[set[int]]:
    """Per spot touching the chain: the chain positions of its burst complainants."""
    frame, exposure, chain = _two_bursts(counts)
    labels = label_points(frame, DetectParams(method="h3"), exposure=exposure, now=NOW)
    burst = frame["subscriber_id"].str.startswith("b").to_numpy() & (labels >= 0)
    where = [
        chain.index(h3.latlng_to_cell(a, b, 9))
        for a, b in zip(frame.lat[burst], frame.lon[burst], strict=True)
    ]
    spots: dict[int, set[int]] = {}
    for label, at in zip(labels[burst].tolist(), where, strict=True):
        spots.setdefault(label, set()).add(at)
    return sorted(spots.values(), key=min)


def test_two_bursts_joined_through_a_cell_edge_are_two_spots() -> None:
    assert _spot_cells([16, 10, 4, 10, 18]) == [{0, 1}, {2, 3, 4}]


def test_one_burst_spread_along_the_cells_stays_one_spot() -> None:
    assert _spot_cells([12, 9, 8, 8, 14]) == [{0, 1, 2, 3, 4}]

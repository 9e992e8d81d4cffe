"""The expected rule: planted concentrations are found, background is not a spot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import h3
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heatmap.core.policy import load_policy
from heatmap.detect import expected
from heatmap.detect.expected import (
    LONG_WEEK,
    LONG_WEIGHT,
    SPOT_FWER,
    Cells,
    CellTests,
    Expectation,
    build_cells,
    scan_windows,
)
from heatmap.detect.expected import test_cells as cell_tests
from heatmap.detect.exposure import address_layer, layer_points
from heatmap.detect.history import HISTORY_PRIOR
from heatmap.detect.run import DetectParams, _now_of, background, detect, label_points
from heatmap.detect.significance import EVIDENCE_COLUMNS, label_expected
from heatmap.detect.stats import poisson_upper_tail
from heatmap.devtools.samples_planted import PlantSpec, distance_m, generate_planted
from heatmap.devtools.samples_planted import synthetic_town as town
from heatmap.store.base import SPOT_COLUMNS

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def spots_of(frame: pd.DataFrame, labels: np.ndarray) -> pd.DataFrame:
    members = frame.assign(label=labels).loc[lambda f: f["label"] >= 0]
    return members.groupby("label").agg(
        lat=("lat", "mean"),
        lon=("lon", "mean"),
        n=("subscriber_id", "nunique"),
        planted=("planted", lambda s: float((s >= 0).mean())),
    )


@pytest.mark.parametrize("method", ["h3", "dbscan"])
@pytest.mark.parametrize("seed", [1, 2])
def test_planted_concentrations_are_found_and_nothing_else(method: str, seed: int) -> None:
    lat, lon = town(seed)
    export = generate_planted(lat, lon, now=NOW, seed=seed, spec=PlantSpec(planted=4))
    frame = export.complaints
    exposure = layer_points(address_layer(lat, lon))
    labels = label_points(frame, DetectParams(method=method), exposure=exposure, now=NOW)
    spots = spots_of(frame, labels)
    for centre in export.centres.itertuples():
        if method == "dbscan" and centre.houses_near >= 40:
            continue  # 250 m discs in the dense centre hold ~100 houses: 8-17 may drown
        near = distance_m(spots["lat"].to_numpy(), spots["lon"].to_numpy(), centre.lat, centre.lon)
        assert (near < 300).any(), f"planted concentration {centre.planted} missed"
    truth = export.centres
    for spot in spots.itertuples():
        near = distance_m(truth["lat"].to_numpy(), truth["lon"].to_numpy(), spot.lat, spot.lon)
        assert (near < 300).any(), f"a spot of background: {spot}"
    old = spots_of(frame, label_points(frame, DetectParams(method=method, rule="count")))
    assert (old["planted"] < 0.5).sum() >= 2, "the old rule lights up the background here"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    rate=st.sampled_from([1 / 7, 1 / 3, 1.0]),
    method=st.sampled_from(["h3", "dbscan"]),
)
def test_a_uniform_background_makes_almost_no_spots(seed: int, rate: float, method: str) -> None:
    lat, lon = town(seed, houses=1500)
    spec = PlantSpec(planted=0, background_rate=rate)
    frame = generate_planted(lat, lon, now=NOW, seed=seed, spec=spec).complaints
    exposure = layer_points(address_layer(lat, lon))
    labels = label_points(frame, DetectParams(method=method), exposure=exposure, now=NOW)
    assert len(np.unique(labels[labels >= 0])) <= 1


def test_without_exposure_the_populated_area_is_uniform() -> None:
    rng = np.random.default_rng(5)
    n = 600
    frame = pd.DataFrame(
        {
            "lat": 59.2 + rng.uniform(0, 0.05, n),
            "lon": 39.9 + rng.uniform(0, 0.1, n),
            "subscriber_id": [f"s{i}" for i in range(n)],
            "precision": "house",
            "created_at": [NOW - timedelta(days=float(d)) for d in rng.uniform(0, 30, n)],
        }
    )
    burst = pd.DataFrame(
        {
            "lat": 59.225 + rng.normal(0, 2e-4, 15),
            "lon": 39.95 + rng.normal(0, 4e-4, 15),
            "subscriber_id": [f"b{i}" for i in range(15)],
            "precision": "house",
            "created_at": NOW - timedelta(hours=10),
        }
    )
    both = pd.concat([frame, burst], ignore_index=True)
    labels = label_points(both, DetectParams(), now=NOW)
    found = np.unique(labels[labels >= 0])
    assert len(found) == 1
    members = both.loc[labels == found[0], "subscriber_id"]
    assert members.str.startswith("b").sum() >= 10
    assert members.str.startswith("b").mean() >= 0.5


def test_history_factor_by_hand() -> None:
    """One populated cell with 10 past complainants where its exposure predicts 5 (half
    the city's 10, the other half in a cell with none): factor (10 + κ) / (5 + κ)."""
    houses = pd.DataFrame({"lat": [59.2, 59.3], "lon": [39.9, 39.9], "weight": [1.0, 1.0]})
    window = pd.DataFrame(
        {"lat": [59.2], "lon": [39.9], "subscriber_id": ["x"], "precision": "house", "created_at": [NOW]}
    )
    past = pd.DataFrame(
        {
            "lat": 59.2,
            "lon": 39.9,
            "subscriber_id": [f"h{i}" for i in range(10)],
            "precision": "house",
            "created_at": [NOW - timedelta(days=40 + i * 5) for i in range(10)],
        }
    )
    cells = build_cells(window, houses, res=9, history=past, window_days=30)
    assert sorted(cells.history.round(12)) == pytest.approx(
        [(0 + HISTORY_PRIOR) / (5 + HISTORY_PRIOR), (10 + HISTORY_PRIOR) / (5 + HISTORY_PRIOR)]
    )
    assert np.allclose(cells.adjusted, cells.history), "one house each, above the floor"
    halves = build_cells(window, houses, res=9, history=past.assign(history_weight=0.5), window_days=30)
    assert sorted(halves.history.round(12)) == pytest.approx(
        [(0 + HISTORY_PRIOR) / (2.5 + HISTORY_PRIOR), (5 + HISTORY_PRIOR) / (2.5 + HISTORY_PRIOR)]
    )
    short = past.iloc[:2]  # less history than one window: no factor
    assert (build_cells(window, houses, res=9, history=short, window_days=30).history == 1).all()


def test_a_past_spot_counts_in_the_history_by_its_expected_share() -> None:
    """A spot's members are the place's ordinary complainants and its excess: in the
    history each counts by expected / observed; a rejected spot's and the free ones whole;
    a count-rule spot (no expected count) is left out."""
    old = NOW - timedelta(days=60)
    complaints = pd.DataFrame(
        {
            "ticket_id": ["a", "b", "c", "d", "e"],
            "subscriber_id": ["a", "b", "c", "d", "e"],
            "lat": 59.2,
            "lon": 39.9,
            "precision": "house",
            "created_at": [old, old, old, old, NOW - timedelta(days=1)],
            "spot_id": ["S1", "S2", None, "S3", "S1"],
        }
    )
    spots = pd.DataFrame(
        {
            "id": ["S1", "S2", "S3"],
            "status": ["resolved", "rejected", "resolved"],
            "observed": [10.0, 8.0, 6.0],
            "expected": [4.0, 1.0, np.nan],
        }
    )
    history = background(complaints, spots, params=DetectParams(), now=NOW)
    weights = dict(zip(history["ticket_id"], history["history_weight"], strict=True))
    assert weights == {"a": pytest.approx(0.4), "b": 1.0, "c": 1.0}  # "e": in the window


def test_spots_carry_their_evidence() -> None:
    lat, lon = town(3)
    export = generate_planted(lat, lon, now=NOW, seed=3, spec=PlantSpec(planted=3))
    frame = export.complaints.assign(
        segment="mass", ltv=None, topic="no_coverage", region="R", address=None, spot_id=None
    )
    exposure = layer_points(address_layer(lat, lon))
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in SPOT_COLUMNS})
    result = detect(frame, empty, params=DetectParams(), policy=load_policy(), now=NOW, exposure=exposure)
    spots = result.spots
    assert len(spots) >= 2
    for name in EVIDENCE_COLUMNS[:-1]:
        assert spots[name].notna().all(), name
    assert np.allclose(spots["excess"], spots["observed"] - spots["expected"])
    assert np.allclose(spots["relative_risk"], spots["observed"] / spots["expected"])
    assert np.allclose(
        spots["p_value"],
        poisson_upper_tail(spots["observed"].to_numpy(float), spots["expected"].to_numpy(float)),
    )
    assert (spots["p_value"] < 1e-6).all() and (spots["relative_risk"] > 5).all()
    assert set(spots["trend"]) <= {"new", "intensifying"}
    assert all("excess" in b for b in spots["breakdown"])
    counted = detect(
        frame, empty, params=DetectParams(rule="count"), policy=load_policy(), now=NOW, exposure=exposure
    ).spots
    assert counted["expected"].isna().all() and counted["trend"].isna().all()
    assert (counted["observed"] == counted["subscribers"]).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_clustering_only_the_points_near_cores_gives_the_same_labels(seed: int) -> None:
    from heatmap.core.cells import cells_of
    from heatmap.detect.dbscan import label_dbscan
    from heatmap.detect.discs import _near_cores

    rng = np.random.default_rng(seed)
    n = 4000
    lat = 59.2 + rng.normal(0, 0.02, n)
    lon = 39.9 + rng.normal(0, 0.04, n)
    who = rng.integers(0, 3000, n).astype(str)
    core = rng.random(n) < 0.05
    everyone = label_dbscan(lat, lon, who, eps_m=250.0, min_subscribers=3, core=core)
    near = _near_cores(cells_of(lat, lon, 9), core, 250.0, 9)
    assert len(near) < n
    alone = np.full(n, -1)
    alone[near] = label_dbscan(
        lat[near], lon[near], who[near], eps_m=250.0, min_subscribers=3, core=core[near]
    )
    assert (alone == everyone).all()
    # every point within eps of a core point is near one
    within = distance_m(lat[:, None], lon[:, None], lat[core][None, :], lon[core][None, :])
    assert set(np.flatnonzero((within <= 250.0).any(axis=1))) <= set(near.tolist())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rates_are_those_of_the_cells_not_in_excess(seed: int) -> None:
    """Twelve concentrations over 600 houses outnumber the background: each estimate
    without the cells found in excess finds more of them, and the rates used are those
    of the cells the test leaves out (two estimates stopped one short here)."""
    lat, lon = town(seed, houses=600, dense_share=0.3)
    frame = generate_planted(lat, lon, now=NOW, seed=seed, spec=PlantSpec(planted=12)).complaints
    cells = build_cells(frame, layer_points(address_layer(lat, lon)), res=9, history=None, window_days=30.0)
    windows = scan_windows(30.0, (1.0, 3.0, 7.0))
    expectation, tests = cell_tests(
        frame, cells, windows=windows, now=pd.Timestamp(NOW), q=0.003, min_subscribers=3
    )
    quiet = ~tests.significant
    assert tests.significant.sum() >= 12
    exposure = cells.adjusted[quiet].sum()
    month = tests.observed[30.0][quiet].sum() / exposure
    span = (pd.Timestamp(NOW) - pd.to_datetime(frame["created_at"], utc=True).min()).total_seconds() / 86400
    for days in windows:
        count = tests.observed[days][quiet].sum()
        prior = month * min(days / span, 1.0)  # the month's rate for the window's length
        rate = count / exposure if days == 30.0 else (count + 5.0) / (exposure + 5.0 / prior)
        assert np.isclose(expectation.rates[days], rate), days


def test_a_short_windows_rate_is_shrunk_towards_the_months_by_hand() -> None:
    """Five pseudo-complainants at the month's rate for the window's length: a quiet day
    with no complainant outside the places in excess still expects some."""
    cells = Cells(
        res=9,
        index=pd.Index(np.array([1, 2, 3], dtype=np.uint64)),
        adjusted=np.array([10.0, 10.0, 5.0]),
        exposure=np.array([10.0, 10.0, 5.0]),
        history=np.ones(3),
        points=pd.DataFrame(),
        floor=1.0,
    )
    expectation = Expectation(cells=cells, windows=(1.0, 30.0))
    observed = {1.0: np.array([0.0, 0.0, 9.0]), 30.0: np.array([3.0, 3.0, 12.0])}
    excluded = np.array([False, False, True])
    expected.estimate_rates(expectation, observed, excluded, span_days=30.0)
    assert expectation.rates[30.0] == pytest.approx(6 / 20)  # 0.3 per unit of exposure
    # μ_1 = 0.3 / 30 = 0.01; (0 + 5) / (20 + 5 / 0.01)
    assert expectation.rates[1.0] == pytest.approx(5 / 520)
    # complaints spanning 10 days only: the month's rate came in 10 days, μ_1 = 0.03
    expected.estimate_rates(expectation, observed, excluded, span_days=10.0)
    assert expectation.rates[1.0] == pytest.approx(5 / (20 + 5 / 0.03))
    # a busy month and a day five times its mean (10 where 2 were due): between the two
    busy = {1.0: np.array([5.0, 5.0, 0.0]), 30.0: np.array([30.0, 30.0, 12.0])}
    expected.estimate_rates(expectation, busy, excluded, span_days=30.0)
    assert expectation.rates[30.0] == pytest.approx(3.0)
    assert expectation.rates[1.0] == pytest.approx((10 + 5) / (20 + 5 / 0.1))


@pytest.mark.parametrize("method", ["h3", "dbscan"])
def test_a_burst_is_its_own_complainants_not_a_month_of_the_place(method: str) -> None:
    """A day's burst where people complain every day anyway: the spot holds the burst's
    complainants, not the place's month of ordinary ones (they would be texted that a
    problem they never had was fixed)."""
    lat, lon = town(7, houses=1500)
    spec = PlantSpec(planted=0, background_rate=1.0)
    frame = generate_planted(lat, lon, now=NOW, seed=7, spec=spec).complaints
    centre = int(np.argmin(np.hypot(lat - 59.2, lon - 39.9)))  # a house in the dense centre
    rng = np.random.default_rng(7)
    burst = pd.DataFrame(
        {
            "ticket_id": [f"B{i}" for i in range(25)],
            "subscriber_id": [f"b{i}" for i in range(25)],
            "lat": lat[centre] + rng.normal(0, 3e-4, 25),
            "lon": lon[centre] + rng.normal(0, 6e-4, 25),
            "created_at": [NOW - timedelta(hours=float(h)) for h in rng.uniform(1, 20, 25)],
            "precision": "house",
            "planted": 0,
        }
    )
    both = pd.concat([frame, burst], ignore_index=True)
    exposure = layer_points(address_layer(lat, lon))
    labels = label_points(both, DetectParams(method=method), exposure=exposure, now=NOW)
    found = both.loc[labels >= 0]
    near = distance_m(both["lat"].to_numpy(), both["lon"].to_numpy(), lat[centre], lon[centre]) < 150
    older = near & (both["created_at"] < NOW - timedelta(days=3)).to_numpy()
    assert older.sum() >= 5, "the place has its ordinary complainants"
    assert found["subscriber_id"].str.startswith("b").sum() >= 20
    assert not (labels[older] >= 0).any(), "a month of the place's complainants joined the burst"


def test_a_spots_window_grows_only_while_the_extra_days_are_in_excess() -> None:
    """By hand, windows 1, 3, 7, 30 days: a day's burst over ordinary days stays a day;
    a burst whose evidence is 3 days but whose 4 days before hold 4 complainants where
    0.4 were expected (tail 8e-4) takes 7 days, and no more (6 against 2.3: 0.03). A
    busy place's 23 earlier days with 79 complainants against 59.4 expected (tail
    0.007: chance, tested again at every run) do not join a week's burst."""
    from heatmap.detect.significance import MEMBER_P, _member_days

    counts = {
        1.0: (np.array([10.0, 3.0, 7.0]), np.array([0.3, 0.1, 4.4])),
        3.0: (np.array([11.0, 10.0, 20.0]), np.array([0.9, 0.3, 11.5])),
        7.0: (np.array([12.0, 14.0, 69.0]), np.array([2.1, 0.7, 26.2])),
        30.0: (np.array([40.0, 20.0, 148.0]), np.array([9.0, 3.0, 85.6])),
    }
    assert poisson_upper_tail(np.array([4.0]), np.array([0.4]))[0] < MEMBER_P
    assert poisson_upper_tail(np.array([6.0]), np.array([2.3]))[0] > MEMBER_P
    busy = poisson_upper_tail(np.array([79.0]), np.array([59.4]))[0]
    assert 0.005 < busy < 0.01
    assert busy > MEMBER_P
    assert _member_days(np.array([1.0, 3.0, 7.0]), counts).tolist() == [1.0, 7.0, 7.0]
    assert _member_days(np.array([30.0, 7.0, 30.0]), counts).tolist() == [30.0, 7.0, 30.0]


def made_tests(cutoff: float, tested: dict[float, int]) -> CellTests:
    return CellTests({}, {}, {}, np.zeros(0, dtype=bool), cutoff, tested)


def test_spot_cutoffs_by_hand() -> None:
    """m = 100 tests over four windows: 0.05/100 in the short windows, a tenth of it in
    a week-long whole window and 7/30 of that in a month-long one; never looser than the
    cells' own threshold."""
    tests = made_tests(0.01, {1.0: 10, 3.0: 20, 7.0: 30, 30.0: 40})
    short = SPOT_FWER / 100
    assert LONG_WEEK == 7.0
    assert tests.spot_cutoffs() == pytest.approx(
        {1.0: short, 3.0: short, 7.0: short, 30.0: short * LONG_WEIGHT * 7 / 30}
    )
    week = made_tests(0.01, {1.0: 30, 3.0: 30, 7.0: 40})
    assert week.spot_cutoffs() == pytest.approx({1.0: short, 3.0: short, 7.0: short * LONG_WEIGHT})
    fortnight = made_tests(0.01, {1.0: 30, 3.0: 30, 14.0: 40})
    assert fortnight.spot_cutoffs()[14.0] == pytest.approx(short * LONG_WEIGHT / 2)
    strict = made_tests(1e-6, {1.0: 10, 3.0: 20, 7.0: 30, 30.0: 40})
    assert strict.spot_cutoffs() == pytest.approx({1.0: 1e-6, 3.0: 1e-6, 7.0: 1e-6, 30.0: 1e-6})


def test_one_window_alone_is_not_weighted_down() -> None:
    """Points without times are tested over the whole window only: full Bonferroni."""
    assert made_tests(0.01, {30.0: 50}).spot_cutoffs() == pytest.approx({30.0: SPOT_FWER / 50})
    assert made_tests(0.0, {}).spot_cutoffs() == {}


def town_with_cluster(
    seed: int, size: int, *, days: tuple[float, float], spread: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An ordinary background over a town and ``size`` complainants at one place of its
    dense centre (``spread``: the sd of their latitudes, in degrees; twice that in
    longitude), spread evenly between ``days`` ago, and the town's address density."""
    lat, lon = town(seed, houses=1500)
    frame = generate_planted(lat, lon, now=NOW, seed=seed, spec=PlantSpec(planted=0)).complaints
    centre = int(np.argmin(np.hypot(lat - 59.2, lon - 39.9)))
    rng = np.random.default_rng(seed)
    cluster = pd.DataFrame(
        {
            "subscriber_id": [f"c{i}" for i in range(size)],
            "lat": lat[centre] + rng.normal(0, spread, size),
            "lon": lon[centre] + rng.normal(0, 2 * spread, size),
            "created_at": [NOW - timedelta(days=float(d)) for d in np.linspace(*days, size)],
            "precision": "house",
        }
    )
    columns = ["subscriber_id", "lat", "lon", "created_at", "precision"]
    both = pd.concat([frame[columns], cluster], ignore_index=True)
    return both, layer_points(address_layer(lat, lon))


def month_long_cluster(method: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """30 complainants at one place of a town's dense centre, spread evenly over the month."""
    return town_with_cluster(11, 30, days=(0.5, 29.5), spread=3e-4)


@pytest.mark.parametrize("method", ["h3", "dbscan"])
def test_the_evidence_is_the_window_that_passes_best_against_its_own_cutoff(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the whole window at full weight a month-long cluster rests on the month; with
    the whole window weighted to nothing it can only rest on a short window."""
    points, exposure = month_long_cluster(method)
    params = DetectParams(method=method)
    at = _now_of(points, NOW)
    monkeypatch.setattr(expected, "LONG_WEIGHT", 1.0)
    _, _, full = label_expected(points, params, exposure=exposure, now=at)
    assert len(full) >= 1
    assert (full["scan_days"] == 30.0).any(), "the month's cluster rests on the month"
    monkeypatch.setattr(expected, "LONG_WEIGHT", 0.0)
    _, _, weighted = label_expected(points, params, exposure=exposure, now=at)
    assert not (weighted["scan_days"] == 30.0).any(), "a spot rests on the whole window at weight 0"


def test_a_store_holding_one_outage_alone_still_expects_something() -> None:
    """A new store: thirty complainants of one outage and nobody else. Every cell left
    after the ones in excess is silent; a rate of 0 would expect nothing, and the spot
    would read "1 observed, 0 expected" over its first hours."""
    lat, lon = town(3, houses=800)
    rng = np.random.default_rng(3)
    outage = pd.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(30)],
            "subscriber_id": [f"s{i}" for i in range(30)],
            "lat": np.full(30, h3.cell_to_latlng(h3.latlng_to_cell(lat[0], lon[0], 9))[0]),
            "lon": np.full(30, h3.cell_to_latlng(h3.latlng_to_cell(lat[0], lon[0], 9))[1]),
            "created_at": [NOW - timedelta(hours=float(h)) for h in rng.uniform(1, 20, 30)],
            "precision": "house",
        }
    )  # one building: all in one cell, so no cell outside the spot has a complainant
    exposure = layer_points(address_layer(lat, lon))
    for method in ("h3", "dbscan"):
        _, expectation, found = label_expected(
            outage, DetectParams(method=method), exposure=exposure, now=pd.Timestamp(NOW)
        )
        assert len(found) == 1, method
        spot = found.iloc[0]
        assert spot["observed"] >= 25 and spot["expected"] > 0, (method, spot.to_dict())
        assert np.isfinite(spot["relative_risk"]), method
        assert all(rate > 0 for rate in expectation.rates.values()), method


@pytest.mark.parametrize("method", ["h3", "dbscan"])
def test_an_outage_too_strong_for_any_tail_rests_on_its_own_days(method: str) -> None:
    """900 complainants at one place over the last three days: every window's p-value
    underflows to 0, and the evidence is the window of the largest log-likelihood ratio
    — the three days — not the first (one day) by default."""
    points, exposure = town_with_cluster(12, 900, days=(0.05, 2.95), spread=2e-4)
    _, _, found = label_expected(
        points, DetectParams(method=method), exposure=exposure, now=_now_of(points, NOW)
    )
    top = found.sort_values("observed").iloc[-1]
    assert top["p_value"] == 0.0
    assert top["scan_days"] == 3.0
    assert top["observed"] >= 700

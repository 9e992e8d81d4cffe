"""The planted-concentration generator behind `make bench-quality`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heatmap.devtools.samples_planted import COLUMNS, PlantSpec, distance_m, generate_planted
from heatmap.errors import InputError

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="module")
def houses() -> tuple[np.ndarray, np.ndarray]:
    """A made-up town: a dense centre, a sparse ring and a few lone houses far out."""
    rng = np.random.default_rng(7)
    centre = rng.normal(0, 0.006, (2000, 2))
    ring = rng.normal(0, 0.03, (600, 2))
    far = rng.uniform(-0.08, 0.08, (20, 2))
    xy = np.vstack([centre, ring, far])
    return 59.2 + xy[:, 0], 39.8 + xy[:, 1] * 2


def test_same_seed_same_export(houses: tuple[np.ndarray, np.ndarray]) -> None:
    a = generate_planted(*houses, now=NOW, seed=5)
    b = generate_planted(*houses, now=NOW, seed=5)
    c = generate_planted(*houses, now=NOW, seed=6)
    pd.testing.assert_frame_equal(a.complaints, b.complaints)
    pd.testing.assert_frame_equal(a.centres, b.centres)
    assert not a.complaints[["lat", "lon"]].equals(c.complaints[["lat", "lon"]])


def test_columns_and_types(houses: tuple[np.ndarray, np.ndarray]) -> None:
    frame = generate_planted(*houses, now=NOW, seed=1).complaints
    assert tuple(frame.columns) == COLUMNS
    assert frame["ticket_id"].is_unique
    assert str(frame["created_at"].dt.tz) == "UTC"
    assert set(frame["precision"]) == {"house"}
    assert frame["planted"].dtype == np.int64


@pytest.mark.parametrize(("rate", "days"), [(1 / 7, 30.0), (0.5, 20.0), (1 / 7, 60.0)])
def test_background_rate(houses: tuple[np.ndarray, np.ndarray], rate: float, days: float) -> None:
    spec = PlantSpec(background_rate=rate, window_days=days)
    export = generate_planted(*houses, now=NOW, seed=2, spec=spec)
    background = export.complaints[export.complaints["planted"] == -1]
    expected = rate * len(houses[0]) * days / 30.0
    assert background["subscriber_id"].nunique() == export.background
    assert export.background == pytest.approx(expected, abs=1)
    # a few complain twice: more complaints than complainants, but only a few more
    extra = len(background) - export.background
    assert 0 < extra < 0.1 * export.background


def test_background_follows_address_density(houses: tuple[np.ndarray, np.ndarray]) -> None:
    spec = PlantSpec(background_rate=2.0, planted=0)
    frame = generate_planted(*houses, now=NOW, seed=3, spec=spec).complaints
    in_centre = distance_m(frame["lat"].to_numpy(), frame["lon"].to_numpy(), 59.2, 39.8) < 1500
    houses_in_centre = distance_m(houses[0], houses[1], 59.2, 39.8) < 1500
    assert in_centre.mean() == pytest.approx(houses_in_centre.mean(), abs=0.03)
    # each complaint lies a few metres from some house
    near = [
        distance_m(houses[0], houses[1], a, b).min()
        for a, b in zip(frame["lat"][:200], frame["lon"][:200], strict=True)
    ]
    assert max(near) <= spec.jitter_m + 0.5


def test_planted_concentrations(houses: tuple[np.ndarray, np.ndarray]) -> None:
    spec = PlantSpec()
    export = generate_planted(*houses, now=NOW, seed=4, spec=spec)
    assert len(export.centres) == spec.planted
    frame = export.complaints
    for centre in export.centres.itertuples(index=False):
        members = frame[frame["planted"] == centre.planted]
        distinct = members["subscriber_id"].nunique()
        assert distinct == centre.complainants
        assert spec.min_complainants <= distinct <= spec.max_complainants
        far = distance_m(members["lat"].to_numpy(), members["lon"].to_numpy(), centre.lat, centre.lon)
        limit = spec.radius_m if centre.houses_near >= 3 else spec.scatter_m
        assert far.max() <= limit + spec.jitter_m + 0.5
        assert (members["created_at"] >= pd.Timestamp(NOW) - timedelta(days=7)).all()
    # the far-flung houses make some centres sparse: both branches are taken over seeds
    sparse = [generate_planted(*houses, now=NOW, seed=s).centres["houses_near"].min() for s in range(8)]
    assert min(sparse) < 3


def test_centres_are_apart_and_spread_over_the_city(houses: tuple[np.ndarray, np.ndarray]) -> None:
    centres = generate_planted(*houses, now=NOW, seed=9).centres
    lat, lon = centres["lat"].to_numpy(), centres["lon"].to_numpy()
    gaps = distance_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    assert gaps[~np.eye(len(lat), dtype=bool)].min() >= 1000


def test_times_lie_in_the_window(houses: tuple[np.ndarray, np.ndarray]) -> None:
    spec = PlantSpec(window_days=20)
    frame = generate_planted(*houses, now=NOW, seed=5, spec=spec).complaints
    assert frame["created_at"].max() <= pd.Timestamp(NOW)
    assert frame["created_at"].min() >= pd.Timestamp(NOW) - timedelta(days=20)
    assert frame["created_at"].is_monotonic_increasing


def test_background_only(houses: tuple[np.ndarray, np.ndarray]) -> None:
    planted = generate_planted(*houses, now=NOW, seed=6)
    alone = generate_planted(*houses, now=NOW, seed=6, spec=PlantSpec(planted=0))
    assert (alone.complaints["planted"] == -1).all() and alone.centres.empty
    # the same background as the planted export of that seed
    same = planted.complaints[planted.complaints["planted"] == -1].drop(columns="ticket_id")
    pd.testing.assert_frame_equal(same.reset_index(drop=True), alone.complaints.drop(columns="ticket_id"))


def test_bad_input() -> None:
    with pytest.raises(InputError):
        generate_planted(np.array([np.nan]), np.array([1.0]), now=NOW, seed=1)
    with pytest.raises(InputError):
        generate_planted(np.array([1.0]), np.array([1.0]), now=NOW.replace(tzinfo=None), seed=1)
    with pytest.raises(InputError):
        generate_planted(
            np.array([1.0]),
            np.array([1.0]),
            now=NOW,
            seed=1,
            spec=PlantSpec(min_complainants=9, max_complainants=8),
        )


@pytest.mark.realdata
def test_on_a_real_registry() -> None:
    from heatmap.geocode.gazetteer import build_gazetteer, read_cities

    source = SHARED_DATA / "addresses" / "housedata_novgorodskaya_20160930.csv.gz"
    entries, _ = build_gazetteer(source, cities=read_cities(SHARED_DATA / "cities" / "city.csv"))
    town = entries[(entries["settlement"] == "великий новгород") & (entries["point_precision"] == "house")]
    export = generate_planted(town["lat"].to_numpy(), town["lon"].to_numpy(), now=NOW, seed=1)
    assert export.background >= len(town) / 7
    assert len(export.centres) == 12
    assert export.centres["lat"].between(58.4, 58.7).all()
    assert (export.centres["houses_near"] >= 1).all()


def test_weighted_houses_draw_complainants_in_proportion(houses: tuple[np.ndarray, np.ndarray]) -> None:
    weight = np.zeros(len(houses[0]))
    lone = np.arange(len(weight) - 20, len(weight))  # the lone houses far out, kilometres apart
    weight[lone] = 1.0  # nobody lives anywhere else
    weight[lone[:5]] = 50.0
    export = generate_planted(*houses, now=NOW, seed=3, spec=PlantSpec(planted=0), weight=weight)
    lat, lon = houses
    d = distance_m(
        export.complaints["lat"].to_numpy()[:, None], export.complaints["lon"].to_numpy()[:, None], lat, lon
    )
    nearest = d.argmin(axis=1)
    assert np.isin(nearest, lone).all()
    assert 0.9 < np.isin(nearest, lone[:5]).mean() < 0.98  # 250 of 265 weight


def test_bad_weight_is_refused(houses: tuple[np.ndarray, np.ndarray]) -> None:
    n = len(houses[0])
    for weight in (np.ones(n - 1), np.full(n, -1.0), np.zeros(n)):
        with pytest.raises(InputError, match="weight"):
            generate_planted(*houses, now=NOW, seed=1, weight=weight)


def test_history_precedes_the_window_and_is_drawn_apart(houses: tuple[np.ndarray, np.ndarray]) -> None:
    from heatmap.devtools.samples_planted import generate_history

    lat, lon = houses
    spec = PlantSpec(recent_days=30.0)
    export = generate_planted(lat, lon, now=NOW, seed=4, spec=spec)
    past = generate_history(lat, lon, now=NOW, seed=4, days=90.0, spec=spec)
    start = pd.Timestamp(NOW) - pd.Timedelta(days=120)
    assert past["created_at"].between(start, pd.Timestamp(NOW) - pd.Timedelta(days=30)).all()
    assert (past["planted"] == -1).all()
    assert past["subscriber_id"].nunique() == int(np.ceil(spec.background_rate * len(lat) * 3))
    mine = export.complaints[export.complaints["planted"] == -1]
    assert not np.isin(past["lat"].to_numpy(), mine["lat"].to_numpy()).any(), "another draw"
    chronic = generate_history(lat, lon, now=NOW, seed=4, days=90.0, spec=spec, chronic=True)
    plants = chronic[chronic["planted"] >= 0].groupby("planted")["subscriber_id"].nunique()
    assert plants.to_dict() == (export.centres.set_index("planted")["complainants"] * 3).to_dict()
    for k, centre in export.centres.set_index("planted").iterrows():
        near = chronic[chronic["planted"] == k]
        assert distance_m(near["lat"], near["lon"], centre["lat"], centre["lon"]).max() <= 260
    assert chronic["ticket_id"].is_unique

"""The analyst's API (heatmap.analysis) on the bundled samples."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import folium
import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely

from heatmap import analysis, service
from heatmap.core.policy import load_policy
from heatmap.detect.run import DetectParams
from heatmap.devtools.samples import SAMPLES_NOW, generate_export, read_addresses, sample_file
from heatmap.errors import DetectionError, InputError, UsageError
from heatmap.geocode import GazetteerGeocoder, build_gazetteer
from heatmap.service.exposure import keep_address_exposure
from heatmap.store import open_store
from heatmap.testing import assert_same_partition, spots_covering

#: A mobile number as stored (+79…) or written (89…, 79…, 9…), not inside a hash or a float.
PHONE = re.compile(r"(?<![\w.])(?:\+7|7|8)?9\d{9}(?!\w)")


def shows(html: str, text: str) -> bool:
    """``text`` is in the map's HTML, as is or as JSON-escaped unicode."""
    return text in html or json.dumps(text)[1:-1] in html


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the samples, ingested and geocoded, no detection yet."""
    path = tmp_path_factory.mktemp("analysis") / "ingested.db"
    store = open_store(f"sqlite:///{path}")
    try:
        service.init_store(store)
        entries, _ = build_gazetteer(sample_file("vologda_addresses.csv"))
        service.ingest(
            store,
            [sample_file("crm_export.csv")],
            now=SAMPLES_NOW,
            geocoder=GazetteerGeocoder(entries, default_city="Вологда"),
        )
    finally:
        store.close()
    return path


def detected(ingested: Path, folder: Path, method: str = "h3") -> str:
    """A copy of the ingested store after `heatmap detect --method METHOD --now SAMPLES_NOW`."""
    path = folder / f"{method}.db"
    shutil.copy(ingested, path)
    url = f"sqlite:///{path}"
    store = open_store(url)
    try:
        service.detect_spots(store, params=DetectParams(method=method), policy=load_policy(), now=SAMPLES_NOW)
    finally:
        store.close()
    return url


@pytest.fixture(scope="module")
def db(ingested: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return detected(ingested, tmp_path_factory.mktemp("h3"))


@pytest.fixture(scope="module")
def complaints(db: str) -> gpd.GeoDataFrame:
    return analysis.load_complaints(db)


@pytest.fixture(scope="module")
def spots(db: str) -> gpd.GeoDataFrame:
    return analysis.load_spots(db)


# ---------------------------------------------------------------- loading


def test_load_complaints_is_points_in_wgs84_without_phone_numbers(
    db: str, complaints: gpd.GeoDataFrame
) -> None:
    stored = open_store(db).load_complaints()
    assert isinstance(complaints, gpd.GeoDataFrame)
    assert complaints.crs.to_epsg() == 4326
    assert len(complaints) == len(stored) == 2425
    assert set(complaints.geometry.geom_type.dropna()) == {"Point"}
    located = complaints["lat"].notna()
    assert np.allclose(complaints.loc[located].geometry.y, complaints.loc[located, "lat"])
    assert np.allclose(complaints.loc[located].geometry.x, complaints.loc[located, "lon"])
    assert "msisdn" not in complaints.columns
    hashed = complaints["msisdn_hash"].dropna()
    assert len(hashed) == stored["msisdn"].fillna("").ne("").sum() > 1000
    assert hashed.str.fullmatch(r"s:[0-9a-f]{16}").all()
    text = [str(v) for v in complaints.drop(columns="geometry").to_numpy().ravel()]
    assert not any(PHONE.search(t) for t in text)
    assert (
        str(complaints["created_at"].dtype).startswith("datetime64")
        and str(complaints["created_at"].dt.tz) == "UTC"
    )


def test_load_complaints_keeps_unlocated_rows_with_empty_geometry(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'raw.db'}"
    store = open_store(url)
    service.init_store(store)
    service.ingest(store, [sample_file("crm_export.csv")], now=SAMPLES_NOW)  # no geocoder
    store.close()
    frame = analysis.load_complaints(url)
    assert len(frame) == 2425
    assert frame.geometry.isna().sum() == frame["lat"].isna().sum() > 1000
    since = analysis.load_complaints(url, since="2026-11-15")
    assert 0 < len(since) < len(frame)
    assert (since["created_at"] >= pd.Timestamp("2026-11-15", tz="UTC")).all()


def test_db_may_be_url_path_open_store_or_setting(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = db.removeprefix("sqlite:///")
    store = open_store(db)
    counts = {len(analysis.load_spots(x)) for x in (db, path, Path(path), store)}
    assert len(store.load_spots()) in counts and len(counts) == 1  # the open store stays open
    monkeypatch.setenv("HEATMAP_DB", db)
    assert len(analysis.load_spots()) == counts.pop()


def test_load_spots_filters_by_status(db: str, spots: gpd.GeoDataFrame) -> None:
    assert spots.crs.to_epsg() == 4326 and len(spots) >= 6
    assert set(spots.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    assert list(spots["priority"]) == sorted(spots["priority"], reverse=True)
    assert len(analysis.load_spots(db, status="queued")) == len(spots)
    assert analysis.load_spots(db, status=["resolved", "rejected"]).empty


def test_load_ratings_is_empty_until_sms_close_out(db: str) -> None:
    ratings = analysis.load_ratings(db)
    assert isinstance(ratings, gpd.GeoDataFrame) and ratings.empty
    assert list(ratings.columns) == [*analysis.RATING_COLUMNS, "geometry"]
    assert ratings.crs.to_epsg() == 4326
    assert str(ratings["rating"].dtype) == "Int64"


# ---------------------------------------------------------------- detection


@pytest.mark.parametrize("method", ["h3", "dbscan"])
def test_run_detection_equals_what_heatmap_detect_stores(ingested: Path, tmp_path: Path, method: str) -> None:
    url = detected(ingested, tmp_path, method)
    stored = analysis.load_spots(url)
    complaints = analysis.load_complaints(url)
    found = analysis.run_detection(complaints, method=method, now=SAMPLES_NOW)
    assert len(found) >= 6
    assert list(found["id"]) == list(stored["id"])
    for name in ("subscribers", "complaints", "dominant_topic", "queue", "status"):
        assert found[name].tolist() == stored[name].tolist(), name
    assert np.allclose(found["priority"], stored["priority"])
    assert (found["due_at"] == stored["due_at"]).all()
    assert all(a.equals_exact(b, 1e-6) for a, b in zip(found.geometry, stored.geometry, strict=True))
    labels = analysis.label_complaints(complaints, method=method, now=SAMPLES_NOW)
    assert (
        labels.tolist()
        == complaints["spot_id"].astype(object).where(complaints["spot_id"].notna(), None).tolist()
    )


def test_run_detection_writes_nothing(ingested: Path, tmp_path: Path) -> None:
    path = tmp_path / "untouched.db"
    shutil.copy(ingested, path)
    complaints = analysis.load_complaints(path)
    assert len(analysis.run_detection(complaints)) >= 6
    store = open_store(f"sqlite:///{path}")
    assert store.load_spots().empty and store.load_events().empty
    assert store.load_complaints()["spot_id"].isna().all()


def test_run_detection_finds_every_planted_spot(complaints: gpd.GeoDataFrame) -> None:
    _, plants = generate_export(read_addresses(), n=2500, seed=1, now=SAMPLES_NOW)
    for method in ("h3", "dbscan"):
        found = analysis.run_detection(complaints, method=method)
        covering = spots_covering(found, [(p.lat, p.lon) for p in plants])
        assert all(covering) and len(set(covering)) == len(plants), method


def test_now_defaults_to_the_latest_complaint(complaints: gpd.GeoDataFrame) -> None:
    latest = complaints["created_at"].max()
    default = analysis.run_detection(complaints)
    explicit = analysis.run_detection(complaints, now=latest)
    pd.testing.assert_frame_equal(
        pd.DataFrame(default.drop(columns="geometry")), pd.DataFrame(explicit.drop(columns="geometry"))
    )
    assert (default["created_at"] == latest).all()
    # a historical cut: a week before the end, only what was known then counts
    before = analysis.run_detection(complaints, now=latest - pd.Timedelta(days=7))
    assert before["complaints"].sum() < default["complaints"].sum()
    assert (before["last_complaint_at"] <= latest - pd.Timedelta(days=7)).all()
    short = analysis.run_detection(complaints, window_days=2)
    assert (short["first_complaint_at"] >= latest - pd.Timedelta(days=2)).all()


def test_run_detection_takes_plain_frames(complaints: gpd.GeoDataFrame) -> None:
    located = complaints[complaints["lat"].notna()]
    plain = pd.DataFrame(
        {"lat": located["lat"], "lon": located["lon"], "created_at": located["created_at"].astype(str)}
    )
    found = analysis.run_detection(plain)
    assert len(found) >= 6
    # every row its own complainant: at least as many complainants as with real ids
    assert found["subscribers"].sum() >= analysis.run_detection(located)["subscribers"].sum()
    only_geometry = gpd.GeoDataFrame(
        {"created_at": located["created_at"]}, geometry=located.geometry.to_numpy(), crs="EPSG:4326"
    )
    assert len(analysis.run_detection(only_geometry)) == len(found)
    assert len(analysis.run_detection(plain.drop(columns="created_at"), now=SAMPLES_NOW)) >= 6
    with pytest.raises(DetectionError):
        analysis.run_detection(plain.drop(columns="created_at"))
    with pytest.raises(UsageError):
        analysis.run_detection(plain, method="kmeans")


def test_compare_methods_counts_and_agreement(complaints: gpd.GeoDataFrame, spots: gpd.GeoDataFrame) -> None:
    table = analysis.compare_methods(complaints)
    assert list(table.index) == ["h3 r9", "dbscan 250 m"]
    assert {
        "spots",
        "complaints_in_spots",
        "complainants_in_spots",
        "median_area_km2",
        "ari_vs_first",
        "ari_vs_previous",
    } <= set(table.columns)
    h3_row = table.loc["h3 r9"]
    assert h3_row["spots"] == len(spots)
    assert h3_row["complaints_in_spots"] == spots["complaints"].sum()
    assert h3_row["complainants_in_spots"] <= spots["subscribers"].sum()
    # a resolution-9 hexagon is ~0.105 km²; spots are one or a few of them
    assert 0.1 <= h3_row["median_area_km2"] <= 1.0
    assert 0.5 < table.loc["dbscan 250 m", "ari_vs_first"] < 1.0
    assert pd.isna(table["h3_res"].iloc[1]) and pd.isna(table["eps_m"].iloc[0])


def test_identical_settings_agree_completely(complaints: gpd.GeoDataFrame) -> None:
    same: list[analysis.Setting] = [
        {"method": "dbscan", "eps_m": 300},
        DetectParams(method="dbscan", eps_m=300.0),
    ]
    table = analysis.compare_methods(complaints, settings=same)
    assert list(table.index) == ["dbscan 300 m", "dbscan 300 m #2"]
    assert table["ari_vs_first"].tolist() == [1.0, 1.0]
    assert table["ari_vs_previous"].iloc[1] == 1.0
    assert table["spots"].nunique() == 1


def test_labellings_and_ari_matrix(complaints: gpd.GeoDataFrame) -> None:
    settings: list[analysis.Setting] = [
        {"h3_res": 8},
        {"h3_res": 9},
        {"name": "wide", "method": "dbscan", "eps_m": 400},
    ]
    labels = analysis.labellings(complaints, settings=settings)
    assert list(labels.columns) == ["h3 r8", "h3 r9", "wide"]
    assert labels.index.is_unique and (labels >= -1).all().all()
    matrix = analysis.ari_matrix(labels)
    assert np.allclose(np.diag(matrix), 1.0)
    assert np.allclose(matrix.to_numpy(), matrix.to_numpy().T)
    table = analysis.compare_methods(complaints, settings=settings)
    assert table.loc["h3 r9", "ari_vs_previous"] == pytest.approx(matrix.loc["h3 r8", "h3 r9"])
    # labels partition the complaints as run_detection's spots do
    found = analysis.label_complaints(complaints, h3_res=9)
    ids = pd.Series(found.to_numpy(), index=complaints["ticket_id"]).reindex(labels.index)
    assert_same_partition(labels["h3 r9"].tolist(), ids.astype(object).fillna(-1).tolist())


def test_spot_changes_names_what_happened() -> None:
    index = [f"t{i}" for i in range(14)]
    before = pd.Series([0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, -1, -1], index=index)
    after = pd.Series([5, 5, 6, 6, 7, 7, 7, 7, -1, -1, 8, 8, 9, 9], index=index)
    changes = analysis.spot_changes(before, after).set_index("before", drop=False)
    kinds = dict(zip(changes["before"], changes["kind"], strict=True))
    assert kinds[0] == "split" and changes.loc[0, "parts"] == 2
    assert kinds[1] == kinds[2] == "merged"
    assert kinds[3] == "vanished" and changes.loc[3, "to_noise"] == 1.0
    assert kinds[4] == "kept" and changes.loc[4, "share_kept"] == 1.0
    appeared = changes[changes["kind"] == "appeared"]
    assert appeared["after"].tolist() == [9] and appeared["before"].isna().all()


# ---------------------------------------------------------------- reach


def test_reach_is_at_least_the_complainants_when_density_is_dense(spots: gpd.GeoDataFrame) -> None:
    dense = analysis.synthetic_density(per_point=400, background=40)
    table = analysis.reach(spots, dense)
    assert list(table["spot_id"]) == list(spots["id"])
    assert (table["complainants"] == spots["subscribers"].to_numpy()).all()
    assert (table["affected"] >= table["complainants"]).all() and not table["short"].any()
    assert (table["helped_not_complained"] == table["affected"] - table["complainants"]).all()
    thin = analysis.reach(spots, analysis.synthetic_density(per_point=0.5, background=0.1))
    assert thin["short"].any()
    assert (thin["helped_not_complained"] == np.maximum(0, thin["affected"] - thin["complainants"])).all()


def test_reach_counts_cells_whose_centre_is_inside(spots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    spot = spots.iloc[[0]]
    own = sorted(h3.geo_to_cells(spot.geometry.iloc[0], 9))
    children = [c for cell in own for c in h3.cell_to_children(cell, 10)]
    outside = h3.grid_ring(own[0], 6)[:3]
    density = pd.DataFrame({"h3_cell": own + outside, "subscribers": 10})
    row = analysis.reach(spot, density).iloc[0]
    assert row["affected"] == 10 * len(own) and row["density_cells"] == len(own)
    fine = pd.DataFrame({"h3_cell": [h3.str_to_int(c) for c in children], "subscribers": 1})
    fine.to_csv(tmp_path / "density.csv", index=False)
    assert analysis.reach(spot, tmp_path / "density.csv").iloc[0]["affected"] == len(children)
    # a coarse layer: centres miss a small spot, area weighting shares the cell out
    small = spots[spots["subscribers"] == spots["subscribers"].min()].iloc[[0]]
    centre = shapely.centroid(small.geometry.iloc[0])
    cells = sorted(h3.grid_disk(h3.latlng_to_cell(centre.y, centre.x, 6), 1))
    per_km2 = 1000.0
    coarse = pd.DataFrame(
        {"h3_cell": cells, "subscribers": [per_km2 * h3.cell_area(c, unit="km^2") for c in cells]}
    )
    assert analysis.reach(small, coarse).iloc[0]["affected"] == 0
    shared = analysis.reach(small, coarse, how="area").iloc[0]["affected"]
    spot_km2 = float(small.to_crs("EPSG:6933").area.iloc[0]) / 1e6
    assert shared == pytest.approx(per_km2 * spot_km2, rel=0.02)


def test_reach_leaves_merged_spots_out_and_checks_the_layer(spots: gpd.GeoDataFrame) -> None:
    merged = spots.iloc[:3].copy()
    merged.loc[merged.index[0], "status"] = "merged"
    assert len(analysis.reach(merged, analysis.synthetic_density())) == 2
    with pytest.raises(InputError):
        analysis.reach(spots, pd.DataFrame({"h3_cell": ["not-a-cell"], "subscribers": [1]}))
    with pytest.raises(InputError):
        analysis.reach(spots, pd.DataFrame({"cell": ["x"]}))


def test_synthetic_density_is_labelled_and_reproducible() -> None:
    first = analysis.synthetic_density(seed=3)
    assert first.attrs["synthetic"] is True and "synthetic" in first.attrs["note"]
    assert list(first.columns) == ["h3_cell", "subscribers"]
    assert {h3.get_resolution(c) for c in first["h3_cell"]} == {10}
    assert (first["subscribers"] > 0).all()
    assert 50_000 < first["subscribers"].sum() < 200_000  # a plausible operator share of Vologda
    pd.testing.assert_frame_equal(first, analysis.synthetic_density(seed=3))
    assert not first.equals(analysis.synthetic_density(seed=4))
    coarse = analysis.synthetic_density(read_addresses().head(50), res=8)
    assert {h3.get_resolution(c) for c in coarse["h3_cell"]} == {8}


# ---------------------------------------------------------------- outcomes


def test_outcomes_of_fresh_spots_are_honestly_empty(db: str, spots: gpd.GeoDataFrame) -> None:
    table = analysis.outcomes(spots, analysis.load_events(db), now=SAMPLES_NOW)
    assert len(table) == len(spots)
    assert (table["age_hours"] == 0).all()
    assert (table["problem_age_hours"] > 0).all()
    assert (table["hours_to_due"] == table["sla_hours"]).all()
    assert table["resolved_at"].isna().all() and table["solved_within_1_day"].isna().all()
    figures = analysis.kpis(table)
    assert figures["spots"] == figures["open"] == len(spots)
    assert figures["resolved"] == 0
    assert np.isnan(figures["share_solved_within_1_day"]) and np.isnan(figures["reopen_rate"])


def test_outcomes_follow_the_transitions(spots: gpd.GeoDataFrame) -> None:
    three = spots.head(3).copy()
    a, b, c = three["id"].tolist()
    t0 = SAMPLES_NOW
    three["status"] = ["resolved", "reopened", "queued"]
    events = pd.DataFrame(
        {
            "spot_id": [a, a, b, b, b],
            "at": [t0 + pd.Timedelta(hours=h) for h in (1, 5, 2, 40, 60)],
            "kind": "transition",
            "from_status": ["queued", "in_progress", "queued", "in_progress", "resolved"],
            "to_status": ["in_progress", "resolved", "in_progress", "resolved", "reopened"],
        }
    )
    now = t0 + pd.Timedelta(days=40)
    table = analysis.outcomes(three, events, now=now).set_index("id")
    assert table.loc[a, "hours_to_resolve"] == 5 and bool(table.loc[a, "solved_within_1_day"])
    assert table.loc[b, "hours_to_resolve"] == 40 and not table.loc[b, "solved_within_1_day"]
    assert table.loc[b, "reopens"] == 1 and table.loc[c, "reopens"] == 0
    assert table.loc[c, "overdue"] == (three.set_index("id").loc[c, "due_at"] < now)
    figures = analysis.kpis(table.reset_index())
    assert figures["share_solved_within_1_day"] == pytest.approx(1 / 3)
    assert figures["median_hours_to_resolve"] == pytest.approx(22.5)
    assert figures["reopen_rate"] == pytest.approx(0.5)


def test_a_store_stands_for_its_frames(db: str, tmp_path: Path) -> None:
    """Wherever a function takes a frame of the store, the store's URL, path or object does."""
    from heatmap.service import workflow

    path = tmp_path / "worked.db"
    shutil.copy(db.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    store = open_store(url)
    top = str(store.load_spots().sort_values("priority").iloc[-1]["id"])
    for action, hours in (("take", 1), ("resolve", 5)):
        workflow.transition(
            store,
            top,
            action,
            actor="petrov",
            policy=load_policy(),
            now=SAMPLES_NOW + pd.Timedelta(hours=hours),
            cause="equipment_failure" if action == "resolve" else None,
        )
    spots, events = analysis.load_spots(url), analysis.load_events(url)
    at = SAMPLES_NOW + pd.Timedelta(days=2)
    expected = analysis.outcomes(spots, events, now=at)
    assert expected.set_index("id").loc[top, "hours_to_resolve"] == 5
    for source in (url, str(path), path, store):
        pd.testing.assert_frame_equal(analysis.outcomes(source, now=at), expected)
    pd.testing.assert_frame_equal(analysis.outcomes(spots, url, now=at), expected)
    assert analysis.kpis(url).equals(analysis.kpis(analysis.outcomes(spots, events)))
    assert analysis.kpis(url)["resolved"] == 1

    complaints = analysis.load_complaints(url)
    found = analysis.run_detection(url, now=SAMPLES_NOW)
    assert found["id"].tolist() == analysis.run_detection(complaints, now=SAMPLES_NOW)["id"].tolist()
    labels = analysis.label_complaints(store, now=SAMPLES_NOW)
    assert labels.equals(analysis.label_complaints(complaints, now=SAMPLES_NOW))
    density = analysis.synthetic_density(url, res=9)
    pd.testing.assert_frame_equal(density, analysis.synthetic_density(complaints, res=9))
    pd.testing.assert_frame_equal(analysis.reach(url, density), analysis.reach(spots, density))
    fmap = analysis.explore(url, tiles=None)
    assert isinstance(fmap, folium.Map) and top in fmap.get_root().render()
    store.close()


# ---------------------------------------------------------------- maps


def test_explore_colours_each_kind(spots: gpd.GeoDataFrame, complaints: gpd.GeoDataFrame, db: str) -> None:
    fmap = analysis.explore(spots, tiles=None)
    assert isinstance(fmap, folium.Map)
    html = fmap.get_root().render()
    assert shows(html, "Приоритет пятна") and spots["id"].iloc[0] in html
    both = analysis.explore(complaints.head(300), m=analysis.explore(spots))
    html = both.get_root().render()
    assert all(shows(html, text) for text in ("нет 4G", "Жалобы", "Пятна"))
    assert "msisdn" not in html
    sampled = analysis.explore(complaints, max_features=500, tiles=None).get_root().render()
    assert shows(sampled, "каждая 5-я")
    assert isinstance(analysis.explore(analysis.load_ratings(db)), folium.Map)
    first = spots.iloc[0]
    ratings = gpd.GeoDataFrame(
        {
            "spot_id": [first["id"]] * 2,
            "subscriber_id": ["s:1", "s:2"],
            "rating": pd.array([5, 2], dtype="Int64"),
            "comment": ["спасибо", None],
            "at": pd.to_datetime(["2026-11-22T10:00Z"] * 2, utc=True),
        },
        geometry=[shapely.Point(first["centroid_lon"], first["centroid_lat"])] * 2,
        crs="EPSG:4326",
    )
    assert shows(analysis.explore(ratings).get_root().render(), "Оценка (1–5)")
    by_segment = analysis.explore(complaints.head(50), column="segment").get_root().render()
    assert "segment" in by_segment


def test_explore_loads_nothing_from_another_host_unless_tiles_are_named() -> None:
    import re

    import geopandas as gpd
    from shapely.geometry import Point

    spots = gpd.GeoDataFrame(
        {"id": ["a", "b"], "priority": [1.0, 3.0], "status": ["new"] * 2},
        geometry=[Point(39.9, 59.2).buffer(1e-3), Point(39.91, 59.21).buffer(1e-3)],
        crs="EPSG:4326",
    )
    offline = analysis.explore(spots).get_root().render()
    assert not re.search(r"https?://", offline) and "data:text/javascript;base64," in offline
    online = analysis.explore(spots, tiles="OpenStreetMap").get_root().render()
    assert "tile.openstreetmap.org" in online


@pytest.mark.parametrize("method", ["h3", "dbscan"])
def test_run_detection_on_a_store_expects_by_its_exposure_layer(
    ingested: Path, tmp_path: Path, method: str
) -> None:
    """run_detection(store) expected complaints uniformly although the store held the
    gazetteer's address layer that `heatmap detect` expects by: on an Omsk CRM export it
    found 2 spots where `heatmap detect` stored 5, so a what-if run did not say what the
    product would do."""
    path = tmp_path / "layered.db"
    shutil.copy(ingested, path)
    url = f"sqlite:///{path}"
    store = open_store(url)
    try:
        keep_address_exposure(store, build_gazetteer(sample_file("vologda_addresses.csv"))[0])
        service.detect_spots(store, params=DetectParams(method=method), policy=load_policy(), now=SAMPLES_NOW)
    finally:
        store.close()
    stored = analysis.load_spots(url)
    found = analysis.run_detection(url, method=method, now=SAMPLES_NOW)
    assert list(found["id"]) == list(stored["id"])
    assert np.allclose(found["expected"].astype(float), stored["expected"].astype(float))
    labels = analysis.label_complaints(url, method=method, now=SAMPLES_NOW)
    assert labels.notna().sum() == stored["complaints"].sum()
    compared = analysis.compare_methods(url, settings=[{"method": method}], now=SAMPLES_NOW)
    assert compared["spots"].tolist() == [len(stored)]

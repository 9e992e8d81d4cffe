"""Building, checking, saving and loading the gazetteer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from heatmap.errors import GeocodeError, InputError
from heatmap.geocode.gazetteer import (
    ENTRY_COLUMNS,
    SKIP_REASONS,
    build_gazetteer,
    haversine_km,
    load_gazetteer,
    read_cities,
    save_gazetteer,
)
from heatmap.geocode.matcher import GazetteerGeocoder

CITIES = pd.DataFrame(
    {
        "region": ["вологодская", "вологодская", "москва"],
        "settlement": ["вологда", "череповец", "москва"],
        "lat": [59.2484, 59.1269, 55.7540],
        "lon": [39.8356, 37.9091, 37.6204],
        "population": [301642, 312311, 11514330],
    }
)


def registry(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ADDRESS": [r[0] for r in rows],
            "LAT": [r[1] for r in rows],
            "LON": [r[2] for r in rows],
            "HOUSE_ID": [str(i) for i in range(len(rows))],
        }
    )


def test_entries_columns_and_content(small_entries: pd.DataFrame) -> None:
    assert tuple(small_entries.columns) == ENTRY_COLUMNS
    row = small_entries[small_entries.address.str.contains("Мира, д. 12а")].iloc[0]
    assert row.region == "вологодская" and row.settlement == "вологда"
    assert row.settlement_type == "г" and row.street_type == "ул" and row.street == "мира"
    assert row.house == "12а" and row.street_key == "мира" and row.house_base == "12"
    assert row.lat == pytest.approx(59.2230) and row.point_precision == "house"
    assert row.key == "вологодская|вологодская|вологда|ул|мира|12а"


def test_skip_reasons_are_counted() -> None:
    rows = [
        ("обл. Вологодская, г. Вологда, ул. Мира, д. 1", "59.22", "39.88"),
        ("обл. Вологодская, г. Вологда, ул. Мира, д. 1", "59.23", "39.89"),  # duplicate
        ("обл. Вологодская, г. Вологда, ул. Мира, д. 1 (дубль 1)", "59.22", "39.88"),
        ("обл. Вологодская, г. Вологда, ул. Мира, д. 2", "", "39.88"),  # no lat
        ("обл. Вологодская, г. Вологда, ул. Мира, д. 3", "abc", "39.88"),
        ("обл. Вологодская, г. Вологда, ул. Мира, д. 4", "0", "0"),
        ("д. ул. Профсоюзная, д.17", "57.73", "40.99"),  # no settlement
        ("обл. Вологодская, г. Вологда, ул. Мира", "59.22", "39.88"),  # no house
        ("обл. Вологодская, г. Вологда, ул. Мира, д. 5", "55.76", "37.64"),  # far from city
        ("обл. Вологодская, р-н. Бабаевский, д. Кийно, д. 12", "45.0", "39.0"),  # outside region
        # one point, three settlements: a default position
        ("обл. Вологодская, р-н. Бабаевский, д. Один, д. 1", "60.5", "37.5"),
        ("обл. Вологодская, р-н. Бабаевский, д. Два, д. 1", "60.5", "37.5"),
        ("обл. Вологодская, р-н. Бабаевский, д. Три, д. 1", "60.5", "37.5"),
    ]
    entries, skipped = build_gazetteer(registry(rows), cities=CITIES)
    assert set(skipped) == set(SKIP_REASONS)
    assert skipped == {
        "no_coordinates": 3,
        "marked_duplicate": 1,
        "unparseable": 2,
        "placeholder_point": 3,
        "far_from_city": 1,
        "outside_region": 1,
        "duplicate": 1,
    }
    assert len(entries) == 1 and entries.lat.iloc[0] == pytest.approx(59.22)
    assert sum(skipped.values()) + len(entries) == len(rows)


def test_without_cities_no_consistency_check() -> None:
    rows = [("обл. Вологодская, г. Вологда, ул. Мира, д. 5", "55.76", "37.64")]
    entries, skipped = build_gazetteer(registry(rows))
    assert len(entries) == 1 and skipped["far_from_city"] == 0


def test_shared_point_is_coarse() -> None:
    town = "обл. Вологодская, г. Вологда"
    rows = [(f"{town}, ул. Мира, д. {n}", "59.22", "39.88") for n in (1, 3, 5)]
    rows += [(f"{town}, ул. Мира, д. 7", "59.23", "39.89")]
    rows += [(f"{town}, ул. Лесная, д. {n}", "59.25", "39.90") for n in (1, 2)]
    rows += [(f"{town}, ул. Луговая, д. 1", "59.25", "39.90")]
    entries, _ = build_gazetteer(registry(rows))
    prec = dict(zip(entries.address, entries.point_precision, strict=True))
    assert prec["обл. Вологодская, г. Вологда, ул. Мира, д. 1"] == "street"
    assert prec["обл. Вологодская, г. Вологда, ул. Мира, д. 7"] == "house"
    assert prec["обл. Вологодская, г. Вологда, ул. Лесная, д. 1"] == "settlement"
    g = GazetteerGeocoder(entries)
    answer = g.geocode(["Вологда, Мира 3", "Вологда, Мира 7", "Вологда, Луговая 1"])
    assert list(answer.precision) == ["street", "house", "settlement"]
    assert (answer.score.iloc[[0, 2]] < 0.9).all()


def test_generic_csv_columns(tmp_path: Path) -> None:
    path = tmp_path / "addr.csv"
    path.write_text(
        "lat;lng;addr\n59.22;39.88;Вологодская обл., г. Вологда, ул. Мира, д. 1\n", encoding="utf-8"
    )
    entries, _ = build_gazetteer(
        path, address_column="addr", lat_column="lat", lon_column="lng", id_column=None, sep=";"
    )
    assert len(entries) == 1 and entries.source_id.iloc[0] is None
    with pytest.raises(InputError):
        build_gazetteer(path, sep=";")  # default registry columns are absent
    with pytest.raises(InputError):
        build_gazetteer(tmp_path / "missing.csv")


def test_round_trip(tmp_path: Path, small_entries: pd.DataFrame) -> None:
    path = save_gazetteer(small_entries, tmp_path / "sub" / "gaz.parquet")
    loaded = load_gazetteer(path)
    pd.testing.assert_frame_equal(loaded, small_entries)
    g1, g2 = GazetteerGeocoder(small_entries), GazetteerGeocoder(loaded)
    texts = ["Вологда, Мира 12а", "Вологда, Мира 99", "Кийно 12"]
    pd.testing.assert_frame_equal(g1.geocode(texts), g2.geocode(texts))


def test_load_rejects_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(bad)
    with pytest.raises(GeocodeError):
        load_gazetteer(bad)
    with pytest.raises(GeocodeError):
        load_gazetteer(tmp_path / "nope.parquet")
    with pytest.raises(GeocodeError):
        GazetteerGeocoder(pd.DataFrame({"a": [1]}))


def test_haversine() -> None:
    # Moscow to Saint Petersburg, about 634 km
    assert float(haversine_km(55.7540, 37.6204, 59.9391, 30.3159)) == pytest.approx(634, abs=5)


@pytest.mark.realdata
def test_omsk_registry_rejects_points_geocoded_elsewhere(data_dir: Path) -> None:
    source = data_dir / "addresses" / "housedata_omsk_20160701.csv.gz"
    cities = read_cities(data_dir / "cities" / "city.csv")
    entries, skipped = build_gazetteer(source, cities=cities)
    total = sum(skipped.values()) + len(entries)
    assert total == 31826
    rejected = skipped["placeholder_point"] + skipped["far_from_city"] + skipped["outside_region"]
    assert rejected > 15000  # most of the file's points are not in Omsk region
    assert skipped["marked_duplicate"] > 100 and skipped["duplicate"] > 0
    # what is kept lies in Omsk region, and Omsk city entries near the city
    assert entries.lat.between(53, 59).all() and entries.lon.between(69, 77).all()
    omsk = entries[entries.settlement == "омск"]
    assert len(omsk) > 5000
    assert (haversine_km(omsk.lat.to_numpy(), omsk.lon.to_numpy(), 54.9849, 73.3675) < 60).all()


@pytest.mark.realdata
def test_cities_file(data_dir: Path) -> None:
    cities = read_cities(data_dir / "cities" / "city.csv")
    assert len(cities) > 1000
    spb = cities[(cities.region == "санкт петербург") & (cities.settlement == "санкт петербург")]
    assert len(spb) == 1 and spb.lat.iloc[0] == pytest.approx(59.94, abs=0.01)

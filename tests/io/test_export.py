"""Exports for analysts: read back in every format, no phone number in any of them."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from heatmap import service
from heatmap.core.msisdn import pseudonym
from heatmap.devtools.samples import SAMPLES_NOW
from heatmap.errors import UsageError
from heatmap.io import export as export_module
from heatmap.io.export import RATING_COLUMNS, export
from heatmap.store import Store, open_store

#: A mobile number as stored (+79…) or written (89…, 79…, 9…), not inside a hash or a float.
PHONE = re.compile(r"(?<![\w.])(?:\+7|7|8)?9\d{9}(?!\w)")
LEAKY_NUMBER = "+79161234567"
SUFFIX = {"geoparquet": "parquet", "geojson": "geojson", "csv": "csv"}

#: Rows whose phone numbers try to leak: in msisdn, in subscriber_id, in the free text;
#: and one address left ungeocoded (an unlocated complaint).
EXTRA_ROWS = pd.DataFrame(
    {
        "ticket_id": ["LEAK-1", "LEAK-2", "LEAK-3"],
        "created_at": ["2026-11-19T10:00:00+03:00", "2026-11-19T11:00:00+03:00", "2026-11-19T12:00:00+03:00"],
        "msisdn": ["+7 (916) 123-45-67", "", "89160001122"],
        "subscriber_id": ["", "89035556677", ""],
        "segment": ["mass", "vip", "mass"],
        "ltv": ["100", "", ""],
        "topic": ["no_data", "no_4g", "slow_data"],
        "description": ["Перезвоните на 8 916 765-43-21 или +79031112233", "Нет 4G", "Медленно"],
        "address": ["", "", "Вологда, ул. Мира, д. 1"],
        "lat": ["59.2201", "59.2203", ""],
        "lon": ["39.8912", "39.8915", ""],
        "region": "Вологодская область",
        "channel": ["chat", "app", "call_centre"],
    }
)


@pytest.fixture(scope="module")
def store_url(demo_copy: Callable[[str], Path]) -> str:
    """The demo store (samples ingested, geocoded, detected) plus the leaky rows."""
    folder = demo_copy("export")
    extra = folder / "extra.csv"
    EXTRA_ROWS.to_csv(extra, index=False)
    url = f"sqlite:///{folder / 'heatmap.db'}"
    store = open_store(url)
    # no geocoder: the address-only row stays unlocated
    assert service.ingest(store, [extra], now=SAMPLES_NOW).totals["inserted"] == 3
    store.close()
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def read_back(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "geoparquet":
        return gpd.read_parquet(path)
    if fmt == "geojson":
        return gpd.read_file(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def leaks(frame: pd.DataFrame, raw: str = "") -> list[str]:
    values = [str(v) for v in frame.drop(columns="geometry", errors="ignore").to_numpy().ravel()]
    return [v for v in [*values, raw] if PHONE.search(v) or "+79" in v]


@pytest.mark.parametrize("fmt", ["geoparquet", "geojson", "csv"])
@pytest.mark.parametrize("what", ["complaints", "spots", "ratings"])
def test_export_reads_back_with_rows_columns_and_crs(
    store: Store, tmp_path: Path, what: str, fmt: str
) -> None:
    out = tmp_path / f"{what}.{SUFFIX[fmt]}"
    result = export(store, what=what, fmt=fmt, out=out)
    expected = {
        "complaints": len(store.load_complaints()),
        "spots": len(store.load_spots()),
        "ratings": len(store.load_ratings()),
    }[what]
    assert result.rows == expected and result.path == out
    frame = read_back(out, fmt)
    assert len(frame) == expected
    raw = out.read_text(encoding="utf-8") if fmt != "geoparquet" else ""
    assert not leaks(frame, raw)
    if fmt != "csv" and expected:
        assert isinstance(frame, gpd.GeoDataFrame) and frame.crs.to_epsg() == 4326
    columns = set(frame.columns)
    if what == "complaints":
        assert {
            "ticket_id",
            "created_at",
            "msisdn_hash",
            "subscriber_id",
            "topic",
            "lat",
            "lon",
            "spot_id",
        } <= columns
        assert "msisdn" not in columns
    elif what == "spots":
        assert {"id", "status", "subscribers", "complaints", "priority", "queue", "due_at"} <= columns
    elif fmt == "geojson":
        features = json.loads(raw)["features"]  # the demo's close-out answers
        assert len(features) == expected and all(
            set(RATING_COLUMNS) <= set(f["properties"]) for f in features
        )
    else:
        assert set(RATING_COLUMNS) <= columns
    if fmt == "csv":
        assert {"lat", "lon"} <= columns
        assert ("wkt" in columns) == (what == "spots")


def test_geoparquet_keeps_types_and_unlocated_rows(store: Store, tmp_path: Path) -> None:
    export(store, what="complaints", fmt="geoparquet", out=tmp_path / "c.parquet")
    frame = gpd.read_parquet(tmp_path / "c.parquet").set_index("ticket_id")
    assert str(frame["created_at"].dt.tz) == "UTC"
    assert frame.loc["LEAK-3"].geometry is None and pd.isna(frame.loc["LEAK-3", "lat"])
    point = frame.loc["LEAK-1"].geometry
    assert (point.x, point.y) == (39.8912, 59.2201)
    export(store, what="spots", fmt="geoparquet", out=tmp_path / "s.parquet")
    spots = gpd.read_parquet(tmp_path / "s.parquet")
    stored = store.load_spots()
    assert list(spots["id"]) == list(stored["id"])
    assert all(a.equals_exact(b, 1e-9) for a, b in zip(spots.geometry, stored["geometry"], strict=True))
    assert json.loads(spots["breakdown"].iloc[0]) == stored["breakdown"].iloc[0]


def test_geojson_is_rfc7946(store: Store, tmp_path: Path) -> None:
    export(store, what="spots", fmt="geojson", out=tmp_path / "s.geojson")
    data = json.loads((tmp_path / "s.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    stored = store.load_spots().set_index("id")
    for feature in data["features"]:
        shape = shapely.geometry.shape(feature["geometry"])
        lon, lat = feature["geometry"]["coordinates"][0][0]
        assert 39 < lon < 41 and 59 < lat < 60  # Vologda: longitude first
        assert shape.exterior.is_ccw  # exterior rings counter-clockwise
        assert shape.equals_exact(
            stored.loc[feature["id"], "geometry"].normalize(), 1e-9
        ) or shape.normalize().equals_exact(stored.loc[feature["id"], "geometry"].normalize(), 1e-9)
        assert isinstance(feature["properties"]["breakdown"], dict)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", feature["properties"]["due_at"])
    export(store, what="complaints", fmt="geojson", out=tmp_path / "c.geojson")
    features = json.loads((tmp_path / "c.geojson").read_text(encoding="utf-8"))["features"]
    unlocated = [f for f in features if f["id"] == "LEAK-3"]
    assert unlocated and unlocated[0]["geometry"] is None


def test_csv_has_lat_lon_and_spot_wkt(store: Store, tmp_path: Path) -> None:
    export(store, what="spots", fmt="csv", out=tmp_path / "s.csv")
    frame = pd.read_csv(tmp_path / "s.csv")
    stored = store.load_spots()
    assert (frame["lat"] == stored["centroid_lat"]).all() and (frame["lon"] == stored["centroid_lon"]).all()
    polygons = shapely.from_wkt(frame["wkt"].to_numpy())
    assert all(a.equals_exact(b, 1e-6) for a, b in zip(polygons, stored["geometry"], strict=True))
    # GDAL reads the wkt column as the geometry too
    assert gpd.read_file(tmp_path / "s.csv").geometry.geom_type.iloc[0] == "Polygon"
    export(store, what="complaints", fmt="csv", out=tmp_path / "c.csv")
    complaints = pd.read_csv(tmp_path / "c.csv").set_index("ticket_id")
    assert complaints.loc["LEAK-1", "lat"] == 59.2201 and pd.isna(complaints.loc["LEAK-3", "lon"])
    assert complaints["created_at"].str.match(r"\d{4}-\d\d-\d\dT").all()


def test_pseudonyms_follow_the_key(store: Store, tmp_path: Path) -> None:
    export(store, what="complaints", fmt="csv", out=tmp_path / "own.csv")
    own = pd.read_csv(tmp_path / "own.csv", dtype=str).set_index("ticket_id")
    # with the store's key, a number's pseudonym is the subscriber id ingest derived from it
    assert (
        own.loc["LEAK-1", "msisdn_hash"]
        == own.loc["LEAK-1", "subscriber_id"]
        == pseudonym(LEAKY_NUMBER, store.secret())
    )
    # a CRM subscriber id that is a phone number is pseudonymised, not exported
    assert own.loc["LEAK-2", "subscriber_id"] == pseudonym("+79035556677", store.secret())
    assert "телефон скрыт" in own.loc["LEAK-1", "description"]
    export(store, what="complaints", fmt="csv", out=tmp_path / "other.csv", key=b"another key 16+ chars")
    other = pd.read_csv(tmp_path / "other.csv", dtype=str).set_index("ticket_id")
    assert other.loc["LEAK-1", "msisdn_hash"] == pseudonym(LEAKY_NUMBER, b"another key 16+ chars")
    assert other.loc["LEAK-1", "msisdn_hash"] != own.loc["LEAK-1", "msisdn_hash"]


def test_a_failed_export_leaves_the_old_file_and_no_temp(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "spots.parquet"
    export(store, what="spots", fmt="geoparquet", out=out)
    before = out.read_bytes()

    def broken(frame: gpd.GeoDataFrame, path: Path) -> None:
        path.write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(export_module, "_write_geoparquet", broken)
    with pytest.raises(OSError, match="disk full"):
        export(store, what="spots", fmt="geoparquet", out=out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["spots.parquet"]


def test_bad_requests_are_usage_errors(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="choose complaints, spots, ratings"):
        export(store, what="sites", fmt="csv", out=tmp_path / "x.csv")
    with pytest.raises(UsageError, match="geoparquet, geojson, csv"):
        export(store, what="spots", fmt="xlsx", out=tmp_path / "x.xlsx")
    assert not list(tmp_path.iterdir())


class _RatedStore:
    """A store that already holds ratings, as the SMS close-out will provide."""

    def __init__(self, inner: Store) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def load_ratings(self) -> pd.DataFrame:
        spot = self._inner.load_spots()["id"].iloc[0]
        return pd.DataFrame(
            {
                "spot_id": [spot, spot],
                "subscriber_id": ["s:1", "s:2"],
                "rating": [5, 2],
                "comment": ["Спасибо!", "звоните 89161234567"],
                "at": ["2026-11-22T10:00:00+03:00", "2026-11-22T11:00:00+03:00"],
            }
        )


def test_ratings_export_when_the_store_has_them(store: Store, tmp_path: Path) -> None:
    rated = _RatedStore(store)
    export(rated, what="ratings", fmt="geojson", out=tmp_path / "r.geojson")  # type: ignore[arg-type]
    frame = gpd.read_file(tmp_path / "r.geojson")
    spot = store.load_spots().iloc[0]
    assert frame["rating"].tolist() == [5, 2]
    assert frame.geometry.iloc[0].equals_exact(
        shapely.Point(spot["centroid_lon"], spot["centroid_lat"]), 1e-9
    )
    assert not leaks(frame) and "телефон скрыт" in frame["comment"].iloc[1]


def test_personal_data_in_text_columns_is_masked_by_the_core_masker() -> None:
    from heatmap.core.pii import mask_texts

    text = pd.Series(
        [
            "звоните +7 (916) 123-45-67",
            "8-903-111-22-33 и 9161234567",
            "д. 12, кв. 5",
            None,
            "ИНН 7707083893",
            "+7 911 12 345 67, ivan@mail.ru",
        ]
    )
    masked = mask_texts(text)
    assert masked[0] == "звоните [телефон скрыт]"
    assert masked[1] == "[телефон скрыт] и [телефон скрыт]"
    assert masked[2] == "д. 12, кв. 5" and masked[3] is None
    assert masked[4] == "ИНН [ИНН скрыт]"
    assert masked[5] == "[телефон скрыт], [e-mail скрыт]"


@pytest.mark.parametrize("fmt", ["geoparquet", "geojson", "csv"])
def test_personal_exports_are_the_owners_and_spots_follow_the_umask(
    store: Store, tmp_path: Path, fmt: str
) -> None:
    """Complaints and ratings carry pseudonyms and people's words: 0600; spots are for sharing."""
    before = os.umask(0o022)
    try:
        modes = {}
        for what in ("complaints", "ratings", "spots"):
            out = tmp_path / f"{what}.{SUFFIX[fmt]}"
            export(store, what=what, fmt=fmt, out=out)
            modes[what] = out.stat().st_mode & 0o777
    finally:
        os.umask(before)
    assert modes == {"complaints": 0o600, "ratings": 0o600, "spots": 0o644}

"""CSV exports are written by Arrow, cell for cell as pandas' ``to_csv`` wrote them."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from heatmap.io.export import _iso, write_frame
from heatmap.io.writers import spreadsheet_safe


def _frame() -> gpd.GeoDataFrame:
    times = pd.to_datetime(
        ["2026-11-06T12:00:03Z", "2026-12-07T04:54:46.400031Z", None, "1999-01-01T00:00:00Z"],
        utc=True,
        format="ISO8601",
    ).as_unit("us")
    return gpd.GeoDataFrame(
        {
            "ticket_id": ["T-1", "T,2", 'T"3', "T\n4"],
            "description": ["=1+1", "-73.86", "+7 916 123-45-67", None],
            "ltv": [1250.0, 0.1, np.nan, 1e16],
            "small": [1e-05, 0.0001, 2.5e16, -3e-7],
            "geo_score": [1.0, -0.0, 0.123456789012, 123456789012345.0],
            "count": [1, 2, 3, 4],
            "flag": [True, False, True, False],
            "created_at": times,
            "lat": [59.2, np.nan, 59.196994, 0.0],
            "lon": [39.8, np.nan, 39.91589, -1.5],
        },
        geometry=[shapely.Point(39.8, 59.2), None, shapely.Point(39.9, 59.1), shapely.Point(-1.5, 0)],
        crs="EPSG:4326",
    )


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_arrow_writes_every_cell_as_pandas_did(tmp_path: Path) -> None:
    frame = _frame()
    ours = tmp_path / "ours.csv"
    write_frame(frame, fmt="csv", out=ours)
    plain = pd.DataFrame(frame.drop(columns="geometry"))
    plain["created_at"] = [None if pd.isna(v) else v.isoformat() for v in plain["created_at"]]
    expected = tmp_path / "pandas.csv"
    spreadsheet_safe(plain).to_csv(expected, index=False)
    assert _rows(ours) == _rows(expected)
    assert _rows(ours)[1][1] == "'=1+1" and _rows(ours)[2][1] == "-73.86"
    assert _rows(ours)[1][7] == "2026-11-06T12:00:03+00:00"


def test_times_outside_utc_or_with_nanoseconds_are_written_by_python() -> None:
    moscow = pd.Series(pd.to_datetime(["2026-11-06T12:00:03+03:00"]).tz_convert("Europe/Moscow"))
    assert _iso(moscow).tolist() == ["2026-11-06T12:00:03+03:00"]
    nanos = pd.Series(pd.to_datetime(["2026-11-06T12:00:03.000000001Z"], utc=True, format="ISO8601"))
    assert _iso(nanos).tolist() == ["2026-11-06T12:00:03.000000001+00:00"]
    utc = pd.Series(pd.to_datetime(["2026-11-06T12:00:03.5Z", None], utc=True, format="ISO8601"))
    assert _iso(utc).tolist() == ["2026-11-06T12:00:03.500000+00:00", None]


def test_a_column_arrow_cannot_type_falls_back_to_pandas(tmp_path: Path) -> None:
    frame = _frame()
    frame["mixed"] = ["a", 1, 2.5, None]
    out = tmp_path / "mixed.csv"
    write_frame(frame, fmt="csv", out=out)
    assert [row[-1] for row in _rows(out)] == ["mixed", "a", "1", "2.5", ""]

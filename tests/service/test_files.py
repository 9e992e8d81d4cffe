"""detect-file's service: the file path (Arrow) and the frame path label alike."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from heatmap.detect.run import DetectParams
from heatmap.errors import InputError
from heatmap.service.files import detect_in_file, detect_in_frame

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.points import make_points


@pytest.mark.parametrize("rule", ["count", "expected"])
@pytest.mark.parametrize("method", ["h3", "dbscan"])
def test_the_file_and_the_frame_give_the_same_spots(tmp_path: Path, method: str, rule: str) -> None:
    points = make_points(20_000, seed=3)
    source = tmp_path / "points.csv"
    points.to_csv(source, index=False)
    params = DetectParams(method=method, rule=rule)
    done = detect_in_file(source, tmp_path / "out.csv", params=params)
    written = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    framed = detect_in_frame(pd.read_csv(source, dtype=str, keep_default_na=False), params=params)
    assert written.equals(framed)
    assert done.rows == len(points) and done.spots == framed["spot_id"].replace("", None).nunique()
    assert done.spots > 0


def test_rows_without_a_usable_place_are_noise(tmp_path: Path) -> None:
    rows = "\n".join(f"55.75{i % 3},37.6,s{i}" for i in range(12))
    source = tmp_path / "in.csv"
    source.write_text(f"lat,lon,subscriber_id\n{rows}\nxx,37.6,s99\n91,37.6,s98\n,,s97\n")
    done = detect_in_file(source, tmp_path / "o.csv", params=DetectParams(rule="count"))
    labels = pd.read_csv(tmp_path / "o.csv", dtype=str, keep_default_na=False)["spot_id"]
    assert done.rows == 15 and list(labels[-3:]) == ["", "", ""] and done.in_spots == 12


def test_a_file_without_the_needed_columns_names_them(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("x,y,subscriber_id\n1,2,a\n")
    with pytest.raises(InputError, match="lat, lon"):
        detect_in_file(source, tmp_path / "o.csv", params=DetectParams())


def test_plain_lat_lon_in_any_case_each_row_a_complainant(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    rows = "".join(f"59.2200{i},39.8800{i}\n" for i in range(5))
    source.write_text("LAT,Lon\n" + rows + "0,0\n")
    done = detect_in_file(source, tmp_path / "o.csv", params=DetectParams(rule="count"))
    assert not done.subscribers_given and (done.spots, done.in_spots) == (1, 5)


def test_a_russian_crm_file_through_its_profile(tmp_path: Path) -> None:
    from heatmap.io.profiles import load_profile

    rows = "".join(f"{i};01.12.2026 10:0{i};59,2200{i};39,8800{i};s{i}\n" for i in range(4))
    source = tmp_path / "crm.csv"
    source.write_bytes(
        ("Номер обращения;Дата создания;Широта;Долгота;Лицевой счёт\n" + rows).encode("cp1251")
    )
    done = detect_in_file(source, tmp_path / "o.csv", params=DetectParams(), profile=load_profile("crm-ru"))
    out = pd.read_csv(tmp_path / "o.csv", dtype=str, keep_default_na=False)
    assert list(out.columns)[-1] == "spot_id" and out["Широта"].tolist()[0] == "59,22000"
    assert done.rows == 4 and done.subscribers_given


@pytest.mark.parametrize("arrow", [False, True])
@pytest.mark.parametrize("method", ["h3", "dbscan"])
def test_the_count_rule_labels_a_file_as_label_points_does(method: str, arrow: bool) -> None:
    import numpy as np
    import pyarrow as pa

    from heatmap.detect.run import label_points
    from heatmap.service.files import spot_labels

    points = make_points(20_000, seed=5)
    points.loc[::97, "lat"] = np.nan  # unusable rows: the others are taken out
    params = DetectParams(method=method, rule="count")
    who = pa.array(points["subscriber_id"]) if arrow else pd.factorize(points["subscriber_id"])[0]
    lat, lon = points["lat"].to_numpy(), points["lon"].to_numpy()
    ours = spot_labels(lat, lon, who, None, params=params)
    usable = ~np.isnan(lat)
    theirs = np.full(len(points), -1)
    theirs[usable] = label_points(points[usable].assign(precision="point"), params)
    assert np.array_equal(ours, theirs) and (ours >= 0).sum() > 1000

"""``heatmap density load|show`` and the address layer ingest/geocode keep (in-process, as in test_cli)."""

from __future__ import annotations

import json
from pathlib import Path

import h3
import pandas as pd
import pytest

from heatmap.devtools.cli_runner import run_heatmap as heatmap
from heatmap.store import open_store

from .test_cli import ROOT

REGISTRY = ROOT / "data" / "samples" / "vologda_addresses.csv"


@pytest.fixture
def ready_db(sqlite_url: str) -> str:
    assert heatmap("init", db=sqlite_url).returncode == 0
    return sqlite_url


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gazetteer") / "g.parquet"
    built = heatmap("gazetteer", "build", str(REGISTRY), "--out", str(path))
    assert built.returncode == 0, built.stderr
    return path


def density_frame() -> pd.DataFrame:
    """Two res-8 cells and three res-9 cells around Vologda."""
    coarse = [h3.latlng_to_cell(59.22 + i * 0.02, 39.88, 8) for i in range(2)]
    fine = [h3.latlng_to_cell(59.15, 39.80 + i * 0.01, 9) for i in range(3)]
    return pd.DataFrame({"h3_cell": coarse + fine, "subscribers": [1000, 250.5, 10, 0, 40]})


def test_density_load_csv_then_show(ready_db: str, tmp_path: Path) -> None:
    frame = density_frame()
    frame.to_csv(tmp_path / "density.csv", index=False)
    result = heatmap("density", "load", str(tmp_path / "density.csv"), "--json", db=ready_db)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "source": "subscribers",
        "cells": 5,
        "subscribers": 1300.5,
        "resolutions": {"8": 2, "9": 3},
    }
    shown = heatmap("density", "show", "--json", db=ready_db)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == {
        "subscribers": {"cells": 5, "weight": 1300.5, "resolutions": {"8": 2, "9": 3}},
        "addresses": {"cells": 0, "weight": 0.0, "resolutions": {}},
    }
    store = open_store(ready_db)
    stored = store.load_exposure("subscribers")
    store.close()
    expected = frame.rename(columns={"subscribers": "weight"}).sort_values("h3_cell")
    assert stored["h3_cell"].tolist() == expected["h3_cell"].tolist()
    assert stored["weight"].tolist() == expected["weight"].astype(float).tolist()
    people = heatmap("density", "show", db=ready_db)
    assert people.returncode == 0 and "subscribers" in people.stdout and "1300.5" in people.stdout


def test_density_load_parquet_replaces_the_layer(ready_db: str, tmp_path: Path) -> None:
    frame = density_frame()
    frame.to_csv(tmp_path / "density.csv", index=False)
    assert heatmap("density", "load", str(tmp_path / "density.csv"), db=ready_db).returncode == 0
    frame.iloc[:2].to_parquet(tmp_path / "density.parquet")
    result = heatmap("density", "load", str(tmp_path / "density.parquet"), db=ready_db)
    assert result.returncode == 0, result.stderr
    assert "Loaded 2 cells with 1,250 subscribers" in " ".join(result.stderr.split())
    shown = json.loads(heatmap("density", "show", "--json", db=ready_db).stdout)
    assert shown["subscribers"]["cells"] == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "cannot read the density CSV"),
        ("cells.csv", "cell,subscribers\n8910354049bffff,3\n", "needs columns"),
        ("bad.csv", "h3_cell,subscribers\nnot-a-cell,3\n", "invalid H3 cell"),
        ("negative.csv", "h3_cell,subscribers\n8910354049bffff,-3\n", "negative subscriber"),
        ("empty.csv", "h3_cell,subscribers\n", "holds no cells"),
        ("zero.csv", "h3_cell,subscribers\n8910354049bffff,0\n", "every cell has 0 subscribers"),
        ("broken.parquet", "not parquet at all", "cannot read the density Parquet file"),
    ],
)
def test_a_bad_density_file_is_a_clear_error(
    ready_db: str, tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    if content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")
    result = heatmap("density", "load", str(tmp_path / name), db=ready_db)
    assert result.returncode == 1, result.stderr
    said = " ".join(result.stderr.split())  # rich wraps long lines
    assert message in said and "Traceback" not in said
    assert json.loads(heatmap("density", "show", "--json", db=ready_db).stdout)["subscribers"]["cells"] == 0


def test_density_on_a_store_without_schema_says_run_init(sqlite_url: str, tmp_path: Path) -> None:
    density_frame().to_csv(tmp_path / "density.csv", index=False)
    result = heatmap("density", "load", str(tmp_path / "density.csv"), db=sqlite_url)
    assert result.returncode == 1 and "heatmap init" in " ".join(result.stderr.split())


def test_ingest_and_geocode_with_a_gazetteer_keep_its_houses(
    ready_db: str, gazetteer: Path, sample_export: Path
) -> None:
    from heatmap.geocode import load_gazetteer

    houses = load_gazetteer(gazetteer).query("point_precision == 'house'")
    result = heatmap(
        "ingest", str(sample_export), "--json", db=ready_db, env={"HEATMAP_GAZETTEER": str(gazetteer)}
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(heatmap("density", "show", "--json", db=ready_db).stdout)["addresses"]
    assert shown["weight"] == len(houses) and shown["resolutions"] == {"11": shown["cells"]}

    store = open_store(ready_db)
    store.replace_exposure("addresses", pd.DataFrame({"h3_cell": [], "weight": []}))
    store.close()
    result = heatmap("geocode", "--gazetteer", str(gazetteer), "--json", db=ready_db)
    assert result.returncode == 0, result.stderr
    again = json.loads(heatmap("density", "show", "--json", db=ready_db).stdout)["addresses"]
    assert again == shown

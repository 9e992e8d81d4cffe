"""The gazetteer's compact columns beside its Parquet file: used only while they belong to it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from heatmap.geocode.compact import compact_path, index_columns, read_compact, read_parquet_columns
from heatmap.geocode.gazetteer import save_gazetteer
from heatmap.geocode.matcher import GazetteerGeocoder
from heatmap.testing import assert_imports_none

ADDRESSES = ["Вологда, ул. Мира, д. 1", "Мира 12а", "г. Череповец, Гагарина 16", "Вологда, Мира 99", None]


def test_saved_beside_and_answers_as_the_parquet(small_entries: pd.DataFrame, tmp_path: Path) -> None:
    path = save_gazetteer(small_entries, tmp_path / "g.parquet")
    side = compact_path(path)
    assert side.name == "g.parquet.index.json" and side.is_file()
    assert side.stat().st_mode & 0o777 == path.stat().st_mode & 0o777
    assert read_compact(path) == read_parquet_columns(path)
    fast = GazetteerGeocoder.from_parquet(path).answers(ADDRESSES)
    side.unlink()
    assert read_compact(path) is None
    assert str(GazetteerGeocoder.from_parquet(path).answers(ADDRESSES)) == str(fast)


def test_a_stale_or_broken_one_is_ignored(small_entries: pd.DataFrame, tmp_path: Path) -> None:
    path = save_gazetteer(small_entries, tmp_path / "g.parquet")
    side = compact_path(path)
    kept = side.read_bytes()
    save_gazetteer(small_entries.iloc[:5], path)  # the Parquet file rewritten ...
    side.write_bytes(kept)  # ... and an old compact file put back beside it
    assert read_compact(path) is None
    assert len(index_columns(path)["lat"]) == 5
    side.write_text("{not json", encoding="utf-8")
    assert read_compact(path) is None
    side.write_text('{"format": 1}', encoding="utf-8")
    assert read_compact(path) is None


def test_geocoding_from_it_imports_neither_arrow_nor_numpy(
    small_entries: pd.DataFrame, tmp_path: Path
) -> None:
    path = save_gazetteer(small_entries, tmp_path / "g.parquet")
    code = (
        "from heatmap.geocode.matcher import GazetteerGeocoder\n"
        f"g = GazetteerGeocoder.from_parquet({str(path)!r})\n"
        "assert g.answers(['Вологда, ул. Мира, д. 1'])[0][2] == 'house'\n"
    )
    assert_imports_none(code, ["numpy", "pyarrow", "pandas"])

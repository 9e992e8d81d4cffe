"""``geocode-file``'s core: rows kept as written and in order, answers and reasons added."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pytest

from heatmap.errors import InputError, UsageError
from heatmap.geocode.files import ADDED_COLUMNS, geocode_csv
from heatmap.geocode.gazetteer import save_gazetteer
from heatmap.testing import assert_imports_none


@pytest.fixture(scope="module")
def gazetteer(small_entries: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_gazetteer(small_entries, tmp_path_factory.mktemp("g") / "g.parquet")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_rows_in_order_with_answers_and_reasons(gazetteer: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        'id,addr,note\n007,"Вологда, ул. Мира, д. 1",=1+1\n2,"Вологда, Мира 3б",'
        '-5\n3,,x\n4,"Вологда, ул. Мира, 101"\n',
        encoding="utf-8-sig",
    )
    counts = geocode_csv(src, "addr", gazetteer, tmp_path / "out.csv")
    rows = read(tmp_path / "out.csv")
    assert [r["id"] for r in rows] == ["007", "2", "3", "4"]  # text kept as written
    assert list(rows[0]) == ["id", "addr", "note", *ADDED_COLUMNS]
    assert rows[0]["precision"] == "house" and rows[0]["reason"] == ""
    assert float(rows[0]["lat"]) == pytest.approx(59.22)
    assert rows[0]["note"] == "'=1+1" and rows[1]["note"] == "-5"  # formulas defused
    assert rows[1]["precision"] == "street" and "3б" in rows[1]["reason"]
    assert rows[2]["precision"] == "none" and rows[2]["lat"] == "" and rows[2]["reason"]
    assert rows[3]["precision"] == "street" and "101" in rows[3]["reason"]
    assert counts == {"house": 1, "street": 2, "none": 1}


def test_bad_files_give_clear_errors(gazetteer: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        geocode_csv(empty, "addr", gazetteer, tmp_path / "out.csv")
    src = tmp_path / "in.csv"
    src.write_text("id,address\n1,x\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no column 'addr'"):
        geocode_csv(src, "addr", gazetteer, tmp_path / "out.csv")
    with pytest.raises(UsageError, match=r"\.csv"):
        geocode_csv(src, "address", gazetteer, tmp_path / "out.parquet")
    cp1251 = tmp_path / "cp.csv"
    cp1251.write_bytes("address\nВологда\n".encode("cp1251"))
    from heatmap.core.mapping import Profile, Reading

    with pytest.raises(InputError, match="cannot read as utf-8"):  # cp1251 only when sniffing
        geocode_csv(
            cp1251,
            "address",
            gazetteer,
            tmp_path / "out.csv",
            profile=Profile(name="strict", reading=Reading(encoding="utf-8")),
        )
    assert not (tmp_path / "out.csv").exists()
    geocode_csv(cp1251, "address", gazetteer, tmp_path / "out.csv")
    assert read(tmp_path / "out.csv")[0]["address"] == "Вологда"


def test_the_command_needs_no_pandas() -> None:
    assert_imports_none("from heatmap.geocode.files import read_rows", ["pandas", "geopy"])


def test_a_crm_file_through_its_profile_without_naming_the_column(gazetteer: Path, tmp_path: Path) -> None:
    from heatmap.io.profiles import load_profile

    src = tmp_path / "crm.csv"
    src.write_bytes("Номер обращения;Адрес\n1;Вологда, ул. Мира, д. 1\n".encode("cp1251"))
    counts = geocode_csv(src, None, gazetteer, tmp_path / "out.csv", profile=load_profile("crm-ru"))
    rows = read(tmp_path / "out.csv")
    assert counts == {"house": 1} and rows[0]["Адрес"] == "Вологда, ул. Мира, д. 1"


def test_a_utf16_file_is_read_as_its_text(tmp_path: Path) -> None:
    from heatmap.geocode.files import read_rows

    src = tmp_path / "in.csv"
    src.write_bytes("id\tАдрес\n1\tВологда, Мира 5\n".encode("utf-16"))
    assert read_rows(src) == (["id", "Адрес"], [["1", "Вологда, Мира 5"]])


def test_the_output_repeats_a_crm_file_so_it_is_the_owners(gazetteer: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text('msisdn,addr\n+79161234567,"Вологда, ул. Мира, д. 1"\n', encoding="utf-8")
    before = os.umask(0o022)
    try:
        geocode_csv(src, "addr", gazetteer, tmp_path / "out.csv")
    finally:
        os.umask(before)
    assert (tmp_path / "out.csv").stat().st_mode & 0o777 == 0o600


def test_a_file_of_addresses_alone_keeps_their_commas(gazetteer: Path, tmp_path: Path) -> None:
    """A one-column file ('address', then an address a line, unquoted) was split at the
    commas the header lacked: 'Вологда, ул. Мира, д. 1' was geocoded and written back as
    'Вологда', a settlement, the rest of the row lost without a word."""
    src = tmp_path / "in.csv"
    src.write_text("address\nВологда, ул. Мира, д. 1\nВологда\n", encoding="utf-8")
    counts = geocode_csv(src, "address", gazetteer, tmp_path / "out.csv")
    rows = read(tmp_path / "out.csv")
    assert [r["address"] for r in rows] == ["Вологда, ул. Мира, д. 1", "Вологда"]
    assert rows[0]["precision"] == "house" and counts == {"house": 1, "settlement": 1}


def test_a_row_wider_than_the_header_is_refused_naming_its_line(gazetteer: Path, tmp_path: Path) -> None:
    """A row with more cells than the header lost its extra cells silently."""
    src = tmp_path / "in.csv"
    src.write_text('id,address\n1,"Вологда, ул. Мира, 1"\n2,Вологда, ул. Мира, 3\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    with pytest.raises(InputError, match="line 3 has 4 cells, the header 2"):
        geocode_csv(src, "address", gazetteer, out)
    assert not out.exists()

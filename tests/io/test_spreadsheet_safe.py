"""CSV written by Teplokarty opens in a spreadsheet as text: no cell runs as a formula."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from heatmap import service
from heatmap.devtools.samples import SAMPLES_NOW
from heatmap.io.export import export
from heatmap.io.formulas import spreadsheet_text
from heatmap.io.writers import spreadsheet_safe, write_table
from heatmap.store import open_store

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A number, which a spreadsheet reads as a number whatever its sign: not a formula.
PLAIN_NUMBER = re.compile(r"[+\-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+\-]?[0-9]+)?")


def dangerous(cell: str) -> bool:
    return cell.startswith(FORMULA_START) and PLAIN_NUMBER.fullmatch(cell) is None


def read_cells(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def test_formula_cells_get_an_apostrophe_and_numbers_stay() -> None:
    frame = pd.DataFrame(
        {
            "text": [
                "=1+1",
                "\t=1+1",
                "\r=2",
                "+cmd|' /C calc'!A0",
                "-2+3",
                "@SUM(A1:A2)",
                "ok",
                None,
                "-73.86",
                "+79161234567",
                "＝1+1",
            ],
            "number": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0],
        }
    )
    safe = spreadsheet_safe(frame)
    assert safe["text"].fillna("<missing>").tolist() == [
        "'=1+1",
        "'\t=1+1",
        "'\r=2",
        "'+cmd|' /C calc'!A0",
        "'-2+3",
        "'@SUM(A1:A2)",
        "ok",
        "<missing>",
        "-73.86",
        "+79161234567",
        "'＝1+1",
    ]
    assert safe["number"].tolist() == frame["number"].tolist()
    assert frame["text"].iloc[0] == "=1+1", "the input frame is not changed"


@given(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=20))
def test_no_written_cell_starts_a_formula(texts: list[str]) -> None:
    safe = spreadsheet_safe(pd.DataFrame({"t": texts}))
    for before, after in zip(texts, safe["t"].tolist(), strict=True):
        assert not dangerous(after), (before, after)
        assert after in (before, "'" + before)  # nothing else is changed


@given(st.text(max_size=12))
def test_a_cell_alone_is_made_safe_as_in_a_frame(text: str) -> None:
    # geocode-file's cells one by one and a frame's columns follow one rule
    alone = spreadsheet_text(text)
    assert not dangerous(alone) and alone in (text, "'" + text)
    assert alone == spreadsheet_safe(pd.DataFrame({"t": [text]}))["t"].iloc[0]


def test_write_table_writes_safe_csv(tmp_path: Path) -> None:
    write_table(pd.DataFrame({"a": ['=HYPERLINK("x")', "fine"], "b": [-1, 2]}), tmp_path / "t.csv")
    assert read_cells(tmp_path / "t.csv") == [["a", "b"], ['\'=HYPERLINK("x")', "-1"], ["fine", "2"]]


@pytest.fixture
def formula_store(tmp_path: Path) -> str:
    """A store holding complaints whose ticket id, text and address start like formulas."""
    url = f"sqlite:///{tmp_path / 'f.db'}"
    store = open_store(url)
    store.upgrade()
    source = tmp_path / "crm.csv"
    with source.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["ticket_id", "created_at", "segment", "topic", "description", "address", "lat", "lon"]
        )
        writer.writerow(
            ["=1+1", "2026-11-19T10:00:00+03:00", "mass", "no_data", "\t=1+1", "@Вологда", "59.22", "39.89"]
        )
        writer.writerow(
            [
                "T-2",
                "2026-11-19T11:00:00+03:00",
                "mass",
                "no_data",
                "-2+3 нет связи",
                "+Мира, 1",
                "59.23",
                "39.88",
            ]
        )
    assert service.ingest(store, [source], now=SAMPLES_NOW).totals["inserted"] == 2
    store.close()
    return url


def test_ingest_keeps_free_text_as_given(formula_store: str) -> None:
    store = open_store(formula_store)
    stored = store.load_complaints().set_index("ticket_id")
    store.close()
    assert stored.loc["=1+1", "description"] == "\t=1+1", "a leading tab is not stripped"
    assert stored.loc["T-2", "address"] == "+Мира, 1"


def test_complaints_csv_export_is_safe_for_spreadsheets(formula_store: str, tmp_path: Path) -> None:
    store = open_store(formula_store)
    export(store, what="complaints", fmt="csv", out=tmp_path / "c.csv")
    store.close()
    rows = read_cells(tmp_path / "c.csv")
    assert not [cell for row in rows for cell in row if dangerous(cell)]
    header = rows[0]
    by_ticket = {row[header.index("ticket_id")]: row for row in rows[1:]}
    first = by_ticket["'=1+1"]
    assert first[header.index("description")] == "'\t=1+1"
    assert first[header.index("address")] == "'@Вологда"
    assert float(first[header.index("lat")]) == 59.22, "numbers are written as numbers"

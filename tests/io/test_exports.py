from pathlib import Path

import pytest

from heatmap.errors import InputError
from heatmap.io.exports import read_export

HEADER = "ticket_id,description\n"


def write(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_csv_rows_keep_their_first_line_across_quoted_newlines(tmp_path: Path) -> None:
    raw = read_export(write(tmp_path, "\ufeff" + HEADER + 'T1,"две\nстроки"\nT2,одна\n'))
    assert raw.rows["ticket_id"].tolist() == ["T1", "T2"]
    assert raw.line.tolist() == [2, 4]


def test_csv_reader_says_whether_a_nul_can_be_there(tmp_path: Path) -> None:
    assert read_export(write(tmp_path, HEADER + "T1,нет сети\n")).nul_free
    held = read_export(write(tmp_path, HEADER + "T1,нет\x00сети\n"))
    assert not held.nul_free
    assert held.rows["description"].tolist() == ["нет\x00сети"]


def test_ragged_rows_are_broken_not_fatal(tmp_path: Path) -> None:
    raw = read_export(write(tmp_path, HEADER + "T1,a\nT2,b,c\nT3,d\n"))
    assert raw.rows["ticket_id"].tolist() == ["T1", "T3"]
    assert raw.line.tolist() == [2, 4]
    assert [(line, why) for line, _, why in raw.broken] == [(3, "expected 2 fields, found 3")]
    assert raw.nul_free


def test_jsonl_is_never_taken_as_nul_free(tmp_path: Path) -> None:
    raw = read_export(write(tmp_path, '{"ticket_id": "T1", "description": "a\\u0000b"}\n', "export.jsonl"))
    assert raw.rows["description"].tolist() == ["a\x00b"]
    assert not raw.nul_free


@pytest.mark.parametrize("text", ["", " \n"])
def test_an_empty_file_is_an_input_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputError, match="empty"):
        read_export(write(tmp_path, text))

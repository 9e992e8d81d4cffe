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


CRM_RU = "Номер обращения;Адрес\r\nT1;Петрозаводск, ул. Ленина, 1\r\nT2;Суоярви, Садовая 11\r\n"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_a_utf16_export_is_read_as_its_text(tmp_path: Path, codec: str) -> None:
    """Excel's "Unicode text" and some CRMs write UTF-16 with a byte-order mark."""
    path = tmp_path / "export.csv"
    data = CRM_RU.encode(codec)
    path.write_bytes(data if data.startswith((b"\xff\xfe", b"\xfe\xff")) else b"\xfe\xff" + data)
    raw = read_export(path)
    assert list(raw.rows.columns) == ["Номер обращения", "Адрес"]
    assert raw.rows["Адрес"].tolist() == ["Петрозаводск, ул. Ленина, 1", "Суоярви, Садовая 11"]
    assert raw.line.tolist() == [2, 3]


def test_old_mac_line_ends_are_lines(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(CRM_RU.replace("\r\n", "\r").encode("cp1251"))
    raw = read_export(path)
    assert raw.rows["Номер обращения"].tolist() == ["T1", "T2"]
    assert raw.line.tolist() == [2, 3]


def test_a_carriage_return_inside_the_header_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="header"):
        read_export(write(tmp_path, "ticket_id,created\rat\nT1,a\nT2,b,c\n"))


def test_a_carriage_return_inside_a_row_costs_no_traceback(tmp_path: Path) -> None:
    raw = read_export(write(tmp_path, HEADER + "T1,a\rT9,b\nT2,c\n"))
    assert raw.rows["ticket_id"].tolist() == ["T1", "T9", "T2"]


def test_a_folder_is_named_as_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="a folder, not a file"):
        read_export(tmp_path)


ARRAY = """[
  {"ticket_id": "T1", "description": "нет сети"},
  {"ticket_id": "T2",
   "description": "две строки"},
  42
]
"""


@pytest.mark.parametrize("text", [ARRAY, ARRAY.replace("\n", "")])
def test_a_json_array_of_objects_is_read_as_its_records(tmp_path: Path, text: str) -> None:
    """Many tools write one array where JSON Lines has an object per line: it read as no columns."""
    raw = read_export(write(tmp_path, text, "export.json"))
    assert raw.rows["ticket_id"].tolist() == ["T1", "T2"]
    one_line = "\n" not in text
    assert raw.line.tolist() == ([1, 1] if one_line else [2, 3])
    assert [(line, why) for line, _, why in raw.broken] == [
        (1 if one_line else 5, "an item of the array must be a JSON object")
    ]


@pytest.mark.parametrize("text", ['[{"ticket_id": "T1"},', '[{"ticket_id": "T1"}]\n[{"ticket_id": "T2"}]\n'])
def test_a_json_array_not_closed_or_followed_by_more_is_an_input_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputError, match="JSON"):
        read_export(write(tmp_path, text, "export.json"))

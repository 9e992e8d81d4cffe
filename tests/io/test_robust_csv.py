"""Exports in every shape: sniffed encodings and separators, bad rows cost only themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heatmap.errors import InputError
from heatmap.io.exports import read_export
from heatmap.io.robust_csv import MAX_FIELD

HEADER = "ticket_id,created_at,segment,address\n"
ROW = "T{i},2026-12-01T10:00:00+03:00,mass,ул. Мира {i}\n"


def _file(tmp_path: Path, text: str | bytes, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_an_unclosed_quote_costs_its_own_line_only(tmp_path: Path) -> None:
    rows = [ROW.format(i=i) for i in range(60)]
    rows[3] = 'T3,2026-12-01T10:00:00+03:00,mass,"ул. Мира 3\n'
    rows[40] = 'T40,2026-12-01T10:00:00+03:00,mass,"ул. Мира, 40"\n'
    raw = read_export(_file(tmp_path, HEADER + "".join(rows)))
    assert len(raw.rows) == 59 and [b[0] for b in raw.broken] == [5]
    assert "never closed" in raw.broken[0][2]  # the line where quotes stop pairing
    assert raw.rows["ticket_id"].tolist() == [f"T{i}" for i in range(60) if i != 3]
    assert raw.line.tolist() == [i + 2 for i in range(60) if i != 3]


def test_a_ragged_row_and_an_oversized_field_are_broken_with_their_lines(tmp_path: Path) -> None:
    rows = [ROW.format(i=i) for i in range(5)]
    rows[1] = "T1,2026-12-01T10:00:00+03:00,mass,ул. Мира 1,extra\n"
    rows[3] = f"T3,2026-12-01T10:00:00+03:00,mass,{'я' * (MAX_FIELD + 1)}\n"
    raw = read_export(_file(tmp_path, HEADER + "".join(rows)))
    assert raw.rows["ticket_id"].tolist() == ["T0", "T2", "T4"]
    reasons = {line: why for line, _, why in raw.broken}
    assert reasons[3] == "expected 4 fields, found 5" and "characters" in reasons[5]
    assert all(len(text) < 3_000 for _, text, _ in raw.broken)  # the raw text is cut


def test_a_quoted_field_over_several_lines_is_one_good_row(tmp_path: Path) -> None:
    text = HEADER + 'T1,2026-12-01T10:00:00+03:00,mass,"ул. Мира,\nдом 1"\n' + ROW.format(i=2)
    raw = read_export(_file(tmp_path, text + 'T3,x,mass,"a\n'))
    assert raw.rows["address"].tolist() == ["ул. Мира,\nдом 1", "ул. Мира 2"]
    assert raw.line.tolist() == [2, 4] and [b[0] for b in raw.broken] == [5]


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_the_separator_is_sniffed_from_the_header(tmp_path: Path, sep: str) -> None:
    text = (HEADER + ROW.format(i=1)).replace(",", sep)
    raw = read_export(_file(tmp_path, text))
    assert raw.rows.columns.tolist() == ["ticket_id", "created_at", "segment", "address"]
    assert raw.rows.loc[0, "address"] == "ул. Мира 1"


def test_windows_1251_is_read_when_the_bytes_are_not_utf8(tmp_path: Path) -> None:
    raw = read_export(_file(tmp_path, (HEADER + ROW.format(i=1)).encode("cp1251")))
    assert raw.rows.loc[0, "address"] == "ул. Мира 1"


def test_a_gzip_that_is_not_one_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_export(_file(tmp_path, b"not gzip", "export.csv.gz"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.binary(max_size=400)
    | st.text(alphabet=st.sampled_from(list('ab,;"\n\r\t|я ')), max_size=300).map(str.encode)
)
def test_any_bytes_are_read_or_refused_clearly(tmp_path: Path, body: bytes) -> None:
    path = _file(tmp_path, HEADER.encode() + body)
    try:
        raw = read_export(path)
    except InputError:
        return
    assert len(raw.rows) == len(raw.line)
    assert all(isinstance(line, int) and line >= 2 for line, _, _ in raw.broken)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=1, max_value=400))
def test_a_truncated_file_keeps_every_whole_row(tmp_path: Path, cut: int) -> None:
    full = (HEADER + "".join(ROW.format(i=i) for i in range(8))).encode()
    raw = read_export(_file(tmp_path, full[: len(HEADER.encode()) + cut]))
    whole = full[: len(HEADER.encode()) + cut].decode("utf-8", "ignore").count("\n") - 1
    assert len(raw.rows) >= whole

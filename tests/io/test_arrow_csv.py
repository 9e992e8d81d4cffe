"""Plain CSV through Arrow: cells kept as written, one column appended, bad files refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from heatmap.errors import InputError, UsageError
from heatmap.io.arrow_csv import (
    numbers,
    open_csv_source,
    read_columns,
    read_text_csv,
    write_csv_with,
    write_source_with,
)


def _write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_every_cell_comes_back_as_written_with_the_new_column(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", "\ufefflat,lon,note\n55.7,37.60,007\n55.8,37.7,\n")
    table = read_text_csv(source)
    assert table.column_names == ["lat", "lon", "note"]
    write_csv_with(table, "spot_id", np.array(["1", ""]), tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text() == ("lat,lon,note,spot_id\n55.7,37.60,007,1\n55.8,37.7,,\n")


def test_cells_that_need_quotes_are_quoted(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", 'lat,note\n1,"a, b"\n2,"two\nlines"\n3,"say ""hi"""\n')
    write_csv_with(read_text_csv(source), "spot_id", np.array(["", "", ""]), tmp_path / "o.csv")
    again = read_text_csv(tmp_path / "o.csv")
    assert again.column("note").to_pylist() == ["a, b", "two\nlines", 'say "hi"']


def test_formulas_are_neutralised_and_plain_numbers_kept(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", "lat,note\n1,=1+1\n2,-73.86\n3,@SUM(A1)\n4,+79161234567\n5,-x\n")
    write_csv_with(read_text_csv(source), "spot_id", np.array([""] * 5), tmp_path / "o.csv")
    notes = read_text_csv(tmp_path / "o.csv").column("note").to_pylist()
    assert notes == ["'=1+1", "-73.86", "'@SUM(A1)", "+79161234567", "'-x"]


def test_numbers_read_a_decimal_comma_and_leave_the_rest_missing() -> None:
    import pyarrow as pa

    assert np.array_equal(numbers(pa.array(["55.5", "1e2"])), [55.5, 100.0])
    got = numbers(pa.array(["55,5", "x", ""]))
    assert got[0] == 55.5 and np.isnan(got[1:]).all()


def test_an_unclosed_quote_refuses_the_file(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", 'lat,lon,note\n1,2,"never closed\n3,4,x\n5,6,y\n')
    with pytest.raises(InputError, match="never closed"):
        read_text_csv(source)


def test_cp1251_and_semicolons_are_sniffed(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", "lat;note\n1;Привет\n".encode("cp1251"))
    assert read_text_csv(source).column("note").to_pylist() == ["Привет"]


def test_bytes_the_named_encoding_cannot_read_are_an_input_error(tmp_path: Path) -> None:
    from heatmap.core.mapping import Reading

    source = _write(tmp_path / "in.csv", "lat,note\n1,Привет\n".encode("cp1251"))
    with pytest.raises(InputError, match="utf-8"):
        read_text_csv(source, Reading(encoding="utf-8"))


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read CSV"):
        read_text_csv(tmp_path / "absent.csv")


def test_an_unwritable_target_leaves_nothing(tmp_path: Path) -> None:
    table = read_text_csv(_write(tmp_path / "in.csv", "lat\n1\n"))
    with pytest.raises(UsageError, match="cannot write"):
        write_csv_with(table, "spot_id", np.array([""]), tmp_path / "absent" / "o.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.parametrize(
    "text",
    [
        "lat,lon,note\n1,2,a\n3,4,b\n",
        "lat,lon,note\n1,2,a\n3,4,b",
        "\ufefflat,lon,note\n1,2,a\n3,4,b\n",
        "lat,lon,note\n-73.86,+7,-1e5\n3,4,b\n",
        "lat,lon,note\n1,2,=1+1\n3,4,b\n",
        "lat,lon,note\n-1,2,-x\n3,4,b\n",
        "lat,lon,note\n1,2,@SUM(A1)\n3,4,\tb\n",
        "lat,lon,note\n1,2,\uff1d1\n3,4,Привет\n",
        "lat,lon,note\n1,2,a\n\n3,4,b\n",
        "lat,lon,note\r\n1,2,a\r\n3,4,b\r\n",
        "lat;lon;note\n1;2;a\n3;4;b\n",
        'lat,lon,note\n1,2,"a, b"\n3,4,b\n',
        "lat,lon,spot_id\n1,2,7\n3,4,8\n",
        "lat,lon,note\n1,2,\n3,4,\n",
    ],
)
def test_a_file_written_back_with_a_column_is_what_the_careful_path_writes(tmp_path: Path, text: str) -> None:
    import pyarrow as pa

    source = _write(tmp_path / "in.csv", text)
    values = pa.array(["1", ""])
    write_source_with(open_csv_source(source), "spot_id", values, tmp_path / "fast.csv")
    write_csv_with(read_text_csv(source), "spot_id", np.array(["1", ""]), tmp_path / "careful.csv")
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "careful.csv").read_bytes()


def test_a_plain_file_is_written_back_without_parsing_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa

    from heatmap.io import arrow_csv

    source = _write(tmp_path / "in.csv", "lat,lon,note\n55.7,-37.6,a b\n55.8,37.7,\n")
    opened = open_csv_source(source)
    monkeypatch.setattr(arrow_csv, "read_text_table", lambda _: pytest.fail("the file was parsed again"))
    write_source_with(opened, "spot_id", pa.array(["", "2"]), tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text() == "lat,lon,note,spot_id\n55.7,-37.6,a b,\n55.8,37.7,,2\n"


def test_only_the_named_columns_are_read_and_positions_as_numbers(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", "lat,lon,who,note\n55.7,37.6,a,x\n,1e2,,y\nxx,37.7,b,z\n")
    table = read_columns(open_csv_source(source), text=["who"], numeric=["lat", "lon"])
    assert sorted(table.column_names) == ["lat", "lon", "who"]
    assert table.column("who").to_pylist() == ["a", "", "b"]
    lat = table.column("lat").to_numpy()
    assert (
        lat[0] == 55.7 and np.isnan(lat[1:]).all() and table.column("lon").to_pylist() == [37.6, 100.0, 37.7]
    )


@pytest.mark.parametrize("shift", [-1, 0, 1])
def test_a_formula_past_the_first_megabyte_is_neutralised(tmp_path: Path, shift: int) -> None:
    import pyarrow as pa

    header = "lat,lon,note\n"
    row = "55.700000,37.600000,plain\n"
    rows = (1 << 20) // len(row) + 2
    text = header + row * rows
    at = (1 << 20) + shift  # the formula's first byte falls on, before or after a chunk boundary
    cut = text.rfind("\n", 0, at - 2 * len(row)) + 1
    filler = at - cut - 2 * len("55.7,37.6,") - 1
    text = text[:cut] + "55.7,37.6," + "x" * filler + "\n55.7,37.6,=1+1\n" + text[cut:]
    assert text.encode().index(b"=1+1") == at
    source = _write(tmp_path / "in.csv", text)
    n = text.count("\n") - 1
    write_source_with(open_csv_source(source), "spot_id", pa.array([""] * n), tmp_path / "out.csv")
    assert ",'=1+1," in (tmp_path / "out.csv").read_text()


def test_a_pipe_and_a_file_are_read_and_written_back_the_same(tmp_path: Path) -> None:
    import os
    import threading

    import pyarrow as pa

    text = "lat,lon,note\n55.7,-37.6,a b\n55.8,37.7,\n"
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    feeder = threading.Thread(target=_write, args=(pipe, text))
    feeder.start()
    piped = open_csv_source(pipe)  # read as it comes: its size is not known beforehand
    feeder.join()
    regular = open_csv_source(_write(tmp_path / "file.csv", text))
    for name, source in (("a", piped), ("b", regular)):
        assert source.names == ["lat", "lon", "note"]
        write_source_with(source, "spot_id", pa.array(["", "2"]), tmp_path / f"{name}.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv").read_text() == "lat,lon,note,spot_id\n55.7,-37.6,a b,\n55.8,37.7,,2\n"


def test_a_file_cut_short_after_it_was_read_is_written_back_whole(tmp_path: Path) -> None:
    """The rows are a copy taken once: a file emptied meanwhile neither ends the process
    (a memory map of it would, with SIGBUS) nor shortens what is written."""
    import pyarrow as pa

    rows = "".join(f"55.{i:04d},37.6,s{i}\n" for i in range(5000))
    path = _write(tmp_path / "in.csv", "lat,lon,subscriber_id\n" + rows)
    source = open_csv_source(path)
    path.write_bytes(b"")
    table = read_columns(source, text=["subscriber_id"], numeric=["lat", "lon"])
    write_source_with(source, "spot_id", pa.array(["1"] * table.num_rows), tmp_path / "out.csv")
    written = (tmp_path / "out.csv").read_text().splitlines()
    assert len(written) == 5001 and written[-1] == "55.4999,37.6,s4999,1"


def test_a_file_written_while_it_is_read_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    path = _write(tmp_path / "in.csv", "lat,lon\n55.7,37.6\n")
    real_fstat = os.fstat
    calls: list[int] = []

    def fstat_as_a_writer_appends(fd: int) -> os.stat_result:
        calls.append(fd)
        if len(calls) == 2:  # after the read, before the second look: someone appends
            with path.open("ab") as more:
                more.write(b"55.8,37.7\n")
        return real_fstat(fd)

    monkeypatch.setattr(os, "fstat", fstat_as_a_writer_appends)  # as heatmap.io.csv_input calls it
    with pytest.raises(InputError, match="changed while it was read"):
        open_csv_source(path)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_a_utf16_file_is_read_by_its_byte_order_mark(tmp_path: Path, codec: str) -> None:
    """Excel's "Unicode text": UTF-16 with a mark, tabs and CRLF; read whatever encoding
    the profile expected (it was mojibake with a NUL between letters: no lat, no lon)."""
    from heatmap.core.mapping import Reading

    text = "lat\tlon\tзаметка\r\n55.7\t37.6\tПривет\r\n55.8\t37.7\t\r\n"
    data = text.encode(codec) if codec == "utf-16" else b"\xfe\xff" + text.encode(codec)
    path = _write(tmp_path / "in.csv", data)
    for reading in (None, Reading(encoding="cp1251", separator="\t")):
        source = open_csv_source(path, reading)
        assert source.names == ["lat", "lon", "заметка"]
        table = read_columns(source, text=["заметка"], numeric=["lat", "lon"])
        assert table.column("lat").to_pylist() == [55.7, 55.8]
        assert table.column("заметка").to_pylist() == ["Привет", ""]

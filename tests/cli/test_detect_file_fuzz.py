"""`heatmap detect-file` on whatever a file may hold: it ends with exit code 0 and says
which rows it left out, or with exit code 1 and one line of error; never a traceback, and
OUT is either complete or as it was before.

In-process (:func:`run_heatmap`), so many files are tried in the time a few processes
would take; the exit codes and messages are those a script sees.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heatmap.devtools.cli_runner import Ran, run_heatmap
from heatmap.io.arrow_csv import read_text_csv

#: Positions every reader takes as they are.
GOOD_LAT = ["55.75", "55.7512", "-0", "90", "-90.0", "5e1", "55.7500000001", '"55.751"']
GOOD_LON = ["37.62", "37.6234", "180", "-180.0", "0", "3.7e1", '"37.621"']
#: Positions no reader can use: not numbers, or off the globe.
BAD_POSITION = [
    "",
    "abc",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "1e400",
    "91",
    "-181",
    "=1+1",
    "\\N",
]
#: Times the expected rule reads, and times it cannot.
GOOD_TIME = ["2025-06-01T00:00:00Z", "2025-06-01T12:30:00+03:00", "2025-05-31 21:00:03.004871886+00:00"]
BAD_TIME = ["", "not a date", "2025-13-45T00:00:00Z", "32.01.2025", "yesterday", "0"]
#: Anything at all in a column detection does not read (quoted where it has to be).
OTHER = st.one_of(
    st.sampled_from(
        ['"a,b"', '"say ""hi"""', '"two\nlines"', "[/b]", "[red]x", ":smile:", "=SUM(A1)", "-1", "Москва"]
    ),
    st.text(
        alphabet=st.characters(blacklist_characters=',;\t"\r\n', blacklist_categories=["Cs"]), max_size=8
    ),
)
COMMANDS = st.sampled_from(
    [
        ["--rule", "count", "--method", "h3"],
        ["--rule", "count", "--method", "dbscan", "--min-subscribers", "2"],
        ["--method", "h3"],
        ["--method", "dbscan"],
        ["--method", "h3", "--rule", "count", "--window-days", "3"],
    ]
)


@dataclass(frozen=True)
class Outcome:
    """A finished run: what it said and what OUT holds afterwards (None: no file)."""

    ran: Ran
    before: bytes | None
    after: bytes | None


def _detect(data: bytes, args: list[str], keep_old_out: bool) -> Outcome:
    with tempfile.TemporaryDirectory() as work:
        source, out = Path(work) / "in.csv", Path(work) / "out.csv"
        source.write_bytes(data)
        before = b"an older file\n" if keep_old_out else None
        if before is not None:
            out.write_bytes(before)
        ran = run_heatmap("detect-file", str(source), "--out", str(out), *args)
        left = sorted(p.name for p in Path(work).iterdir() if p.name not in {"in.csv", "out.csv"})
        assert not left, f"temporary files left behind: {left}"
        return Outcome(ran, before, out.read_bytes() if out.exists() else None)


def _assert_clean_ending(done: Outcome) -> None:
    """Exit 0 with OUT complete, or exit 1 with one line and OUT as it was."""
    ran = done.ran
    assert "Traceback" not in ran.stderr, ran.stderr
    assert ran.returncode in (0, 1), ran.stderr
    if ran.returncode == 1:
        said = ran.stderr.strip().splitlines()
        assert len(said) == 1 and said[0].startswith("error: "), ran.stderr
        assert done.after == done.before, "a refused file must leave OUT as it was"
        return
    assert done.after is not None
    written = re.search(r"Wrote (\d+) rows", ran.stderr)
    assert written, ran.stderr
    with tempfile.TemporaryDirectory() as work:
        again = Path(work) / "out.csv"
        again.write_bytes(done.after)
        table = read_text_csv(again)
    assert table.column_names[-1] == "spot_id"
    assert table.num_rows == int(written.group(1)), "every row is written, each once"
    assert all(label == "" or label.isdigit() for label in table.column("spot_id").to_pylist())


def _noted(stderr: str, what: str) -> int:
    found = re.search(rf"note: (\d+) rows had no {what}", stderr)
    return int(found.group(1)) if found else 0


@st.composite
def exports(draw: st.DrawFn) -> tuple[bytes, int, int]:
    """A CSV export with lat and lon among other columns, in an encoding, with a separator
    and line ends of its own; and how many of its rows have no usable position, and how
    many have one but no readable time."""
    extra = draw(
        st.lists(st.sampled_from(["subscriber_id", "created_at", "x", "Адрес", "spot_id"]), unique=True)
    )
    names = draw(st.permutations([draw(st.sampled_from(["lat", "LAT", "Lat"])), "lon", *extra]))
    separator = draw(st.sampled_from([",", ";", "\t"]))
    rows, unplaced, untimed = [], 0, 0
    for _ in range(draw(st.integers(0, 25))):
        placed = draw(st.booleans()) or draw(st.booleans())
        timed = draw(st.booleans()) or draw(st.booleans())
        cells = {
            "lat": draw(st.sampled_from(GOOD_LAT if placed else BAD_POSITION)),
            "lon": draw(st.sampled_from(GOOD_LON)),
            "created_at": draw(st.sampled_from(GOOD_TIME if timed else BAD_TIME)),
            "subscriber_id": draw(st.sampled_from(["s1", "s2", "s3", ""])),
        }
        rows.append([cells[name.lower()] if name.lower() in cells else draw(OTHER) for name in names])
        unplaced += not placed
        untimed += placed and not timed and "created_at" in names
    end = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [separator.join(names), *(separator.join(row) for row in rows)]
    text = end.join(lines) + draw(st.sampled_from([end, ""]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]))
    return text.encode(encoding, errors="replace"), unplaced, untimed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(export=exports(), args=COMMANDS, keep_old_out=st.booleans())
def test_a_readable_export_is_labelled_and_its_left_out_rows_counted(
    export: tuple[bytes, int, int], args: list[str], keep_old_out: bool
) -> None:
    data, unplaced, untimed = export
    done = _detect(data, args, keep_old_out)
    _assert_clean_ending(done)
    if done.ran.returncode == 0:
        assert _noted(done.ran.stderr, "usable lat/lon") == unplaced, done.ran.stderr
        expected_rule = "count" not in args
        assert _noted(done.ran.stderr, "readable created_at") == (untimed if expected_rule else 0)


def _mangled(data: bytes, cut: int, junk: bytes) -> bytes:
    at = min(cut, len(data))
    return data[:at] + junk + data[at:]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.just(b""),
        st.sampled_from(
            [b"lat,lon\n", b"lat,lon", b"\xef\xbb\xbf", b"\n\n", b"lat\n1\n", b'lat,lon\n"55.7,37.6\n']
        ),
        st.builds(
            _mangled,
            exports().map(lambda made: made[0]),
            st.integers(0, 400),
            st.sampled_from(
                [b'"', b",", b";", b"\n", b"\r", b"\x00", b"\xff\xfe", b"\x98", b",,\n", b"[/x]"]
            ),
        ),
        st.text(max_size=60).map(lambda text: ("lat,lon\n" + text).encode("utf-16")),
    ),
    args=COMMANDS,
    keep_old_out=st.booleans(),
)
def test_any_bytes_end_in_an_answer_not_a_traceback(data: bytes, args: list[str], keep_old_out: bool) -> None:
    _assert_clean_ending(_detect(data, args, keep_old_out))


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"lat;lon\n1;2\n\n3;4;5\n", "row 2 after the header has 3 cells where the header names 2 (3;4;5)"),
        (b"lat,lon\n55.7,37.6\n" + b"x,\x98\n", "cannot read as"),
        (b"lat,lon\n[/b],37.6,1\n", "([/b],37.6,1)"),
        (b"", "cannot read CSV"),
    ],
)
def test_what_a_refused_file_is_told(data: bytes, said: str) -> None:
    done = _detect(data, ["--rule", "count"], keep_old_out=True)
    assert done.ran.returncode == 1 and said in done.ran.stderr, done.ran.stderr
    _assert_clean_ending(done)


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (["--h3-res", "16"], "--h3-res must be one of H3's resolutions"),
        (["--min-subscribers", "0"], "--min-subscribers must be at least 1"),
        (["--window-days", "nan"], "--window-days must be above 0"),
        (["--window-days", "1e300"], "at most 36,525"),
        (["--window-days", "-1"], "not -1"),
    ],
)
def test_options_out_of_range_are_usage_errors(option: list[str], said: str) -> None:
    data = b"lat,lon,created_at\n55.7,37.6,2025-06-01T00:00:00Z\n"
    done = _detect(data, option, keep_old_out=True)
    assert done.ran.returncode == 2 and said in done.ran.stderr, done.ran.stderr
    assert done.after == done.before


def test_an_out_that_cannot_be_written_is_said_before_the_work(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(b"lat,lon\n55.7,37.6\n")
    (tmp_path / "taken").mkdir()
    for out, said in ((tmp_path / "taken", "a directory"), (tmp_path / "no" / "o.csv", "no such folder")):
        ran = run_heatmap("detect-file", str(source), "--out", str(out))
        assert ran.returncode == 2 and f"cannot write {out}: {said}" in ran.stderr, ran.stderr


def test_a_write_that_fails_leaves_no_file_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    source = tmp_path / "in.csv"
    source.write_bytes(b"lat,lon\n55.7,37.6\n")

    def full_disk(_from: str, _to: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    ran = run_heatmap("detect-file", str(source), "--out", str(tmp_path / "out.csv"))
    assert ran.returncode == 2 and "No space left on device" in ran.stderr and "Traceback" not in ran.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]

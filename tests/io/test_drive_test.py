"""G-NetTrack Pro logs: read as fixes with RSRP and RSSI; anything else is a clear error."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from heatmap.errors import InputError
from heatmap.io.network import read_drive_test

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "telecom"
HEADER = (
    "Timestamp,Longitude,Latitude,Speed,Operatorname,CellID,NetworkMode,RSRP,RSRQ,SNR,"
    "CQI,RSSI,DL_bitrate,UL_bitrate,State,PINGAVG,PINGMIN,PINGMAX,PINGSTDEV,PINGLOSS,"
    "CELLHEX,NODEHEX,LACHEX,RAWCELLID,NRxRSRP,NRxRSRQ\n"
)


def log_line(lon: float, lat: float, rsrp: str, rssi: str, mode: str = "LTE") -> str:
    return (
        f"2019.12.14_10.16.30,{lon},{lat},0,B,12,{mode},{rsrp},-15,6.0,12,{rssi},7,1,D,"
        "-,-,-,-,-,C,A81B,9CBA,11016972,-,-\n"
    )


def test_a_log_and_a_zip_of_logs_give_fixes_with_both_levels(tmp_path: Path) -> None:
    text = HEADER + log_line(39.87, 59.229, "-99", "-90") + log_line(39.87, 59.229, "-", "-71", "HSPA+")
    (tmp_path / "one.csv").write_text(text, encoding="utf-8")
    fixes = read_drive_test(tmp_path / "one.csv")
    assert fixes["rsrp"].tolist()[0] == -99 and fixes["rsrp"].isna().tolist() == [False, True]
    assert fixes["rssi"].tolist() == [-90, -71]
    with zipfile.ZipFile(tmp_path / "logs.zip", "w") as archive:
        archive.writestr("logs/a.csv", text)
        archive.writestr("__MACOSX/logs/._a.csv", "junk")
    assert len(read_drive_test(tmp_path / "logs.zip")) == 2


@pytest.mark.parametrize("content", ["a,b\n1,2\n", "", "\x00\x01 not text"])
def test_anything_else_is_an_input_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="latin-1")
    with pytest.raises(InputError):
        read_drive_test(path)
    with pytest.raises(InputError):
        read_drive_test(tmp_path / "missing.zip")
    (tmp_path / "broken.zip").write_bytes(b"PK not a zip")
    with pytest.raises(InputError):
        read_drive_test(tmp_path / "broken.zip")


@pytest.mark.realdata
def test_the_cork_drive_tests_give_a_coverage_layer() -> None:
    from heatmap.core.coverage import coverage_cells

    archive = SHARED / "5G-production-dataset.zip"
    if not archive.exists():
        pytest.skip(f"no {archive}")
    fixes = read_drive_test(archive)
    assert len(fixes) == 188_711, "83 traces, every row read"
    layer = coverage_cells(fixes, res=9, min_samples=3)
    assert 200 <= len(layer) <= 400
    assert layer["rsrp_median"].between(-140, -44).all(), "the -200 placeholders are dropped"
    assert int(layer["rsrp_samples"].sum()) > 150_000

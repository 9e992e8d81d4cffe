"""``detect-file`` on a file whose columns it does not find says what the file has and
which profile reads it, as ``ingest`` does."""

from __future__ import annotations

from pathlib import Path

from heatmap.devtools.cli_runner import run_heatmap as heatmap


def test_a_file_without_lat_lon_is_told_its_columns_and_a_profile(tmp_path: Path) -> None:
    """An NYC 311 file (Unique Key, Created Date, Latitude, Longitude…) was refused with
    'missing column(s): lat, lon' alone: no columns named, no --profile nyc-311."""
    path = tmp_path / "311.csv"
    path.write_text(
        "Unique Key,Created Date,Complaint Type,Incident Address,Latitude,Longitude\n"
        "1,01/02/2019 10:00:00 AM,Noise,1 Main St,40.67,-73.86\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    ran = heatmap("detect-file", str(path), "--method", "h3", "--out", str(out))
    assert ran.returncode == 1 and not out.exists()
    assert "missing column(s): lat, lon" in ran.stderr
    assert "Latitude, Longitude" in ran.stderr and "--profile nyc-311" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert heatmap("detect-file", "--profile", "nyc-311", str(path), "--out", str(out)).returncode == 0

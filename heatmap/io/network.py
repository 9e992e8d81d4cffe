"""Network inputs: sites and alarms CSVs, and drive-test traces (G-NetTrack Pro logs)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from heatmap.core.network import ALARM_COLUMNS, SEVERITY_RANK, SITE_COLUMNS
from heatmap.errors import InputError


def _read(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read CSV: {exc}") from exc
    frame.columns = [c.strip().lower() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


def read_sites(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Sites (site_id, lat, lon[, technology, band, azimuth]); bad rows are reported."""
    raw = _read(path, ("site_id", "lat", "lon"))
    lat = pd.to_numeric(raw["lat"].str.replace(",", "."), errors="coerce")
    lon = pd.to_numeric(raw["lon"].str.replace(",", "."), errors="coerce")
    bad = (raw["site_id"].str.strip() == "") | lat.isna() | lon.isna() | (lat.abs() > 90) | (lon.abs() > 180)
    problems = [f"{path}:{i + 2}: site needs site_id and valid lat/lon" for i in np.flatnonzero(bad)]
    sites = pd.DataFrame(
        {
            "site_id": raw["site_id"].str.strip(),
            "lat": lat,
            "lon": lon,
            "technology": raw.get("technology", pd.Series("", index=raw.index)).replace("", None),
            "band": raw.get("band", pd.Series("", index=raw.index)).replace("", None),
            "azimuth": pd.to_numeric(raw.get("azimuth", pd.Series("", index=raw.index)), errors="coerce"),
        }
    )[~bad]
    return sites.loc[:, list(SITE_COLUMNS)].drop_duplicates("site_id", keep="last"), problems


def read_alarms(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Alarms (site_id, severity, start[, end, kind, text]); times need a UTC offset."""
    raw = _read(path, ("site_id", "severity", "start"))
    start = pd.to_datetime(raw["start"], utc=True, format="ISO8601", errors="coerce")
    end_text = raw.get("end", pd.Series("", index=raw.index))
    end = pd.to_datetime(end_text.where(end_text != ""), utc=True, format="ISO8601", errors="coerce")
    severity = raw["severity"].str.strip().str.lower()
    bad = (
        (raw["site_id"].str.strip() == "")
        | start.isna()
        | ~severity.isin(SEVERITY_RANK)
        | ((end_text != "") & end.isna())
    )
    problems = [
        f"{path}:{i + 2}: alarm needs site_id, severity ({'/'.join(SEVERITY_RANK)}) and ISO 8601 start/end"
        for i in np.flatnonzero(bad)
    ]
    alarms = pd.DataFrame(
        {
            "site_id": raw["site_id"].str.strip(),
            "severity": severity,
            "start": start,
            "end": end,
            "kind": raw.get("kind", pd.Series("", index=raw.index)).replace("", None),
            "text": raw.get("text", pd.Series("", index=raw.index)).replace("", None),
        }
    )[~bad]
    return alarms.loc[:, list(ALARM_COLUMNS)], problems


def read_drive_test(path: Path) -> pd.DataFrame:
    """G-NetTrack Pro traces (a CSV, or a zip of them) as fixes: lat, lon, node, rsrp, rssi
    (dBm, NaN where the log has none) and technology."""
    frames = []
    try:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    if name.endswith(".csv") and "__MACOSX" not in name:
                        trace = pd.read_csv(io.BytesIO(archive.read(name)), dtype=str)
                        frames.append(_fixes(trace, f"{path}:{name}"))
        else:
            frames.append(_fixes(pd.read_csv(path, dtype=str), str(path)))
    except (
        OSError,
        zipfile.BadZipFile,
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        UnicodeDecodeError,
    ) as exc:
        raise InputError(f"{path}: cannot read the drive test: {exc}") from exc
    if not frames:
        raise InputError(f"{path}: no drive-test CSV found")
    return pd.concat(frames, ignore_index=True)


def _fixes(trace: pd.DataFrame, where: str) -> pd.DataFrame:
    missing = [c for c in ("Latitude", "Longitude") if c not in trace.columns]
    if missing or not {"RSRP", "RSSI"} & set(trace.columns):
        raise InputError(
            f"{where}: not a G-NetTrack log (needs Latitude, Longitude and RSRP"
            f" or RSSI; has {', '.join(map(str, trace.columns[:8]))}…)"
        )
    nothing = pd.Series(None, index=trace.index, dtype=object)
    node = trace.get("NODEHEX", nothing)
    return pd.DataFrame(
        {
            "lat": pd.to_numeric(trace["Latitude"], errors="coerce"),
            "lon": pd.to_numeric(trace["Longitude"], errors="coerce"),
            "node": node.where(node.notna() & (node != "-")),
            "rsrp": pd.to_numeric(trace.get("RSRP", nothing), errors="coerce"),
            "rssi": pd.to_numeric(trace.get("RSSI", nothing), errors="coerce"),
            "technology": trace.get("NetworkMode", nothing),
        }
    )

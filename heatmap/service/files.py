"""Detection over a plain file, for analysts and comparisons: nothing is stored."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from heatmap.core.mapping import Profile
from heatmap.detect.run import DetectParams, label_points
from heatmap.errors import InputError

#: The columns a file must have for detection (without subscriber_id, each row is one).
NEEDED = ("lat", "lon")


@dataclass(frozen=True)
class FileDetection:
    """What ``detect-file`` did: rows written, spots found, rows inside a spot."""

    rows: int
    spots: int
    in_spots: int
    #: False when the file named no complainants and each row counted as one
    subscribers_given: bool = True


def file_exposure(*, gazetteer: Path | None = None, density: Path | None = None) -> pd.DataFrame | None:
    """Exposure points from a density CSV, else a gazetteer's houses, else None."""
    from heatmap.detect.exposure import layer_points, subscriber_layer

    if density is not None:
        from heatmap.service.exposure import read_density_file

        return layer_points(subscriber_layer(read_density_file(density)))
    if gazetteer is not None:
        from heatmap.service.exposure import gazetteer_exposure

        return gazetteer_exposure(gazetteer)
    return None


def detect_in_file(
    in_file: Path,
    out_file: Path,
    *,
    params: DetectParams,
    use_window: bool = False,
    exposure: pd.DataFrame | None = None,
    profile: Profile | None = None,
) -> FileDetection:
    """``in_file`` written to ``out_file`` with ``spot_id`` appended, every other cell as it was.

    Only the columns detection needs are converted (with Arrow, in native code); the
    rest pass through as text. Columns are found without case, or as ``profile``
    renames them; without ``subscriber_id`` every row is a complainant of its own.
    """
    from heatmap.core.mapping import dates_iso, source_columns
    from heatmap.io.arrow_csv import numbers, read_text_csv, write_csv_with

    chosen = profile or Profile(name="teplokarty")
    table = read_text_csv(in_file, chosen.reading)
    found = source_columns(table.column_names, chosen)
    _require(list(found))
    created = None
    if "created_at" in found and (use_window or params.rule == "expected"):
        text = table.column(found["created_at"]).to_pandas()
        if chosen.date_formats:
            text = dates_iso(text, chosen.date_formats, chosen.timezone)
        created = _times(text)
    given = "subscriber_id" in found
    subscribers = (
        table.column(found["subscriber_id"]).to_numpy(zero_copy_only=False)
        if given
        else np.arange(table.num_rows).astype(str)
    )
    labels = spot_labels(
        numbers(table.column(found["lat"])),
        numbers(table.column(found["lon"])),
        subscribers,
        created,
        params=params,
        use_window=use_window,
        exposure=exposure,
    )
    write_csv_with(table, "spot_id", labels, out_file)
    return replace(_summary(labels), subscribers_given=given)


def detect_in_frame(
    frame: pd.DataFrame,
    *,
    params: DetectParams,
    use_window: bool = False,
    exposure: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``frame`` (text columns lat, lon, subscriber_id[, created_at]) with ``spot_id`` added."""
    _require(list(frame.columns))
    if "subscriber_id" not in frame.columns:
        frame = frame.assign(subscriber_id=np.arange(len(frame)).astype(str))

    def number(name: str) -> np.ndarray:
        text = frame[name].astype(str).str.replace(",", ".")
        return np.asarray(pd.to_numeric(text, errors="coerce"), dtype="float64")

    created = _times(frame["created_at"]) if "created_at" in frame.columns else None
    out = frame.copy()
    out["spot_id"] = spot_labels(
        number("lat"),
        number("lon"),
        frame["subscriber_id"].astype(str).to_numpy(),
        created,
        params=params,
        use_window=use_window,
        exposure=exposure,
    )
    return out


def spot_labels(
    lat: np.ndarray,
    lon: np.ndarray,
    subscriber_id: np.ndarray,
    created: pd.Series | None,
    *,
    params: DetectParams,
    use_window: bool = False,
    exposure: pd.DataFrame | None = None,
) -> np.ndarray:
    """A spot id per row as text: ``1, 2, …`` numbered by first row, empty for noise.

    Rows without a usable position are noise. With ``use_window`` and ``created``, only
    rows within ``params.window_days`` before the newest one count; the expected rule
    also needs a time on every row it counts.
    """
    usable = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)  # NaN compares false: unusable
    if created is not None:
        known = created.notna().to_numpy()
        if params.rule == "expected":
            usable &= known
        if use_window and usable.any():
            newest = created[usable].max()
            usable &= (created >= newest - pd.Timedelta(days=params.window_days)).to_numpy()
    rows = np.flatnonzero(usable)
    labels = np.full(len(lat), -1, dtype=np.int64)
    if len(rows):
        points = pd.DataFrame(
            {
                "lat": lat[rows],
                "lon": lon[rows],
                "subscriber_id": subscriber_id[rows].astype(str),
                "precision": "point",
            }
        )
        if created is not None:
            points["created_at"] = created.iloc[rows].reset_index(drop=True)
        labels[rows] = label_points(points, params, exposure=exposure)
    return np.where(labels >= 0, (labels + 1).astype(str), "")


def _require(columns: list[str]) -> None:
    missing = [c for c in NEEDED if c not in columns]
    if missing:
        raise InputError(f"missing column(s): {', '.join(missing)}")


def _times(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")


def _summary(labels: np.ndarray) -> FileDetection:
    found = labels[labels != ""]
    return FileDetection(rows=len(labels), spots=len(np.unique(found)), in_spots=len(found))

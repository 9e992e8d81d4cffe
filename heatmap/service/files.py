"""Detection over a plain file, for analysts and comparisons: nothing is stored."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from heatmap.core.arrow_numpy import codes_of, constant_text, to_arrow, to_numpy
from heatmap.core.mapping import Profile
from heatmap.detect.params import DetectParams
from heatmap.errors import InputError

if TYPE_CHECKING:  # the count rule's path imports neither pandas nor the expected rule
    import pandas as pd

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
    #: rows without a usable position (lat or lon empty, not a number or out of range): noise
    unplaced: int = 0
    #: rows with a position but no readable created_at, which the expected rule leaves out
    untimed: int = 0


def file_exposure(*, gazetteer: Path | None = None, density: Path | None = None) -> pd.DataFrame | None:
    """Exposure points from a density CSV, else a gazetteer's houses, else None."""
    if density is not None:
        from heatmap.detect.exposure import layer_points, subscriber_layer
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

    The file is read once; only the columns detection needs are converted (with Arrow,
    in native code, positions as numbers), and a plain file is written back as its own
    bytes with the label added to each line (see
    :func:`heatmap.io.arrow_csv.write_source_with`). Columns are found without case, or
    as ``profile`` renames them; without ``subscriber_id`` every row is a complainant of
    its own.
    """
    from heatmap.core.mapping import source_columns
    from heatmap.io.arrow_csv import open_csv_source, read_columns, write_source_with

    chosen = profile or Profile(name="teplokarty")
    source = open_csv_source(in_file, chosen.reading)
    found = source_columns(source.names, chosen)
    _require(list(found), in_file, [str(name) for name in source.names], chosen.name)
    timed = "created_at" in found and (use_window or params.rule == "expected")
    wanted = ("subscriber_id", "created_at") if timed else ("subscriber_id",)
    text = [found[name] for name in wanted if name in found]
    table = read_columns(source, text=text, numeric=[found["lat"], found["lon"]])
    lat, lon = to_numpy(table.column(found["lat"])), to_numpy(table.column(found["lon"]))
    created = _created(table.column(found["created_at"]), chosen) if timed else None
    labels = spot_labels(
        lat,
        lon,
        _subscribers(table, found.get("subscriber_id"), params),
        created,
        params=params,
        use_window=use_window,
        exposure=exposure,
    )
    write_source_with(source, "spot_id", _label_text(labels), out_file)
    placed = _placed(lat, lon)
    untimed = 0
    if created is not None and params.rule == "expected":
        untimed = int(np.count_nonzero(placed & created.isna().to_numpy()))
    return replace(
        _summary(labels),
        subscribers_given="subscriber_id" in found,
        unplaced=len(placed) - int(np.count_nonzero(placed)),
        untimed=untimed,
    )


def _placed(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Whether each row's position is usable: both numbers, within the globe's ranges."""
    placed: np.ndarray = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)  # NaN compares false
    return placed


def _subscribers(table: pa.Table, column: str | None, params: DetectParams) -> np.ndarray | pa.ChunkedArray:
    """Who complained, per row; without a column, every row its own complainant. Under
    the count rule only which rows share a complainant matters, so no Python strings are
    made: H3 takes the text as Arrow read it (and encodes only rows in cells that can be
    hot), DBSCAN dense integer codes."""
    if column is None:
        own = np.arange(table.num_rows)
        return own if params.rule == "count" else own.astype(str)
    values = table.column(column)  # as Arrow read it, in chunks: not copied into one
    if params.rule != "count":
        return np.asarray(values.to_numpy())
    if params.method == "h3":
        return values
    return codes_of(values)[0]


def _created(text: pa.ChunkedArray, profile: Profile) -> pd.Series:
    from heatmap.core.mapping import dates_iso

    values = text.to_pandas()  # a Series
    if profile.date_formats:
        values = dates_iso(values, profile.date_formats, profile.timezone)
    return _times(values)


def _label_text(labels: np.ndarray) -> pa.Array:
    """Spot ids as text, ``1, 2, …``; empty for noise."""
    numbered = to_arrow(labels + 1, valid=labels >= 0)
    return pc.coalesce(pc.cast(numbered, pa.string()), constant_text(b""))


def detect_in_frame(
    frame: pd.DataFrame,
    *,
    params: DetectParams,
    use_window: bool = False,
    exposure: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``frame`` (text columns lat, lon, subscriber_id[, created_at]) with ``spot_id`` added."""
    import pandas as pd

    _require(list(frame.columns))
    if "subscriber_id" not in frame.columns:
        frame = frame.assign(subscriber_id=np.arange(len(frame)).astype(str))

    def number(name: str) -> np.ndarray:
        text = frame[name].astype(str).str.replace(",", ".")
        return np.asarray(pd.to_numeric(text, errors="coerce"), dtype="float64")

    created = _times(frame["created_at"]) if "created_at" in frame.columns else None
    labels = spot_labels(
        number("lat"),
        number("lon"),
        frame["subscriber_id"].astype(str).to_numpy(),
        created,
        params=params,
        use_window=use_window,
        exposure=exposure,
    )
    out = frame.copy()
    out["spot_id"] = np.where(labels >= 0, (labels + 1).astype(str), "")
    return out


def spot_labels(
    lat: np.ndarray,
    lon: np.ndarray,
    subscriber_id: np.ndarray | pa.Array | pa.ChunkedArray,
    created: pd.Series | None,
    *,
    params: DetectParams,
    use_window: bool = False,
    exposure: pd.DataFrame | None = None,
) -> np.ndarray:
    """A spot per row, ``0, 1, …`` numbered by first row, ``-1`` for noise.

    Rows without a usable position are noise. With ``use_window`` and ``created``, only
    rows within ``params.window_days`` before the newest one count; the expected rule
    also needs a time on every row it counts.
    """
    usable = _placed(lat, lon)
    if created is not None:
        known = created.notna().to_numpy()
        if params.rule == "expected":
            usable &= known
        if use_window and usable.any():
            import pandas as pd

            newest = created[usable].max()
            usable &= (created >= newest - pd.Timedelta(days=params.window_days)).to_numpy()
    rows = None if usable.all() else np.flatnonzero(usable)  # None: every row, nothing copied
    if rows is not None and not len(rows):
        return np.full(len(lat), -1, dtype=np.int64)
    points = {"lat": lat, "lon": lon, "subscriber_id": subscriber_id}
    if created is not None:
        points["created_at"] = created.reset_index(drop=True)
    found = _point_labels({name: _rows(values, rows) for name, values in points.items()}, params, exposure)
    if rows is None:
        return np.asarray(found, dtype=np.int64)
    labels = np.full(len(lat), -1, dtype=np.int64)
    labels[rows] = found
    return labels


def _rows(values: Any, rows: np.ndarray | None) -> Any:
    """``values`` (NumPy, Arrow or pandas) at ``rows``; all of them when ``rows`` is None."""
    if rows is None:
        return values
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.take(to_arrow(rows))
    if isinstance(values, np.ndarray):
        return values[rows]
    return values.iloc[rows].reset_index(drop=True)  # a pandas Series


def _point_labels(points: dict[str, Any], params: DetectParams, exposure: pd.DataFrame | None) -> np.ndarray:
    """Labels of usable points (columns lat, lon, subscriber_id[, created_at]). Every
    row of a file is a point of precision ``point`` (weight 1), so under the count rule
    the kernels run unweighted: the labels :func:`~heatmap.detect.run.label_points`
    gives, without its frame and weights."""
    where = (points["lat"], points["lon"], points["subscriber_id"])
    if params.rule == "count":
        if params.method == "dbscan":
            from heatmap.detect.dbscan import label_dbscan

            return label_dbscan(*where, eps_m=params.eps_m, min_subscribers=params.min_subscribers)
        from heatmap.detect.h3 import label_h3

        return label_h3(*where, res=params.h3_res, min_subscribers=params.min_subscribers)
    import pandas as pd

    from heatmap.detect.run import label_points

    who = points["subscriber_id"].astype(str)
    frame = pd.DataFrame({**points, "subscriber_id": who, "precision": "point"})
    return label_points(frame, params, exposure=exposure)


def _require(
    columns: list[str], path: Path | None = None, header: list[str] | None = None, profile: str = ""
) -> None:
    """Refuse a file without the columns detection needs: for a file (``path``), naming its
    ``header`` and a shipped profile that reads it, as ``ingest`` does."""
    missing = [c for c in NEEDED if c not in columns]
    if not missing:
        return
    told = f"missing column(s): {', '.join(missing)}"
    if path is None or header is None:
        raise InputError(told)
    from heatmap.service.pipeline import better_profile

    raise InputError(
        f"{path}: {told}; the file has: {', '.join(header)}. Rename the columns or give a"
        f" profile (--profile, see `heatmap profile guess`).{better_profile(header, profile)}"
    )


def _times(text: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")


def _summary(labels: np.ndarray) -> FileDetection:
    found = labels[labels >= 0]
    spots = np.count_nonzero(np.bincount(found)) if len(found) else 0  # counted, not sorted
    return FileDetection(rows=len(labels), spots=int(spots), in_spots=len(found))

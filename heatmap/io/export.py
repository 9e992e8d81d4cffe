"""Analyst exports: complaints, spots and ratings as GeoParquet, GeoJSON or CSV.

No phone number leaves the store through an export:

* ``msisdn`` is replaced by ``msisdn_hash``, a keyed pseudonym
  (:func:`heatmap.core.msisdn.pseudonym`, prefix ``s:``; with the store's own key it
  equals the ``subscriber_id`` ingest derives from that number);
* a ``subscriber_id`` the CRM gave (an account or contract number such as «Лицевой
  счёт», or a phone number) is pseudonymised with the same key, in the complaints and
  the ratings alike (:func:`heatmap.core.msisdn.subscriber_pseudonyms`), so the two
  exports still join; ids ingest derived from a number are such pseudonyms already;
* personal data typed into free text (description, address, comment, …) — phone
  numbers in any writing, e-mails, cards, passports, SNILS, INN, names — is masked by
  the core's one masker (:func:`heatmap.core.pii.mask_texts`): ``[телефон скрыт]`` and
  the like.

CSV cells are safe to open in a spreadsheet (OWASP's CSV-injection rule): a text cell
that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with
a leading apostrophe (:func:`heatmap.io.writers.spreadsheet_safe`), so it is shown as
text and never run as a formula; numbers and times are written as they are.

Formats: GeoParquet (geometry WKB, CRS in the ``geo`` metadata, times tz-aware UTC),
GeoJSON per RFC 7946 (WGS 84 lon/lat, no ``crs`` member, exterior rings
counter-clockwise, times as ISO 8601 text), CSV (``lat``/``lon`` columns; spots also
carry their polygon as ``wkt``). Every file is written to a temporary file beside
the target and renamed over it, so a failed export never leaves half a file. Complaints
and ratings are written ``0600`` (pseudonyms and people's words are personal data),
spots as any file (``0666`` less the umask): :mod:`heatmap.io.atomic`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from heatmap.core.msisdn import pseudonyms, subscriber_pseudonyms
from heatmap.core.pii import mask_texts
from heatmap.errors import UsageError
from heatmap.io.arrow_csv import write_table_csv
from heatmap.io.atomic import atomic_path
from heatmap.io.writers import spreadsheet_safe
from heatmap.store.base import Store

__all__ = [
    "FORMATS",
    "PERSONAL",
    "RATING_COLUMNS",
    "WHATS",
    "ExportResult",
    "complaints_gdf",
    "empty_ratings",
    "export",
    "export_frame",
    "ratings_gdf",
    "redact_complaints",
    "spots_gdf",
    "to_json_value",
    "write_frame",
]

WHATS: tuple[str, ...] = ("complaints", "spots", "ratings")
FORMATS: tuple[str, ...] = ("geoparquet", "geojson", "csv")
#: Columns of a rating (besides ``geometry``, the rated spot's centroid).
RATING_COLUMNS: tuple[str, ...] = ("spot_id", "subscriber_id", "rating", "comment", "at")
CRS = "EPSG:4326"
#: Exports that hold personal data even after redaction (pseudonyms of phone numbers,
#: people's own words): written for their owner only. A spots export is for sharing.
PERSONAL: frozenset[str] = frozenset({"complaints", "ratings"})

#: Free-text columns that may carry personal data typed in by people.
_FREE_TEXT = ("description", "address", "matched_address", "geo_reason", "comment", "cause", "note")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    what: str
    fmt: str
    rows: int


def export(
    store: Store,
    *,
    what: str,
    fmt: str,
    out: Path | str,
    key: bytes | None = None,
) -> ExportResult:
    """Write ``what`` (complaints, spots, ratings) from ``store`` to ``out`` as ``fmt``.

    ``key`` is the key of the phone-number pseudonyms; by default the store's own
    secret (:meth:`Store.secret`), so ``msisdn_hash`` can be joined with
    ``subscriber_id``. Pass another key to give a recipient pseudonyms that cannot be
    linked to anyone else's export. Unlocated complaints are kept with an empty
    geometry (GeoJSON ``null``, empty ``lat``/``lon`` in CSV).
    """
    _check(what, fmt)
    frame = export_frame(store, what, key=store.secret() if key is None else key)
    path = Path(out)
    write_frame(frame, fmt=fmt, out=path, wkt=(what == "spots"), private=what in PERSONAL)
    return ExportResult(path=path, what=what, fmt=fmt, rows=len(frame))


def export_frame(store: Store, what: str, *, key: bytes) -> gpd.GeoDataFrame:
    """The GeoDataFrame an export of ``what`` writes (already free of phone numbers)."""
    _check(what, FORMATS[0])
    if what == "complaints":
        return complaints_gdf(store, key=key)
    if what == "spots":
        return spots_gdf(store)
    return ratings_gdf(store, key=key)


# ---------------------------------------------------------------- frames


def complaints_gdf(store: Store, *, key: bytes, since: datetime | None = None) -> gpd.GeoDataFrame:
    """Stored complaints, redacted (:func:`redact_complaints`), as points in WGS 84.

    Every complaint is kept; those without a point have a missing geometry (None).
    """
    frame = redact_complaints(store.load_complaints(since=since), key)
    located = frame["lat"].notna().to_numpy() & frame["lon"].notna().to_numpy()
    geometry = np.full(len(frame), None, dtype=object)
    if located.any():
        geometry[located] = shapely.points(
            frame.loc[located, "lon"].to_numpy(float), frame.loc[located, "lat"].to_numpy(float)
        )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, index=frame.index, crs=CRS), crs=CRS)


def spots_gdf(store: Store, *, status: str | Collection[str] | None = None) -> gpd.GeoDataFrame:
    """Stored spots (polygons, WGS 84), highest priority first; ``breakdown`` is a dict."""
    statuses = [status] if isinstance(status, str) else None if status is None else list(status)
    frame = store.load_spots(statuses=statuses)
    for name in ("cause", "address"):
        if name in frame.columns:
            frame[name] = mask_texts(frame[name])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)


def empty_ratings() -> gpd.GeoDataFrame:
    """A ratings frame with no rows and the documented columns and types."""
    frame = pd.DataFrame(
        {
            "spot_id": pd.Series(dtype=object),
            "subscriber_id": pd.Series(dtype=object),
            "rating": pd.Series(dtype="Int64"),
            "comment": pd.Series(dtype=object),
            "at": pd.Series(dtype="datetime64[us, UTC]"),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)


def ratings_gdf(store: Store, *, key: bytes) -> gpd.GeoDataFrame:
    """Ratings of resolved spots, one row per (spot, subscriber), at the spot's centroid.

    Ratings arrive with the SMS close-out (DESIGN.md, "Notify and rate"), which the
    store does not hold yet: until a store offers ``load_ratings()`` (a frame with
    :data:`RATING_COLUMNS`), this is an empty frame with those columns. Comments
    are masked for personal data here as well as by the comment filter upstream;
    subscriber ids are pseudonymised under ``key`` as in :func:`redact_complaints`.
    """
    loader = getattr(store, "load_ratings", None)
    if loader is None:
        return empty_ratings()
    raw = pd.DataFrame(loader())
    missing = set(RATING_COLUMNS) - set(raw.columns)
    if missing:
        raise UsageError(f"the store's ratings lack columns {sorted(missing)}")
    out = empty_ratings().drop(columns="geometry")
    frame = pd.concat([out, raw.loc[:, list(RATING_COLUMNS)]], ignore_index=True)
    frame["rating"] = pd.to_numeric(frame["rating"]).astype("Int64")
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["comment"] = mask_texts(frame["comment"])
    frame["subscriber_id"] = subscriber_pseudonyms(frame["subscriber_id"], key)
    spots = store.load_spots()
    centre = dict(
        zip(
            spots["id"],
            shapely.points(spots["centroid_lon"].to_numpy(float), spots["centroid_lat"].to_numpy(float)),
            strict=True,
        )
    )
    geometry = gpd.GeoSeries([centre.get(s) for s in frame["spot_id"]], index=frame.index, crs=CRS)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)


def redact_complaints(complaints: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """``complaints`` without phone numbers: ``msisdn`` → ``msisdn_hash`` (keyed
    pseudonym), the CRM's subscriber ids (accounts, numbers) pseudonymised, numbers in
    free text masked."""
    out = complaints.copy()
    if "msisdn" in out.columns:
        position = out.columns.get_loc("msisdn")
        assert isinstance(position, int)
        hashed = pseudonyms(out["msisdn"].fillna("").astype(str), key)
        out = out.drop(columns="msisdn")
        out.insert(position, "msisdn_hash", hashed.where(hashed != "", None).astype(object))
    if "subscriber_id" in out.columns:
        out["subscriber_id"] = subscriber_pseudonyms(out["subscriber_id"], key)
    for name in _FREE_TEXT:
        if name in out.columns:
            out[name] = mask_texts(out[name])
    return out


# ---------------------------------------------------------------- writers


def write_frame(
    frame: gpd.GeoDataFrame, *, fmt: str, out: Path | str, wkt: bool = False, private: bool = True
) -> None:
    """Write a GeoDataFrame in WGS 84 atomically as geoparquet, geojson or csv.

    ``wkt`` adds the geometry as WKT text to a CSV (besides ``lat``/``lon``). ``private``
    (the default): the frame holds personal data, the file is its owner's only
    (:mod:`heatmap.io.atomic`); False for a file to share, which follows the umask.
    """
    _check(WHATS[0], fmt)
    if frame.crs is not None and not frame.crs.equals(CRS):
        frame = frame.to_crs(CRS)
    with atomic_path(out, private=private) as temp:
        if fmt == "geoparquet":
            _write_geoparquet(frame, temp)
        elif fmt == "geojson":
            _write_geojson(frame, temp)
        else:
            _write_csv(frame, temp, wkt=wkt)


def _write_geoparquet(frame: gpd.GeoDataFrame, path: Path) -> None:
    plain = frame.copy()
    for name in _dict_columns(plain):
        plain[name] = [
            None if v is None else json.dumps(to_json_value(v), ensure_ascii=False)
            for v in plain[name].tolist()
        ]
    if plain.crs is None:
        plain = plain.set_crs(CRS)
    plain.to_parquet(path, index=False)


def _write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    names = [c for c in frame.columns if c != frame.geometry.name]
    geometry = np.asarray(frame.geometry.to_numpy(), dtype=object)
    present = ~pd.isna(geometry)
    if present.any():
        geometry[present] = shapely.orient_polygons(geometry[present], exterior_cw=False)
    ids = frame["id"] if "id" in names else frame["ticket_id"] if "ticket_id" in names else None
    records = frame[names].to_dict(orient="records")
    with path.open("w", encoding="utf-8") as stream:
        stream.write('{"type": "FeatureCollection", "features": [')
        for i, (shape, row) in enumerate(zip(geometry.tolist(), records, strict=True)):
            feature: dict[str, Any] = {"type": "Feature"}
            if ids is not None:
                feature["id"] = to_json_value(ids.iloc[i])
            feature["geometry"] = None if shape is None else shape.__geo_interface__
            feature["properties"] = {k: to_json_value(v) for k, v in row.items()}
            stream.write(
                ("\n" if i == 0 else ",\n") + json.dumps(feature, ensure_ascii=False, allow_nan=False)
            )
        stream.write("\n]}\n")


def _write_csv(frame: gpd.GeoDataFrame, path: Path, *, wkt: bool) -> None:
    plain = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    geometry = frame.geometry
    if "lat" not in plain.columns or "lon" not in plain.columns:
        if "centroid_lat" in plain.columns and "centroid_lon" in plain.columns:
            plain["lat"], plain["lon"] = plain["centroid_lat"], plain["centroid_lon"]
        else:
            shapes = np.asarray(geometry.to_numpy(), dtype=object)
            shapes[shapely.is_empty(shapes)] = None
            centre = shapely.point_on_surface(shapes)
            plain["lat"] = shapely.get_y(centre)
            plain["lon"] = shapely.get_x(centre)
    if wkt:
        plain["wkt"] = [
            None if g is None else shapely.to_wkt(g, rounding_precision=7)
            for g in geometry.to_numpy().tolist()
        ]
    for name in plain.columns:
        column = plain[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            plain[name] = _iso(column)
        elif name in _dict_columns(plain):
            plain[name] = [
                None if v is None else json.dumps(to_json_value(v), ensure_ascii=False)
                for v in column.tolist()
            ]
    try:
        table = _csv_table(plain)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):  # mixed kinds in a column
        spreadsheet_safe(plain).to_csv(path, index=False)
        return
    write_table_csv(table, path)


def _csv_table(plain: pd.DataFrame) -> pa.Table:
    """``plain`` as an Arrow table whose cells Arrow writes as pandas' ``to_csv`` would:
    numbers as Python writes them (``1.0``, not ``1``), booleans ``True``/``False``."""
    table = pa.Table.from_pandas(plain, preserve_index=False)
    columns = []
    for column in table.columns:
        if pa.types.is_floating(column.type):
            column = _float_text(column)
        elif pa.types.is_boolean(column.type):
            column = pc.if_else(column, "True", "False")
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _float_text(column: pa.ChunkedArray) -> pa.Array:
    """Floats as Python's ``repr`` writes them. Arrow writes a whole number without ``.0``
    and chooses an exponent by other rules: those few cells are written by Python."""
    values = column.combine_chunks()
    text = pc.cast(values, pa.string())
    size = pc.abs(values)
    other = pc.or_(
        pc.match_substring(text, "e"),
        pc.or_(pc.greater_equal(size, 1e16), pc.and_(pc.greater(size, 0.0), pc.less(size, 1e-4))),
    )
    where = np.flatnonzero(pc.fill_null(other, False).to_numpy(zero_copy_only=False))
    if len(where):
        written = [repr(float(v)) for v in values.take(pa.array(where)).to_pylist()]
        chosen = np.zeros(len(values), dtype=bool)
        chosen[where] = True
        text = pc.replace_with_mask(text, pa.array(chosen), pa.array(written, pa.string()))
    whole = pc.and_(pc.is_finite(values), pc.invert(pc.match_substring_regex(text, "[.eEn]")))
    return pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)


# ---------------------------------------------------------------- helpers


def _check(what: str, fmt: str) -> None:
    if what not in WHATS:
        raise UsageError(f"cannot export {what!r}: choose {', '.join(WHATS)}")
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}: choose {', '.join(FORMATS)}")


def _dict_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if frame[c].dtype == object and any(isinstance(v, dict | list) for v in frame[c].head(1000).tolist())
    ]


def _iso(values: pd.Series) -> pd.Series:
    """Times as ``Timestamp.isoformat`` writes them; UTC times in Arrow's kernels at once."""
    if str(values.dt.tz) != "UTC" or (values.dt.nanosecond != 0).any():
        return pd.Series(
            [None if pd.isna(v) else v.isoformat() for v in values], index=values.index, dtype=object
        )
    wall = pa.array(values.dt.tz_localize(None).dt.as_unit("us"), from_pandas=True)
    text = pc.replace_substring(pc.cast(wall, pa.string()), " ", "T")  # 2026-11-06 12:00:03.000000
    text = pc.replace_substring_regex(text, r"\.000000$", "")
    text = pc.binary_join_element_wise(text, "+00:00", "")
    return pd.Series(text.to_numpy(zero_copy_only=False), index=values.index, dtype=object)


def to_json_value(value: object) -> object:
    """A value json can write: None for missing, ISO text for times, Python scalars."""
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [to_json_value(v) for v in value]
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value

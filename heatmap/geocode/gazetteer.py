"""Build, save and load the gazetteer: normalised addresses with their coordinates.

The source is an address registry CSV (gzip accepted) with coordinates and an
address string — by default the housing registry format (``LAT``, ``LON``,
``HOUSE_ID``, ``ADDRESS``). Rows that cannot serve as reference points are
skipped and counted by reason (see :data:`SKIP_REASONS`). A saved gazetteer is a
Parquet file with, beside it, the matcher's columns in a compact file that geocoding
commands read without Arrow or numpy (:mod:`.compact`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from heatmap.errors import GeocodeError, InputError
from heatmap.geocode.compact import write_compact
from heatmap.geocode.dwellings import registry_dwellings
from heatmap.geocode.entries import ENTRY_COLUMNS, OPTIONAL_COLUMNS, haversine_km
from heatmap.geocode.normalise import (
    ParsedAddress,
    parse_address,
    region_key,
    settlement_key,
    street_loose_key,
)
from heatmap.geocode.vocabulary import FEDERAL_CITIES

__all__ = [
    "ENTRY_COLUMNS",
    "REGISTRY_COLUMNS",
    "SKIP_REASONS",
    "build_gazetteer",
    "haversine_km",
    "load_gazetteer",
    "placeholder_points",
    "read_cities",
    "save_gazetteer",
]

#: Why rows were skipped.
SKIP_REASONS: tuple[str, ...] = (
    "no_coordinates",  # missing, non-numeric or out-of-range coordinates
    "marked_duplicate",  # the source marks the row "(дубль N)"
    "unparseable",  # no settlement or no house number (placeholders, garbage)
    "placeholder_point",  # one point shared by several settlements (a default position)
    "far_from_city",  # further than max_city_km from the named city's centre
    "outside_region",  # further than max_region_km from every city of its region
    "duplicate",  # same normalised address as an earlier row
)

REGISTRY_COLUMNS: dict[str, str] = {
    "address": "ADDRESS",
    "lat": "LAT",
    "lon": "LON",
    "id": "HOUSE_ID",
}
#: The registry's columns of a house's size, read when present (:mod:`.dwellings`).
SIZE_COLUMNS: dict[str, str] = {"rooms": "ROOM_COUNT_LIVE", "area": "AREA_LIVE"}

_DUBL = r"\(\s*дубль[^)]*\)"


def read_cities(path: str | Path) -> pd.DataFrame:
    """Read ``city.csv`` into ``region``, ``settlement``, ``lat``, ``lon``, ``population`` keys.

    Federal cities (Moscow, Saint Petersburg, Sevastopol) have no ``city`` value
    there: the region name stands for the city.
    """
    try:
        raw = pd.read_csv(path, dtype=str)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read cities file {path}: {exc}") from exc
    missing = {"region", "city", "geo_lat", "geo_lon"} - set(raw.columns)
    if missing:
        raise InputError(f"cities file {path} lacks columns {sorted(missing)}")
    name = raw["city"].fillna(raw.get("settlement", pd.Series(dtype=str))).fillna(raw["region"])
    out = pd.DataFrame(
        {
            "region": raw["region"].fillna("").map(region_key),
            "settlement": name.map(settlement_key),
            "lat": pd.to_numeric(raw["geo_lat"], errors="coerce"),
            "lon": pd.to_numeric(raw["geo_lon"], errors="coerce"),
            "population": pd.to_numeric(
                raw["population"] if "population" in raw.columns else pd.Series(index=raw.index),
                errors="coerce",
            ),
        }
    )
    return out.dropna(subset=["lat", "lon"]).drop_duplicates(["region", "settlement"])


def _read_source(
    source: str | Path | pd.DataFrame, columns: Mapping[str, str], sep: str, encoding: str
) -> pd.DataFrame:
    wanted = [columns["address"], columns["lat"], columns["lon"]]
    if columns.get("id"):
        wanted.append(columns["id"])
    wanted += list(SIZE_COLUMNS.values())
    if isinstance(source, pd.DataFrame):
        frame = source
    else:
        try:
            frame = pd.read_csv(
                source,
                sep=sep,
                encoding=encoding,
                dtype=str,
                usecols=lambda c: c in wanted,
                keep_default_na=False,
            )
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read address registry {source}: {exc}") from exc
    missing = [c for c in wanted[:3] if c not in frame.columns]
    if missing:
        raise InputError(f"address registry {source!s:.80} lacks columns {missing}")
    out = pd.DataFrame(
        {
            "raw": frame[columns["address"]].astype("string").fillna(""),
            "lat": pd.to_numeric(frame[columns["lat"]].astype(str).str.strip(), errors="coerce"),
            "lon": pd.to_numeric(frame[columns["lon"]].astype(str).str.strip(), errors="coerce"),
            "source_id": (
                frame[columns["id"]].astype("string")
                if columns.get("id") and columns["id"] in frame.columns
                else pd.Series(pd.NA, index=frame.index, dtype="string")
            ),
            "dwellings": registry_dwellings(
                frame.get(SIZE_COLUMNS["rooms"]), frame.get(SIZE_COLUMNS["area"]), len(frame)
            ),
        }
    )
    return out.reset_index(drop=True)


def _parsed_columns(raw: pd.Series) -> pd.DataFrame:
    """Parse each distinct address once and spread the components into columns."""
    uniq = pd.unique(raw)
    rows = []
    for text in uniq:
        p: ParsedAddress = parse_address(str(text))
        chain = [name for _t, name in p.settlements]
        region = p.region or (chain[0] if chain and chain[0] in FEDERAL_CITIES else None)
        house = p.house
        street = p.street or ""
        rows.append(
            (
                text,
                region,
                p.district,
                p.settlement_type,
                p.settlement,
                f"{region or ''}|{'/'.join(chain)}" if chain else None,
                p.street_type,
                street,
                house.key if house else None,
                p.street_key or "",
                street_loose_key(street, p.street_type) if street else "",
                house.loose_key if house else None,
                house.base if house else None,
            )
        )
    parsed = pd.DataFrame(
        rows,
        columns=[
            "raw",
            "region",
            "district",
            "settlement_type",
            "settlement",
            "locality",
            "street_type",
            "street",
            "house",
            "street_key",
            "street_loose_key",
            "house_loose_key",
            "house_base",
        ],
    )
    return parsed.set_index("raw").reindex(raw.to_numpy()).reset_index(drop=True)


def placeholder_points(registry: pd.DataFrame, *, settlements: int = 3) -> pd.Series:
    """True for each row of a registry (``LAT``, ``LON``, ``ADDRESS``) whose point is shared
    by ``settlements`` or more settlements: a default position, not a house (the Leningrad
    oblast registry puts 1,519 houses of its towns at Moscow's centre). The rule
    :func:`build_gazetteer` skips rows by (``placeholder_point``)."""
    parsed = _parsed_columns(registry["ADDRESS"].astype(str).reset_index(drop=True))
    points = pd.DataFrame(
        {
            "lat": registry["LAT"].to_numpy(float),
            "lon": registry["LON"].to_numpy(float),
            "locality": parsed["locality"],
        }
    )
    return pd.Series((_settlements_at_point(points) >= settlements).to_numpy(), index=registry.index)


def _point_key(df: pd.DataFrame) -> pd.Series:
    """Each row's point to six decimals, as text."""
    return df["lat"].round(6).astype(str) + "," + df["lon"].round(6).astype(str)


def _settlements_at_point(df: pd.DataFrame) -> pd.Series:
    """How many settlements share each row's point."""
    return df["locality"].groupby(_point_key(df)).transform("nunique")


def build_gazetteer(
    sources: str | Path | pd.DataFrame | Iterable[str | Path | pd.DataFrame],
    *,
    address_column: str = "ADDRESS",
    lat_column: str = "LAT",
    lon_column: str = "LON",
    id_column: str | None = "HOUSE_ID",
    sep: str = ",",
    encoding: str = "utf-8",
    cities: str | Path | pd.DataFrame | None = None,
    max_city_km: float = 60.0,
    max_region_km: float = 300.0,
    shared_point_settlements: int = 3,
    shared_point_houses: int = 3,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Build gazetteer entries from one or more registry CSVs (or frames).

    Returns the entries (:data:`ENTRY_COLUMNS`) and the number of skipped rows by
    reason (every reason of :data:`SKIP_REASONS` present, zero when none).

    ``cities`` (``city.csv`` path or :func:`read_cities` frame) enables the
    consistency checks: a point further than ``max_city_km`` from the centre of its
    city, or further than ``max_region_km`` from every city of its region, is skipped.
    A point shared by ``shared_point_settlements`` or more settlements is a
    placeholder and skipped; a point shared by ``shared_point_houses`` or more
    distinct houses is kept with a coarser ``point_precision``.
    """
    if isinstance(sources, (str, Path, pd.DataFrame)):
        sources = [sources]
    columns = {
        "address": address_column,
        "lat": lat_column,
        "lon": lon_column,
        "id": id_column or "",
    }
    frames = [_read_source(s, columns, sep, encoding) for s in sources]
    if not frames:
        raise GeocodeError("no address sources given")
    df = pd.concat(frames, ignore_index=True)
    skipped = dict.fromkeys(SKIP_REASONS, 0)

    def drop(mask: pd.Series, reason: str) -> pd.DataFrame:
        skipped[reason] += int(mask.sum())
        return df.loc[~mask]

    lat, lon = df["lat"], df["lon"]
    bad = (
        lat.isna()
        | lon.isna()
        | ~lat.between(-90, 90)
        | ~lon.between(-180, 180)
        | ((lat.abs() < 1e-9) & (lon.abs() < 1e-9))
    )
    df = drop(bad, "no_coordinates")
    df = drop(df["raw"].str.contains(_DUBL, case=False, regex=True, na=False), "marked_duplicate")
    df = df.assign(address=df["raw"].str.replace(r"\s+", " ", regex=True).str.strip(" ,."))
    df = pd.concat([df.reset_index(drop=True), _parsed_columns(df["raw"].reset_index(drop=True))], axis=1)
    df = drop(df["locality"].isna() | df["house"].isna() | df["region"].isna(), "unparseable")

    df = df.assign(_pt=_point_key(df))  # a point several settlements share is a default position
    df = drop(_settlements_at_point(df) >= shared_point_settlements, "placeholder_point")

    if cities is not None:
        city_frame = cities if isinstance(cities, pd.DataFrame) else read_cities(cities)
        df = _check_cities(df, city_frame, max_city_km, max_region_km, skipped)

    df = df.assign(key=_entry_key(df))
    df = drop(df.duplicated("key", keep="first"), "duplicate")
    return _entries(df, shared_point_houses), skipped


def _entry_key(df: pd.DataFrame) -> pd.Series:
    """The full normalised key of each row: region|locality|street type|street key|house."""
    return (
        df["region"].fillna("")
        + "|"
        + df["locality"]
        + "|"
        + df["street_type"].fillna("")
        + "|"
        + df["street_key"]
        + "|"
        + df["house"]
    )


def _entries(df: pd.DataFrame, shared_point_houses: int) -> pd.DataFrame:
    """The entries' columns, with the precision of each point: several houses on one point
    make it a street or settlement position."""
    house_id = df["street_key"] + "#" + df["house_base"].fillna("")
    n_houses = df.groupby("_pt")["street_key"].transform("size")
    n_distinct = house_id.groupby(df["_pt"]).transform("nunique")
    n_streets = df.groupby("_pt")["street_key"].transform("nunique")
    coarse = (n_distinct >= shared_point_houses) & (n_houses >= shared_point_houses)
    precision = np.where(~coarse, "house", np.where(n_streets > 1, "settlement", "street"))
    df = df.assign(point_precision=precision)
    out = df.loc[:, list(ENTRY_COLUMNS)].reset_index(drop=True)
    for col in ("region", "district", "settlement_type", "settlement", "street_type", "source_id"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def _check_cities(
    df: pd.DataFrame,
    cities: pd.DataFrame,
    max_city_km: float,
    max_region_km: float,
    skipped: dict[str, int],
) -> pd.DataFrame:
    """Skip points far from their city's centre or from every city of their region."""
    centre = cities.set_index(["region", "settlement"])[["lat", "lon"]]
    keys = pd.MultiIndex.from_arrays([df["region"].fillna(""), df["settlement"].fillna("")])
    found = centre.reindex(keys)
    dist = haversine_km(
        df["lat"].to_numpy(), df["lon"].to_numpy(), found["lat"].to_numpy(), found["lon"].to_numpy()
    )
    far = pd.Series(np.nan_to_num(dist, nan=0.0) > max_city_km, index=df.index)
    skipped["far_from_city"] += int(far.sum())
    df = df.loc[~far]
    # region check: distance to the nearest city of the same region
    near = pd.Series(np.inf, index=df.index)
    known = pd.Series(False, index=df.index)
    for region, group in cities.groupby("region"):
        mask = df["region"] == region
        if not mask.any():
            continue
        known |= mask
        sub = df.loc[mask]
        d = haversine_km(
            sub["lat"].to_numpy()[:, None],
            sub["lon"].to_numpy()[:, None],
            group["lat"].to_numpy()[None, :],
            group["lon"].to_numpy()[None, :],
        )
        near.loc[mask] = d.min(axis=1)
    outside = known & (near > max_region_km)
    skipped["outside_region"] += int(outside.sum())
    return df.loc[~outside]


def save_gazetteer(entries: pd.DataFrame, path: str | Path) -> Path:
    """Write entries to a Parquet file, and the matcher's columns beside it
    (:mod:`.compact`: geocoding commands then start faster); returns the Parquet path."""
    entries = _with_optional(entries)
    missing = [c for c in ENTRY_COLUMNS if c not in entries.columns]
    if missing:
        raise GeocodeError(f"not a gazetteer frame: missing {missing}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        entries.loc[:, list(ENTRY_COLUMNS)].to_parquet(target, index=False)
        write_compact(target)
    except (OSError, ValueError) as exc:
        raise GeocodeError(f"cannot write gazetteer {target}: {exc}") from exc
    return target


def load_gazetteer(path: str | Path) -> pd.DataFrame:
    """Read entries written by :func:`save_gazetteer`."""
    try:
        entries = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise GeocodeError(f"cannot read gazetteer {path}: {exc}") from exc
    entries = _with_optional(entries)
    missing = [c for c in ENTRY_COLUMNS if c not in entries.columns]
    if missing:
        raise GeocodeError(f"{path} is not a gazetteer: missing {missing}")
    out = entries.loc[:, list(ENTRY_COLUMNS)]
    for col in ("region", "district", "settlement_type", "settlement", "street_type", "source_id"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def _with_optional(entries: pd.DataFrame) -> pd.DataFrame:
    """``entries`` with the columns an older gazetteer lacks, as unknown."""
    absent = {c: np.nan for c in OPTIONAL_COLUMNS if c not in entries.columns}
    return entries.assign(**absent) if absent else entries

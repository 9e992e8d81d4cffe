"""A basemap drawn from the gazetteer: houses as points, street and settlement names.

Agents on an intranet have no tiles; the address registry the geocoder already has is
enough to orient by. :func:`build_basemap` prepares it once (plain arrays, label points);
:meth:`Basemap.features` answers a view (bbox and zoom) as GeoJSON features:

* ``house`` points (every registry house, thinned evenly past 5,000 at zoom 12, twice
  that per zoom level in, at most ``max_houses``), from :data:`HOUSE_ZOOM` on, with the
  address from :data:`HOUSE_NAME_ZOOM` on;
* ``street`` labels from :data:`STREET_ZOOM` on: one per stretch of a street (about
  :data:`STRETCH_M` long), placed at the stretch's middle house and turned along the
  line of its houses, so a name lies along the houses it names;
* ``settlement`` labels below :data:`STREET_ZOOM`, at the middle of their houses, each
  from the zoom at which it covers no larger settlement's label (``zoom``): zoomed out
  over a region of small towns only the larger ones are named.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from heatmap.core.text import has_word

#: Houses are drawn from this zoom on (a city is a few kilometres across at 12).
HOUSE_ZOOM = 12
#: Houses carry their address from this zoom on (a smaller answer before).
HOUSE_NAME_ZOOM = 16
#: Street names from this zoom on; settlement names below it.
STREET_ZOOM = 15
#: A street longer than this gets a label per stretch of about this length (metres).
STRETCH_M = 450.0
_M_PER_DEG = 111_320.0
#: A settlement label's box on screen: pixels per letter (14 px bold) and height.
LABEL_LETTER_PX = 9.0
LABEL_HEIGHT_PX = 18.0

#: One property set per kind; ``angle`` is degrees clockwise from east (screen space).
Feature = dict[str, Any]


@dataclass(frozen=True)
class Basemap:
    """Houses, street labels and settlement labels, ready for bbox queries."""

    house_lat: np.ndarray
    house_lon: np.ndarray
    house_label: np.ndarray  # the address as the registry writes it
    streets: pd.DataFrame  # name, lat, lon, angle, houses
    settlements: pd.DataFrame  # name, lat, lon, houses, zoom (the least it is named at)

    @property
    def houses(self) -> int:
        return len(self.house_lat)

    def features(
        self, bbox: tuple[float, float, float, float], zoom: int, *, max_houses: int = 20_000
    ) -> list[Feature]:
        """What to draw for the view ``bbox`` (min_lon, min_lat, max_lon, max_lat) at ``zoom``."""
        min_lon, min_lat, max_lon, max_lat = bbox
        out: list[Feature] = []
        if zoom < STREET_ZOOM:
            shown = _within(self.settlements, bbox) & (self.settlements["zoom"].to_numpy() <= zoom)
            out += _labels(self.settlements[shown], "settlement", "zoom", int)
        if zoom >= HOUSE_ZOOM:
            inside = (
                (self.house_lat >= min_lat)
                & (self.house_lat <= max_lat)
                & (self.house_lon >= min_lon)
                & (self.house_lon <= max_lon)
            )
            chosen = np.flatnonzero(inside)
            # a zoomed-out view has fewer pixels per house: 5,000 at 12, doubling per zoom
            limit = min(max_houses, 5_000 * 2 ** (zoom - HOUSE_ZOOM))
            if len(chosen) > limit:  # evenly thinned, never a hole in one corner
                chosen = chosen[np.linspace(0, len(chosen) - 1, limit).astype(int)]
            named = zoom >= HOUSE_NAME_ZOOM
            for i in chosen:
                out.append(
                    _point(
                        self.house_lon[i],
                        self.house_lat[i],
                        kind="house",
                        **({"name": str(self.house_label[i])} if named else {}),
                    )
                )
        if zoom >= STREET_ZOOM:
            out += _labels(
                self.streets[_within(self.streets, bbox)], "street", "angle", lambda a: round(a, 1)
            )
        return out


def _labels(frame: pd.DataFrame, kind: str, extra: str, value: Callable[[float], float]) -> list[Feature]:
    """A ``kind`` point per label row: its name, houses and ``extra`` (angle, zoom)."""
    columns = (frame[c].to_numpy() for c in ("lon", "lat", "name", "houses", extra))
    return [
        _point(lon, lat, kind=kind, name=name, houses=int(houses), **{extra: value(float(more))})
        for lon, lat, name, houses, more in zip(*columns, strict=True)
    ]


def _within(frame: pd.DataFrame, bbox: tuple[float, float, float, float]) -> np.ndarray:
    min_lon, min_lat, max_lon, max_lat = bbox
    lat, lon = frame["lat"].to_numpy(float), frame["lon"].to_numpy(float)
    return np.asarray((lat >= min_lat) & (lat <= max_lat) & (lon >= min_lon) & (lon <= max_lon))


def _point(lon: float, lat: float, **properties: object) -> Feature:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(float(lon), 6), round(float(lat), 6)]},
        "properties": properties,
    }


def build_basemap(entries: pd.DataFrame) -> Basemap:
    """The basemap of gazetteer ``entries`` (:data:`heatmap.geocode.gazetteer.ENTRY_COLUMNS`).

    Entries without coordinates are left out; one point per distinct (lat, lon, address).
    """
    frame = entries[
        ["locality", "settlement", "street_type", "street", "house", "lat", "lon", "address"]
    ].copy()
    frame["lat"] = pd.to_numeric(frame["lat"], errors="coerce")
    frame["lon"] = pd.to_numeric(frame["lon"], errors="coerce")
    frame = frame[np.isfinite(frame["lat"]) & np.isfinite(frame["lon"])]
    frame = frame.drop_duplicates(["lat", "lon", "address"]).reset_index(drop=True)
    return Basemap(
        house_lat=frame["lat"].to_numpy(float),
        house_lon=frame["lon"].to_numpy(float),
        house_label=frame["address"].astype(str).to_numpy(object),
        streets=_street_labels(frame),
        settlements=_settlement_labels(frame),
    )


def _groups(frame: pd.DataFrame, columns: list[str]) -> list[np.ndarray]:
    """Row positions of each group of ``columns`` (missing values are a value too)."""
    keys = frame[columns[0]].astype(object).fillna("").astype(str)
    for column in columns[1:]:
        keys = keys + "|" + frame[column].astype(object).fillna("").astype(str)
    codes, _ = pd.factorize(keys, sort=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    return [part for part in np.split(order, bounds) if len(part)]


def _settlement_labels(frame: pd.DataFrame) -> pd.DataFrame:
    lat, lon = frame["lat"].to_numpy(float), frame["lon"].to_numpy(float)
    keys, addresses = frame["settlement"].to_numpy(object), frame["address"].to_numpy(object)
    rows = []
    for rows_of in _groups(frame, ["locality"]):
        name = _component(keys[rows_of[0]], addresses[rows_of[:20]], from_end=False)
        if name:
            rows.append(
                {
                    "name": name,
                    "lat": float(np.median(lat[rows_of])),
                    "lon": float(np.median(lon[rows_of])),
                    "houses": len(rows_of),
                }
            )
    labels = pd.DataFrame(rows, columns=["name", "lat", "lon", "houses"])
    return labels.assign(zoom=label_zooms(labels))


def label_zooms(labels: pd.DataFrame) -> np.ndarray:
    """The least zoom each label (``name``, ``lat``, ``lon``, ``houses``) is drawn from: the
    largest settlement from zoom 0, each other one from the zoom at which its box no longer
    covers the box of a larger one drawn there (boxes grow apart twice per zoom level).
    Quadratic in the number of settlements (659 in Leningrad oblast: milliseconds)."""
    x, y = _world_pixels(labels["lat"].to_numpy(float), labels["lon"].to_numpy(float))
    width = labels["name"].astype(str).str.len().to_numpy(float) * LABEL_LETTER_PX
    zooms = np.zeros(len(labels))
    order = np.argsort(-labels["houses"].to_numpy(), kind="stable")
    for k, i in enumerate(order[1:], start=1):
        j = order[:k]
        with np.errstate(divide="ignore"):
            apart_x = np.log2((width[j] + width[i]) / 2 / np.abs(x[j] - x[i]))
            apart_y = np.log2(LABEL_HEIGHT_PX / np.abs(y[j] - y[i]))
        apart = np.minimum(np.ceil(np.minimum(apart_x, apart_y)), 99.0)  # the zoom they fit from
        clash = zooms[j] < apart
        zooms[i] = max(0.0, float(apart[clash].max())) if clash.any() else 0.0
    return zooms.astype(int)


def _world_pixels(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator pixels at zoom 0 (the world 256 px wide)."""
    phi = np.radians(np.clip(lat, -85.0, 85.0))
    y = (1 - np.log(np.tan(phi) + 1 / np.cos(phi)) / np.pi) / 2 * 256
    return (lon + 180) / 360 * 256, y


def _street_labels(frame: pd.DataFrame) -> pd.DataFrame:
    named = frame[frame["street"].fillna("").astype(str) != ""].reset_index(drop=True)
    lat, lon = named["lat"].to_numpy(float), named["lon"].to_numpy(float)
    keys, addresses = named["street"].to_numpy(object), named["address"].to_numpy(object)
    rows: list[dict[str, object]] = []
    for rows_of in _groups(named, ["locality", "street_type", "street"]):
        # a street is named after its settlement in the address: look from the end
        name = _component(keys[rows_of[0]], addresses[rows_of[:20]], from_end=True)
        if name:
            rows.extend(_stretches(lat[rows_of], lon[rows_of], name))
    return pd.DataFrame(rows, columns=["name", "lat", "lon", "angle", "houses"])


def _stretches(lat: np.ndarray, lon: np.ndarray, name: str) -> list[dict[str, object]]:
    """A label per ``STRETCH_M`` of the street's houses along their main direction."""
    scale = math.cos(math.radians(float(np.mean(lat))))
    xy = np.column_stack(((lon - lon.mean()) * scale, lat - lat.mean())) * _M_PER_DEG
    axis = _main_axis(xy)
    along = xy @ axis
    length = float(along.max() - along.min())
    parts = max(1, round(length / STRETCH_M))
    edges = np.linspace(along.min(), along.max(), parts + 1)
    labels = []
    for k in range(parts):
        last = k == parts - 1
        mask = (along >= edges[k]) & ((along <= edges[k + 1]) if last else (along < edges[k + 1]))
        if not mask.any():
            continue
        piece = xy[mask]
        local = _main_axis(piece) if len(piece) >= 3 else axis
        middle = int(np.flatnonzero(mask)[np.argsort(along[mask])[mask.sum() // 2]])
        labels.append(
            {
                "name": name,
                "lat": float(lat[middle]),
                "lon": float(lon[middle]),
                "angle": _screen_angle(local),
                "houses": int(mask.sum()),
            }
        )
    return labels


def _main_axis(xy: np.ndarray) -> np.ndarray:
    """The unit vector along which points spread most (east when they do not spread)."""
    if len(xy) < 2:
        return np.array([1.0, 0.0])
    centred = xy - xy.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axis = vt[0]
    if not np.all(np.isfinite(axis)) or float(np.abs(centred).sum()) == 0.0:
        return np.array([1.0, 0.0])
    return np.asarray(axis if axis[0] >= 0 else -axis, dtype=float)


def _screen_angle(axis: np.ndarray) -> float:
    """Degrees to turn text clockwise on screen (y grows down) to lie along ``axis``,
    kept within ±90° so a name never reads upside down."""
    degrees = -math.degrees(math.atan2(float(axis[1]), float(axis[0])))
    if degrees > 90:
        degrees -= 180
    elif degrees < -90:
        degrees += 180
    return degrees


_SEPARATOR = re.compile(r"\s*,\s*")
#: A region's or district's part of an address ("р-н. Любинский"), never a settlement's name.
_AREA = re.compile(r"(?:р-н|район|обл|область|край|респ|республика|ао)\b\.?", re.IGNORECASE)


def _component(key: object, addresses: np.ndarray, *, from_end: bool) -> str:
    """The part of the registry's addresses that names ``key`` as written there ("ул. Мира"
    for street "мира"), else the key itself capitalised; "" for no key."""
    wanted = str(key or "").strip().lower().replace("ё", "е")
    if not wanted or wanted == "none":
        return ""
    for address in addresses:
        parts = _SEPARATOR.split(str(address))
        for part in reversed(parts) if from_end else parts:
            if not from_end and _AREA.match(part):
                continue  # "рп. Любинский", not its district "р-н. Любинский"
            written = part.lower().replace("ё", "е")
            # the key's spaces may be the registry's hyphens: "с. Увало-Ядрино" is "увало ядрино"
            if has_word(written, wanted) or ("-" in written and has_word(written.replace("-", " "), wanted)):
                return part.strip()
    return wanted[:1].upper() + wanted[1:]

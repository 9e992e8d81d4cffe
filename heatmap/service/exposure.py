"""Exposure layers in the store: a subscriber density file, the gazetteer's houses.

Detection's expected counts follow exposure (:mod:`heatmap.detect.exposure`): the
store keeps a ``subscribers`` layer loaded from a density file and an ``addresses``
layer (dwellings per cell: :func:`house_layer`) from the gazetteer that
``ingest``/``geocode`` geocoded with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pyarrow as pa

from heatmap.errors import InputError
from heatmap.store.base import Store
from heatmap.store.exposure import EXPOSURE_SOURCES

_PARQUET = (".parquet", ".pq")


@dataclass
class LayerSummary:
    """What one exposure layer holds: cells, their total weight, cells per H3 resolution."""

    source: str
    cells: int
    weight: float
    resolutions: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "cells": self.cells,
            "weight": self.weight,
            "resolutions": {str(r): n for r, n in self.resolutions.items()},
        }


def summarise_layer(source: str, layer: pd.DataFrame) -> LayerSummary:
    """Cells, total weight and cells per resolution of a layer (``h3_cell, weight``)."""
    resolutions = pd.Series([h3.get_resolution(c) for c in layer["h3_cell"]], dtype="int64")
    counts = resolutions.value_counts().sort_index()
    return LayerSummary(
        source=source,
        cells=len(layer),
        weight=float(layer["weight"].sum()),
        resolutions={int(r): int(n) for r, n in counts.items()},
    )


def read_density_file(path: str | Path) -> pd.DataFrame:
    """A subscriber density table (``h3_cell, subscribers``, any H3 resolution) from a CSV
    or Parquet file, checked (:func:`heatmap.core.density.check_density`)."""
    from heatmap.core.density import check_density
    from heatmap.io.density import read_density

    path = Path(path)
    if path.suffix.lower() not in _PARQUET:
        return read_density(path)
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise InputError(f"{path}: cannot read the density Parquet file: {exc}") from exc
    return check_density(frame, origin=str(path))


def load_subscriber_density(store: Store, density: pd.DataFrame, *, origin: str = "density") -> LayerSummary:
    """Store a density table as the ``subscribers`` exposure layer (replacing the one before)."""
    from heatmap.detect.exposure import subscriber_layer

    layer = subscriber_layer(density)
    if layer.empty:
        raise InputError(f"{origin}: holds no cells, nothing to load")
    if not layer["weight"].sum() > 0:
        raise InputError(f"{origin}: every cell has 0 subscribers, nothing to load")
    store.replace_exposure("subscribers", layer)
    return summarise_layer("subscribers", layer)


def house_layer(entries: pd.DataFrame) -> pd.DataFrame:
    """Dwellings per cell (``h3_cell, weight``) of gazetteer entries: each house weighs
    its flats, or the median house's where unknown (:func:`~heatmap.geocode.dwellings.
    house_weights`; every house 1 when none is known). Only house points count, not a
    point several houses share (a street or settlement position)."""
    from heatmap.detect.exposure import address_layer
    from heatmap.geocode.dwellings import house_weights

    houses = entries[entries["point_precision"] == "house"]
    dwellings = houses["dwellings"] if "dwellings" in houses else pd.Series(np.nan, index=houses.index)
    return address_layer(
        houses["lat"].to_numpy(float),
        houses["lon"].to_numpy(float),
        weight=house_weights(dwellings.to_numpy(float)),
    )


def gazetteer_exposure(path: str | Path) -> pd.DataFrame:
    """Exposure points (``lat, lon, weight``) of a gazetteer file's houses."""
    from heatmap.detect.exposure import layer_points
    from heatmap.geocode.gazetteer import load_gazetteer

    return layer_points(house_layer(load_gazetteer(path)))


def keep_address_exposure(store: Store, entries: pd.DataFrame) -> LayerSummary:
    """Store the gazetteer's house density as the ``addresses`` exposure layer."""
    layer = house_layer(entries)
    store.replace_exposure("addresses", layer)
    return summarise_layer("addresses", layer)


def exposure_summary(store: Store) -> list[LayerSummary]:
    """What the store holds for every exposure source, best source first."""
    return [summarise_layer(source, store.load_exposure(source)) for source in EXPOSURE_SOURCES]

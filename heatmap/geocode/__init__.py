"""Geocoding: Russian address normalisation, the offline gazetteer, online geocoders.

Every geocoder answers with :data:`GEOCODE_COLUMNS` (see :mod:`heatmap.geocode.base`).
Names are imported lazily: ``geocode-file`` needs neither pandas nor geopy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_LAZY = {
    "GEOCODE_COLUMNS": "heatmap.geocode.base",
    "Geocoder": "heatmap.geocode.base",
    "ENTRY_COLUMNS": "heatmap.geocode.entries",
    "SKIP_REASONS": "heatmap.geocode.gazetteer",
    "build_gazetteer": "heatmap.geocode.gazetteer",
    "load_gazetteer": "heatmap.geocode.gazetteer",
    "read_cities": "heatmap.geocode.gazetteer",
    "save_gazetteer": "heatmap.geocode.gazetteer",
    "GazetteerGeocoder": "heatmap.geocode.matcher",
    "House": "heatmap.geocode.parsed",
    "ParsedAddress": "heatmap.geocode.parsed",
    "parse_address": "heatmap.geocode.normalise",
    "GeocodeCache": "heatmap.geocode.online",
    "OnlineGeocoder": "heatmap.geocode.online",
    "RateLimit": "heatmap.geocode.online",
    "make_geopy_geocoder": "heatmap.geocode.online",
}

if TYPE_CHECKING:
    from heatmap.geocode.base import GEOCODE_COLUMNS, Geocoder
    from heatmap.geocode.entries import ENTRY_COLUMNS
    from heatmap.geocode.gazetteer import (
        SKIP_REASONS,
        build_gazetteer,
        load_gazetteer,
        read_cities,
        save_gazetteer,
    )
    from heatmap.geocode.matcher import GazetteerGeocoder
    from heatmap.geocode.normalise import parse_address
    from heatmap.geocode.online import (
        GeocodeCache,
        OnlineGeocoder,
        RateLimit,
        make_geopy_geocoder,
    )
    from heatmap.geocode.parsed import House, ParsedAddress

__all__ = [
    "ENTRY_COLUMNS",
    "GEOCODE_COLUMNS",
    "SKIP_REASONS",
    "GazetteerGeocoder",
    "GeocodeCache",
    "Geocoder",
    "House",
    "OnlineGeocoder",
    "ParsedAddress",
    "RateLimit",
    "build_gazetteer",
    "load_gazetteer",
    "make_geopy_geocoder",
    "parse_address",
    "read_cities",
    "save_gazetteer",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'heatmap.geocode' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value

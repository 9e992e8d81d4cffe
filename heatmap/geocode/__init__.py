"""Geocoding: addresses to points with a precision (offline gazetteer or online providers)."""

from heatmap.geocode.base import GEOCODE_COLUMNS, Geocoder
from heatmap.geocode.gazetteer import (
    ENTRY_COLUMNS,
    SKIP_REASONS,
    build_gazetteer,
    load_gazetteer,
    read_cities,
    save_gazetteer,
)
from heatmap.geocode.matcher import GazetteerGeocoder
from heatmap.geocode.normalise import House, ParsedAddress, parse_address, street_key

__all__ = [
    "ENTRY_COLUMNS",
    "GEOCODE_COLUMNS",
    "SKIP_REASONS",
    "GazetteerGeocoder",
    "Geocoder",
    "House",
    "ParsedAddress",
    "build_gazetteer",
    "load_gazetteer",
    "parse_address",
    "read_cities",
    "save_gazetteer",
    "street_key",
]

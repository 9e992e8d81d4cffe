"""Geocoding: Russian address normalisation, the offline gazetteer, online geocoders.

Every geocoder answers with :data:`GEOCODE_COLUMNS` (see :mod:`heatmap.geocode.base`).
"""

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
from heatmap.geocode.normalise import House, ParsedAddress, parse_address
from heatmap.geocode.online import GeocodeCache, OnlineGeocoder, RateLimit, make_geopy_geocoder

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

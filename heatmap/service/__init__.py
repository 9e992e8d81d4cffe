"""Where the functional core meets the adapters: each function is one step of the flow.

Functions here read from a store, call pure core functions, and write results
back in one store call. The clock comes in as ``now``. Nothing here formats
output for people (the CLI and the API do).
"""

from heatmap.geocode.base import Geocoder
from heatmap.service.pipeline import (
    COUNT_KEYS,
    DetectReport,
    IngestReport,
    detect_spots,
    geocode_pending,
    ingest,
    init_store,
)

__all__ = [
    "COUNT_KEYS",
    "DetectReport",
    "Geocoder",
    "IngestReport",
    "detect_spots",
    "geocode_pending",
    "ingest",
    "init_store",
]

"""Where the functional core meets the adapters: each function is one step of the flow.

Functions here read from a store, call pure core functions, and write results
back in one store call. The clock comes in as ``now``. Nothing here formats
output for people (the CLI and the API do).

The names below are imported on first use, so ``from heatmap import service`` costs
nothing until a command actually runs a step (the CLI's start-up depends on it).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_LAZY = {
    "Geocoder": "heatmap.geocode.base",
    **dict.fromkeys(
        (
            "COUNT_KEYS",
            "DetectReport",
            "IngestReport",
            "detect_spots",
            "geocode_pending",
            "ingest",
            "init_store",
        ),
        "heatmap.service.pipeline",
    ),
}
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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'heatmap.service' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value

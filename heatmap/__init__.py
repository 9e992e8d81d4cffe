"""Teplokarty: network-quality complaints turned into spots on a map.

The analyst's functions are re-exported here lazily (``import heatmap as hm;
hm.load_spots()``), so the CLI does not pay for importing geopandas it may not need.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
_LAZY = {
    **dict.fromkeys(
        (
            "ari_matrix",
            "compare_methods",
            "explore",
            "kpis",
            "label_complaints",
            "labellings",
            "load_complaints",
            "load_events",
            "load_ratings",
            "load_spots",
            "outcomes",
            "reach",
            "read_density",
            "run_detection",
            "spot_changes",
            "synthetic_density",
        ),
        "heatmap.analysis",
    ),
    "export": "heatmap.io.export",
}
__all__ = [
    "__version__",
    "ari_matrix",
    "compare_methods",
    "explore",
    "export",
    "kpis",
    "label_complaints",
    "labellings",
    "load_complaints",
    "load_events",
    "load_ratings",
    "load_spots",
    "outcomes",
    "reach",
    "read_density",
    "run_detection",
    "spot_changes",
    "synthetic_density",
]
if TYPE_CHECKING:
    from heatmap.analysis import (
        ari_matrix,
        compare_methods,
        explore,
        kpis,
        label_complaints,
        labellings,
        load_complaints,
        load_events,
        load_ratings,
        load_spots,
        outcomes,
        reach,
        read_density,
        run_detection,
        spot_changes,
        synthetic_density,
    )
    from heatmap.io.export import export


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'heatmap' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})

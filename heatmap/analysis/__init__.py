"""The analyst's API: plain functions over (Geo)DataFrames, for notebooks and scripts.

Loading (``db`` is a store URL, a path to a SQLite file, an open
:class:`~heatmap.store.Store`, or ``None`` for ``HEATMAP_DB`` / ``sqlite:///heatmap.db``)::

    complaints = load_complaints()            # points, EPSG:4326, no phone numbers
    spots = load_spots(status="queued")       # polygons, EPSG:4326
    ratings = load_ratings()                  # clients' ratings of resolved spots
    events = load_events()                    # lineage and lifecycle transitions

Detection without writing anything, and its tuning::

    found = run_detection(complaints, method="dbscan", eps_m=300)
    table = compare_methods(complaints, settings=[{"h3_res": r} for r in (8, 9, 10)])
    labels = labellings(complaints, settings=[...]); ari_matrix(labels)
    spot_changes(labels["h3 r8"], labels["h3 r9"])

Maps, reach and outcomes::

    explore(spots)                            # folium.Map, coloured by priority
    reach(spots, read_density("density.csv")) # affected subscribers per spot
    kpis(outcomes(spots, events))             # solved in a day, time to fix, reopen rate

Every function that takes a frame of the store (complaints, spots, events) also takes
the store itself — a URL, a SQLite path or an open store — and loads the frame:
``kpis(outcomes("sqlite:///heatmap.db"))``.

Nothing here writes to the store; :func:`heatmap.io.export.export` writes files.
"""

from __future__ import annotations

from heatmap.analysis.comparison import ari_matrix, compare_methods, labellings, spot_changes
from heatmap.analysis.density import reach, read_density, synthetic_density
from heatmap.analysis.detection import Setting, label_complaints, run_detection
from heatmap.analysis.loading import (
    FrameSource,
    StoreLike,
    load_complaints,
    load_events,
    load_ratings,
    load_spots,
)
from heatmap.analysis.maps import explore
from heatmap.analysis.results import kpis, outcomes
from heatmap.io.export import RATING_COLUMNS

__all__ = [
    "RATING_COLUMNS",
    "FrameSource",
    "Setting",
    "StoreLike",
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
]

"""The storage seam in one import: the protocols, the frames' columns, what a write hands over.

The pieces live by subject — :mod:`heatmap.store.protocols` (what a store does),
:mod:`heatmap.store.columns` (the columns frames have), :mod:`heatmap.store.writes`
(ingest batches, spot changes, API keys), :mod:`heatmap.store.write_behind` (the
ingest's writing thread) — and are named here too, where callers have always found them.
"""

from __future__ import annotations

from heatmap.store.columns import (
    CHANGE_COLUMNS,
    CHANGES_SCHEMA,
    EVENT_COLUMNS,
    SPOT_COLUMNS,
    SPOT_MEASURES,
    SPOT_MEASURES_SCHEMA,
    SPOT_TRENDS,
    STORED_COMPLAINT_COLUMNS,
    spot_columns_at,
    spots_to_store,
    typed_spot_measures,
)
from heatmap.store.protocols import (
    ComplaintStore,
    GroundStore,
    KeyStore,
    OutboxStore,
    SchemaStore,
    SpotStore,
    Store,
)
from heatmap.store.write_behind import WRITES_QUEUED, write_behind, write_behind_prepared
from heatmap.store.writes import (
    INGEST_ADDS_NOTHING,
    REBUILD_MIN_ROWS,
    ApiKeyRecord,
    IngestPart,
    IngestWrite,
    SpotChanges,
    changing_refused,
)

__all__ = [
    "CHANGES_SCHEMA",
    "CHANGE_COLUMNS",
    "EVENT_COLUMNS",
    "INGEST_ADDS_NOTHING",
    "REBUILD_MIN_ROWS",
    "SPOT_COLUMNS",
    "SPOT_MEASURES",
    "SPOT_MEASURES_SCHEMA",
    "SPOT_TRENDS",
    "STORED_COMPLAINT_COLUMNS",
    "WRITES_QUEUED",
    "ApiKeyRecord",
    "ComplaintStore",
    "GroundStore",
    "IngestPart",
    "IngestWrite",
    "KeyStore",
    "OutboxStore",
    "SchemaStore",
    "SpotChanges",
    "SpotStore",
    "Store",
    "changing_refused",
    "spot_columns_at",
    "spots_to_store",
    "typed_spot_measures",
    "write_behind",
    "write_behind_prepared",
]

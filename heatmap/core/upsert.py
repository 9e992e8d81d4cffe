"""Plan an ingest batch against what a store holds: new, changed and unchanged tickets.

Pure: the store hands over the fingerprints it has (``ticket_id, content_hash``) and
the greatest ticket id it holds; the plan says what to insert and what to update.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from heatmap.core import text as tx

__all__ = ["UpsertPlan", "maybe_stored", "plan_upsert"]


@dataclass(frozen=True)
class UpsertPlan:
    """What an ingest batch does to the store: which tickets are new, changed, the same."""

    inserts: pd.DataFrame
    updates: pd.DataFrame
    unchanged: int


def maybe_stored(ticket_ids: pd.Series, greatest: str | None) -> np.ndarray:
    """Which tickets a store whose greatest ticket id is ``greatest`` (None: it holds none)
    could hold: those that sort at or before it, byte by byte (as both stores order ids).

    CRM ticket numbers grow with time, so the new tickets of a daily export mostly sort
    after every stored one and need no lookup at all; the answer is right for any ids.
    """
    if greatest is None:
        return np.zeros(len(ticket_ids), dtype=bool)
    return tx.mask(pc.less_equal(tx.as_text(ticket_ids), pa.scalar(greatest, tx.TEXT)))


def plan_upsert(complaints: pd.DataFrame, existing: pd.DataFrame) -> UpsertPlan:
    """Compare a batch with the stored fingerprints (``existing``: ticket_id, content_hash)."""
    if existing.empty:  # nothing stored (a first load, new tickets): no lookup needed
        return UpsertPlan(
            inserts=complaints.reset_index(drop=True),
            updates=complaints.iloc[:0].reset_index(drop=True),
            unchanged=0,
        )
    known = existing.set_index("ticket_id")["content_hash"]
    previous = complaints["ticket_id"].map(known)
    new = previous.isna()
    changed = ~new & (previous != complaints["content_hash"])
    return UpsertPlan(
        inserts=complaints[new].reset_index(drop=True),
        updates=complaints[changed].reset_index(drop=True),
        unchanged=int((~new & ~changed).sum()),
    )

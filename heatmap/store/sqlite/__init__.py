"""SQLite store: the embedded default. Needs nothing beyond Python.

One module per subject of :class:`heatmap.store.Store`, all on one connection
(:class:`~heatmap.store.sqlite.schema.SQLiteBase`):

- :mod:`~heatmap.store.sqlite.schema`: the connection, transactions, migrations, secret, purge;
- :mod:`~heatmap.store.sqlite.ingest` and :mod:`~heatmap.store.sqlite.complaints`: complaints
  (the ingest's bulk path in :mod:`~heatmap.store.sqlite.bulk`);
- :mod:`~heatmap.store.sqlite.spots`: spots and their events;
- :mod:`~heatmap.store.sqlite.ground`: network sites and alarms, exposure, coverage;
- :mod:`~heatmap.store.sqlite.keys`: API keys;
- :mod:`~heatmap.store.sqlite.outbox`: close-out.
"""

from __future__ import annotations

from heatmap.store.migrate import migrations
from heatmap.store.sqlite.complaints import SQLiteComplaints
from heatmap.store.sqlite.ground import SQLiteGround
from heatmap.store.sqlite.ingest import SQLiteIngest
from heatmap.store.sqlite.keys import SQLiteKeys
from heatmap.store.sqlite.outbox import SQLiteOutbox
from heatmap.store.sqlite.spots import SQLiteSpots

__all__ = ["SQLiteStore", "migrations"]


class SQLiteStore(SQLiteIngest, SQLiteComplaints, SQLiteSpots, SQLiteGround, SQLiteKeys, SQLiteOutbox):
    """:class:`heatmap.store.Store` on a SQLite file."""

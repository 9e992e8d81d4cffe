"""Stores behind one protocol (:class:`Store`, the union of one protocol per subject,
:mod:`heatmap.store.protocols`); :func:`open_store` picks the adapter by URL."""

from __future__ import annotations

from heatmap.errors import UsageError
from heatmap.store.protocols import (
    ComplaintStore,
    GroundStore,
    KeyStore,
    OutboxStore,
    SchemaStore,
    SpotStore,
    Store,
)
from heatmap.store.writes import IngestWrite, SpotChanges


def open_store(url: str) -> Store:
    """Open the store at ``url`` (``sqlite:///path.db`` or ``postgresql://…``)."""
    if url.startswith("sqlite:"):
        from heatmap.store.sqlite import SQLiteStore

        return SQLiteStore(url)
    if url.startswith(("postgresql:", "postgres:", "postgis:")):
        try:
            from heatmap.store.postgis import PostGISStore  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:
            raise UsageError(
                f"the PostGIS store needs psycopg and pgpq ({exc.name} is missing):"
                " pip install 'teplokarty[postgis]'"
            ) from exc
        store: Store = PostGISStore(url)
        return store
    raise UsageError(f"unknown store URL {url!r}: use sqlite:///FILE or postgresql://…")


__all__ = [
    "ComplaintStore",
    "GroundStore",
    "IngestWrite",
    "KeyStore",
    "OutboxStore",
    "SchemaStore",
    "SpotChanges",
    "SpotStore",
    "Store",
    "open_store",
]

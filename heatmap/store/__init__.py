"""Stores behind one protocol (:class:`Store`, the union of one protocol per subject,
:mod:`heatmap.store.protocols`); :func:`open_store` picks the adapter by URL."""

from __future__ import annotations

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from pydantic import SecretStr


def open_store(url: str, *, secret_key: SecretStr | None = None) -> Store:
    """Open the store at ``url`` (``sqlite:///path.db`` or ``postgresql://…``); its keyed
    hashes use ``secret_key`` (the operator's ``HEATMAP_SECRET_KEY``) when given, else the
    store's own key (:func:`heatmap.store.secrets.hash_key`)."""
    if url.startswith("sqlite:"):
        from heatmap.store.sqlite import SQLiteStore

        return SQLiteStore(url, secret_key=secret_key)
    if url.startswith(("postgresql:", "postgres:", "postgis:")):
        try:
            from heatmap.store.postgis import PostGISStore  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:
            raise UsageError(
                f"the PostGIS store needs psycopg and pgpq ({exc.name} is missing):"
                " pip install 'teplokarty[postgis]'"
            ) from exc
        store: Store = PostGISStore(url, secret_key=secret_key)
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

"""The geocoding seam: every geocoder (gazetteer, online) answers in the same frame."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pandas as pd

#: Columns of a geocoding answer, one row per input address, in input order.
#: lat/lon are float (NaN when unmatched), precision one of Precision's values,
#: score in 0..1, matched the canonical address (None when unmatched) and
#: reason a short explanation in Russian when precision is below ``house`` (else None).
GEOCODE_COLUMNS: tuple[str, ...] = ("lat", "lon", "precision", "score", "matched", "reason")


class Geocoder(Protocol):
    """Turns free-text addresses into points with a precision."""

    def geocode(self, addresses: Sequence[str | None], *, city: str | None = None) -> pd.DataFrame:
        """Answer one row per address, in order, with :data:`GEOCODE_COLUMNS`.

        ``city`` is a hint used when an address names no settlement.
        Never raises for a bad address: it gets precision ``none`` and a reason.
        """
        ...

"""Read a subscriber-density layer (``h3_cell, subscribers``) from a CSV file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from heatmap.core.density import check_density
from heatmap.errors import InputError

__all__ = ["read_density"]


def read_density(path: str | Path) -> pd.DataFrame:
    """A density CSV (``h3_cell, subscribers``; extra columns ignored), checked."""
    try:
        frame = pd.read_csv(path, dtype={"h3_cell": str})
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the density CSV: {exc}") from exc
    return check_density(frame, origin=str(path))

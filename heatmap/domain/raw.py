"""A CRM export as read, before validation: what the file readers hand to the core."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["RawExport"]


@dataclass
class RawExport:
    """Rows of one export as text, with the line (CSV/JSONL) or row (Parquet) numbers."""

    source: str
    rows: pd.DataFrame
    line: np.ndarray
    #: (line, raw text, reason) of lines that could not be parsed at all.
    broken: list[tuple[int, str, str]] = field(default_factory=list)
    #: True when the reader saw that no value holds U+0000, so validation need not look.
    nul_free: bool = False

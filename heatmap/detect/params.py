"""The count rule's parameters, light: what ``detect-file --rule count`` needs, without the
expected rule's machinery (:class:`heatmap.detect.run.DetectParams` imports pandas and
the significance tests, a third of a second before any row is read).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class CountParams:
    """Spots by the fixed count: at least ``min_subscribers`` distinct complainants in an
    H3 cell at ``h3_res`` (``method="h3"``) or within ``eps_m`` metres (``"dbscan"``),
    counted over the last ``window_days`` when the rows have times."""

    method: str
    h3_res: int
    eps_m: float
    min_subscribers: int
    window_days: float
    rule: ClassVar[str] = "count"

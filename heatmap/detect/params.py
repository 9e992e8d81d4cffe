"""A detection run's parameters, light: importing them loads neither pandas nor the expected
rule's machinery (the significance tests, a third of a second before any row is read), so
``detect-file --rule count`` builds them without either. :mod:`heatmap.detect.run`
re-exports :class:`DetectParams`.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Detection rules: significant excess over the expected count, or the old fixed count.
RULES: tuple[str, ...] = ("expected", "count")

#: Clustering methods: H3 cells, or DBSCAN within ``eps_m`` metres.
METHODS: tuple[str, ...] = ("h3", "dbscan")


@dataclass(frozen=True)
class DetectParams:
    """Spots by ``rule``: at least ``min_subscribers`` distinct complainants (``count``),
    or a significant excess over the expected count (``expected``), in an H3 cell at
    ``h3_res`` (``method="h3"``) or within ``eps_m`` metres (``"dbscan"``), counted over
    the last ``window_days`` when the rows have times."""

    method: str = "h3"
    h3_res: int = 9
    eps_m: float = 250.0
    min_subscribers: int = 3
    window_days: float = 30.0
    #: ``expected`` (significant excess, the default) or ``count`` (≥ min_subscribers)
    rule: str = "expected"
    #: false discovery rate of the expected rule's tests (0.003: chosen on the quality
    #: benchmark's seeds 0-19, checked on seeds 20-39; README, "Choosing q")
    q: float = 0.003
    #: shorter windows (days) also scanned by the expected rule
    scan_days: tuple[float, ...] = (1.0, 3.0, 7.0)
    #: how far back the store's history is read (expected rule: each district's past rate)
    history_days: float = 180.0

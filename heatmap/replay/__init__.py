"""Replay: days of a simulated city through the whole product, reported by outcome.

:func:`load_world` plans the city (houses, incidents, candidate complaints) and
:func:`run_replay` runs it through ingest, detection, the engineers' workflow and the SMS
close-out on a store of its own, returning the outcome report (:data:`KEYS` first), the
daily series and the frames behind them.
"""

from __future__ import annotations

from heatmap.replay.config import ReplayConfig, load_config
from heatmap.replay.report import KEYS, NOTES, daily, outcome_report
from heatmap.replay.session import ReplayResult, compare, load_world, run_replay

__all__ = [
    "KEYS",
    "NOTES",
    "ReplayConfig",
    "ReplayResult",
    "compare",
    "daily",
    "load_config",
    "load_world",
    "outcome_report",
    "run_replay",
]

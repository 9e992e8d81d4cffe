"""Detection says which phase it is in: `heatmap detect` ran ~24 s on 300,000 complaints
with nothing on the screen."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from heatmap.core.policy import load_policy
from heatmap.detect.params import DetectParams
from heatmap.service import detect_spots, ingest
from heatmap.service.pipeline import DETECT_PHASES
from heatmap.store import Store


@pytest.mark.parametrize("rule", ["expected", "count"])
def test_detection_tells_each_phase_in_order(
    store: Store, sample_export: Path, now: datetime, rule: str
) -> None:
    ingest(store, [sample_export], now=now)
    told: list[str] = []
    report = detect_spots(
        store, params=DetectParams(rule=rule), policy=load_policy(), now=now, progress=told.append
    )
    assert told == list(DETECT_PHASES)
    assert report.spots >= 1

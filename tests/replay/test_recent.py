"""The replay's store remembers the recent complaints detection reads: at every detection
run the frame the store itself gives, while only the complaints made since the last read
come from the store again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from heatmap.replay.config import ReplayConfig
from heatmap.replay.recent import RecentComplaints, as_read
from heatmap.replay.session import load_world, run_replay

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "vologda_addresses.csv"
CONFIG = ReplayConfig(
    days=3, seed=1, incidents_per_week=21, background_per_day=30, reply_share=0.9, detect_every_hours=3
)


def test_detection_reads_what_the_store_holds_reading_again_only_new_complaints(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    given: list[int] = []  # rows detection was given, run by run
    read: list[int] = []  # rows read from the store for them
    alarms: list[int] = []  # alarms detection was given, run by run
    remembered = RecentComplaints.load_complaints

    def compared(self: RecentComplaints, *, since: Any = None, **filters: Any) -> pd.DataFrame:
        if since is None or any(filters.values()):
            return remembered(self, since=since, **filters)
        store = self._store
        whole = type(store).load_complaints

        def counted(**asked: Any) -> pd.DataFrame:
            found = whole(store, **asked)
            read.append(len(found))
            return found

        setattr(store, "load_complaints", counted)  # noqa: B010 - this store object only
        try:
            frame = remembered(self, since=since)
        finally:
            delattr(store, "load_complaints")
        stored = whole(store, since=since)
        if "postgis" in store_url:  # PostgreSQL orders complaints made in the same second as it likes
            frame, stored = (
                f.sort_values(["created_at", "ticket_id"], ignore_index=True) for f in (frame, stored)
            )
        pd.testing.assert_frame_equal(frame, stored, check_exact=True)
        given.append(len(stored))
        for network in ("load_sites", "load_alarms"):  # read once, again after a change
            pd.testing.assert_frame_equal(
                getattr(self, network)(), getattr(store, network)(), check_exact=True
            )
        alarms.append(len(self.load_alarms()))
        return frame

    monkeypatch.setattr(RecentComplaints, "load_complaints", compared)
    result = run_replay(load_world(SAMPLE, CONFIG), replace(CONFIG, days=2), db=store_url)
    assert result.report["complaints"] > 0 and len(given) == 16
    assert given[-1] > 100 and (result.frames.complaints["spot_id"].notna()).any()
    assert sum(read) < sum(given) / 3, "detection read every recent complaint again"
    assert len(set(alarms)) > 1, "the alarm list changed during the replay"


def test_as_read_gives_the_dtypes_a_store_gives() -> None:
    frame = pd.DataFrame(
        {
            "ticket_id": pd.Series(["a", "b"], dtype="str"),
            "spot_id": pd.Series([None, "S1"], dtype=object),
            "address": pd.Series([None, None], dtype=object),
            "topic": pd.Series([float("nan"), None], dtype=object),
            "lat": [59.0, None],
        }
    )
    out = as_read(frame)
    assert str(out["spot_id"].dtype) == "str" and out["spot_id"].isna().tolist() == [True, False]
    assert out["address"].dtype == object and out["address"].tolist() == [None, None]
    assert out["topic"].tolist() == [None, None] and out["lat"].dtype == float

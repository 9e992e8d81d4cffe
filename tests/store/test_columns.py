"""Spot columns as stores write and read them: measures float, trend text or None,
found_at in UTC, whatever form the frame gave them in."""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatmap.store.columns import SPOT_COLUMNS, SPOT_MEASURES, typed_spot_measures

FOUND = ["2026-11-20T12:00:00.000000Z", None, "2026-11-21T09:30:00.000000Z"]


def frame(**columns: object) -> pd.DataFrame:
    base: dict[str, object] = {"id": ["A", "B", "C"], "trend": ["new", None, np.nan], "found_at": FOUND}
    for name in SPOT_MEASURES:
        base[name] = [1.5, np.nan, 3.0]
    return pd.DataFrame({**base, **columns})


def test_measures_are_floats_and_found_at_utc_from_every_form_given() -> None:
    utc = pd.to_datetime(pd.Series(FOUND), utc=True)
    given = [
        frame(),  # floats and text
        frame(observed=[1, None, 3], p_value=pd.array([1, None, 3], dtype="Int64")),  # objects, ints
        frame(expected=np.array([1.5, np.nan, 3.0], dtype=np.float32)),
        frame(found_at=utc),  # parsed already
        frame(found_at=utc.dt.tz_convert("Europe/Moscow")),  # another zone
        frame(found_at=utc.dt.tz_localize(None)),  # naive: read as UTC
    ]
    for spots in given:
        typed = typed_spot_measures(spots)
        assert list(typed.columns) == list(SPOT_COLUMNS)
        for name in SPOT_MEASURES:
            assert typed[name].dtype == np.float64, name
            assert typed[name].isna().tolist() == [False, True, False], name
        assert typed["trend"].tolist() == ["new", None, None]
        assert (
            isinstance(typed["found_at"].dtype, pd.DatetimeTZDtype)
            and str(typed["found_at"].dtype.tz) == "UTC"
        )
        assert typed["found_at"].dt.tz_convert("UTC").tolist()[::2] == utc.tolist()[::2]
        assert typed["found_at"].isna().tolist() == [False, True, False]


def test_a_frame_without_the_later_columns_gets_them_empty() -> None:
    typed = typed_spot_measures(pd.DataFrame({"id": ["A"]}))
    assert typed[list(SPOT_MEASURES)].isna().all().all() and typed["found_at"].isna().all()
    assert typed["trend"].tolist() == [None]

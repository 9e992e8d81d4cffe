"""How the CLI prints values: missing is blank in tables and null in JSON."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pandas as pd
from rich.console import Console

from heatmap.cli.output import cell, table


def test_missing_values_are_blank_cells() -> None:
    for missing in (None, float("nan"), np.float32("nan"), np.float64("nan"), pd.NaT, pd.NA):
        assert cell(missing) == "", repr(missing)
    assert cell("nan") == "nan", "a text that says nan is the text, not a missing value"
    assert cell(1.5) == "1.5" and cell(np.int64(3)) == "3" and cell(0) == "0"
    assert cell(pd.Timestamp("2026-11-25T12:00:00Z")) == "2026-11-25 12:00:00+00:00"


def test_a_frame_with_gaps_prints_no_nan() -> None:
    frame = pd.DataFrame(
        {
            "eta": pd.to_datetime([None, "2026-11-25T12:00:00Z"], utc=True),
            "cause": [None, "power"],
            "sla": [math.nan, 3.5],
            "count": pd.array([pd.NA, 2], dtype="Int64"),
        }
    )
    console = Console(file=io.StringIO(), width=200)
    console.print(table("t", list(frame.columns), frame.itertuples(index=False)))
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert "2026-11-25" in printed and "power" in printed and "3.5" in printed
    for word in ("nan", "NaT", "<NA>", "None"):
        assert word not in printed


def test_json_has_null_never_nan(capsys: object) -> None:
    from heatmap.cli.output import emit_json

    emit_json({"a": float("nan"), "b": pd.NaT, "c": [np.float64("inf")], "d": pd.NA})
    text = capsys.readouterr().out  # type: ignore[attr-defined]
    assert json.loads(text) == {"a": None, "b": None, "c": [None], "d": None}

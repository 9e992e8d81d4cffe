"""'lat and lon must be given together' quotes what the row gave, as the other value
checks do: it alone said nothing of the values, so an operator could not tell which
half was there, nor what it held."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heatmap.core.ingest import validate_export
from heatmap.domain.raw import RawExport
from heatmap.io.reasons import parse_reasons

ROW = {"ticket_id": "100", "created_at": "2026-12-01T10:00:00+03:00", "segment": "mass", "address": ""}


@pytest.mark.parametrize(
    ("point", "value", "russian"),
    [
        (
            {"lat": "59,22"},
            "'lat=59,22, lon='",
            "lat и lon указываются только вместе (указано 'lat=59,22, lon=')",
        ),
        (
            {"lon": " 39.88 "},
            "'lat=, lon=39.88'",
            "lat и lon указываются только вместе (указано 'lat=, lon=39.88')",
        ),
    ],
)
def test_half_a_point_is_quarantined_with_both_values(
    point: dict[str, str], value: str, russian: str
) -> None:
    rows = pd.DataFrame([{**ROW, "lat": "", "lon": "", **point}], dtype=str)
    checked = validate_export(RawExport("crm.csv", rows, np.array([2])), key=b"k" * 32)
    reasons = parse_reasons(str(checked.quarantine["reasons"].iloc[0]))
    together = next(r for r in reasons if r.code == "lat_lon_together")
    assert together.value == value
    assert together.text("ru") == russian
    assert together.text("en") == f"lat and lon must be given together (got {value})"

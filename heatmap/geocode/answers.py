"""The answer frame shared by every geocoder (see :data:`GEOCODE_COLUMNS`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from heatmap.geocode.base import GEOCODE_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

#: One answer: lat, lon, precision, score, matched, reason.
Answer = tuple[float, float, str, float, str | None, str | None]


def no_match(reason: str) -> Answer:
    """An answer with precision ``none``: no point, score 0, the reason."""
    return (math.nan, math.nan, "none", 0.0, None, reason)


def answers_frame(rows: Sequence[Answer]) -> pd.DataFrame:
    """Answers as a frame with float lat/lon/score and None (not NaN) for missing text."""
    import pandas as pd

    frame = pd.DataFrame.from_records(list(rows), columns=list(GEOCODE_COLUMNS))
    for col in ("lat", "lon", "score"):
        frame[col] = frame[col].astype(float)
    for col in ("precision", "matched", "reason"):
        values = frame[col].astype(object)
        frame[col] = values.where(values.notna(), None)
    return frame

"""How many dwellings a registry house holds: what weighs a house in the exposure.

People complain, not houses: a 17-storey block of 400 flats and a two-storey house of 8
are one address each, but 50 times apart in the complainants to expect. The housing
registries (``housedata_*.csv``) give the number of living premises
(``ROOM_COUNT_LIVE``) for 13 % (Omsk) to 89 % (Moscow) of their houses, most about half,
and the living area (``AREA_LIVE``, m²) for more of them. A house's **dwellings** are:

* its living premises, where given (1..:data:`MAX_DWELLINGS`);
* else its living area over the registry's median living area per dwelling (among the
  houses that give both), where the area is given — at most as many as the registry's
  largest house that gives its premises (an area typed in the wrong unit is not a city);
* else unknown (NaN).

When weighing houses (:func:`house_weights`), a house of unknown dwellings weighs the
median of the known houses of the same set; a set with none known weighs every house 1,
as if counting houses.

Pure: arrays in, arrays out; no I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: A value of living premises above this is a typo, not a house (the registries' largest
#: blocks hold under 1,000).
MAX_DWELLINGS = 2_000.0
#: Living area per dwelling (m²) when no house gives both figures.
AREA_PER_DWELLING_M2 = 50.0


def _numbers(values: pd.Series) -> np.ndarray:
    """Numbers written in a registry cell ("52", "1 234,5"); anything else NaN."""
    text = values.astype("string").str.replace(r"\s", "", regex=True).str.replace(",", ".", regex=False)
    return np.asarray(pd.to_numeric(text, errors="coerce"), dtype=np.float64)


def registry_dwellings(rooms: pd.Series | None, area: pd.Series | None, n: int) -> np.ndarray:
    """Dwellings of each of ``n`` houses from a registry's living premises and living area
    (either may be None: the registry has no such column); NaN where neither tells."""
    count = _numbers(rooms) if rooms is not None else np.full(n, np.nan)
    count = np.where((count >= 1) & (count <= MAX_DWELLINGS), np.round(count), np.nan)
    if area is None:
        return count
    living = _numbers(area)
    living = np.where(living > 0, living, np.nan)
    both = np.isfinite(count) & np.isfinite(living)
    per = float(np.median(living[both] / count[both])) if both.any() else AREA_PER_DWELLING_M2
    largest = float(np.nanmax(count)) if np.isfinite(count).any() else MAX_DWELLINGS
    from_area = np.clip(np.round(living / per), 1.0, largest)
    return np.where(np.isfinite(count), count, from_area)


def house_weights(dwellings: np.ndarray) -> np.ndarray:
    """Each house's weight in the exposure: its dwellings, the median of the known ones
    where unknown, 1 for every house when none is known."""
    values = np.asarray(dwellings, dtype=np.float64)
    known = np.isfinite(values) & (values > 0)
    if not known.any():
        return np.ones(len(values))
    return np.where(known, values, float(np.median(values[known])))

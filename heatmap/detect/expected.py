"""The expected number of complainants for every place and time window.

A place's expected count in the last ``d`` days is ``λ_d · A``: ``A`` its adjusted
exposure, ``λ_d`` the city's complainants per unit of exposure in those days.

* **Exposure** ``X`` — the weight of the exposure points in the place (subscribers,
  else houses, else uniform over the populated area: :mod:`heatmap.detect.exposure`).
  A place with complaints but no exposure gets a floor of a quarter of the mean
  populated cell: people complain from roads and parks too.
* **History** — when complaints older than the window are given (the background: not
  in a spot), each cell's district's long-run relative rate ``h``
  (:mod:`heatmap.detect.history`: learnt over ~5 km², without the places whose past was
  itself in excess, shrunk towards 1, within 0.2..5) multiplies its exposure:
  ``A = max(X, floor) · h``. A district that always complains more than its houses
  explain is expected to; a place within it that always complains more is a persistent
  spot. With less history than one window the factor is 1.
* **Rate** — ``λ_d = Σ o / Σ A`` over the city's cells, then again without the cells
  found in excess, until the cells found stay the same, so that outages do not raise
  everyone's expectation (in a small town a busy week's outages can outnumber its
  background).

Counting is by distinct complainant per cell, each with the largest precision weight of
their complaints there. Pure: no I/O, no clock (``now`` is a parameter).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from heatmap.core.cells import cells_of
from heatmap.detect.exposure import exposure_cells, uniform_points
from heatmap.detect.history import history_factor
from heatmap.detect.stats import benjamini_hochberg, poisson_tail_at_most, poisson_upper_tail
from heatmap.detect.strength import Strength
from heatmap.domain import PRECISION_WEIGHT

#: Exposure floor, as a share of the mean populated cell.
EXPOSURE_FLOOR = 0.25
#: Pseudo-complainants of a shorter window's rate prior (:func:`estimate_rates`).
RATE_PRIOR = 5.0
#: At most this many estimates of the rates, each without the cells the last found in
#: excess (they stop as soon as the cells found stay the same).
RATE_PASSES = 8
#: A spot's own test is at least as strict as a family-wise error rate of this over all
#: the cells' tests (:meth:`CellTests.spot_cutoffs`).
SPOT_FWER = 0.05
#: A spot resting on a whole window of up to :data:`LONG_WEEK` days gets this share of a
#: short window's Bonferroni threshold (:meth:`CellTests.spot_cutoffs`)…
LONG_WEIGHT = 0.1
#: …and a longer whole window this many days' share of it (a month's: 7/30 of a tenth).
LONG_WEEK = 7.0


@dataclass(frozen=True)
class Cells:
    """Cells (uint64 at one resolution) with their adjusted exposure ``A``."""

    res: int
    index: pd.Index  # uint64 cell ids
    adjusted: np.ndarray  # A per cell
    exposure: np.ndarray  # X per cell (before floor and history)
    history: np.ndarray  # h per cell
    points: pd.DataFrame  # the exposure points used (lat, lon, weight)
    floor: float  # the exposure floor of one cell

    def position(self, cells: np.ndarray) -> np.ndarray:
        """Each cell's position in :attr:`index` (−1: not there)."""
        return np.asarray(self.index.get_indexer(cells), dtype=np.int64)


@dataclass
class Expectation:
    """Rates per scan window over one set of cells."""

    cells: Cells
    windows: tuple[float, ...]
    rates: dict[float, float] = field(default_factory=dict)

    def expected(self, adjusted: np.ndarray | float, days: float) -> np.ndarray:
        return np.asarray(adjusted, dtype=np.float64) * self.rates[days]


def point_weights(points: pd.DataFrame) -> np.ndarray:
    """Precision weight of each complaint (house/point 1, street 0.5, else 0)."""
    if "precision" not in points:
        return np.ones(len(points))
    codes, values = pd.factorize(points["precision"])
    if not len(values):
        return np.zeros(len(points))
    table = np.array([PRECISION_WEIGHT.get(v, 0.0) for v in values] + [0.0], dtype=np.float64)
    return np.asarray(table[codes], dtype=np.float64)  # code -1 (missing) takes the last: 0


def _history_weights(history: pd.DataFrame) -> np.ndarray:
    """Each past complaint's weight: its precision's, times its ``history_weight`` (a past
    spot's members count by their expected share) where given."""
    weight = point_weights(history)
    if "history_weight" in history:
        weight = weight * history["history_weight"].to_numpy(np.float64)
    return weight


def scan_windows(window_days: float, scan_days: tuple[float, ...]) -> tuple[float, ...]:
    """The windows tested: the scan lengths shorter than the window, and the window."""
    return tuple(sorted({float(d) for d in scan_days if 0 < d < window_days} | {window_days}))


@dataclass(frozen=True)
class Complaints:
    """The columns of the window's complaints the expected rule reads, read once:
    coordinates, complainant codes, precision weights, creation times and H3 cells."""

    lat: np.ndarray
    lon: np.ndarray
    who: np.ndarray  # int64 codes of subscriber_id (−1: missing)
    weight: np.ndarray
    created: pd.Series | None  # created_at in UTC (None: not given)
    cells: np.ndarray  # uint64 cell of each complaint at ``res``
    res: int

    @classmethod
    def of(cls, points: pd.DataFrame, res: int) -> Complaints:
        lat = points["lat"].to_numpy(float)
        lon = points["lon"].to_numpy(float)
        # factorized as a Series: an Arrow-backed column is hashed by Arrow, not copied out
        who = np.asarray(pd.factorize(points["subscriber_id"])[0], dtype=np.int64)
        created = (
            pd.to_datetime(points["created_at"], utc=True).reset_index(drop=True)
            if "created_at" in points
            else None
        )
        return cls(
            lat=lat,
            lon=lon,
            who=who,
            weight=point_weights(points),
            created=created,
            cells=cells_of(lat, lon, res),
            res=res,
        )

    def span_days(self, now: pd.Timestamp) -> float | None:
        """Days from the earliest complaint to ``now`` (None: no times given)."""
        if self.created is None or self.created.empty:
            return None
        return float((now - self.created.min()).total_seconds()) / 86_400.0

    def in_window(self, now: pd.Timestamp, days: float) -> np.ndarray:
        """Mask of the complaints made in the last ``days`` days before ``now``."""
        if self.created is None:
            return np.ones(len(self.lat), dtype=bool)
        return np.asarray((self.created > now - pd.Timedelta(days=days)).to_numpy(), dtype=bool)


def build_cells(
    points: pd.DataFrame,
    exposure: pd.DataFrame | None,
    *,
    res: int,
    history: pd.DataFrame | None,
    window_days: float,
    complaints: Complaints | None = None,
) -> Cells:
    """Cells holding a complaint or exposure, with their adjusted exposure
    (``complaints``: the points' columns already read at ``res``, to save reading them)."""
    if exposure is None or exposure.empty:
        past = points if history is None or history.empty else pd.concat([points, history])
        exposure = uniform_points(past["lat"].to_numpy(float), past["lon"].to_numpy(float))
    x_cells = exposure_cells(exposure, res)  # a layer's points: from their own cells
    p_cells = (
        complaints.cells
        if complaints is not None and complaints.res == res
        else cells_of(points["lat"].to_numpy(float), points["lon"].to_numpy(float), res)
    )
    # hashed apart first: each side holds few distinct cells, so few are sorted
    index = pd.Index(_sorted_unique(np.concatenate([pd.unique(x_cells), pd.unique(p_cells)])))
    x = np.bincount(
        index.get_indexer(x_cells), weights=exposure["weight"].to_numpy(float), minlength=len(index)
    )
    populated = x > 0
    floor = EXPOSURE_FLOOR * float(x[populated].mean()) if populated.any() else 1.0
    base = np.maximum(x, floor)
    weight = None if history is None else _history_weights(history)
    factor = history_factor(history, index, base, res=res, window_days=window_days, weight=weight)
    return Cells(
        res=res, index=index, adjusted=base * factor, exposure=x, history=factor, points=exposure, floor=floor
    )


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of a flat array, by one sort."""
    v = np.sort(values)
    if v.size == 0:
        return v
    unique: np.ndarray = v[np.concatenate([[True], v[1:] != v[:-1]])]
    return unique


def estimate_rates(
    expectation: Expectation,
    observed: dict[float, np.ndarray],
    excluded: np.ndarray | None = None,
    *,
    span_days: float | None = None,
) -> None:
    """``λ_d`` for every window from per-cell observed counts, leaving out ``excluded``.

    The longest window's rate is its complainants over its exposure. A shorter window
    holds few complainants in a small town, and after the places in excess are left
    out, a quiet day may hold none: a rate of 0 would expect nothing anywhere, and every
    complainant of that day would be a certain excess. So a shorter window's rate is
    shrunk towards the longest one's, scaled to its length (``span_days``: the days the
    complaints actually span, at most the longest window): a gamma prior of
    :data:`RATE_PRIOR` pseudo-complainants, ``λ_d = (O_d + κ) / (ΣA + κ / μ_d)`` with
    ``μ_d = λ_W · d / span``. Where hundreds complain a day it moves the rate by a few
    per cent at most. When no cell outside ``excluded`` has a complainant at all, the
    rates are those of every cell: expecting nothing anywhere would make any complainant
    a certain excess."""
    a = expectation.cells.adjusted
    keep = np.ones(len(a), dtype=bool) if excluded is None else ~excluded
    whole = max(observed)
    if excluded is not None and not observed[whole][keep].any():
        # nothing complains outside the places in excess (a new store holding one
        # outage): their own complainants are all there is to tell the rate
        keep = np.ones(len(a), dtype=bool)
    total_a = float(a[keep].sum())
    if total_a <= 0:
        expectation.rates.update({days: 0.0 for days in observed})
        return
    long_rate = float(observed[whole][keep].sum()) / total_a
    span = whole if span_days is None else min(max(span_days, 1e-9), whole)
    for days, o in observed.items():
        count = float(o[keep].sum())
        prior = long_rate * min(days / span, 1.0)
        if days == whole or prior <= 0:
            expectation.rates[days] = count / total_a
        else:
            expectation.rates[days] = (count + RATE_PRIOR) / (total_a + RATE_PRIOR / prior)


@dataclass(frozen=True)
class CellTests:
    """Per cell and window: observed, expected, p-value (1.0 above the level the tests
    were asked to compute, :func:`test_cells`); and the cells in excess."""

    observed: dict[float, np.ndarray]
    expected: dict[float, np.ndarray]
    p_value: dict[float, np.ndarray]
    significant: np.ndarray  # per cell: in significant excess in some window
    #: the threshold places are judged at: Benjamini–Hochberg's q·k/m, and at least q/m
    #: (its first step), so that with no single cell rejected a disc or a DBSCAN
    #: neighbourhood can still pass (0.0: nothing tested)
    cutoff: float
    tested: dict[float, int] = field(default_factory=dict)  # per window: tests made

    def spot_cutoffs(self) -> dict[float, float]:
        """Per window: what a spot's own test in it must reach. The cells' threshold,
        and no looser than :data:`SPOT_FWER` over all ``m`` tests (Bonferroni):
        Benjamini–Hochberg's threshold loosens with every real concentration found —
        right for choosing the cells to look at, but in a busy week it would also pass
        chance clusters of the background as spots.

        The whole window's tests are weighted down to :data:`LONG_WEIGHT` (weighted
        Bonferroni, still within the family-wise rate): over a month, a place's
        complainants are many and the exposure model's small errors add up, so chance
        clusters of the background there are the largest; and a chronic problem does
        not go away — waiting a few days for stronger evidence costs little, while a
        false chronic spot sends a crew to plan construction. An outage is found in
        the short windows at the full threshold. A whole window longer than
        :data:`LONG_WEEK` days gets a share of the weight in proportion (a month's:
        7/30 of it): the model's errors add up over every day of it, and in the quality
        benchmark the largest chance clusters of the background were all month-long."""
        m = sum(self.tested.values())
        if not m:
            return {days: self.cutoff for days in self.tested}
        whole = max(self.tested)
        long_weight = LONG_WEIGHT * min(1.0, LONG_WEEK / whole) if len(self.tested) > 1 else 1.0
        return {
            days: min(self.cutoff, SPOT_FWER * (long_weight if days == whole else 1.0) / m)
            for days in self.tested
        }


def test_cells(
    points: pd.DataFrame,
    cells: Cells,
    *,
    windows: tuple[float, ...],
    now: pd.Timestamp,
    q: float,
    min_subscribers: int,
    complaints: Complaints | None = None,
    place: np.ndarray | None = None,
    tails_up_to: float = 1.0,
) -> tuple[Expectation, CellTests]:
    """Poisson tests of every cell in every window, false discovery rate ``q`` overall.

    A cell is in excess when some window's test is rejected by Benjamini–Hochberg over
    all (cell, window) tests with a complainant, and that window holds at least
    ``min_subscribers`` of them. Rates are estimated again without the cells in excess
    until those stay the same (at most :data:`RATE_PASSES` times). ``complaints``: the
    points' columns already read at the cells' resolution; ``place``: their cells'
    positions. The p-values are exact where at most ``tails_up_to`` and 1.0 elsewhere
    (less work, where no test here or after looks at larger ones).
    """
    if complaints is None or complaints.res != cells.res:
        complaints = Complaints.of(points, cells.res)
    if place is None:
        place = cells.position(complaints.cells)
    strength = Strength(place, complaints.who, complaints.weight, len(cells.index))
    observed = {days: strength.count(complaints.in_window(now, days)) for days in windows}
    expectation = Expectation(cells=cells, windows=windows)
    excluded = np.zeros(len(cells.index), dtype=bool)
    span = complaints.span_days(now)
    complained = {d: np.flatnonzero(observed[d] > 0) for d in windows}  # the others' tails are 1
    for _ in range(RATE_PASSES):
        estimate_rates(expectation, observed, excluded, span_days=span)
        expected = {d: expectation.expected(cells.adjusted, d) for d in windows}
        p = {d: _tails(observed[d], expected[d], tails_up_to, complained[d]) for d in windows}
        found, cutoff, tested = _significant(observed, p, complained, q=q, min_subscribers=min_subscribers)
        if np.array_equal(found, excluded):
            break
        excluded = found
    return expectation, CellTests(observed, expected, p, excluded, cutoff, tested)


def _tails(observed: np.ndarray, expected: np.ndarray, up_to: float, at: np.ndarray) -> np.ndarray:
    """The tails of the cells ``at`` (1.0 elsewhere: cells without a complainant)."""
    out = np.ones(observed.shape, dtype=np.float64)
    if up_to >= 1.0:
        out[at] = poisson_upper_tail(observed[at], expected[at])
    else:
        out[at] = poisson_tail_at_most(observed[at], expected[at], up_to)
    return out


def _significant(
    observed: dict[float, np.ndarray],
    p: dict[float, np.ndarray],
    complained: dict[float, np.ndarray],
    *,
    q: float,
    min_subscribers: int,
) -> tuple[np.ndarray, float, dict[float, int]]:
    """Cells in excess, the threshold and the tests made per window: Benjamini–Hochberg
    over the tests of the cells with a complainant (``complained``, per window), taken
    window after window in the cells' order."""
    days = list(observed)
    rejected, cutoff = benjamini_hochberg(np.concatenate([p[d][complained[d]] for d in days]), q)
    found = np.zeros(next(iter(observed.values())).shape, dtype=bool)
    start = 0
    for d in days:
        at = complained[d]
        hit = at[rejected[start : start + at.size]]
        found[hit[observed[d][hit] >= min_subscribers - 1e-9]] = True
        start += at.size
    made = {d: int(complained[d].size) for d in days}
    m = start
    # With nothing rejected Benjamini–Hochberg ends at 0, which would leave a dozen
    # complainants spread over a few cells unfound on a quiet day, though found on a
    # busy one; its first step q/m is what a single rejection would have needed.
    floor = q / m if m else 0.0
    return found, max(cutoff, floor), made

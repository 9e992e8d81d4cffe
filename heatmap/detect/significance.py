"""The expected rule: spots are places whose complainants significantly exceed the
expected count (:mod:`heatmap.detect.expected`), tested in several time windows.

* **H3** — every cell with a complainant is tested in each scan window (the last 1, 3
  and 7 days and the whole window) against Poisson(λ_d · A); Benjamini–Hochberg keeps
  the false discovery rate over all those tests at ``q``; a cell is *in excess* when a
  rejected test of it holds at least ``min_subscribers`` complainants. Cells in excess
  sharing an edge form one spot: a spot grows only through cells that are themselves in
  excess, so the background never chains into a city-sized spot. A concentration split
  over neighbouring cells is also tested whole: each cell with its six neighbours, as a
  disc, at the same threshold; a passing disc admits those of its cells that are in
  local excess themselves (:mod:`heatmap.detect.cell_discs`). A spot whose cells hold
  two peaks with a real dip between them is split in two (:mod:`heatmap.detect.cell_peaks`).
* **DBSCAN** — the same test decides DBSCAN's core points: a location is core when the
  distinct complainants within eps of it exceed λ_d times the exposure within eps of it
  with a p-value at or below the cells' Benjamini–Hochberg threshold ``q·k/m`` (in some
  window) and number at least ``min_subscribers``. Neighbourhoods of nearby locations
  overlap, so one concentration would add dozens of discoveries to a false-discovery
  procedure of their own and loosen it for everyone: the cutoff comes from the cells,
  which do not overlap. Clusters are then DBSCAN's; a spot's area is the union of its
  core points' discs (:mod:`heatmap.detect.discs`).

A spot's complaints are those of its evidence's window, lengthened only while the extra
days are in excess themselves (:func:`_member_days`): a burst of a day is that day's
complainants, not a month of the place's ordinary ones.

Either way a spot is kept only when its own test — its distinct complainants against
the expected count of its area (its cells; for DBSCAN its discs), in its best window — is
at or below the cutoff too, and at or below 0.05/m (Bonferroni over the m cell tests;
the whole window's tests weighted down to a tenth, :meth:`CellTests.spot_cutoffs`): the
cutoff loosens with every real concentration, and in a busy week would pass chance
clusters of the background as spots. Its best window is the one whose p-value is
smallest against that window's threshold.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from heatmap.detect.cell_discs import LOCAL_P, disc_members
from heatmap.detect.cell_peaks import peak_parts
from heatmap.detect.discs import DbscanSpots, DbscanSteps, label_dbscan_expected
from heatmap.detect.expected import (
    CellTests,
    Complaints,
    Expectation,
    build_cells,
    scan_windows,
    test_cells,
)
from heatmap.detect.h3 import _components
from heatmap.detect.params import DetectParams
from heatmap.detect.stats import poisson_log_ratio, poisson_upper_tail
from heatmap.detect.strength import Strength

__all__ = ["EVIDENCE_COLUMNS", "DbscanSteps", "evidence", "label_expected"]

#: A longer window's extra days belong to a spot when their own complainants exceed their
#: expected count with a Poisson tail at most this (:func:`_member_days`). Every run tests
#: an open spot's extra days again, so at 0.01 a busy place's ordinary month joined a
#: week's burst by chance sooner or later (the replay's 90 days: 53 ordinary complainants
#: in one outage's spot), and joins then reached back to its month.
MEMBER_P = 0.001

#: Columns of a spot's evidence.
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "observed",
    "expected",
    "excess",
    "relative_risk",
    "p_value",
    "scan_days",
)


def label_expected(
    points: pd.DataFrame,
    params: DetectParams,
    *,
    exposure: pd.DataFrame | None,
    now: pd.Timestamp,
    history: pd.DataFrame | None = None,
    dbscan: DbscanSteps | None = None,
) -> tuple[np.ndarray, Expectation, pd.DataFrame]:
    """Spot label per point (-1 = not in a spot) by the expected rule, the expectation
    it used, and each spot's evidence (:func:`evidence`, indexed by label).

    ``points``: lat, lon, subscriber_id, precision, created_at of the window's
    complaints; ``exposure``: lat, lon, weight (None: uniform over the populated area);
    ``history``: older background complaints (not in a spot), or None; ``dbscan``:
    where DBSCAN's phases run (None: this process).
    """
    windows = scan_windows(params.window_days, params.scan_days if "created_at" in points else ())
    complaints = Complaints.of(points, params.h3_res)
    cells = build_cells(
        points,
        exposure,
        res=params.h3_res,
        history=history,
        window_days=params.window_days,
        complaints=complaints,
    )
    place = cells.position(complaints.cells)
    expectation, tests = test_cells(
        points,
        cells,
        windows=windows,
        now=now,
        q=params.q,
        min_subscribers=params.min_subscribers,
        tails_up_to=max(params.q, LOCAL_P),
        complaints=complaints,
        place=place,
    )
    area: pd.Series | None = None  # a DBSCAN spot's adjusted exposure, by label
    if params.method == "dbscan":
        found_spots: DbscanSpots = label_dbscan_expected(
            complaints,
            place,
            eps_m=params.eps_m,
            min_subscribers=params.min_subscribers,
            expectation=expectation,
            now=now,
            cutoff=tests.cutoff,
            steps=dbscan or DbscanSteps(),
        )
        labels, area = found_spots.labels, found_spots.adjusted
    else:
        admitted = disc_members(
            expectation,
            tests.observed,
            tests.p_value,
            cutoff=tests.cutoff,
            min_subscribers=params.min_subscribers,
        )
        labels = _label_cells(complaints, place, expectation, tests.significant | admitted)
    found = _evidence(
        complaints, place, labels, expectation, now=now, area=area, cutoffs=tests.spot_cutoffs()
    )
    if params.method != "dbscan":
        labels, found = _split_at_saddles(complaints, place, labels, found, expectation, tests, now=now)
    weak = found.index[found["p_value"] > found["cutoff"]]
    if len(weak):
        labels = np.where(np.isin(labels, weak), -1, labels)
        kept = labels >= 0
        codes, old = pd.factorize(labels[kept], sort=False)
        labels[kept] = codes
        found = found.loc[old].set_axis(pd.RangeIndex(len(old)))
    labels = _in_member_window(labels, found, complaints, now)
    return labels, expectation, found.drop(columns=["member_days", "cutoff"])


def _in_member_window(
    labels: np.ndarray, found: pd.DataFrame, complaints: Complaints, now: pd.Timestamp
) -> np.ndarray:
    """``labels`` with each spot's complaints older than its member window
    (:func:`_member_days`) left out. A burst of a day is the day's complainants, not
    everyone who complained there over the month — they had other problems, and on
    resolve would be texted that this one was fixed."""
    member = np.flatnonzero(labels >= 0)
    if complaints.created is None or member.size == 0:
        return labels
    days = found["member_days"].to_numpy(np.float64)[labels[member]]
    age = (now - complaints.created.iloc[member]).dt.total_seconds().to_numpy(np.float64) / 86_400.0
    out = labels.copy()
    out[member[age >= days]] = -1
    return out


def _label_cells(
    complaints: Complaints, place: np.ndarray, expectation: Expectation, significant: np.ndarray
) -> np.ndarray:
    labels = np.full(len(place), -1, dtype=np.int64)
    if not significant.any():
        return labels
    cells = expectation.cells
    hot = np.asarray(cells.index, dtype=np.uint64)[significant]
    component = np.full(len(cells.index), -1, dtype=np.int64)
    component[significant] = _components(hot)
    of_point = component[place]
    in_spot = (of_point >= 0) & (complaints.weight > 0)
    labels[in_spot] = pd.factorize(of_point[in_spot], sort=False)[0]
    return labels


def _split_at_saddles(
    complaints: Complaints,
    place: np.ndarray,
    labels: np.ndarray,
    found: pd.DataFrame,
    expectation: Expectation,
    tests: CellTests,
    *,
    now: pd.Timestamp,
) -> tuple[np.ndarray, pd.DataFrame]:
    """``labels`` and their evidence with each H3 spot whose cells hold separate peaks
    split into one spot per peak (:mod:`heatmap.detect.cell_peaks`) — only where every
    part passes a spot's own test; a spot whose parts do not stays whole."""
    member = labels >= 0
    spot_cells = pd.DataFrame({"label": labels[member], "cell": place[member]}).drop_duplicates()
    days = found["scan_days"].reindex(spot_cells["label"]).to_numpy(np.float64)
    cell = spot_cells["cell"].to_numpy()
    count = np.zeros(len(cell))
    height = np.zeros(len(cell))
    for d in np.unique(days):
        at = days == d
        count[at] = tests.observed[d][cell[at]]
        height[at] = count[at] - tests.expected[d][cell[at]]
    ids = np.asarray(expectation.cells.index, dtype=np.uint64)[cell]
    spot_cells["part"] = peak_parts(ids, height, count=count, exposure=expectation.cells.adjusted[cell])
    parts = spot_cells.groupby("label")["part"].nunique()
    if not (parts > 1).any():
        return labels, found
    cutoffs = tests.spot_cutoffs()
    split, row_label = _relabel(labels, place, spot_cells)
    trial = _evidence(complaints, place, split, expectation, now=now, cutoffs=cutoffs)
    weak = (trial["p_value"] > trial["cutoff"]).reindex(row_label).to_numpy(bool)
    spot_cells.loc[spot_cells["label"].isin(spot_cells.loc[weak, "label"]), "part"] = 0
    if spot_cells.groupby("label")["part"].nunique().max() == 1:
        return labels, found
    out = _relabel(labels, place, spot_cells)[0]
    return out, _evidence(complaints, place, out, expectation, now=now, cutoffs=cutoffs)


def _relabel(
    labels: np.ndarray, place: np.ndarray, spot_cells: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Labels of the (label, part) pairs of ``spot_cells`` — per point, and per row of
    ``spot_cells`` — numbered in the order of each pair's first point."""
    key = pd.MultiIndex.from_frame(spot_cells[["label", "cell"]])
    member = np.flatnonzero(labels >= 0)
    row = key.get_indexer(pd.MultiIndex.from_arrays([labels[member], place[member]]))
    pair = (
        spot_cells["label"].to_numpy() * (int(spot_cells["part"].max()) + 1) + spot_cells["part"].to_numpy()
    )
    codes, pairs = pd.factorize(pair[row], sort=False)
    out = np.full(len(labels), -1, dtype=np.int64)
    out[member] = codes
    return out, np.asarray(pd.Index(pairs).get_indexer(pair), dtype=np.int64)


def evidence(
    points: pd.DataFrame, labels: np.ndarray, expectation: Expectation, *, now: pd.Timestamp
) -> pd.DataFrame:
    """Per spot label (index): observed distinct complainants, expected, excess, relative
    risk and p-value over the spot's cells, in the scan window where it is most
    significant (``scan_days``)."""
    complaints = Complaints.of(points, expectation.cells.res)
    place = expectation.cells.position(complaints.cells)
    return _evidence(complaints, place, labels, expectation, now=now).drop(columns=["member_days", "cutoff"])


def _evidence(
    complaints: Complaints,
    place: np.ndarray,
    labels: np.ndarray,
    expectation: Expectation,
    *,
    now: pd.Timestamp,
    area: pd.Series | None = None,
    cutoffs: dict[float, float] | None = None,
) -> pd.DataFrame:
    """:func:`evidence` of complaints already read (``place``: their cells' positions;
    ``area``: each spot's adjusted exposure by label, None: the sum over its cells),
    ``member_days``: the window whose complaints are the spot's (:func:`_member_days`)
    and ``cutoff``: what the spot's own test in its window must reach (``cutoffs``, per
    window; None: no threshold, 1.0). The window of the evidence is the one whose p-value
    is smallest against its window's cutoff (with no cutoffs, the smallest); among
    windows whose p-values all underflow to 0 (a large outage), the one of the largest
    log-likelihood ratio (:func:`~heatmap.detect.stats.poisson_log_ratio`), not the
    shortest by default."""
    members = np.flatnonzero(np.asarray(labels) >= 0)
    if members.size == 0:
        return pd.DataFrame(columns=[*EVIDENCE_COLUMNS, "member_days", "cutoff"])
    label = np.asarray(labels)[members]
    index = pd.Index(np.unique(label))
    adjusted = _cells_exposure(index, label, place[members], expectation) if area is None else area
    strength = Strength(
        np.asarray(index.get_indexer(label), dtype=np.int64),
        complaints.who[members],
        complaints.weight[members],
        len(index),
    )
    best: pd.DataFrame | None = None
    counts: dict[float, tuple[np.ndarray, np.ndarray]] = {}
    for days in expectation.windows:
        o = strength.count(complaints.in_window(now, days)[members])
        e = expectation.expected(adjusted.reindex(index).to_numpy(float), days)
        counts[days] = (o, e)
        cutoff = cutoffs[days] if cutoffs else 1.0
        p = poisson_upper_tail(o, e)
        frame = pd.DataFrame(
            {
                "observed": o,
                "expected": e,
                "p_value": p,
                "scan_days": days,
                "cutoff": cutoff,
                "score": p / max(cutoff, 1e-300),
                "ratio": poisson_log_ratio(o, e),
            },
            index=index,
        )
        if best is None:
            best = frame
        else:
            tie = (frame["score"] == best["score"]) & (frame["ratio"] > best["ratio"])
            better = (frame["score"] < best["score"]) | tie
            best = best.where(~better, frame)
    assert best is not None
    best["excess"] = best["observed"] - best["expected"]
    best["relative_risk"] = best["observed"] / best["expected"].where(best["expected"] > 0)
    best["member_days"] = _member_days(best["scan_days"].to_numpy(np.float64), counts)
    return best.loc[:, [*EVIDENCE_COLUMNS, "member_days", "cutoff"]]


def _cells_exposure(
    index: pd.Index, label: np.ndarray, place: np.ndarray, expectation: Expectation
) -> pd.Series:
    """Per spot of ``index``: the adjusted exposure of the distinct cells its members lie in."""
    spot_cells = pd.DataFrame({"label": label, "cell": place}).drop_duplicates()
    summed = np.bincount(
        index.get_indexer(spot_cells["label"].to_numpy()),
        weights=expectation.cells.adjusted[spot_cells["cell"].to_numpy()],
        minlength=len(index),
    )
    return pd.Series(summed, index=index)


def _member_days(best_days: np.ndarray, counts: dict[float, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Per spot: the window whose complaints are its own. It starts at the window of its
    evidence (``best_days``) and takes each longer window in turn while that window's
    extra days are in excess themselves — their complainants against their expected
    count, Poisson tail ≤ :data:`MEMBER_P`; it stops at the first that is not. A burst
    stays the burst: the place's ordinary days before it are not its complainants, even
    where the model expects a little too few over a month (which would make a month's
    excess look larger than the burst's)."""
    windows = sorted(counts)
    member = best_days.copy()
    growing = np.ones(len(best_days), dtype=bool)
    for shorter, longer in pairwise(windows):
        (o_short, e_short), (o_long, e_long) = counts[shorter], counts[longer]
        extra = poisson_upper_tail(np.maximum(o_long - o_short, 0.0), np.maximum(e_long - e_short, 0.0))
        step = growing & (member == shorter)  # spots whose window has reached the shorter one
        grows = step & (extra <= MEMBER_P)
        member[grows] = longer
        growing &= ~(step & ~grows)
    return member

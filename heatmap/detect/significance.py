"""The expected rule: spots are places whose complainants significantly exceed the
expected count (:mod:`heatmap.detect.expected`), tested in several time windows.

* **H3** — every cell with a complainant is tested in each scan window (the last 1, 3
  and 7 days and the whole window) against Poisson(λ_d · A); Benjamini–Hochberg keeps
  the false discovery rate over all those tests at ``q``; a cell is *in excess* when a
  rejected test of it holds at least ``min_subscribers`` complainants. Cells in excess
  sharing an edge form one spot: a spot grows only through cells that are themselves in
  excess, so the background never chains into a city-sized spot.
* **DBSCAN** — the same test decides DBSCAN's core points: a location is core when the
  distinct complainants within eps of it exceed λ_d times the exposure within eps with
  a p-value at or below the cells' Benjamini–Hochberg threshold ``q·k/m`` (in some window) and
  number at least ``min_subscribers``. Neighbourhoods of nearby locations overlap, so
  one concentration would add dozens of discoveries to a false-discovery procedure of
  their own and loosen it for everyone: the cutoff comes from the cells, which do not
  overlap. Clusters are then DBSCAN's (connected cores and their border points, as
  :func:`~heatmap.detect.dbscan.label_dbscan` builds them).

Either way a spot is kept only when its own test — its distinct complainants against
the expected count of its cells, in its best window — is at or below the cutoff too.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import h3
import numpy as np
import pandas as pd

from heatmap.detect.cells import cells_of, centres_of

# the scan windows share one neighbour search: the engine's own parts, not its API
from heatmap.detect.dbscan import (
    EARTH_RADIUS_M,
    _coordinates,
    _Counter,
    _eps_radians,
    _locations,
    label_dbscan,
    neighbourhood_strength,
)
from heatmap.detect.expected import (
    Complaints,
    Expectation,
    Strength,
    _sorted_unique,
    build_cells,
    scan_windows,
    test_cells,
)
from heatmap.detect.h3 import _components, grid_disks
from heatmap.detect.stats import poisson_upper_tail

#: Columns of a spot's evidence.
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "observed",
    "expected",
    "excess",
    "relative_risk",
    "p_value",
    "scan_days",
)
#: Exposure is summed within eps of a DBSCAN location on cells of this resolution.
_DISC_RES = 10

#: ``(lat, lon, who, weight, masks, eps_m)`` → per mask, each point's neighbourhood
#: strength among that mask's points (:func:`_window_strengths`).
StrengthsStep = Callable[
    [np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[np.ndarray], float], list[np.ndarray]
]
#: ``(lat, lon, who, weight, eps_m, min_subscribers, core)`` → DBSCAN labels with the
#: core points given (``label_dbscan(..., core=core)``).
LabelStep = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, int, np.ndarray], np.ndarray]


def _local_strengths(
    lat: np.ndarray,
    lon: np.ndarray,
    who: np.ndarray,
    weight: np.ndarray,
    masks: list[np.ndarray],
    eps_m: float,
) -> list[np.ndarray]:
    return _window_strengths(lat, lon, who, weight, masks, eps_m=eps_m)


def _local_label(
    lat: np.ndarray,
    lon: np.ndarray,
    who: np.ndarray,
    weight: np.ndarray,
    eps_m: float,
    min_subscribers: int,
    core: np.ndarray,
) -> np.ndarray:
    return label_dbscan(lat, lon, who, eps_m=eps_m, min_subscribers=min_subscribers, weight=weight, core=core)


@dataclass(frozen=True)
class DbscanSteps:
    """Where the expected rule's two DBSCAN phases run: the neighbourhood strengths per
    scan window, then the clustering with the core points the test decided. The
    default is this process; :func:`heatmap.detect.dask_expected.dask_steps` runs both
    on a Dask cluster with the same results."""

    strengths: StrengthsStep = field(default=_local_strengths)
    label: LabelStep = field(default=_local_label)


@dataclass(frozen=True)
class Options:
    """What the expected rule needs besides the points."""

    method: str
    h3_res: int
    eps_m: float
    min_subscribers: int
    window_days: float
    scan_days: tuple[float, ...]
    q: float


def label_expected(
    points: pd.DataFrame,
    options: Options,
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
    windows = scan_windows(options.window_days, options.scan_days if "created_at" in points else ())
    complaints = Complaints.of(points, options.h3_res)
    cells = build_cells(
        points,
        exposure,
        res=options.h3_res,
        history=history,
        window_days=options.window_days,
        complaints=complaints,
    )
    expectation, tests = test_cells(
        points,
        cells,
        windows=windows,
        now=now,
        q=options.q,
        min_subscribers=options.min_subscribers,
        complaints=complaints,
    )
    place = cells.position(complaints.cells)
    if options.method == "dbscan":
        labels = _label_dbscan(
            complaints, place, options, expectation, now, tests.cutoff, dbscan or DbscanSteps()
        )
    else:
        labels = _label_cells(complaints, place, expectation, tests.significant)
    found = _evidence(complaints, place, labels, expectation, now=now)
    weak = found.index[found["p_value"] > tests.cutoff]
    if len(weak):
        labels = np.where(np.isin(labels, weak), -1, labels)
        kept = labels >= 0
        labels[kept] = pd.factorize(labels[kept], sort=False)[0]
        found = _evidence(complaints, place, labels, expectation, now=now)
    return labels, expectation, found


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


def _label_dbscan(
    complaints: Complaints,
    place: np.ndarray,
    options: Options,
    expectation: Expectation,
    now: pd.Timestamp,
    cutoff: float,
    steps: DbscanSteps,
) -> np.ndarray:
    lat, lon, weight = complaints.lat, complaints.lon, complaints.weight
    who = _distinct_codes(complaints.who)
    packed = np.ascontiguousarray(np.column_stack([lat, lon])).view(np.complex128).ravel()
    loc, uniq = pd.factorize(packed)
    first = np.empty(len(uniq), dtype=np.int64)  # a point of each location
    first[loc[::-1]] = np.arange(len(loc) - 1, -1, -1)
    masks = [complaints.in_window(now, days) & (weight > 0) for days in expectation.windows]
    s_all = np.zeros((len(masks), len(uniq)))
    for k, (inside, found) in enumerate(
        zip(masks, steps.strengths(lat, lon, who, weight, masks, options.eps_m), strict=True)
    ):
        s_all[k, loc[inside]] = found[inside]
    # only a location with enough complainants in some window can be core: the exposure
    # within eps (a radius search over the exposure) is needed for those alone
    enough = s_all >= options.min_subscribers - 1e-9
    candidate = np.flatnonzero(enough.any(axis=0))
    core_loc = np.zeros(len(uniq), dtype=bool)
    if candidate.size:
        adjusted = _disc_exposure(
            uniq.real[candidate].copy(),
            uniq.imag[candidate].copy(),
            options.eps_m,
            expectation,
            place[first[candidate]],
        )
        for k, days in enumerate(expectation.windows):
            s = s_all[k, candidate]
            p = poisson_upper_tail(s, expectation.expected(adjusted, days))
            core_loc[candidate] |= (p <= cutoff) & enough[k, candidate]
    core = core_loc[loc] & (weight > 0)
    labels = np.full(len(lat), -1, dtype=np.int64)
    near = _near_cores(complaints.cells, core, options.eps_m, expectation.cells.res)
    if near.size:
        labels[near] = steps.label(
            lat[near], lon[near], who[near], weight[near], options.eps_m, options.min_subscribers, core[near]
        )
    return labels


def _near_cores(cells: np.ndarray, core: np.ndarray, eps_m: float, res: int) -> np.ndarray:
    """Positions, in order, of the points whose cell lies within reach of a core point's
    cell: every point within ``eps_m`` of a core point is among them. Clustering them alone
    gives the same labels — the others are noise, and neither the numbering (by first
    point) nor a border point's choice (by lowest core point) depends on noise."""
    if not core.any():
        return np.zeros(0, dtype=np.int64)
    # a point within eps of a core point has its cell's centre within eps + 2 edges of the
    # core's cell centre; cells k rings apart have centres at least 1.5 k edges apart.
    # H3 edges vary about the average by less than 1.5x either way.
    edge = h3.average_hexagon_edge_length(res, unit="m")
    longest, shortest = 1.5 * edge, edge / 1.5
    rings = int(np.ceil((eps_m + 2 * longest) / (1.5 * shortest)))
    reach = grid_disks(np.unique(cells[core]), rings)
    return np.flatnonzero(np.isin(cells, reach))


def _distinct_codes(who: np.ndarray) -> np.ndarray:
    """Complainant codes where each missing one (−1) is a complainant of its own."""
    missing = who < 0
    if not missing.any():
        return who
    out = who.copy()
    out[missing] = int(who.max(initial=-1)) + 1 + np.arange(int(missing.sum()))
    return out


def _window_strengths(
    lat: np.ndarray,
    lon: np.ndarray,
    who: np.ndarray,
    weight: np.ndarray,
    masks: list[np.ndarray],
    *,
    eps_m: float,
) -> list[np.ndarray]:
    """Per mask, per point: what :func:`~heatmap.detect.dbscan.neighbourhood_strength`
    gives the masked points alone (0 outside the mask).

    The neighbour pairs of the large masks are found once, over the locations of every
    masked point: a location outside a mask holds none of its complainants, so it adds
    nothing to a neighbourhood's count in that mask (the scan windows are nested: one
    search serves them all). A mask of less than half those points (the short windows)
    gets a search of its own, which costs less than counting it over everyone's pairs.
    """
    lat_d, lon_d = _coordinates(lat, lon)
    out = [np.zeros(len(lat_d), dtype=np.float64) for _ in masks]
    kept = np.flatnonzero(np.logical_or.reduce(masks)) if masks else np.zeros(0, np.int64)
    if kept.size == 0:
        return out
    _, space, slot = _locations(lat_d[kept], lon_d[kept], _eps_radians(eps_m))
    n_loc = space.loc.shape[0]
    counters: list[_Counter | None] = []
    for k, mask in enumerate(masks):
        inside = mask[kept]
        if 0 < inside.sum() < kept.size / 2:
            out[k][mask] = neighbourhood_strength(
                lat_d[mask], lon_d[mask], who[mask], eps_m=eps_m, weight=weight[mask]
            )
            counters.append(None)
            continue
        counters.append(
            _Counter.build(slot[inside], who[kept][inside], weight[kept][inside], n_loc)
            if inside.any()
            else None
        )
    strength = np.zeros((len(masks), n_loc), dtype=np.float64)
    for block in space.blocks():
        for k, counter in enumerate(counters):
            if counter is not None:
                strength[k, block.start : block.stop] = counter.count(block)
    for k, mask in enumerate(masks):
        if counters[k] is not None:
            out[k][kept] = strength[k, slot]
            out[k][~mask] = 0.0
    return out


def _disc_exposure(
    lat: np.ndarray, lon: np.ndarray, eps_m: float, expectation: Expectation, place: np.ndarray
) -> np.ndarray:
    """Adjusted exposure within ``eps_m`` of each location: exposure points summed on
    res-10 cells, floored like a cell's and scaled by the location's history factor
    (``place``: each location's position among the expectation's cells)."""
    cells = expectation.cells
    source = cells.points
    grid = cells_of(source["lat"].to_numpy(float), source["lon"].to_numpy(float), _DISC_RES)
    grid_cells, grid_at = np.unique(grid, return_inverse=True)
    grid_w = np.bincount(grid_at, weights=source["weight"].to_numpy(float))
    mine = cells_of(lat, lon, _DISC_RES)
    my_cells, my_at = np.unique(mine, return_inverse=True)
    every = _sorted_unique(np.concatenate([grid_cells, my_cells]))
    xyz = _unit(_centres(every))
    grid_xyz = xyz[np.searchsorted(every, grid_cells)]
    my_xyz = xyz[np.searchsorted(every, my_cells)]
    chord = 2.0 * np.sin(0.5 * eps_m / EARTH_RADIUS_M)
    disc = np.zeros(len(my_cells), dtype=np.float64)
    if len(grid_cells):
        from scipy.spatial import cKDTree  # imported here: the count rule never needs it

        pairs = cKDTree(my_xyz).sparse_distance_matrix(cKDTree(grid_xyz), chord, output_type="ndarray")
        disc = np.bincount(pairs["i"], weights=grid_w[pairs["j"]], minlength=len(my_cells)).astype(np.float64)
    ratio = np.pi * eps_m**2 / h3.average_hexagon_area(cells.res, unit="m^2")
    base = np.maximum(disc[my_at], cells.floor * ratio)
    history = cells.history[place]
    return np.asarray(base * np.where(history > 0, history, 1.0), dtype=np.float64)


def _centres(cells: np.ndarray) -> np.ndarray:
    """(lat, lon) degrees of the centres of uint64 cells."""
    return centres_of(cells)


def _unit(latlng: np.ndarray) -> np.ndarray:
    if not len(latlng):
        return np.zeros((0, 3))
    ll = np.radians(np.asarray(latlng, dtype=float))
    cos_lat = np.cos(ll[:, 0])
    return np.column_stack([cos_lat * np.cos(ll[:, 1]), cos_lat * np.sin(ll[:, 1]), np.sin(ll[:, 0])])


def evidence(
    points: pd.DataFrame, labels: np.ndarray, expectation: Expectation, *, now: pd.Timestamp
) -> pd.DataFrame:
    """Per spot label (index): observed distinct complainants, expected, excess, relative
    risk and p-value over the spot's cells, in the scan window where it is most
    significant (``scan_days``)."""
    complaints = Complaints.of(points, expectation.cells.res)
    return _evidence(complaints, expectation.cells.position(complaints.cells), labels, expectation, now=now)


def _evidence(
    complaints: Complaints,
    place: np.ndarray,
    labels: np.ndarray,
    expectation: Expectation,
    *,
    now: pd.Timestamp,
) -> pd.DataFrame:
    """:func:`evidence` of complaints already read (``place``: their cells' positions)."""
    cells = expectation.cells
    members = np.flatnonzero(np.asarray(labels) >= 0)
    if members.size == 0:
        return pd.DataFrame(columns=list(EVIDENCE_COLUMNS))
    label = np.asarray(labels)[members]
    spot_cells = pd.DataFrame({"label": label, "cell": place[members]}).drop_duplicates()
    adjusted = spot_cells.groupby("label")["cell"].agg(lambda c: float(cells.adjusted[c.to_numpy()].sum()))
    index = pd.Index(np.unique(label))
    strength = Strength(
        np.asarray(index.get_indexer(label), dtype=np.int64),
        complaints.who[members],
        complaints.weight[members],
        len(index),
    )
    best: pd.DataFrame | None = None
    for days in expectation.windows:
        o = strength.count(complaints.in_window(now, days)[members])
        e = expectation.expected(adjusted.reindex(index).to_numpy(float), days)
        frame = pd.DataFrame(
            {"observed": o, "expected": e, "p_value": poisson_upper_tail(o, e), "scan_days": days},
            index=index,
        )
        if best is None:
            best = frame
        else:
            better = frame["p_value"] < best["p_value"]
            best = best.where(~better, frame)
    assert best is not None
    best["excess"] = best["observed"] - best["expected"]
    best["relative_risk"] = best["observed"] / best["expected"].where(best["expected"] > 0)
    return best.loc[:, list(EVIDENCE_COLUMNS)]

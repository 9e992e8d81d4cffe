"""The expected rule's neighbourhood strengths per scan window (:mod:`heatmap.detect.discs`):
one radius search over the window's complaints serves every scan window, and is kept
for the clustering that follows, so DBSCAN's neighbours are searched once.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

# the scan windows share one neighbour search: the engine's own parts, not its API
from heatmap.detect.dbscan_checks import _coordinates, _eps_radians
from heatmap.detect.neighbours import _Block, _Counter, _distinct_locations, _located

#: The locations of some points: each point's location id (in order of first
#: appearance) and the locations' latitudes and longitudes.
Locations = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Search:
    """The radius search over every masked point, kept for the clustering: the masked
    points' positions, their location ids and slots, the slot order of the locations,
    and every block (local pair numbers narrowed to int16, no ``later`` pairs)."""

    kept: np.ndarray
    loc_of_point: np.ndarray
    slot: np.ndarray
    loc_of_slot: np.ndarray
    blocks: list[_Block]
    #: the counter of the mask whose strengths were left as bounds (``later`` pairs kept)
    bounded: _Counter | None = None
    bounded_mask: int = -1  # that mask's position
    #: per mask, per slot, the strengths counted (and, last, the bounded mask's upper bounds)
    strength: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))
    #: each location id's among the locations given (empty: the same ids)
    location: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def exact(self, need: np.ndarray) -> np.ndarray:
        """Per slot: the bounded mask's exact strength where ``need`` (per slot), 0 elsewhere."""
        out = np.zeros(need.shape[0], dtype=np.float64)
        if self.bounded is None:
            return out
        for block in self.blocks:
            mine = need[block.start : block.stop]
            if mine.any():
                out[block.start : block.stop] = np.where(mine, self.bounded.count(_towards(block, mine)), 0.0)
        return out


def _window_strengths(
    lat: np.ndarray,
    lon: np.ndarray,
    who: np.ndarray,
    weight: np.ndarray,
    masks: list[np.ndarray],
    eps_m: float,
    search: list[Search] | None = None,
    reach: float | list[float] | None = None,
    locations: Locations | None = None,
    upper: list[np.ndarray] | None = None,
) -> list[np.ndarray]:
    """Per mask, per point: what :func:`~heatmap.detect.dbscan.neighbourhood_strength`
    gives the masked points alone (0 outside the mask).

    The neighbour pairs are found once, over the locations of every masked point: a
    location outside a mask holds none of its complainants, so it adds nothing to a
    neighbourhood's count in that mask. A mask of less than half those points (the
    short windows) is counted over its own locations' pairs only, taken from that
    search (from a larger mask's when its locations hold all of this one's).
    With ``search`` (a list), the search over every masked point is appended to it,
    for the clustering to reuse (nothing when no point is masked). With ``reach`` (one
    value, or one per mask), a strength below it may be given as any lower value: only
    the strengths that may reach it are counted exactly. ``locations``: the points'
    locations, when already known. With ``upper`` (a list) and ``search``, the largest
    mask's strengths are given as lower bounds only and its upper bounds appended to
    ``upper`` (:class:`_Bounds`);
    :meth:`Search.exact` counts them exactly where the bounds do not decide.
    """
    lat_d, lon_d = _coordinates(lat, lon)
    out = [np.zeros(len(lat_d), dtype=np.float64) for _ in masks]
    bounded = upper is not None and search is not None
    found = _counted(
        lat_d, lon_d, who, weight, masks, eps_m, reach, locations, bounded=bounded, keep=search is not None
    )
    if found is None:
        return out
    kept, slot = found.kept, found.slot
    for k, mask in enumerate(masks):
        out[k][kept] = found.strength[k, slot]
        out[k][~mask] = 0.0
    if search is not None:
        search.append(found)
    if upper is not None and found.bounded_mask >= 0:
        upper.append(np.zeros(len(lat_d), dtype=np.float64))
        upper[-1][kept] = found.strength[-1, slot]
        upper[-1][~masks[found.bounded_mask]] = 0.0
    return out


def strengths_at(
    lat: np.ndarray,
    lon: np.ndarray,
    who: np.ndarray,
    weight: np.ndarray,
    masks: list[np.ndarray],
    eps_m: float,
    *,
    reach: list[float],
    locations: Locations,
) -> tuple[np.ndarray, np.ndarray, Search | None]:
    """:func:`_window_strengths` per slot of the search (0 where a slot's location holds
    no point of the mask; ``search.location[search.loc_of_slot]``: each slot's location
    among ``locations``), the largest mask's as lower bounds with its upper bounds apart,
    and the search for the clustering (None, and no slots, when no point is masked)."""
    lat_d, lon_d = _coordinates(lat, lon)
    found = _counted(lat_d, lon_d, who, weight, masks, eps_m, reach, locations, bounded=True, keep=True)
    if found is None:
        return np.zeros((len(masks), 0)), np.zeros(0), None
    strength = found.strength
    total = found.kept.size
    everyone = total == lat_d.shape[0]
    for k, mask in enumerate(masks):
        inside = mask if everyone else mask[found.kept]
        held = int(np.count_nonzero(inside))
        if held == total or held < total / 2:  # all slots hold it, or counted over its own
            continue
        holds = np.zeros(strength.shape[1], dtype=bool)
        holds[found.slot[inside]] = True
        strength[k, ~holds] = 0.0
        if k == found.bounded_mask:
            strength[-1, ~holds] = 0.0
    return strength[:-1], strength[-1], found


def _counted(
    lat_d: np.ndarray,
    lon_d: np.ndarray,
    who: np.ndarray,
    weight: np.ndarray,
    masks: list[np.ndarray],
    eps_m: float,
    reach: float | list[float] | None,
    locations: Locations | None,
    *,
    bounded: bool,
    keep: bool,
) -> Search | None:
    """The search over every masked point and its strengths per slot (None: no point is
    masked); with ``bounded``, the largest mask's as bounds; its blocks when ``keep``."""
    kept = np.flatnonzero(np.logical_or.reduce(masks)) if masks else np.zeros(0, np.int64)
    if kept.size == 0:
        return None
    if locations is None:
        location, known = np.arange(0), _distinct_locations(lat_d[kept], lon_d[kept])
    else:
        location, known = _kept(locations, kept)
    loc_of_point, space, slot = _located(*known, _eps_radians(eps_m))
    n_loc = space.loc.shape[0]
    reaches = [None] * len(masks) if reach is None else np.broadcast_to(reach, len(masks)).tolist()
    everyone = kept.size == lat_d.shape[0]  # then nothing need be gathered for ``kept``
    inside = masks if everyone else [mask[kept] for mask in masks]
    who_k, weight_k = (who, weight) if everyone else (who[kept], weight[kept])
    order, within = _narrowing(inside, slot, n_loc)
    counters = {k: _counter(slot[inside[k]], who_k[inside[k]], weight_k[inside[k]], n_loc) for k in order}
    widest = order[0] if bounded and order else -1
    bounds = _Bounds(counters[widest]) if widest >= 0 else None
    strength = np.zeros((len(masks) + 1, n_loc), dtype=np.float64)  # the last: upper bounds
    blocks: list[_Block] = []
    for block in space.blocks():
        at_block = slice(block.start, block.stop)
        narrowed: dict[int, _Block] = {}
        for k in order:
            own = block
            if k in within:
                source, at = within[k]
                own = narrowed[k] = _restricted(block if source < 0 else narrowed[source], at)
            if bounds is not None and k == widest:
                strength[k, at_block], strength[-1, at_block] = bounds.of(own)
            else:
                strength[k, at_block] = counters[k].count(own, reach=reaches[k])
        if keep:
            blocks.append(_narrow(block, later=widest >= 0))
    return Search(
        kept, loc_of_point, slot, space.loc, blocks, counters.get(widest), widest, strength, location
    )


def _counter(slot: np.ndarray, who: np.ndarray, weight: np.ndarray, n_loc: int) -> _Counter:
    """The counter of some points; unweighted when they all weigh 1 (the same counts, sorted
    as plain keys, not with their weights)."""
    return _Counter.build(slot, who, None if (weight == 1.0).all() else weight, n_loc)


class _Bounds:
    """Lower and upper bounds of neighbourhood strengths, without telling subscribers
    apart. Each subscriber seen at several locations is assigned to one of them (its
    first in slot order), with its weight there: the lower bound counts the
    single-location subscribers and those assigned within the neighbourhood (each once,
    with a weight it has there); the upper bound adds every other (location, subscriber)
    entry in the neighbourhood."""

    def __init__(self, counter: _Counter) -> None:
        ptr = counter.ent_ptr
        ent_loc = np.repeat(np.arange(ptr.shape[0] - 1), np.diff(ptr))
        _, first = np.unique(counter.ent_sub, return_index=True)  # entries in slot order
        weight = None if counter.ent_w is None else counter.ent_w[first]
        assigned = np.bincount(ent_loc[first], weights=weight, minlength=ptr.shape[0] - 1)
        self._counter = counter
        self._lower = replace(counter, per_location=counter.per_location + assigned)
        self._rest = counter.multi_mass - assigned

    def of(self, block: _Block) -> tuple[np.ndarray, np.ndarray]:
        """The block's lower and upper bounds."""
        lower = self._lower._single_strength(block)
        i_all, j_all = self._counter._multi_pairs(block)
        size = block.stop - block.start
        return lower, lower + np.bincount(i_all, weights=self._rest[j_all], minlength=size)


def _towards(block: _Block, mine: np.ndarray) -> _Block:
    """The block's pairs that reach its locations flagged in ``mine``, each towards them
    only: counting it gives those locations' whole neighbourhoods, the others' not."""
    u, v, start = block.u, block.v, block.start
    to_u, to_v = mine[u], mine[v]
    near = np.flatnonzero(to_u | to_v)  # few of the block's pairs: sorted out among those
    to_u, to_v = to_u[near], to_v[near]
    both = near[to_u & to_v]
    only_u = near[to_u > to_v]
    only_v = near[to_v > to_u]
    towards = [
        (u[only_u], v[only_u].astype(np.int64) + start),
        (v[only_v], u[only_v].astype(np.int64) + start),
    ]
    for i_local, j in (*block.later, *block.earlier):
        keep = np.flatnonzero(mine[i_local])
        towards.append((i_local[keep], j[keep]))
    wide = np.int64  # local numbers plus the block's start must not overflow
    return _Block(block.start, block.stop, u[both].astype(wide), v[both].astype(wide), later=towards)


def _kept(locations: Locations, kept: np.ndarray) -> tuple[np.ndarray, Locations]:
    """The locations of the points ``kept`` alone, numbered again in their order of first
    appearance among those points: each one's id among ``locations``, and theirs."""
    loc, lat, lon = locations
    if kept.size == loc.shape[0]:
        return np.arange(lat.shape[0]), (loc, lat, lon)
    codes, ids = pd.factorize(loc[kept])
    ids = np.asarray(ids, dtype=np.int64)
    return ids, (np.asarray(codes, dtype=np.int64), lat[ids], lon[ids])


def _narrowing(
    inside: list[np.ndarray], slot: np.ndarray, n_loc: int
) -> tuple[list[int], dict[int, tuple[int, np.ndarray]]]:
    """The masks holding a point, largest first (by position in ``inside``), and for
    each of less than half the points: the mask whose narrowed pairs its own are taken
    from (−1: the whole search's) — the smallest earlier one whose locations hold all
    of its own — and which locations (slots) are its own."""
    size = [int(ins.sum()) for ins in inside]
    order = sorted((k for k in range(len(inside)) if size[k] > 0), key=lambda k: -size[k])
    held: dict[int, np.ndarray] = {}
    within: dict[int, tuple[int, np.ndarray]] = {}
    for k in order:
        if size[k] >= inside[k].shape[0] / 2:
            continue
        at = np.zeros(n_loc, dtype=bool)
        at[slot[inside[k]]] = True
        larger = [j for j in held if not (at & ~held[j]).any()]
        within[k] = (min(larger, key=lambda j: size[j]) if larger else -1, at)
        held[k] = at
    return order, within


def _restricted(block: _Block, at: np.ndarray) -> _Block:
    """The block's pairs between locations (slots) flagged in ``at`` alone."""
    mine = at[block.start : block.stop]
    both = np.flatnonzero(mine[block.u] & mine[block.v])
    return _Block(
        block.start,
        block.stop,
        block.u[both],
        block.v[both],
        later=[_pairs_at(i, j, mine, at) for i, j in block.later],
        earlier=[_pairs_at(i, j, mine, at) for i, j in block.earlier],
    )


def _pairs_at(
    i_local: np.ndarray, j: np.ndarray, mine: np.ndarray, at: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    keep = np.flatnonzero(mine[i_local] & at[j])
    return i_local[keep], j[keep]


def _narrow(block: _Block, *, later: bool = False) -> _Block:
    """The block as the clustering needs it, in less memory: local numbers (below
    the block size, 8,192) as int16, and no ``later`` pairs (a later block's
    ``earlier``) unless ``later``."""
    local = np.int16 if block.stop - block.start <= np.iinfo(np.int16).max else np.int32
    return _Block(
        block.start,
        block.stop,
        block.u.astype(local),
        block.v.astype(local),
        later=[(i.astype(local), j) for i, j in block.later] if later else [],
        earlier=[(i.astype(local), j) for i, j in block.earlier],
    )

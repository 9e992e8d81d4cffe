"""The expected rule's neighbourhood strengths per scan window (:mod:`heatmap.detect.discs`):
one radius search over the window's complaints serves the nested windows, and is kept
for the clustering that follows, so DBSCAN's neighbours are searched once.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatmap.detect.dbscan import neighbourhood_strength

# the scan windows share one neighbour search: the engine's own parts, not its API
from heatmap.detect.dbscan_checks import _coordinates, _eps_radians
from heatmap.detect.neighbours import _Block, _Counter, _locations


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


def _window_strengths(
    lat: np.ndarray,
    lon: np.ndarray,
    who: np.ndarray,
    weight: np.ndarray,
    masks: list[np.ndarray],
    eps_m: float,
    search: list[Search] | None = None,
    reach: float | None = None,
) -> list[np.ndarray]:
    """Per mask, per point: what :func:`~heatmap.detect.dbscan.neighbourhood_strength`
    gives the masked points alone (0 outside the mask).

    The neighbour pairs of the large masks are found once, over the locations of every
    masked point: a location outside a mask holds none of its complainants, so it adds
    nothing to a neighbourhood's count in that mask (the scan windows are nested: one
    search serves them all). A mask of less than half those points (the short windows)
    gets a search of its own, which costs less than counting it over everyone's pairs.
    With ``search`` (a list), the search over every masked point is appended to it,
    for the clustering to reuse (nothing when no point is masked). With ``reach``, a
    strength below ``reach`` may be given as any lower value: only the strengths that
    may reach it are counted exactly.
    """
    lat_d, lon_d = _coordinates(lat, lon)
    out = [np.zeros(len(lat_d), dtype=np.float64) for _ in masks]
    kept = np.flatnonzero(np.logical_or.reduce(masks)) if masks else np.zeros(0, np.int64)
    if kept.size == 0:
        return out
    loc_of_point, space, slot = _locations(lat_d[kept], lon_d[kept], _eps_radians(eps_m))
    n_loc = space.loc.shape[0]
    counters: list[_Counter | None] = []
    for k, mask in enumerate(masks):
        inside = mask[kept]
        if 0 < inside.sum() < kept.size / 2:
            out[k][mask] = neighbourhood_strength(
                lat_d[mask], lon_d[mask], who[mask], eps_m=eps_m, weight=weight[mask], reach=reach
            )
            counters.append(None)
            continue
        counters.append(
            _Counter.build(slot[inside], who[kept][inside], weight[kept][inside], n_loc)
            if inside.any()
            else None
        )
    strength = np.zeros((len(masks), n_loc), dtype=np.float64)
    blocks: list[_Block] = []
    for block in space.blocks():
        for k, counter in enumerate(counters):
            if counter is not None:
                strength[k, block.start : block.stop] = counter.count(block, reach=reach)
        if search is not None:
            blocks.append(_narrow(block))
    for k, mask in enumerate(masks):
        if counters[k] is not None:
            out[k][kept] = strength[k, slot]
            out[k][~mask] = 0.0
    if search is not None:
        search.append(Search(kept, loc_of_point, slot, space.loc, blocks))
    return out


def _narrow(block: _Block) -> _Block:
    """The block as the clustering needs it, in less memory: local numbers (below
    the block size, 8,192) as int16, no ``later`` pairs (a later block's ``earlier``)."""
    local = np.int16 if block.stop - block.start <= np.iinfo(np.int16).max else np.int32
    return _Block(
        block.start,
        block.stop,
        block.u.astype(local),
        block.v.astype(local),
        earlier=[(i.astype(local), j) for i, j in block.earlier],
    )

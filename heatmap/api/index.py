"""An in-memory index of open (and recently resolved) spots for point lookups.

A lookup is a query of a shapely STRtree and a few distances in memory: no table
is read. The index knows the store's spot counter (``Store.spots_version``, bumped
in the transaction of every spot change); a worker asks the store for it at most
once per ``check_interval_s`` and rebuilds the index only when it moved, so every
worker of a server sees a change within that interval.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import shapely

from heatmap.api.cards import OnDemand, spot_card, stamp
from heatmap.core.script import ScriptTemplates
from heatmap.domain import OPEN_STATUSES, SpotStatus
from heatmap.store.base import Store

_M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class _Snapshot:
    """Open and recently resolved spots of one store version, ready to be queried.

    One STRtree holds each spot's envelope grown by its reach (the lookup or join
    reach for open spots, the "resolved nearby" reach for resolved ones), so the
    candidates for a point come from a single bounding-box query in GEOS (no distance
    predicate); only those few are tested exactly, in a local frame where a degree of
    longitude is scaled by cos(latitude) of the spot.
    """

    version: int
    tree: shapely.STRtree | None
    local: np.ndarray  # geometries with x scaled by cos(latitude): metres ≈ degrees × _M_PER_DEG
    scale: np.ndarray
    is_open: np.ndarray
    priority: np.ndarray
    cards: list[dict[str, object]]
    card_json: list[bytes]  # each card as JSON without its closing brace, made once
    eta: list[datetime | None]  # an open spot's ETA; past it, the card is ``on_demand.late_json``
    on_demand: OnDemand  # its intake and its card past the ETA, made on first need
    resolved_at: list[datetime | None]
    by_id: dict[str, int]
    open_count: int

    @classmethod
    def of(
        cls,
        version: int,
        spots: pd.DataFrame,
        is_open: np.ndarray,
        reach_m: np.ndarray,
        templates: ScriptTemplates,
        cause_titles: Mapping[str, str] | None = None,
        *,
        built: datetime,
        active_hours: float,
    ) -> _Snapshot:
        geometry = np.asarray(spots["geometry"].tolist(), dtype=object)
        scale = np.clip(np.cos(np.radians(spots["centroid_lat"].to_numpy(float))), 0.05, 1.0)
        local = np.array(
            [
                shapely.transform(g, lambda c, f=f: c * np.array([f, 1.0]))
                for g, f in zip(geometry, scale, strict=True)
            ],
            dtype=object,
        )
        shapely.prepare(local)
        tree = None
        if len(geometry):
            bounds = shapely.bounds(geometry)
            grow_lat = reach_m / _M_PER_DEG + 1e-9
            grow_lon = grow_lat / scale
            tree = shapely.STRtree(
                shapely.box(
                    bounds[:, 0] - grow_lon,
                    bounds[:, 1] - grow_lat,
                    bounds[:, 2] + grow_lon,
                    bounds[:, 3] + grow_lat,
                )
            )
        records = spots.to_dict(orient="records")
        cards = [spot_card(r, templates, cause_titles=cause_titles) for r in records]
        stamps = [stamp(r.get("updated_at")) for r in records]
        return cls(
            version=version,
            tree=tree,
            local=local,
            scale=scale,
            is_open=is_open,
            priority=spots["priority"].to_numpy(float),
            cards=cards,
            card_json=[json.dumps(c, ensure_ascii=False).encode()[:-1] for c in cards],
            eta=[
                None if not is_open[i] or (t := stamp(r.get("eta"))) is None else t.to_pydatetime()
                for i, r in enumerate(records)
            ],
            on_demand=OnDemand(records, templates, cause_titles, built, active_hours),
            resolved_at=[None if t is None else t.to_pydatetime() for t in stamps],
            by_id={str(c["id"]): i for i, c in enumerate(cards) if is_open[i]},
            open_count=int(is_open.sum()),
        )

    def near(self, lat: float, lon: float) -> list[tuple[int, float]]:
        """``(spot, metres)`` for spots whose grown envelope holds the point (0 inside).

        When the point lies inside an open spot, distances to the other open spots are
        not needed and are reported as infinite. Plain Python over the few candidates:
        numpy's per-call overhead would cost more than the work on arrays this small.
        """
        if self.tree is None:
            return []
        hits = self.tree.query(shapely.Point(lon, lat)).tolist()
        if not hits:
            return []
        local, scale, is_open = self.local, self.scale, self.is_open
        inside = [bool(shapely.intersects_xy(local[i], lon * scale[i], lat)) for i in hits]
        in_open = any(flag and is_open[i] for i, flag in zip(hits, inside, strict=True))
        found: list[tuple[int, float]] = []
        for i, flag in zip(hits, inside, strict=True):
            if flag:
                found.append((i, 0.0))
            elif in_open and is_open[i]:
                found.append((i, math.inf))
            else:
                away = shapely.distance(local[i], shapely.Point(lon * scale[i], lat))
                found.append((i, round(float(away) * _M_PER_DEG, 1)))
        return found


def _card_at(snapshot: _Snapshot, chosen: int, now: datetime) -> tuple[dict[str, object], bytes]:
    """An open spot's card and its JSON (without the closing brace) at ``now``: the card
    made at build time, or past the spot's ETA the late card ("срок прошёл")."""
    eta = snapshot.eta[chosen]
    if eta is not None and eta < now:
        late = snapshot.on_demand.late_json(chosen, eta)
        return json.loads(late + b"}"), late
    return snapshot.cards[chosen], snapshot.card_json[chosen]


@dataclass
class LookupHit:
    spot: dict[str, object] | None
    recently_resolved: list[dict[str, object]] = field(default_factory=list)
    #: ``spot`` as JSON, spliced from the card's JSON made at build time (the hot path).
    spot_json: bytes = b"null"


class SpotIndex:
    """Open spots (and spots resolved lately) of one store, kept current by a version check."""

    def __init__(
        self,
        *,
        templates: ScriptTemplates,
        reach_m: float,
        recent_days: float,
        recent_reach_m: float,
        check_interval_s: float,
        clock: Callable[[], datetime],
        join_reach_m: float = 0.0,
        cause_titles: Mapping[str, str] | None = None,
        active_hours: float = 24.0,
    ) -> None:
        self.templates = templates
        self.active_hours = active_hours
        self.cause_titles = dict(cause_titles or {})
        self.reach_m = reach_m
        self.join_reach_m = join_reach_m
        self.recent = timedelta(days=recent_days)
        self.recent_reach_m = recent_reach_m
        self.check_interval_s = check_interval_s
        self.clock = clock
        self._snapshot: _Snapshot | None = None
        self._checked = -float("inf")
        self._lock = threading.Lock()
        self.rebuilds = 0

    # --- freshness ------------------------------------------------------------------
    def due(self) -> bool:
        """Whether the store should be asked for its spot counter before answering.

        True for one caller per interval (it claims the check; the others answer from
        the current snapshot meanwhile), and for everyone until a first snapshot exists.
        """
        if self._snapshot is None:
            return True
        now = time.monotonic()
        if now - self._checked < self.check_interval_s:
            return False
        self._checked = now  # claimed: one refresh per interval, not one per waiting request
        return True

    def refresh(self, store: Store, *, force: bool = False) -> bool:
        """Ask the store for its counter now; rebuild when it moved (or when ``force``)."""
        with self._lock:
            version = store.spots_version()
            self._checked = time.monotonic()
            current = self._snapshot
            if not force and current is not None and current.version == version >= 0:
                return False
            self._snapshot = self._build(store, version)
            self.rebuilds += 1
            return True

    def _build(self, store: Store, version: int) -> _Snapshot:
        statuses = sorted({*OPEN_STATUSES, SpotStatus.RESOLVED.value})
        spots = store.load_spots(statuses=statuses)
        is_open = spots["status"].isin(OPEN_STATUSES).to_numpy(bool)
        since = pd.Timestamp(self.clock()) - self.recent
        recent = ~is_open & (pd.to_datetime(spots["updated_at"], utc=True) >= since).to_numpy(bool)
        keep = is_open | recent
        spots = spots[keep].reset_index(drop=True)
        is_open = is_open[keep]
        reach = np.where(is_open, max(self.reach_m, self.join_reach_m), self.recent_reach_m)
        return _Snapshot.of(
            version,
            spots,
            is_open,
            reach.astype(float),
            self.templates,
            self.cause_titles,
            built=self.clock(),
            active_hours=self.active_hours,
        )

    # --- answers --------------------------------------------------------------------
    @property
    def version(self) -> int | None:
        return None if self._snapshot is None else self._snapshot.version

    @property
    def open_count(self) -> int:
        return 0 if self._snapshot is None else self._snapshot.open_count

    def card(self, spot_id: str) -> dict[str, object] | None:
        """The card of an open spot by id (whether it takes complaints now), or None."""
        snapshot = self._snapshot
        if snapshot is None or spot_id not in snapshot.by_id:
            return None
        chosen = snapshot.by_id[spot_id]
        now = self.clock()
        card = _card_at(snapshot, chosen, now)[0]
        return {**card, **snapshot.on_demand.intake(chosen).at(now)[0]}

    def candidates(self, lat: float, lon: float, reach_m: float) -> list[str]:
        """Ids of open spots within ``reach_m`` of a point (inside first, then nearest)."""
        snapshot = self._snapshot
        if snapshot is None:
            return []
        near = sorted((d, i) for i, d in snapshot.near(lat, lon) if snapshot.is_open[i] and d <= reach_m)
        return [str(snapshot.cards[i]["id"]) for _, i in near]

    def lookup(self, lat: float, lon: float) -> LookupHit:
        """The open spot covering the point (else the nearest in reach) and resolved ones near."""
        snapshot = self._snapshot
        answer = LookupHit(spot=None)
        if snapshot is None:
            return answer
        near = snapshot.near(lat, lon)
        if not near:
            return answer
        opened = [(d, -snapshot.priority[i], i) for i, d in near if snapshot.is_open[i] and d <= self.reach_m]
        if opened:
            # inside first, then nearest, then the highest priority
            metres, _, chosen = min(opened)
            now = self.clock()
            card, card_json = _card_at(snapshot, chosen, now)
            intake, intake_json = snapshot.on_demand.intake(chosen).at(now)
            answer.spot = {**card, **intake, "distance_m": metres, "covers": metres == 0.0}
            answer.spot_json = b"".join(
                (
                    card_json,
                    intake_json,
                    b',"distance_m":',
                    repr(metres).encode(),
                    b',"covers":',
                    b"true}" if metres == 0.0 else b"false}",
                )
            )
        resolved = sorted((d, i) for i, d in near if not snapshot.is_open[i] and d <= self.recent_reach_m)
        if resolved:
            since = self.clock() - self.recent
            for d, i in resolved:
                resolved_at = snapshot.resolved_at[i]
                if resolved_at is None or resolved_at < since:
                    continue
                card = snapshot.cards[i]
                answer.recently_resolved.append(
                    {
                        "id": card["id"],
                        "cause": card["cause"],
                        "cause_text": card["cause_text"],
                        "address": card["address"],
                        "resolved_at": resolved_at.isoformat(),
                        "distance_m": d,
                        "script": card["script"],
                    }
                )
        return answer

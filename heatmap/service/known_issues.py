"""Known issues: planned works or an outage an engineer registers as a spot over an area;
complaints inside join it at once. Registering the same one again (see
:mod:`heatmap.core.known_issues` for what "the same" is) finds the first, adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import shapely

from heatmap.core.known_issues import repeated_known_issue
from heatmap.core.policy import Policy
from heatmap.core.routing import route
from heatmap.core.workflow_rules import check_cause, check_eta
from heatmap.detect.identity import new_spot_id
from heatmap.detect.spots import buffered_hull
from heatmap.domain import SpotStatus
from heatmap.errors import UsageError
from heatmap.service.workflow import _write, event, join_complaints, load_spot
from heatmap.store.base import Store


@dataclass(frozen=True)
class KnownIssue:
    """The spot of a known issue; ``existing`` when an identical open one was registered
    before and this registration added nothing."""

    spot: pd.Series
    existing: bool


def known_issue_area(
    *,
    lat: float | None = None,
    lon: float | None = None,
    radius_m: float | None = None,
    polygon: str | None = None,
) -> shapely.Geometry:
    """The area of a known issue: a polygon (WKT or GeoJSON text), or a point and radius."""
    if polygon:
        try:
            text = polygon.strip()
            area = shapely.from_geojson(text) if text.startswith("{") else shapely.from_wkt(text)
        except shapely.errors.ShapelyError as exc:
            raise UsageError(f"the area is neither WKT nor GeoJSON: {exc}") from exc
        if area.geom_type not in ("Polygon", "MultiPolygon") or not area.is_valid:
            raise UsageError("the area must be a valid Polygon or MultiPolygon (lon lat order)")
        return area
    if lat is None or lon is None or radius_m is None:
        raise UsageError("give a polygon, or a point (or an address) and a radius")
    if radius_m <= 0:
        raise UsageError("the radius of a known issue must be positive")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise UsageError("the centre of a known issue must be a valid point")
    return buffered_hull(np.array([lat]), np.array([lon]), radius_m)


def register_known_issue(
    store: Store,
    *,
    area: shapely.Geometry,
    cause: str,
    actor: str,
    now: datetime,
    policy: Policy,
    eta: datetime | None = None,
    address: str | None = None,
    region: str | None = None,
    note: str | None = None,
    window_days: float = 30.0,
) -> KnownIssue:
    """A spot for planned works or a known outage over ``area`` (see :func:`known_issue_area`);
    complaints inside join it at once, and agents see it like any other spot. The cause is
    one of the policy's and an ETA, if given, is later than ``now``. An open known issue
    with the same area, cause and ETA is returned as it is (``existing``), nothing added."""
    cause = check_cause(cause, policy.causes)
    if eta is not None:
        check_eta(eta, now=now)
    spots = store.load_spots()
    repeated = repeated_known_issue(spots, area=area, cause=cause, eta=eta)
    if repeated is not None:
        return KnownIssue(load_spot(store, repeated), existing=True)
    taken = set(spots["id"])
    spot_id = new_spot_id(f"known:{area.wkt}:{pd.Timestamp(now).isoformat()}", taken)
    spot = route(
        _spot(spot_id, area, cause=cause, actor=actor, now=now, eta=eta, address=address, region=region),
        policy,
    )
    events = [
        event(
            spot_id,
            now,
            "created",
            actor=actor,
            to_status=SpotStatus.IN_PROGRESS.value,
            note=note or f"known issue: {cause}",
        )
    ]
    if eta is not None:
        events.append(event(spot_id, now, "eta", actor=actor, eta=eta))
    _write(store, spot, events, now, expected={})
    since = pd.Timestamp(now) - pd.Timedelta(days=window_days)
    recent = store.load_complaints(since=since.to_pydatetime())
    join_complaints(
        store, recent[recent["spot_id"].isna()], now=now, policy=policy, reach_m=0.0, only=[spot_id]
    )
    return KnownIssue(load_spot(store, spot_id), existing=False)


def _spot(
    spot_id: str,
    area: shapely.Geometry,
    *,
    cause: str,
    actor: str,
    now: datetime,
    eta: datetime | None,
    address: str | None,
    region: str | None,
) -> pd.DataFrame:
    """The new spot's row, in progress with its engineer, before routing."""
    centre = area.centroid
    return pd.DataFrame(
        [
            {
                "id": spot_id,
                "status": SpotStatus.IN_PROGRESS.value,
                "method": "known_issue",
                "kind": "known_issue",
                "geometry": area,
                "centroid_lat": centre.y,
                "centroid_lon": centre.x,
                "region": region,
                "address": address,
                "complaints": 0,
                "subscribers": 0,
                "first_complaint_at": now,
                "last_complaint_at": now,
                "dominant_topic": None,
                "priority": 0.0,
                "breakdown": {},
                "queue": None,
                "sla_hours": None,
                "due_at": None,
                "eta": eta,
                "cause": cause,
                "engineer": actor,
                "merged_into": None,
                "created_at": now,
                "updated_at": now,
                "suggested_cause": None,
                "alarm_site": None,
                "escalated": False,
            }
        ]
    )

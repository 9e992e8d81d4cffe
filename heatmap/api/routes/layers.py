"""Map layers: the complaint hex layer, network sites and coverage measured by drive tests."""

from __future__ import annotations

import time
from typing import Annotated, Literal

import h3
import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from heatmap.api import patterns
from heatmap.api.auth import AUTH_RESPONSES, RoleGuard
from heatmap.api.convert import plain
from heatmap.api.hexes import hex_counts, hex_polygon
from heatmap.api.keys import Principal, Role
from heatmap.api.models import FeatureCollection, HexQuery, Problem, SitesQuery
from heatmap.api.params import parse_bbox
from heatmap.api.routes import PREFIX
from heatmap.api.state import ApiState, State
from heatmap.core.coverage import DEFAULT_RES, cells_of_area, compare_with_surroundings

router = APIRouter(prefix=PREFIX, tags=["layers"])
Reader = Annotated[Principal, Depends(RoleGuard(Role.AGENT, Role.ENGINEER, Role.ANALYST))]
_BAD = {**AUTH_RESPONSES, 422: {"model": Problem, "description": "Bad parameters"}}


def _hexes(state: ApiState, res: int) -> pd.DataFrame:
    """The hex layer at ``res``, computed at most once per ``HEATMAP_API_HEX_CACHE_S``."""
    cached = state.hex_cache.get(res)
    if cached is not None and time.monotonic() - cached[0] < state.api.hex_cache_s:
        frame = cached[1]
        assert isinstance(frame, pd.DataFrame)
        return frame
    since = pd.Timestamp(state.clock()) - pd.Timedelta(days=state.api.hex_window_days)
    complaints = state.store.load_complaints(since=since.to_pydatetime())
    frame = hex_counts(complaints, res=res, min_subscribers=state.api.hex_min_subscribers)
    state.hex_cache[res] = (time.monotonic(), frame)
    return frame


@router.get(
    "/hexes", response_model=FeatureCollection, summary="Complaint counts per H3 cell", responses=_BAD
)
def hexes(state: State, _who: Reader, query: Annotated[HexQuery, Query()]) -> FeatureCollection:
    """Complaints of the last ``HEATMAP_API_HEX_WINDOW_DAYS`` days per H3 cell at ``res``, as
    GeoJSON polygons; a cell with fewer than ``HEATMAP_API_HEX_MIN_SUBSCRIBERS`` (3) distinct
    complainants is never shown, so no single caller can be picked out."""
    box = parse_bbox(query.bbox)
    frame = _hexes(state, query.res)
    features = []
    for cell, complaints, complainants, lat, lon in frame.itertuples(index=False, name=None):
        if box is not None and not box.contains(lat, lon):
            continue
        features.append(
            {
                "type": "Feature",
                "id": cell,
                "geometry": hex_polygon(cell),
                "properties": {
                    "cell": cell,
                    "complaints": int(complaints),
                    "complainants": int(complainants),
                },
            }
        )
    return FeatureCollection(type="FeatureCollection", features=features)


@router.get("/sites", response_model=FeatureCollection, summary="Network sites as GeoJSON", responses=_BAD)
def sites(state: State, _who: Reader, query: Annotated[SitesQuery, Query()]) -> FeatureCollection:
    """Sites loaded by ``heatmap network load`` as GeoJSON points."""
    box = parse_bbox(query.bbox)
    frame = state.store.load_sites()
    features = []
    for row in frame.to_dict(orient="records"):
        lat, lon = float(row["lat"]), float(row["lon"])
        if box is not None and not box.contains(lat, lon):
            continue
        features.append(
            {
                "type": "Feature",
                "id": str(row["site_id"]),
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": plain({k: v for k, v in row.items() if k not in ("lat", "lon")}),
            }
        )
    return FeatureCollection(type="FeatureCollection", features=features)


class CoverageComparison(BaseModel):
    spot_id: str
    metric: str
    res: int
    cells_dbm: float | None = Field(description="Median level of the spot's measured cells")
    surroundings_dbm: float | None = Field(description="Median level of the two rings around")
    difference_db: float | None = Field(description="cells − surroundings; negative is worse")
    cells_measured: int
    surroundings_measured: int


class CoverageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    metric: Literal["rsrp", "rssi"] = Field("rsrp", description="RSRP (LTE/5G) or RSSI, dBm")
    bbox: str | None = Field(
        None,
        max_length=200,
        pattern=patterns.BBOX,
        description="Only cells centred in min_lon,min_lat,max_lon,max_lat",
    )


@router.get(
    "/coverage",
    response_model=FeatureCollection,
    summary="Measured signal per H3 cell",
    responses={**AUTH_RESPONSES, 422: {"model": Problem, "description": "Bad parameters"}},
)
async def coverage(state: State, _who: Reader, query: Annotated[CoverageQuery, Query()]) -> FeatureCollection:
    """Cells measured by drive tests (``heatmap network coverage-from-drive-test``) as GeoJSON
    polygons with the median level (``median_dbm``) of ``metric`` and how many fixes gave it
    (``samples``); cells without that metric are left out. Empty when nothing is loaded."""
    box = parse_bbox(query.bbox)
    layer = await run_in_threadpool(lambda: state.store.load_coverage())
    median, samples = f"{query.metric}_median", f"{query.metric}_samples"
    measured = layer[layer[median].notna() & (layer[samples] > 0)]
    features = []
    for cell, level, count in zip(measured["h3_cell"], measured[median], measured[samples], strict=True):
        if box is not None and not box.contains(*h3.cell_to_latlng(cell)):
            continue
        features.append(
            {
                "type": "Feature",
                "id": cell,
                "geometry": hex_polygon(cell),
                "properties": {
                    "cell": cell,
                    "metric": query.metric,
                    "median_dbm": round(float(level), 1),
                    "samples": int(count),
                },
            }
        )
    return FeatureCollection(type="FeatureCollection", features=features)


@router.get(
    "/coverage/spots/{spot_id}",
    response_model=CoverageComparison,
    summary="A spot's measured signal beside its surroundings",
    responses={**AUTH_RESPONSES, 404: {"model": Problem, "description": "No such spot"}},
)
async def spot_coverage(
    state: State, _who: Reader, spot_id: str, metric: Literal["rsrp", "rssi"] = "rsrp"
) -> CoverageComparison:
    """The median level (dBm) of drive-test cells inside the spot, of the cells in two rings
    around it, their difference (negative: the spot is worse) and how many cells each had;
    nulls where nothing was measured."""

    def compare() -> dict[str, object] | None:
        spots = state.store.load_spots(ids=[spot_id])
        if spots.empty:
            return None
        layer = state.store.load_coverage()
        res = int(layer["res"].iloc[0]) if len(layer) else DEFAULT_RES
        spot = spots.iloc[0]
        cells = cells_of_area(
            spot["geometry"], (float(spot["centroid_lat"]), float(spot["centroid_lon"])), res
        )
        return {
            "spot_id": spot_id,
            "metric": metric,
            "res": res,
            **compare_with_surroundings(layer, cells, metric=metric),
        }

    found = await run_in_threadpool(compare)
    if found is None:
        raise HTTPException(404, f"no spot {spot_id!r}")
    return CoverageComparison.model_validate(found)

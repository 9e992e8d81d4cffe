"""``GET /basemap``: the gazetteer drawn as a map, so the page needs no tiles from elsewhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from heatmap.api import patterns
from heatmap.api.auth import AUTH_RESPONSES, RoleGuard
from heatmap.api.keys import Principal, Role
from heatmap.api.models import FeatureCollection, Problem
from heatmap.api.params import parse_bbox
from heatmap.api.routes import PREFIX
from heatmap.api.state import State

router = APIRouter(prefix=PREFIX, tags=["layers"])
Reader = Annotated[Principal, Depends(RoleGuard(Role.AGENT, Role.ENGINEER, Role.ANALYST))]

#: The most houses one answer carries; a larger view gets them thinned evenly.
MAX_HOUSES = 20_000


class BasemapQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    bbox: str = Field(
        max_length=200,
        pattern=patterns.BBOX,
        description="The view: min_lon,min_lat,max_lon,max_lat (any size: a"
        f" big view gets at most {MAX_HOUSES:,} houses, thinned)",
    )
    zoom: int = Field(
        ge=0,
        le=22,
        description="The map's zoom: houses from 12, street names from 15, settlement names below 15",
    )


@router.get(
    "/basemap",
    response_model=FeatureCollection,
    summary="Houses, streets and settlements",
    responses={
        **AUTH_RESPONSES,
        422: {"model": Problem, "description": "Bad parameters"},
        503: {"model": Problem, "description": "No gazetteer configured"},
    },
)
async def basemap(
    state: State, _who: Reader, query: Annotated[BasemapQuery, Query()], response: Response
) -> FeatureCollection:
    """The address registry of ``HEATMAP_GAZETTEER`` as GeoJSON points of three kinds:
    ``house`` (every registry house, from zoom 12), ``street`` (a name placed along its
    houses, with ``angle`` in degrees clockwise, from zoom 15) and ``settlement`` (below 15,
    each from the ``zoom`` at which its name covers no larger settlement's).
    The map page draws them when no tile server is configured (``HEATMAP_TILES_URL``)."""
    box = parse_bbox(query.bbox)
    assert box is not None
    layer = await run_in_threadpool(state.basemap)
    if layer is None:
        raise HTTPException(503, "the basemap is drawn from the gazetteer: set HEATMAP_GAZETTEER")
    features = layer.features(
        (box.min_lon, box.min_lat, box.max_lon, box.max_lat), query.zoom, max_houses=MAX_HOUSES
    )
    response.headers["Cache-Control"] = "private, max-age=300"
    return FeatureCollection(type="FeatureCollection", features=features)

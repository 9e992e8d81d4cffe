"""``GET /lookup``: what an agent sees for a caller's address or point."""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from heatmap.api.auth import AUTH_RESPONSES, RoleGuard, calls_guard
from heatmap.api.index import LookupHit
from heatmap.api.keys import Role
from heatmap.api.models import LookupAnswer, LookupQuery, Problem
from heatmap.api.params import parse_query, query_parameters
from heatmap.api.routes import PREFIX
from heatmap.api.state import ApiState
from heatmap.errors import HeatmapError
from heatmap.geocode.matcher import GazetteerGeocoder

router = APIRouter(prefix=PREFIX, tags=["lookup"])
GUARD = RoleGuard(Role.AGENT, Role.ENGINEER, Role.ANALYST)
log = logging.getLogger("heatmap.api")

#: The reason of a lookup given no place (Russian, as the geocoder's reasons are).
NO_PLACE = "не указано место: нужен адрес или широта и долгота вместе"
#: Points this precise may be said to lie in a spot; a settlement centre may not.
PLACEABLE = frozenset({"point", "house", "street"})


def geocode_one(state: ApiState, address: str) -> dict[str, Any]:
    """Geocode one address with the configured gazetteer (503 when there is none)."""
    geocoder = state.geocoder()
    if geocoder is None:
        raise HTTPException(
            503, "address lookup needs a gazetteer: set HEATMAP_GAZETTEER (or look up by lat and lon)"
        )
    if isinstance(geocoder, GazetteerGeocoder):  # a tuple, cached per address: no frame
        lat, lon, precision, score, matched, reason = geocoder.answers([address], city=state.settings.city)[0]
    else:
        row = geocoder.geocode([address], city=state.settings.city).iloc[0]
        lat, lon, precision, score = (
            float(row["lat"]),
            float(row["lon"]),
            str(row["precision"]),
            float(row["score"]),
        )
        matched, reason = row["matched"], row["reason"]
    located = math.isfinite(lat) and math.isfinite(lon)
    return {
        "lat": lat if located else None,
        "lon": lon if located else None,
        "precision": precision,
        "score": score,
        "matched": matched,
        "reason": reason,
    }


async def answer_for(state: ApiState, lat: float | None, lon: float | None, precision: str) -> LookupHit:
    """Spot and recently resolved spots for a located point (nothing for a vague one)."""
    if lat is None or lon is None or precision not in PLACEABLE:
        return LookupHit(spot=None)
    if state.index.due():
        try:
            await run_in_threadpool(state.refresh_index)
        except HeatmapError as exc:
            if state.index.version is None:
                raise
            # the store blinked: agents keep getting answers from the index they have
            log.warning("spot index not refreshed, answering from version %s: %s", state.index.version, exc)
    return state.index.lookup(lat, lon)


def answer(head: bytes, hit: LookupHit) -> Response:
    """The answer as JSON: ``head`` (an object without its closing brace), then the spot
    spliced in pre-encoded and the resolved spots near."""
    resolved = (
        json.dumps(hit.recently_resolved, ensure_ascii=False).encode() if hit.recently_resolved else b"[]"
    )
    body = b"".join((head, b',"spot":', hit.spot_json, b',"recently_resolved":', resolved, b"}"))
    return Response(body, media_type="application/json")


def head_of(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()[:-1]


def plain_point(query_string: bytes) -> tuple[float, float] | None:
    """``lat=…&lon=…`` (either order, nothing else, both in range), else None.

    The common case, read without building a query dict; anything else (and every
    error) takes the validated path.
    """
    first, _, second = query_string.partition(b"&")
    values: dict[bytes, bytes] = {}
    for part in (first, second):
        name, equals, value = part.partition(b"=")
        if not equals or name not in (b"lat", b"lon") or name in values:
            return None
        values[name] = value
    try:
        lat, lon = float(values[b"lat"]), float(values[b"lon"])
    except (KeyError, ValueError):
        return None
    if -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0:  # NaN fails here too
        return lat, lon
    return None


@router.get(
    "/lookup",
    response_model=LookupAnswer,
    summary="Spot at an address or point",
    responses={
        **AUTH_RESPONSES,
        422: {"model": Problem, "description": "Bad parameters"},
        503: {"model": Problem, "description": "No gazetteer for address lookups"},
    },
    openapi_extra={"parameters": query_parameters(LookupQuery)},
)
@calls_guard(GUARD)
async def lookup(request: Request) -> Response:
    """The open spot covering the place (or within ``HEATMAP_API_LOOKUP_REACH_M``) with its
    status, cause, current ETA and the agent's script text, and spots resolved nearby lately.

    Give ``address`` (geocoded with the configured gazetteer) or ``lat`` and ``lon``; with
    both, the point is used. Without either (or with only one of lat and lon) nothing is
    looked up: the answer has precision ``none`` and says why in ``reason``.
    """
    # The hot path: no FastAPI dependency or parameter machinery (each costs ~10 µs here);
    # the guard is awaited here and the query read directly, or validated by one model.
    await GUARD(request)
    state: ApiState = request.app.state.api
    point = plain_point(request.scope["query_string"])
    if point is not None:
        lat, lon = point
        found = await answer_for(state, lat, lon, "point")
        state.metrics.looked_up("point", found.spot is not None)
        at = f'{{"lat":{lat!r},"lon":{lon!r}}}'
        return answer(
            (
                f'{{"query":{at},"point":{at},"precision":"point","score":1.0,'
                '"matched_address":null,"reason":null'
            ).encode(),
            found,
        )
    query = parse_query(LookupQuery, request)
    if query.lat is not None and query.lon is not None:  # a point wins over an address
        found = await answer_for(state, query.lat, query.lon, "point")
        state.metrics.looked_up("point", found.spot is not None)
        where = {"lat": query.lat, "lon": query.lon}
        asked = where if query.address is None else {"address": query.address, **where}
        return answer(
            head_of(
                {
                    "query": asked,
                    "point": where,
                    "precision": "point",
                    "score": 1.0,
                    "matched_address": None,
                    "reason": None,
                }
            ),
            found,
        )
    if query.address is not None:
        geo = await run_in_threadpool(geocode_one, state, query.address)
        found = await answer_for(state, geo["lat"], geo["lon"], geo["precision"])
        state.metrics.looked_up("address", found.spot is not None)
        located = None if geo["lat"] is None else {"lat": geo["lat"], "lon": geo["lon"]}
        return answer(
            head_of(
                {
                    "query": {"address": query.address},
                    "point": located,
                    "precision": geo["precision"],
                    "score": geo["score"],
                    "matched_address": geo["matched"],
                    "reason": geo["reason"],
                }
            ),
            found,
        )
    # nothing to look up (no address, at most half a point): nothing found, and why
    asked = {k: v for k, v in (("lat", query.lat), ("lon", query.lon)) if v is not None}
    return answer(
        head_of(
            {
                "query": asked,
                "point": None,
                "precision": "none",
                "score": None,
                "matched_address": None,
                "reason": NO_PLACE,
            }
        ),
        LookupHit(spot=None),
    )

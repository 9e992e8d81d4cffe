"""Parsing of query values shared by several endpoints (bbox, times)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


def parse_bbox(text: str | None, *, max_deg: float | None = None) -> BBox | None:
    """``min_lon,min_lat,max_lon,max_lat`` → :class:`BBox`; a clear 422 when it is not one.

    Corners may come in either order. ``max_deg`` bounds each side where a bigger box
    costs more than none (a filter of the whole layer, such as spots, takes any size).
    """
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise HTTPException(422, f"bbox must be four numbers: min_lon,min_lat,max_lon,max_lat (got {text!r})")
    west, south, east, north = values
    box = BBox(min(west, east), min(south, north), max(west, east), max(south, north))
    if not (-180 <= box.min_lon <= 180 and -180 <= box.max_lon <= 180):
        raise HTTPException(422, "bbox longitudes must lie within -180..180")
    if not (-90 <= box.min_lat <= 90 and -90 <= box.max_lat <= 90):
        raise HTTPException(422, "bbox latitudes must lie within -90..90")
    if max_deg is not None and (box.max_lon - box.min_lon > max_deg or box.max_lat - box.min_lat > max_deg):
        raise HTTPException(
            422,
            f"bbox too large: at most {max_deg:g}° of longitude and of"
            " latitude; zoom in or split the request",
        )
    return box


Model = TypeVar("Model", bound=BaseModel)


def parse_query(model: type[Model], request: Request) -> Model:
    """The query string validated by ``model`` (unknown names refused), FastAPI's 422 on error."""
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """OpenAPI parameters describing ``model``'s fields as optional query parameters."""
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    out = []
    for name, field in schema["properties"].items():
        field = dict(field)
        description = field.pop("description", None)
        field.pop("title", None)
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": field,
        }
        if description:
            parameter["description"] = description
        out.append(parameter)
    return out

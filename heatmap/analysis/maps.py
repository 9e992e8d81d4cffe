"""``explore``: a folium map of spots, complaints or ratings, coloured by what matters.

Built on folium and branca directly (no matplotlib needed). The map works offline:
Leaflet comes inlined from the installed package (folium's CDN scripts, jQuery and
Bootstrap, are not used), legends are plain HTML (no d3), and a tile server is used only
when ``tiles`` names one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from heatmap.domain import TOPIC_LABEL_RU, Topic
from heatmap.io.export import to_json_value

if TYPE_CHECKING:
    import folium

    from heatmap.analysis.loading import FrameSource

__all__ = ["explore"]

_WARM = ["#fee08b", "#fc8d59", "#d73027"]  # low → high priority, as on the agents' map
_RATING = ["#d73027", "#fee08b", "#1a9850"]  # 1 (bad) → 5 (good)
_PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
_TOPIC_COLOUR = dict(zip([t.value for t in Topic], _PALETTE, strict=False))
_TOOLTIPS = {
    "spots": ("id", "status", "subscribers", "complaints", "dominant_topic", "priority", "queue", "address"),
    "complaints": ("ticket_id", "created_at", "topic", "segment", "channel", "precision", "spot_id"),
    "ratings": ("spot_id", "rating", "comment", "at"),
}
_LAYER_NAME = {"spots": "Пятна", "complaints": "Жалобы", "ratings": "Оценки"}
_CAPTION = {"priority": "Приоритет пятна", "subscribers": "Жалобщиков", "rating": "Оценка (1–5)"}


def explore(
    gdf: gpd.GeoDataFrame | FrameSource,
    *,
    column: str | None = None,
    m: Any = None,
    tiles: str | None = None,
    name: str | None = None,
    tooltip: Sequence[str] | None = None,
    max_features: int = 20_000,
    zoom_start: int = 12,
) -> folium.Map:
    """A ``folium.Map`` of ``gdf``: spots, complaints or ratings, told apart by their columns.

    * spots (polygons): coloured by ``priority`` (else ``subscribers``), yellow → red;
    * complaints (points): coloured by ``topic``, a legend with the Russian topic names;
    * ratings (a ``rating`` column): coloured 1 red → 5 green.

    ``column`` colours by another column (numbers on a ramp, anything else by category).
    ``m`` adds the layer to an existing map (``explore(spots, m=explore(complaints))``).
    Rows without geometry are left out; beyond ``max_features`` rows every k-th row is
    drawn and the layer name says so. ``tiles=None`` draws no base map. A store (URL,
    SQLite path or open store) instead of a frame draws its spots.
    """
    import folium

    if not isinstance(gdf, gpd.GeoDataFrame):
        from heatmap.analysis.loading import spots_from

        frame = spots_from(gdf)
        gdf = (
            frame
            if isinstance(frame, gpd.GeoDataFrame)
            else gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
        )

    kind = _kind(gdf)
    shown = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if shown.crs is not None and not shown.crs.equals("EPSG:4326"):
        shown = shown.to_crs("EPSG:4326")
    label = name or _LAYER_NAME[kind]
    if len(shown) > max_features:
        step = -(-len(shown) // max_features)
        shown = shown.iloc[::step]
        label += f" (каждая {step}-я из {len(gdf)})"
    colour_by = column or _default_column(kind, shown)
    colours, legend = _colours(shown, colour_by, kind)
    fields = [f for f in (tooltip or _TOOLTIPS[kind]) if f in shown.columns]

    fmap = (
        m
        if m is not None
        else _offline(
            folium.Map(location=_centre(shown), zoom_start=zoom_start, tiles=tiles, control_scale=True)
        )
    )
    features = _features(shown, fields, colours)
    layer = folium.FeatureGroup(name=label, show=True)
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            style_function=_style(kind),
            marker=None if kind == "spots" else folium.CircleMarker(radius=5, fill=True),
            tooltip=folium.GeoJsonTooltip(fields) if fields else None,
        ).add_to(layer)
    layer.add_to(fmap)
    if legend is not None:
        legend.add_to(fmap)
    if not any(isinstance(child, folium.LayerControl) for child in fmap._children.values()):
        folium.LayerControl(collapsed=False).add_to(fmap)  # lists later layers too
    if m is None and len(shown):
        west, south, east, north = (float(v) for v in shown.total_bounds)
        fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def _features(shown: gpd.GeoDataFrame, fields: list[str], colours: list[str]) -> list[dict[str, Any]]:
    """GeoJSON features of the rows, with their tooltip fields as text and their colour;
    a unique feature id lets folium key the styles by it, whatever the columns."""
    features = []
    for position, (shape, row) in enumerate(
        zip(shown.geometry.tolist(), shown[fields].to_dict(orient="records"), strict=True)
    ):
        properties = {k: _text(v) for k, v in row.items()}
        properties["_colour"] = colours[position]
        features.append(
            {
                "type": "Feature",
                "id": str(position),
                "geometry": shape.__geo_interface__,
                "properties": properties,
            }
        )
    return features


def _kind(gdf: gpd.GeoDataFrame) -> str:
    if "rating" in gdf.columns:
        return "ratings"
    types = set(gdf.geometry.geom_type.dropna())
    if types and types <= {"Polygon", "MultiPolygon"}:
        return "spots"
    if not types and {"priority", "subscribers"} & set(gdf.columns):
        return "spots"
    return "complaints"


def _default_column(kind: str, gdf: gpd.GeoDataFrame) -> str | None:
    candidates = {"spots": ("priority", "subscribers"), "complaints": ("topic",), "ratings": ("rating",)}[
        kind
    ]
    for candidate in candidates:
        if candidate in gdf.columns and gdf[candidate].notna().any():
            return candidate
    return None


def _colours(gdf: gpd.GeoDataFrame, column: str | None, kind: str) -> tuple[list[str], Any]:
    """A colour per row and the legend to add (a branca colormap or an HTML element)."""
    import branca.colormap as cm

    if column is None or not len(gdf):
        return ["#3182bd"] * len(gdf), None
    values = gdf[column]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = pd.to_numeric(values).astype(float)
        if kind == "ratings" and column == "rating":
            low, high, ramp = 1.0, 5.0, _RATING
        else:
            low, high, ramp = float(numbers.min()), float(numbers.max()), _WARM
        scale = cm.LinearColormap(ramp, vmin=low, vmax=max(high, low + 1e-6))
        legend = _ramp_legend(_CAPTION.get(column, column), low, high, ramp)
        return [("#999999" if pd.isna(v) else scale(v)) for v in numbers.tolist()], legend
    text = values.astype(object).where(values.notna(), "—").astype(str)
    present = set(text)
    if column in ("topic", "dominant_topic"):
        order = [t for t in _TOPIC_COLOUR if t in present] + sorted(present - set(_TOPIC_COLOUR))
        palette = {v: _TOPIC_COLOUR.get(v, "#999999") for v in order}
    else:
        palette = {v: _PALETTE[i % len(_PALETTE)] for i, v in enumerate(sorted(present))}
    return [palette[v] for v in text.tolist()], _legend(column, palette)


def _offline(fmap: folium.Map) -> folium.Map:
    """``fmap`` loading only Leaflet, inlined from the installed package: no other host."""
    import base64

    from heatmap.render.assets import leaflet_dir

    def inline(name: str, kind: str) -> str:
        data = base64.b64encode((leaflet_dir() / name).read_bytes()).decode("ascii")
        return f"data:{kind};base64,{data}"

    fmap.default_js = [("leaflet", inline("leaflet.js", "text/javascript"))]
    fmap.default_css = [("leaflet_css", inline("leaflet.css", "text/css"))]
    return fmap


def _ramp_legend(caption: str, low: float, high: float, ramp: list[str]) -> Any:
    """A colour ramp from ``low`` to ``high`` as a plain HTML legend."""
    bar = (
        f"<div style='width:160px;height:10px;margin:3px 0;"
        f"background:linear-gradient(to right,{','.join(ramp)})'></div>"
        f"<div style='display:flex;justify-content:space-between'><span>{low:g}</span>"
        f"<span>{high:g}</span></div>"
    )
    return _box(_escape(caption), bar)


def _legend(column: str, palette: dict[str, str]) -> Any:
    names = TOPIC_LABEL_RU if column in ("topic", "dominant_topic") else {}
    rows = "".join(
        f"<div><span style='display:inline-block;width:10px;height:10px;background:{colour};"
        f"margin-right:4px'></span>{_escape(names.get(value, value))}</div>"
        for value, colour in palette.items()
    )
    return _box(_escape(column), rows)


def _box(title: str, body: str) -> Any:
    from branca.element import MacroElement
    from jinja2 import Template

    element = MacroElement()
    element._template = Template(
        "{% macro html(this, kwargs) %}"
        "<div style='position:fixed;bottom:24px;left:12px;z-index:9999;background:white;"
        "padding:6px 8px;border:1px solid #999;border-radius:4px;font:12px sans-serif'>"
        f"{{% raw %}}<b>{title}</b>{body}{{% endraw %}}</div>"
        "{% endmacro %}"
    )
    return element


def _style(kind: str) -> Any:
    if kind == "spots":
        return lambda f: {
            "color": f["properties"]["_colour"],
            "fillColor": f["properties"]["_colour"],
            "weight": 2,
            "fillOpacity": 0.45,
        }
    return lambda f: {
        "color": f["properties"]["_colour"],
        "fillColor": f["properties"]["_colour"],
        "weight": 1,
        "fillOpacity": 0.8,
    }


def _centre(gdf: gpd.GeoDataFrame) -> list[float]:
    if not len(gdf):
        return [59.22, 39.89]  # Vologda, where the samples are
    west, south, east, north = (float(v) for v in gdf.total_bounds)
    return [(south + north) / 2, (west + east) / 2]


def _text(value: object) -> object:
    plain = to_json_value(value)
    if isinstance(plain, dict | list):
        return str(plain)
    if isinstance(plain, float):
        return round(plain, 2)
    return plain


def _escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")

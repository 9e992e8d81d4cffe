"""A static folium map of spots and a complaint hex layer, for agents and notebooks."""

from __future__ import annotations

import html

import branca.colormap as cm
import folium
import h3
import pandas as pd

from heatmap.detect.cells import cells_of
from heatmap.domain import TOPIC_LABEL_RU
from heatmap.render.evidence import evidence_text

#: Priority factors as the popup names them ("complainants" is the factor of spots
#: prioritised before the excess replaced it).
_FACTOR_RU = {
    "excess": "превышение", "complainants": "жалующиеся", "segment": "сегмент", "topic": "тема",
    "ltv": "LTV", "recency": "свежесть", "growth": "рост", "escalation": "эскалация",
}
_STATUS_RU = {
    "new": "новое", "queued": "в очереди", "in_progress": "в работе", "resolved": "решено",
    "rejected": "отклонено", "reopened": "переоткрыто", "merged": "объединено",
}


def spot_map(
    spots: pd.DataFrame,
    complaints: pd.DataFrame | None = None,
    *,
    hex_res: int = 8,
    min_hex_subscribers: int = 3,
) -> folium.Map:
    """Spots coloured by priority with popups; a hex heat layer of complaints; a legend.

    Hexes with fewer than ``min_hex_subscribers`` distinct complainants are not
    drawn, so no single caller can be picked out on the map.
    """
    shown = spots[spots["status"] != "merged"]
    if len(shown):
        centre = [float(shown["centroid_lat"].mean()), float(shown["centroid_lon"].mean())]
    elif complaints is not None and complaints["lat"].notna().any():
        centre = [float(complaints["lat"].mean()), float(complaints["lon"].mean())]
    else:
        centre = [55.75, 37.62]
    fmap = folium.Map(location=centre, zoom_start=13, tiles="OpenStreetMap", control_scale=True)
    if complaints is not None:
        _hex_layer(complaints, hex_res, min_hex_subscribers).add_to(fmap)
    top = float(shown["priority"].max()) if len(shown) else 1.0
    low = float(shown["priority"].min()) if len(shown) else 0.0
    colours = cm.LinearColormap(["#fee08b", "#fc8d59", "#d73027"], vmin=low,
                                vmax=max(top, low + 1e-6), caption="Приоритет пятна")
    layer = folium.FeatureGroup(name="Пятна", show=True)
    for row in shown.to_dict(orient="records"):
        colour = colours(row["priority"])
        shape = folium.GeoJson(
            row["geometry"].__geo_interface__,
            style_function=lambda _f, c=colour: {"color": c, "fillColor": c, "weight": 2,
                                                 "fillOpacity": 0.45},
            tooltip=f"{row['id']}: приоритет {row['priority']:.1f}",
        )
        shape.add_child(folium.Popup(_popup(row), max_width=360))
        shape.add_to(layer)
    layer.add_to(fmap)
    colours.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def _popup(row: dict[str, object]) -> str:
    breakdown = row.get("breakdown") or {}
    assert isinstance(breakdown, dict)
    parts = "".join(
        f"<tr><td>{_FACTOR_RU.get(k, k)}</td><td style='text-align:right'>{v:.1f}</td></tr>"
        for k, v in sorted(breakdown.items(), key=lambda kv: -kv[1])
    )
    topic = TOPIC_LABEL_RU.get(str(row.get("dominant_topic")), "—")
    return (
        f"<b>Пятно {row['id']}</b> ({_STATUS_RU.get(str(row['status']), row['status'])})<br>"
        f"Адрес: {html.escape(str(row.get('address') or '—'))}<br>"
        f"Тема: {topic}<br>"
        f"Абонентов: {row['subscribers']}, жалоб: {row['complaints']}<br>"
        f"<i>Почему это пятно:</i> {html.escape(evidence_text(row))}<br>"
        f"Очередь: {row.get('queue') or '—'}<br>"
        f"<b>Приоритет: {float(row['priority']):.1f}</b>"  # type: ignore[arg-type]
        f"<table style='font-size:90%'>{parts}</table>"
    )


def _hex_layer(complaints: pd.DataFrame, res: int, k: int) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name="Жалобы (гексагоны)", show=True)
    located = complaints[complaints["lat"].notna()]
    if located.empty:
        return layer
    cells = cells_of(located["lat"].to_numpy(), located["lon"].to_numpy(), res)
    counts = pd.DataFrame({"cell": cells, "subscriber": located["subscriber_id"].to_numpy()})
    per_cell = counts.groupby("cell").agg(n=("subscriber", "size"),
                                          people=("subscriber", "nunique"))
    per_cell = per_cell[per_cell["people"] >= k]
    if per_cell.empty:
        return layer
    scale = cm.LinearColormap(["#deebf7", "#3182bd"], vmin=float(per_cell["n"].min()),
                              vmax=float(max(per_cell["n"].max(), per_cell["n"].min() + 1)))
    features = []
    for cell, n, people in per_cell.itertuples(name=None):
        boundary = h3.cell_to_boundary(h3.int_to_str(int(cell)))
        ring = [[lon, lat] for lat, lon in boundary]
        ring.append(ring[0])
        features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                         "properties": {"complaints": int(n), "complainants": int(people),
                                        "colour": scale(n)}})
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda f: {"color": f["properties"]["colour"], "weight": 0.5,
                                  "fillColor": f["properties"]["colour"], "fillOpacity": 0.35},
        tooltip=folium.GeoJsonTooltip(["complaints", "complainants"],
                                      aliases=["Жалоб", "Жалобщиков"]),
    ).add_to(layer)
    return layer


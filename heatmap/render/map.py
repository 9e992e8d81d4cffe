"""``heatmap map``: one self-contained HTML file of spots, complaint hexes and the basemap.

Everything the file needs is inside it: Leaflet (installed with the package), the page's
script and style, and the data — spots with why each is one, complaint hexes (never a
cell of fewer than ``min_hex_subscribers`` people) and, given a gazetteer, its houses,
street and settlement names as the basemap. It opens offline, from a mail attachment or
a file share; tiles are used only when a tile server is named.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import h3
import pandas as pd

from heatmap.core.cells import cells_of
from heatmap.io.writers import write_text
from heatmap.render.assets import environment, leaflet_dir, static_dir
from heatmap.render.basemap import STREET_ZOOM, build_basemap
from heatmap.render.geo import dumps, spots_geojson

#: The most houses a file carries (the rest thinned evenly): ~40 bytes each.
MAX_HOUSES = 60_000


@dataclass(frozen=True)
class SpotMapPage:
    """The map as one HTML document; ``save`` writes it, notebooks show it inline."""

    html: str

    def save(self, path: str | Path) -> Path:
        target = Path(path)
        write_text(self.html, target)
        return target

    def _repr_html_(self) -> str:
        return self.html


def spot_map(
    spots: pd.DataFrame,
    complaints: pd.DataFrame | None = None,
    *,
    gazetteer: pd.DataFrame | None = None,
    hex_res: int = 8,
    min_hex_subscribers: int = 3,
    tiles_url: str = "",
    tiles_attribution: str = "&copy; OpenStreetMap contributors",
    now: datetime | None = None,
    active_hours: float | None = None,
) -> SpotMapPage:
    """Spots coloured by priority (popups say why each is one and what its priority is made
    of; given ``now`` and the join's ``active_hours``, when detection last confirmed each and
    whether it still takes complaints), the complaint hex layer, and the gazetteer's houses
    and names underneath."""
    shown = spots[spots["status"] != "merged"]
    data = {
        "spots": spots_geojson(shown, now=now, active_hours=active_hours),
        "hexes": hex_layer(complaints, hex_res, min_hex_subscribers),
        "basemap": None if gazetteer is None else basemap_arrays(gazetteer, shown),
        "tiles": tiles_url,
        "attribution": tiles_attribution,
    }
    leaflet = leaflet_dir()
    page = (
        environment()
        .get_template("spot_map.html")
        .render(
            leaflet_css=(leaflet / "leaflet.css").read_text(encoding="utf-8"),
            leaflet_js=(leaflet / "leaflet.js").read_text(encoding="utf-8"),
            page_js=(static_dir() / "spot_map.js").read_text(encoding="utf-8"),
            data=dumps(data).replace("</", "<\\/"),
            spots=len(shown),
        )
    )
    return SpotMapPage(page)


def hex_layer(complaints: pd.DataFrame | None, res: int, k: int) -> dict[str, object]:
    """Complaints per H3 cell as GeoJSON; a cell of fewer than ``k`` distinct people is left
    out, so no single caller can be picked out on the map."""
    features: list[dict[str, object]] = []
    if complaints is None:
        return {"type": "FeatureCollection", "features": features}
    located = complaints[complaints["lat"].notna() & complaints["lon"].notna()]
    if located.empty:
        return {"type": "FeatureCollection", "features": features}
    cells = cells_of(located["lat"].to_numpy(float), located["lon"].to_numpy(float), res)
    counts = pd.DataFrame({"cell": cells, "subscriber": located["subscriber_id"].to_numpy()})
    per_cell = counts.groupby("cell").agg(n=("subscriber", "size"), people=("subscriber", "nunique"))
    for cell, n, people in per_cell[per_cell["people"] >= k].itertuples(name=None):
        ring = [[round(lon, 6), round(lat, 6)] for lat, lon in h3.cell_to_boundary(h3.int_to_str(int(cell)))]
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"complaints": int(n), "complainants": int(people)},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def basemap_arrays(gazetteer: pd.DataFrame, spots: pd.DataFrame) -> dict[str, object]:
    """The gazetteer's basemap as compact arrays for the page: houses ``[lat, lon]``, streets
    ``[lat, lon, angle, name]``, settlements ``[lat, lon, name, zoom]`` (named from that
    zoom on) — around the spots (their extent grown by half) when there are any, else all
    of it."""
    layer = build_basemap(gazetteer)
    bbox = (-180.0, -90.0, 180.0, 90.0)
    if len(spots):
        lat, lon = spots["centroid_lat"].astype(float), spots["centroid_lon"].astype(float)
        grow_lat = max(0.02, (lat.max() - lat.min()) / 2)
        grow_lon = max(0.04, (lon.max() - lon.min()) / 2)
        bbox = (lon.min() - grow_lon, lat.min() - grow_lat, lon.max() + grow_lon, lat.max() + grow_lat)
    houses, streets, settlements = [], [], []
    for feature in layer.features(bbox, 16, max_houses=MAX_HOUSES) + layer.features(bbox, STREET_ZOOM - 1):
        lon_, lat_ = feature["geometry"]["coordinates"]
        p = feature["properties"]
        if p["kind"] == "house":
            houses.append([lat_, lon_])
        elif p["kind"] == "street":
            streets.append([lat_, lon_, p["angle"], p["name"]])
        elif p["kind"] == "settlement":
            settlements.append([lat_, lon_, p["name"], p["zoom"]])
    unique_houses = list({(h[0], h[1]): h for h in houses}.values())
    return {"houses": unique_houses, "streets": streets, "settlements": settlements}


def page_data(html: str) -> dict[str, Any]:
    """The data a written map carries (for tests and tools reading a map back)."""
    start = html.index('<script type="application/json" id="map-data">') + len(
        '<script type="application/json" id="map-data">'
    )
    end = html.index("</script>", start)
    value = json.loads(html[start:end].replace("<\\/", "</"))
    assert isinstance(value, dict)
    return value

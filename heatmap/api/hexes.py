"""Complaint counts per H3 cell, never showing a cell with fewer than k distinct complainants."""

from __future__ import annotations

import h3
import pandas as pd

from heatmap.core.cells import cells_of

#: Only points placed at least at street level say where a complaint is.
_LOCATED = ("point", "house", "street")


def hex_counts(complaints: pd.DataFrame, *, res: int, min_subscribers: int) -> pd.DataFrame:
    """``cell, complaints, complainants, lat, lon`` (cell centre) per shown cell."""
    columns = ["cell", "complaints", "complainants", "lat", "lon"]
    located = complaints[
        complaints["lat"].notna() & complaints["lon"].notna() & complaints["precision"].isin(_LOCATED)
    ]
    if located.empty:
        return pd.DataFrame(columns=columns)
    cells = cells_of(located["lat"].to_numpy(float), located["lon"].to_numpy(float), res)
    frame = pd.DataFrame({"cell": cells, "subscriber": located["subscriber_id"].to_numpy()})
    per_cell = (
        frame.groupby("cell")
        .agg(complaints=("subscriber", "size"), complainants=("subscriber", "nunique"))
        .reset_index()
    )
    per_cell = per_cell[per_cell["complainants"] >= min_subscribers].reset_index(drop=True)
    names = [h3.int_to_str(int(c)) for c in per_cell["cell"].tolist()]
    centres = [h3.cell_to_latlng(n) for n in names]
    return pd.DataFrame(
        {
            "cell": names,
            "complaints": per_cell["complaints"].astype(int).to_numpy(),
            "complainants": per_cell["complainants"].astype(int).to_numpy(),
            "lat": [c[0] for c in centres],
            "lon": [c[1] for c in centres],
        },
        columns=columns,
    )


def hex_polygon(cell: str) -> dict[str, object]:
    """The cell's boundary as a GeoJSON Polygon (lon, lat; closed ring)."""
    ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(cell)]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}

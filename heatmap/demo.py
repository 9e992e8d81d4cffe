"""``heatmap demo``: the whole flow on the bundled samples, into a fresh SQLite file."""

from __future__ import annotations

from pathlib import Path

from heatmap import service
from heatmap.cli.output import err, out, table
from heatmap.core.policy import load_policy
from heatmap.detect.run import DetectParams
from heatmap.geocode import GazetteerGeocoder, build_gazetteer, save_gazetteer
from heatmap.io.writers import write_text
from heatmap.render.geo import dumps, spots_geojson
from heatmap.render.map import spot_map
from heatmap.samples import SAMPLES_NOW, sample_file
from heatmap.store import open_store


def run_demo(out_dir: Path) -> dict[str, object]:
    """Build, ingest, geocode, detect, map; print a summary; return the figures."""
    out_dir.mkdir(parents=True, exist_ok=True)
    db_file = out_dir / "heatmap.db"
    for stale in out_dir.glob("heatmap.db*"):
        stale.unlink()
    store = open_store(f"sqlite:///{db_file}")
    now = SAMPLES_NOW
    try:
        service.init_store(store)
        err.print("[bold]1.[/] Gazetteer from the Vologda registry extract")
        entries, _skipped = build_gazetteer(sample_file("vologda_addresses.csv"))
        save_gazetteer(entries, out_dir / "gazetteer.parquet")
        geocoder = GazetteerGeocoder(entries, default_city="Вологда")

        err.print("[bold]2.[/] Ingest the sample CRM export, geocoding addresses")
        ingested = service.ingest(store, [sample_file("crm_export.csv")], now=now,
                                  geocoder=geocoder)

        err.print("[bold]3.[/] Detect spots (H3), prioritise and route them")
        detected = service.detect_spots(store, params=DetectParams(), policy=load_policy(),
                                        now=now)

        spots = store.load_spots()
        write_text(dumps(spots_geojson(spots)), out_dir / "spots.geojson")
        spot_map(spots, store.load_complaints()).save(str(out_dir / "map.html"))
    finally:
        store.close()

    figures: dict[str, object] = {
        "gazetteer_entries": len(entries),
        **{f"ingest_{k}": v for k, v in ingested.totals.items()},
        **{f"geocoded_{k}": v for k, v in sorted(ingested.geocoded.items())},
        "spots": detected.spots,
        "complaints_in_spots": detected.complaints_in_spots,
    }
    out.print(table("Demo summary", ["step", "figure"], figures.items()))
    top = spots.head(8)
    out.print(table("Top spots", ["id", "priority", "complainants", "topic", "queue", "address"],
                    top[["id", "priority", "subscribers", "dominant_topic", "queue",
                         "address"]].itertuples(index=False)))
    err.print(f"Wrote [bold]{out_dir / 'map.html'}[/], {out_dir / 'spots.geojson'} and the store "
              f"{db_file}. Open the map in a browser.")
    return figures

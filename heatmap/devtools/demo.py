"""``heatmap demo``: the whole flow on the bundled samples, into a fresh SQLite file."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from rich.markup import escape

from heatmap import service
from heatmap.core.policy import Policy, load_policy
from heatmap.core.script import load_templates
from heatmap.detect.run import DetectParams
from heatmap.devtools.closeout_demo import run_closeout
from heatmap.devtools.samples import SAMPLES_NOW, sample_file
from heatmap.geocode import GazetteerGeocoder, build_gazetteer, save_gazetteer
from heatmap.io.writers import write_text
from heatmap.render.console import err, out, table
from heatmap.render.geo import dumps, spots_geojson
from heatmap.render.map import spot_map
from heatmap.service import known_issues, workflow
from heatmap.settings import Settings
from heatmap.store import Store, open_store


def run_demo(out_dir: Path, *, settings: Settings | None = None) -> dict[str, object]:
    """Build, ingest, geocode, detect, map; print a summary; return the figures.

    ``settings``: the wiring's (``heatmap demo`` passes them: the operator's key and
    close-out settings apply); without, the store's own key and the defaults."""
    out_dir.mkdir(parents=True, exist_ok=True)
    db_file = out_dir / "heatmap.db"
    for stale in out_dir.glob("heatmap.db*"):
        stale.unlink()
    store = open_store(f"sqlite:///{db_file}", secret_key=settings.store.secret_key if settings else None)
    now = SAMPLES_NOW
    try:
        service.init_store(store)
        err.print("[bold]1.[/] Gazetteer from the Vologda registry extract")
        entries, _skipped = build_gazetteer(sample_file("vologda_addresses.csv"))
        save_gazetteer(entries, out_dir / "gazetteer.parquet")
        geocoder = GazetteerGeocoder(entries, default_city="Вологда")

        err.print("[bold]2.[/] Ingest the sample CRM export, geocoding addresses")
        ingested = service.ingest(
            store, [sample_file("crm_export.csv")], now=now, geocoder=geocoder, gazetteer_entries=entries
        )

        err.print(
            "[bold]3.[/] Detect spots (H3, complainants against the houses' expected"
            " count), prioritise and route them"
        )
        policy = load_policy()
        detected = service.detect_spots(store, params=DetectParams(), policy=policy, now=now)

        err.print("[bold]4.[/] Engineers work the queue; agents read the script")
        worked = _work_spots(store, policy=policy, now=now)

        err.print("[bold]5.[/] Close-out: SMS to the clients of resolved spots, their answers")
        closed, comments = run_closeout(
            store, policy=policy, now=now, out_dir=out_dir, closeout=settings.closeout if settings else None
        )

        spots = store.load_spots()
        write_text(dumps(spots_geojson(spots)), out_dir / "spots.geojson")
        spot_map(spots, store.load_complaints(), gazetteer=entries).save(out_dir / "map.html")
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
    out.print(table("Lifecycle", ["spot", "action", "status", "what an agent says"], worked))
    out.print(
        table(
            "Close-out report (heatmap report)",
            ["figure", "value"],
            [(k, "—" if v is None else v) for k, v in closed.items()],
        )
    )
    out.print(
        table("Client comments as stored (filtered)", ["spot", "rating", "persists", "comment"], comments)
    )
    top = spots.head(8)
    out.print(
        table(
            "Top spots",
            ["id", "priority", "complainants", "topic", "queue", "address"],
            top[["id", "priority", "subscribers", "dominant_topic", "queue", "address"]].itertuples(
                index=False
            ),
        )
    )
    err.print(
        f"Wrote [bold]{escape(str(out_dir / 'map.html'))}[/], {escape(str(out_dir / 'spots.geojson'))}"
        f" and the store {escape(str(db_file))}. Open the map in a browser."
    )
    return figures


def _work_spots(store: Store, *, policy: Policy, now: datetime) -> list[tuple[str, ...]]:
    """Take the top spot with an ETA, resolve the next, reject a tiny one, add planned works."""
    templates = load_templates()
    spots = store.load_spots()
    done: list[tuple[str, ...]] = []

    def say(spot_id: str, action: str, at: datetime) -> None:
        detail = workflow.spot_detail(store, spot_id, now=at, policy=policy, templates=templates)
        done.append((spot_id, action, str(detail.spot["status"]), detail.script))

    top, second = str(spots["id"].iloc[0]), str(spots["id"].iloc[1])
    later = now + timedelta(minutes=30)
    workflow.transition(store, top, "take", actor="engineer.ivanov", now=later, policy=policy)
    workflow.set_eta(
        store,
        top,
        now + timedelta(days=5),
        actor="engineer.ivanov",
        now=later,
        note="replacement RRU ordered",
    )
    say(top, "take + ETA", later)
    workflow.transition(store, second, "take", actor="engineer.petrova", now=later, policy=policy)
    workflow.transition(
        store,
        second,
        "resolve",
        actor="engineer.petrova",
        now=later + timedelta(hours=3),
        policy=policy,
        cause="equipment_failure",
        note="power supply unit replaced",
    )
    say(second, "take + resolve", later + timedelta(hours=3))
    smallest = str(spots.sort_values(["subscribers", "id"])["id"].iloc[0])
    workflow.transition(
        store,
        smallest,
        "reject",
        actor="engineer.petrova",
        now=later,
        policy=policy,
        note="complaints from a test SIM batch",
    )
    say(smallest, "reject", later)
    known = known_issues.register_known_issue(
        store,
        area=known_issues.known_issue_area(lat=59.2181, lon=39.8886, radius_m=250),
        cause="planned_works",
        actor="engineer.ivanov",
        now=later,
        policy=policy,
        eta=now + timedelta(days=2),
        address="Вологда, Советский проспект (плановые работы)",
    )
    say(str(known.spot["id"]), "known issue", later)
    return done

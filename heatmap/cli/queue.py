"""``heatmap queue`` (the engineers' queues) and ``heatmap known-issue`` (planned works, outages)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from heatmap.cli.common import DbOption, JsonOption, NowOption, PolicyOption, wired
from heatmap.cli.output import emit_json, err, out, table
from heatmap.cli.spot import ActorOption, actor_of, brief
from heatmap.core.workflow_rules import ETA_HELP, read_moment
from heatmap.errors import InputError, UsageError

if TYPE_CHECKING:
    from heatmap.wiring import Services


def register(app: typer.Typer) -> None:
    """Add ``queue`` and ``known-issue`` to ``app``."""
    app.command("queue")(queue)
    app.command("known-issue")(known_issue)


def queue(
    name: Annotated[
        str | None,
        typer.Argument(
            help="Queue name from the policy; without it, every queue with its counts.", show_default=False
        ),
    ] = None,
    db: DbOption = None,
    policy: PolicyOption = None,
    now: NowOption = None,
    json: JsonOption = False,
) -> None:
    """Open spots of a queue by priority, with SLA time left and breaches; without a name,
    every queue of the policy with its open and breached spots."""
    from heatmap.service import workflow

    services = wired(db, policy=policy)
    if name is None:
        _queues(services, now, json)
        return
    spots = workflow.queue_view(services.store, name, now=services.now(now), policy=services.policy)
    columns = [
        "id",
        "status",
        "priority",
        "subscribers",
        "sla_left_hours",
        "breached",
        "age_hours",
        "trend",
        "engineer",
        "eta",
        "address",
    ]
    if json:
        emit_json({"queue": name, "spots": spots[columns].to_dict(orient="records")})
        return
    out.print(table(f"Queue {name} ({len(spots)} open)", columns, spots[columns].itertuples(index=False)))


def _queues(services: Services, now: datetime | None, json: bool) -> None:
    """Every queue of the policy with its title, SLA and counts of open, breached and
    due-today spots (SLA ending before midnight, Moscow time)."""
    from heatmap.service import workflow

    rules, store, at = services.policy, services.store, services.now(now)
    rows: list[dict[str, object]] = []
    for queue_name, spec in rules.queues.items():
        view = workflow.queue_view(store, queue_name, now=at, policy=rules)
        rows.append(
            {
                "name": queue_name,
                "title": spec.title,
                "sla_hours": spec.sla_hours,
                "open": len(view),
                "breached": int(view["breached"].sum()),
                "due_today": int(view["due_today"].sum()),
            }
        )
    if json:
        emit_json({"queues": rows})
        return
    total = sum(int(str(r["open"])) for r in rows)
    out.print(
        table(
            f"Queues ({total} open spots)",
            ["name", "title", "sla_hours", "open", "breached", "due_today"],
            [list(r.values()) for r in rows],
        )
    )
    err.print("Open one with `heatmap queue NAME`.")


def known_issue(
    cause: Annotated[
        str, typer.Option(help="One of the policy's [causes]: planned_works, known_outage, power, …")
    ],
    lat: Annotated[float | None, typer.Option(help="Centre latitude.")] = None,
    lon: Annotated[float | None, typer.Option(help="Centre longitude.")] = None,
    radius_m: Annotated[float | None, typer.Option(help="Radius in metres.")] = None,
    polygon: Annotated[
        str | None, typer.Option(help="The area as WKT or GeoJSON (lon lat), or @FILE holding it.")
    ] = None,
    address: Annotated[
        str | None,
        typer.Option(help="Address shown to agents; with --radius-m and no --lat/--lon it is geocoded."),
    ] = None,
    gazetteer: Annotated[
        Path | None, typer.Option(help="Gazetteer to geocode --address (default HEATMAP_GAZETTEER).")
    ] = None,
    eta_text: Annotated[str | None, typer.Option("--eta", help=ETA_HELP)] = None,
    note: Annotated[str | None, typer.Option(help="Details.")] = None,
    db: DbOption = None,
    actor: ActorOption = None,
    now: NowOption = None,
    policy: PolicyOption = None,
    json: JsonOption = False,
) -> None:
    """Register planned works or a known outage as a spot; complaints inside join it.

    The area is a polygon, a point and radius, or an address and radius. Registering it again
    while it is open (same area, cause and ETA) adds nothing and names the spot it has.
    """
    from heatmap.service import known_issues

    services = wired(db, policy=policy, actor=actor, gazetteer=gazetteer)
    if polygon and polygon.startswith("@"):
        polygon = _polygon_file(Path(polygon[1:]))
    if polygon is None and lat is None and address:
        lat, lon = _geocoded(address, services)
    area = known_issues.known_issue_area(lat=lat, lon=lon, radius_m=radius_m, polygon=polygon)
    registered = known_issues.register_known_issue(
        services.store,
        area=area,
        cause=cause,
        actor=actor_of(services),
        now=services.now(now),
        policy=services.policy,
        eta=read_moment(eta_text, "--eta") if eta_text else None,
        address=address,
        note=note,
    )
    spot = registered.spot
    if json:
        emit_json({**brief(spot), "complaints": int(spot["complaints"]), "existing": registered.existing})
    elif registered.existing:
        err.print(
            f"Known issue already registered as spot {spot['id']} (same area, cause and ETA, still open);"
            f" nothing added ({spot['complaints']} complaints in it)."
        )
    else:
        err.print(f"Known issue registered as spot {spot['id']} ({spot['complaints']} complaints joined).")


def _geocoded(address: str, services: Services) -> tuple[float, float]:
    geocoder = services.geocoder()
    if geocoder is None:
        raise UsageError("geocoding --address needs --gazetteer (or HEATMAP_GAZETTEER)")
    answer = geocoder.geocode([address]).iloc[0]
    if answer["precision"] not in ("house", "street"):
        raise UsageError(
            f"cannot place {address!r} precisely enough ({answer['precision']}"
            f"{': ' + str(answer['reason']) if answer['reason'] else ''})"
        )
    return float(answer["lat"]), float(answer["lon"])


def _polygon_file(path: Path) -> str:
    """The GeoJSON or WKT of ``--polygon @FILE``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read the polygon from {path}: {getattr(exc, 'strerror', None) or exc}"
        ) from exc
    if not text.strip():
        raise InputError(f"{path} is empty: it should hold the polygon (GeoJSON or WKT)")
    return text

"""``heatmap spot …``, ``heatmap queue``, ``heatmap network …``, ``heatmap known-issue``."""

from __future__ import annotations

import getpass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from heatmap.cli.common import DbOption, JsonOption, NowOption, PolicyOption, now_or, store_at
from heatmap.cli.output import emit_json, err, out, table
from heatmap.core.workflow_rules import ETA_HELP, read_moment
from heatmap.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

spot_app = typer.Typer(help="Work one spot: show, take, eta, resolve, reject, reopen.", no_args_is_help=True)
network_app = typer.Typer(help="Network inputs: sites and alarms.", no_args_is_help=True)

ActorOption = Annotated[
    str | None, typer.Option("--actor", envvar="HEATMAP_ACTOR", help="Who acts (default: the OS user).")
]
SpotId = Annotated[str, typer.Argument(help="Spot id, e.g. SP-1A2B3C4D.")]


def _actor(actor: str | None) -> str:
    return actor or getpass.getuser()


def _brief(spot: pd.Series) -> dict[str, object]:
    return {k: spot.get(k) for k in ("id", "status", "queue", "engineer", "eta", "cause", "priority")}


def _act(
    spot_id: str,
    action: str,
    db: str | None,
    actor: str | None,
    now: datetime | None,
    policy: Path | None,
    json: bool,
    note: str | None = None,
    cause: str | None = None,
) -> None:
    from heatmap.core.policy import load_policy
    from heatmap.service import workflow

    spot = workflow.transition(
        store_at(db),
        spot_id,
        action,
        actor=_actor(actor),
        now=now_or(now),
        policy=load_policy(policy),
        note=note,
        cause=cause,
    )
    if json:
        emit_json(_brief(spot))
    else:
        err.print(f"Spot {spot_id} is now [bold]{spot['status']}[/].")


def _evidence_rows(facts: dict[str, float | str | None]) -> list[tuple[str, object]]:
    """Why the spot is one, for the table: "—" where detection computed nothing."""

    def number(name: str, digits: int) -> str:
        value = facts[name]
        return "—" if not isinstance(value, float) else f"{value:.{digits}f}"

    p_value = facts["p_value"]
    return [
        ("observed / expected", f"{number('observed', 1)} / {number('expected', 2)}"),
        ("excess", number("excess", 1)),
        ("relative risk", number("relative_risk", 1)),
        ("p-value", "—" if not isinstance(p_value, float) else f"{p_value:.2g}"),
        ("counted over (days)", number("scan_days", 0)),
        ("trend", facts["trend"] or "—"),
    ]


@spot_app.command("show")
def show(
    spot_id: SpotId,
    db: DbOption = None,
    policy: PolicyOption = None,
    now: NowOption = None,
    json: JsonOption = False,
) -> None:
    """A spot with why it is one (observed, expected, excess, relative risk, p-value,
    trend), its complaints, priority breakdown, network, history and script text."""
    from heatmap.core.policy import load_policy
    from heatmap.core.script import load_templates, spot_script
    from heatmap.render.evidence import evidence, evidence_text
    from heatmap.service import workflow

    templates = load_templates()
    detail = workflow.spot_detail(
        store_at(db), spot_id, now=now_or(now), policy=load_policy(policy), templates=templates
    )
    spot = detail.spot
    row = spot.to_dict()
    facts = evidence(row)
    script = spot_script(row, templates, now=now_or(now))
    if json:
        emit_json(
            {
                **{k: spot[k] for k in spot.index if k != "geometry"},
                **facts,
                "evidence_text": evidence_text(row),
                "sla_left_hours": detail.sla_left_hours,
                "script": script,
                "network": None if detail.network is None else detail.network.to_dict(),
                "history": detail.history.to_dict(orient="records"),
                "eta_history": detail.eta_history.to_dict(orient="records"),
                "complaints": detail.complaints[
                    ["ticket_id", "created_at", "topic", "segment", "precision"]
                ].to_dict(orient="records"),
            }
        )
        return
    fields = [
        ("status", spot["status"]),
        ("queue", spot["queue"]),
        ("engineer", spot["engineer"]),
        ("cause", spot["cause"]),
        ("suggested cause", spot.get("suggested_cause")),
        ("ETA", spot["eta"]),
        ("SLA left, h", detail.sla_left_hours),
        ("priority", spot["priority"]),
        ("breakdown", ", ".join(f"{k} {v:.1f}" for k, v in spot["breakdown"].items())),
        ("complainants / complaints", f"{spot['subscribers']} / {spot['complaints']}"),
        *_evidence_rows(facts),
        ("address", spot["address"]),
        ("agent script", script),
    ]
    if detail.network is not None:
        fields.append(("sites in reach", ", ".join(detail.network["sites"]) or "none"))
        fields.append(("alarm", detail.network["alarm_site"]))
    out.print(table(f"Spot {spot_id}", ["field", "value"], fields))
    out.print(
        table(
            "History",
            ["at", "kind", "from", "to", "actor", "note"],
            detail.history[["at", "kind", "from_status", "to_status", "actor", "note"]].itertuples(
                index=False
            ),
        )
    )


@spot_app.command("take")
def take(
    spot_id: SpotId,
    db: DbOption = None,
    actor: ActorOption = None,
    now: NowOption = None,
    policy: PolicyOption = None,
    json: JsonOption = False,
) -> None:
    """Take a spot into work (in_progress, engineer = actor)."""
    _act(spot_id, "take", db, actor, now, policy, json)


@spot_app.command("eta")
def eta(
    spot_id: SpotId,
    when: Annotated[str, typer.Argument(help=ETA_HELP)],
    db: DbOption = None,
    actor: ActorOption = None,
    now: NowOption = None,
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
    json: JsonOption = False,
) -> None:
    """Set the expected fix date (history is kept; agents see the current one).

    A bare date is midnight at its start, Moscow time (UTC+3).

    A time without an offset is Moscow time too; an ETA already passed is refused (exit 1).
    """
    from heatmap.service import workflow

    spot = workflow.set_eta(
        store_at(db), spot_id, read_moment(when, "ETA"), actor=_actor(actor), now=now_or(now), note=note
    )
    if json:
        emit_json(_brief(spot))
    else:
        err.print(f"Spot {spot_id}: ETA {spot['eta']}.")


@spot_app.command("resolve")
def resolve(
    spot_id: SpotId,
    db: DbOption = None,
    actor: ActorOption = None,
    cause: Annotated[
        str | None,
        typer.Option(
            help="What it was: one of the policy's [causes] (the default policy's:"
            " equipment_failure, power, transport_link, capacity, coverage_gap,"
            " radio_tuning, planned_works, known_outage)."
        ),
    ] = None,
    note: Annotated[str | None, typer.Option(help="What was done.")] = None,
    now: NowOption = None,
    policy: PolicyOption = None,
    json: JsonOption = False,
) -> None:
    """Resolve a spot in work.

    --cause is required, one of the policy's causes (else exit 1 naming the allowed ones).
    """
    _act(spot_id, "resolve", db, actor, now, policy, json, note=note, cause=cause)


@spot_app.command("reject")
def reject(
    spot_id: SpotId,
    reason: Annotated[str, typer.Option(help="Why it is not a problem.")],
    db: DbOption = None,
    actor: ActorOption = None,
    now: NowOption = None,
    policy: PolicyOption = None,
    json: JsonOption = False,
) -> None:
    """Reject a spot with a reason."""
    _act(spot_id, "reject", db, actor, now, policy, json, note=reason)


@spot_app.command("reopen")
def reopen(
    spot_id: SpotId,
    db: DbOption = None,
    actor: ActorOption = None,
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
    now: NowOption = None,
    policy: PolicyOption = None,
    json: JsonOption = False,
) -> None:
    """Reopen a resolved or rejected spot."""
    _act(spot_id, "reopen", db, actor, now, policy, json, note=note)


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
    from heatmap.core.policy import load_policy
    from heatmap.service import workflow

    if name is None:
        _queues(db, policy, now, json)
        return
    spots = workflow.queue_view(store_at(db), name, now=now_or(now), policy=load_policy(policy))
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


def _queues(db: str | None, policy: Path | None, now: datetime | None, json: bool) -> None:
    """Every queue of the policy with its title, SLA and counts of open, breached and
    due-today spots (SLA ending before midnight, Moscow time)."""
    from heatmap.core.policy import load_policy
    from heatmap.service import workflow

    rules, store, at = load_policy(policy), store_at(db), now_or(now)
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
        Path | None, typer.Option(envvar="HEATMAP_GAZETTEER", help="Gazetteer to geocode --address.")
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

    The area is a polygon, a point and radius, or an address and radius.
    """
    from heatmap.core.policy import load_policy
    from heatmap.service import workflow

    if polygon and polygon.startswith("@"):
        polygon = Path(polygon[1:]).read_text(encoding="utf-8")
    if polygon is None and lat is None and address:
        lat, lon = _geocoded(address, gazetteer)
    area = workflow.known_issue_area(lat=lat, lon=lon, radius_m=radius_m, polygon=polygon)
    spot = workflow.register_known_issue(
        store_at(db),
        area=area,
        cause=cause,
        actor=_actor(actor),
        now=now_or(now),
        policy=load_policy(policy),
        eta=read_moment(eta_text, "--eta") if eta_text else None,
        address=address,
        note=note,
    )
    if json:
        emit_json({**_brief(spot), "complaints": int(spot["complaints"])})
    else:
        err.print(f"Known issue registered as spot {spot['id']} ({spot['complaints']} complaints joined).")


def _geocoded(address: str, gazetteer: Path | None) -> tuple[float, float]:
    from heatmap.geocode import GazetteerGeocoder, load_gazetteer

    if gazetteer is None:
        raise UsageError("geocoding --address needs --gazetteer (or HEATMAP_GAZETTEER)")
    answer = GazetteerGeocoder(load_gazetteer(gazetteer)).geocode([address]).iloc[0]
    if answer["precision"] not in ("house", "street"):
        raise UsageError(
            f"cannot place {address!r} precisely enough ({answer['precision']}"
            f"{': ' + str(answer['reason']) if answer['reason'] else ''})"
        )
    return float(answer["lat"]), float(answer["lon"])


@network_app.command("load")
def network_load(
    sites: Annotated[Path | None, typer.Option(help="Sites CSV: site_id, lat, lon, …")] = None,
    alarms: Annotated[Path | None, typer.Option(help="Alarms CSV: site_id, severity, start, …")] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Replace the stored sites and/or alarms with these files."""
    from heatmap.io.network import read_alarms, read_sites

    if sites is None and alarms is None:
        raise UsageError("give --sites and/or --alarms")
    site_frame, site_problems = read_sites(sites) if sites else (None, [])
    alarm_frame, alarm_problems = read_alarms(alarms) if alarms else (None, [])
    store_at(db).replace_network(sites=site_frame, alarms=alarm_frame)
    summary = {
        "sites": None if site_frame is None else len(site_frame),
        "alarms": None if alarm_frame is None else len(alarm_frame),
        "skipped": len(site_problems) + len(alarm_problems),
    }
    for problem in [*site_problems, *alarm_problems][:20]:
        err.print(f"[yellow]skipped[/] {problem}")
    if json:
        emit_json(summary)
    else:
        err.print(
            f"Loaded {summary['sites']} sites, {summary['alarms']} alarms"
            f" ({summary['skipped']} rows skipped)."
        )


@network_app.command("sites-from-drive-test")
def sites_from_drive_test(
    trace: Annotated[Path, typer.Argument(help="G-NetTrack Pro CSV or a zip of them.")],
    out_file: Annotated[Path, typer.Option("--out", help="Sites CSV to write.")],
) -> None:
    """Estimate site positions from drive-test traces (strongest-signal centres per node)."""
    from heatmap.core.network import estimate_sites
    from heatmap.io.network import read_drive_test
    from heatmap.io.writers import write_table

    sites = estimate_sites(read_drive_test(trace))
    write_table(sites, out_file)
    err.print(f"Estimated {len(sites)} sites into {out_file}")


@network_app.command("coverage-from-drive-test")
def coverage_from_drive_test(
    trace: Annotated[Path, typer.Argument(help="G-NetTrack Pro CSV or a zip of them.")],
    res: Annotated[
        int, typer.Option(min=5, max=12, help="H3 resolution of the cells (9: about 170 m across).")
    ] = 9,
    min_samples: Annotated[int, typer.Option(min=1, help="Leave out cells with fewer fixes.")] = 3,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Store the median signal level (RSRP, RSSI; dBm) and sample count per H3 cell measured
    by drive tests, replacing the stored coverage; the map pages draw it under the spots."""
    from heatmap.core.coverage import coverage_cells
    from heatmap.io.network import read_drive_test

    fixes = read_drive_test(trace)
    layer = coverage_cells(fixes, res=res, min_samples=min_samples)
    store_at(db).replace_coverage(layer)
    summary = {
        "fixes": len(fixes),
        "cells": len(layer),
        "median_rsrp_dbm": None
        if layer["rsrp_median"].isna().all()
        else float(layer["rsrp_median"].median()),
    }
    if json:
        emit_json(summary)
    else:
        err.print(
            f"Stored coverage of {summary['cells']} cells (H3 res {res}) from"
            f" {summary['fixes']} fixes; median RSRP of the cells"
            f" {summary['median_rsrp_dbm']} dBm."
        )

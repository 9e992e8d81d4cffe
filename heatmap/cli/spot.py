"""``heatmap spot …``: show one spot and move it through its states."""

from __future__ import annotations

import getpass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from heatmap.cli.common import DbOption, JsonOption, NowOption, PolicyOption, wired
from heatmap.cli.output import emit_json, err, out, table
from heatmap.core.workflow_rules import ETA_HELP, in_moscow, read_moment

if TYPE_CHECKING:
    import pandas as pd

    from heatmap.wiring import Services

spot_app = typer.Typer(help="Work one spot: show, take, eta, resolve, reject, reopen.", no_args_is_help=True)

ActorOption = Annotated[
    str | None, typer.Option("--actor", help="Who acts (default: HEATMAP_ACTOR, else the OS user).")
]
SpotId = Annotated[str, typer.Argument(help="Spot id, e.g. SP-1A2B3C4D.")]


def actor_of(services: Services) -> str:
    """Who acts: ``--actor``, ``HEATMAP_ACTOR`` or the OS user."""
    return services.settings.actor or getpass.getuser()


def brief(spot: pd.Series) -> dict[str, object]:
    return {k: spot.get(k) for k in ("id", "status", "queue", "engineer", "eta", "cause", "priority")}


def _moscow_text(moment: object) -> str:
    """A time in Moscow time, as engineers give an ETA ("" for none); every time the
    table shows is told so (``--json`` keeps UTC)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return in_moscow(moment) if isinstance(moment, datetime) and moment == moment else ""  # NaT: none


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
    from heatmap.service import workflow

    services = wired(db, policy=policy, actor=actor)
    spot = workflow.transition(
        services.store,
        spot_id,
        action,
        actor=actor_of(services),
        now=services.now(now),
        policy=services.policy,
        note=note,
        cause=cause,
    )
    if json:
        emit_json(brief(spot))
    else:
        err.print(f"Spot {escape(spot_id)} is now [bold]{spot['status']}[/].")


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
    trend), when detection last confirmed it and whether it still takes complaints, its
    complaints, priority breakdown, network, history and script text."""
    from heatmap.core.script import spot_script
    from heatmap.render.evidence import evidence, evidence_text
    from heatmap.render.intake import intake_fields
    from heatmap.service import workflow

    services = wired(db, policy=policy)
    at, templates = services.now(now), services.templates
    detail = workflow.spot_detail(
        services.store, spot_id, now=at, policy=services.policy, templates=templates
    )
    spot = detail.spot
    row = spot.to_dict()
    facts = evidence(row)
    script = spot_script(row, templates, now=at)
    intake = intake_fields(row, now=at, active_hours=services.policy.join.active_hours)
    if json:
        emit_json(
            {
                **{k: spot[k] for k in spot.index if k != "geometry"},
                **facts,
                "evidence_text": evidence_text(row),
                **intake,
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
        ("ETA", _moscow_text(spot["eta"])),
        ("SLA left, h", detail.sla_left_hours),
        ("priority", spot["priority"]),
        ("breakdown", ", ".join(f"{k} {v:.1f}" for k, v in spot["breakdown"].items())),
        ("complainants / complaints", f"{spot['subscribers']} / {spot['complaints']}"),
        *_evidence_rows(facts),
        ("detection", intake["confirmation_text"]),
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
            (
                (_moscow_text(at), *rest)
                for at, *rest in detail.history[
                    ["at", "kind", "from_status", "to_status", "actor", "note"]
                ].itertuples(index=False)
            ),
        )
    )
    _print_etas_and_complaints(detail.eta_history, detail.complaints)


#: Complaints a spot's table shows, the latest first (``--json`` gives them all).
SHOWN_COMPLAINTS = 20


def _print_etas_and_complaints(etas: pd.DataFrame, complaints: pd.DataFrame) -> None:
    if len(etas):
        rows = [
            (_moscow_text(at), _moscow_text(eta), actor, note)
            for at, eta, actor, note in etas.itertuples(index=False)
        ]
        out.print(table("ETA history", ["at", "ETA", "actor", "note"], rows))
    columns = ["ticket_id", "created_at", "topic", "segment", "precision"]
    latest = complaints.sort_values("created_at", ascending=False).head(SHOWN_COMPLAINTS)
    title = f"Complaints ({len(complaints)}" + (
        f"; the latest {SHOWN_COMPLAINTS}, all with --json)" if len(complaints) > SHOWN_COMPLAINTS else ")"
    )
    listed = [(t, _moscow_text(at), *rest) for t, at, *rest in latest[columns].itertuples(index=False)]
    out.print(table(title, columns, listed))


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

    services = wired(db, actor=actor)
    spot = workflow.set_eta(
        services.store,
        spot_id,
        read_moment(when, "ETA"),
        actor=actor_of(services),
        now=services.now(now),
        note=note,
    )
    if json:
        emit_json(brief(spot))
    else:
        err.print(f"Spot {spot_id}: ETA {_moscow_text(spot['eta'])}.", markup=False)


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

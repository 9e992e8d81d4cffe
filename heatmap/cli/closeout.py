"""``heatmap notify`` (the SMS job) and ``heatmap report`` (close-out KPIs)."""

from __future__ import annotations

import signal
import threading
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from heatmap.cli.common import DbOption, JsonOption, NowOption, wired
from heatmap.cli.output import emit_json, err, out, table
from heatmap.errors import UsageError

__all__ = ["notify", "register", "report"]


def register(app: typer.Typer) -> None:
    app.command("notify")(notify)
    app.command("report")(report)


def notify(
    db: DbOption = None,
    gateway: Annotated[str, typer.Option(help="file (appends to HEATMAP_SMS_SPOOL) or kannel.")] = "file",
    loop: Annotated[
        bool,
        typer.Option(
            "--loop", help="Keep running: a pass every HEATMAP_NOTIFY_INTERVAL_S seconds until stopped."
        ),
    ] = False,
    spool: Annotated[
        Path | None,
        typer.Option(help="The file gateway's file (default HEATMAP_SMS_SPOOL or sms-outbox.jsonl)."),
    ] = None,
    now: NowOption = None,
    json: JsonOption = False,
) -> None:
    """Send the close-out SMS waiting in the outbox (quiet hours, retries, opt-outs)."""
    from heatmap.closeout.notify import run_loop, run_once

    if loop and now is not None:
        raise UsageError("--now is for a single pass; --loop follows the clock")
    services = wired(db, sms_spool=spool)
    settings = services.settings.closeout
    templates = services.sms_templates
    store = services.store
    sender = services.gateway(gateway)
    try:
        if not loop:
            counts = run_once(store, sender, now=services.now(now), settings=settings, templates=templates)
            if json:
                emit_json(counts)
            else:
                out.print(table("Notify", list(counts), [list(counts.values())]))
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        err.print(f"Sending through {sender.name} every {settings.notify_interval_s:g} s; Ctrl-C stops.")
        run_loop(
            store,
            sender,
            settings=settings,
            templates=templates,
            stop=stop,
            on_run=lambda counts: emit_json(counts) if json else _brief(counts),
        )
    finally:
        sender.close()
        store.close()


def _brief(counts: dict[str, int]) -> None:
    if any(counts.values()):
        err.print(", ".join(f"{k} {v}" for k, v in counts.items() if v))


def report(
    db: DbOption = None,
    since: Annotated[
        datetime | None,
        typer.Option(
            help="Count from then on (ISO 8601, UTC if no offset): spots opened, spots resolved "
            "(by their resolution time), SMS written, answers given.",
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"],
        ),
    ] = None,
    now: NowOption = None,
    json: JsonOption = False,
) -> None:
    """Close-out KPIs: spots opened/resolved, time to fix, ratings, SMS and their parts,
    clients reached."""
    from heatmap.closeout.report import closeout_report

    services = wired(db)
    store = services.store
    try:
        figures = closeout_report(
            store, now=services.now(now), since=None if since is None else services.now(since)
        )
    finally:
        store.close()
    if json:
        emit_json(figures)
        return
    out.print(
        table(
            "Close-out report",
            ["figure", "value"],
            [(k, "—" if v is None else v) for k, v in figures.items()],
        )
    )

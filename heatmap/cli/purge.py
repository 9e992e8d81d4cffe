"""``heatmap purge --older-than DAYS``: retention of personal data (SECURITY.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from heatmap.cli.common import DbOption, JsonOption, NowOption, now_or, store_at
from heatmap.cli.output import emit_json, err, out, table


def register(app: typer.Typer) -> None:
    """Add ``heatmap purge``."""
    app.command("purge")(purge)


def purge(
    older_than: Annotated[
        int,
        typer.Option(
            "--older-than",
            min=1,
            metavar="DAYS",
            help="Remove personal data of closed complaints made more than DAYS days ago.",
        ),
    ],
    db: DbOption = None,
    now: NowOption = None,
    json: JsonOption = False,
) -> None:
    """Remove phone numbers and free text of closed complaints after DAYS days.

    A complaint is closed when no open spot holds it. Its number, text and typed address
    go, with every copy (change history, final close-out SMS, replies, rating comment);
    quarantined rows of that age are deleted. Counts, spots, points, pseudonymous ids and
    ratings stay. Run it on a schedule (cron, systemd timer); running it again removes
    nothing twice.
    """
    from heatmap.store.purge import PURGED

    before = now_or(now) - timedelta(days=older_than)
    store = store_at(db)
    try:
        removed = store.purge_personal_data(before=before)
    finally:
        store.close()
    if json:
        emit_json(
            {
                "older_than_days": older_than,
                "before": before.isoformat(),
                "removed": {name: removed.get(name, 0) for name in PURGED},
            }
        )
        return
    out.print(
        table(
            f"Personal data removed (closed before {before:%Y-%m-%d %H:%M} UTC)",
            ["table", "rows"],
            [(name, removed.get(name, 0)) for name in PURGED],
        )
    )
    err.print(
        f"[green]Purged[/] {removed.get('complaints', 0)} complaint(s) older than"
        f" {older_than} day(s); counts, spots and ratings kept."
    )

"""Options shared by every sub-command, and how they become a store and a clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from heatmap.defaults import DEFAULT_DB

if TYPE_CHECKING:
    from heatmap.store import Store

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="HEATMAP_DB", help=f"Store URL (default {DEFAULT_DB}).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
NowOption = Annotated[
    datetime | None,
    typer.Option(
        "--now",
        help="The time to act at (ISO 8601, UTC if no offset); default: now.",
        formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"],
    ),
]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        envvar="HEATMAP_PROFILE",
        help="Mapping profile for files in another shape: teplokarty (default), crm-ru,"
        " nyc-311, or a TOML file (see `heatmap profile`).",
        show_default=False,
    ),
]
PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy", envvar="HEATMAP_POLICY", help="Priority and routing policy (TOML).", show_default=False
    ),
]


def store_at(db: str | None) -> Store:
    """The store named by ``--db``, ``HEATMAP_DB`` or the default."""
    from heatmap.settings import load_settings
    from heatmap.store import open_store

    return open_store(load_settings(db=db).db)


def now_or(value: datetime | None) -> datetime:
    """``--now`` as an aware UTC time, else the clock."""
    if value is None:
        return datetime.now(UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)

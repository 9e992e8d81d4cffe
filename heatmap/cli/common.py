"""Options shared by every sub-command, and how they become services (:mod:`heatmap.wiring`).

Options name no environment variable of their own: an option left out is None, and
:func:`wired` fills it from the settings (``HEATMAP_DB`` for ``--db`` and so on).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from heatmap.defaults import DEFAULT_DB

if TYPE_CHECKING:
    from heatmap.store import Store
    from heatmap.wiring import Services

DbOption = Annotated[
    str | None,
    typer.Option("--db", help=f"Store URL (default: HEATMAP_DB, else {DEFAULT_DB}).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
#: What ``--now`` takes: ISO 8601 with or without an offset (UTC if none), with or without
#: seconds (as ``spot eta`` takes ``2026-11-25T18:00``), or a date.
NOW_FORMATS = [
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
]
NowOption = Annotated[
    datetime | None,
    typer.Option(
        "--now",
        help="The time to act at (ISO 8601, UTC if no offset); default: now.",
        formats=NOW_FORMATS,
    ),
]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        help="Mapping profile for files in another shape: teplokarty (default), crm-ru,"
        " nyc-311, or a TOML file (see `heatmap profile`); default HEATMAP_PROFILE.",
        show_default=False,
    ),
]
PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        help="Priority and routing policy (TOML); default HEATMAP_POLICY, else the packaged one.",
        show_default=False,
    ),
]
GazetteerOption = Annotated[
    Path | None,
    typer.Option("--gazetteer", help="Gazetteer built by `gazetteer build` (default HEATMAP_GAZETTEER)."),
]
CityOption = Annotated[
    str | None,
    typer.Option(help="Settlement for addresses that name none (default HEATMAP_CITY).", show_default=False),
]


def wired(db: str | None = None, **options: object) -> Services:
    """The services of this command: the settings with its options (None: not given) on top."""
    from heatmap import wiring

    return wiring.services(db=db, **options)


def store_at(db: str | None) -> Store:
    """The store named by ``--db``, ``HEATMAP_DB`` or the default."""
    return wired(db).store


def now_or(value: datetime | None) -> datetime:
    """``--now`` as an aware UTC time, else the clock."""
    from heatmap.wiring import moment

    return moment(value)

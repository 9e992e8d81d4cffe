"""``heatmap keys …`` and ``heatmap serve``: API keys and the HTTP server."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit, urlunsplit

import typer
from rich.markup import escape

from heatmap.cli.common import DbOption, JsonOption, now_or, store_at, wired
from heatmap.cli.output import emit_json, err, out, table
from heatmap.errors import UsageError

keys_app = typer.Typer(help="API keys of the HTTP API.", no_args_is_help=True)

RoleOption = Annotated[
    str, typer.Option("--role", help="agent, engineer, analyst, admin or gateway.", show_default=False)
]


@keys_app.command("create")
def keys_create(
    role: RoleOption,
    name: Annotated[
        str | None, typer.Option(help="Who holds it (recorded as the actor of their actions).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Make an API key; it is shown once, as the last word printed (only a hash is kept)."""
    from heatmap.api.keys import create_key

    key = create_key(store_at(db), role=role, now=now_or(None), name=name)
    err.print(f"API key for role [bold]{escape(role)}[/] (shown only now; send it as X-API-Key):")
    print(key)


@keys_app.command("list")
def keys_list(db: DbOption = None, json: JsonOption = False) -> None:
    """Key ids, roles, names and whether they are revoked (never the secrets)."""
    rows = [
        {
            "key_id": k.key_id,
            "role": k.role,
            "name": k.name,
            "created_at": k.created_at.isoformat(),
            "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
        }
        for k in store_at(db).load_api_keys()
    ]
    if json:
        emit_json({"keys": rows})
        return
    out.print(
        table(
            f"API keys ({len(rows)})",
            ["key_id", "role", "name", "created_at", "revoked_at"],
            [list(r.values()) for r in rows],
        )
    )


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The id: the part after 'hm_' of the key.")],
    db: DbOption = None,
) -> None:
    """Revoke a key (servers stop accepting it within HEATMAP_API_KEY_CACHE_S seconds)."""
    if not store_at(db).revoke_api_key(key_id, now_or(None)):
        raise UsageError(f"no active key {key_id!r} (see `heatmap keys list`)")
    err.print(f"Key {key_id} revoked.", markup=False)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    db: DbOption = None,
    upgrade: Annotated[
        bool, typer.Option("--upgrade/--no-upgrade", help="Create or upgrade the store's schema first.")
    ] = True,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request.")
    ] = False,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Run the HTTP API and the map page (uvicorn) over the store."""
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from heatmap import service, wiring
    from heatmap.core.pii import masked_log_config

    services = wired(db)
    try:
        if upgrade:
            service.init_store(services.store)
    finally:
        services.close()
    url = services.store_url
    err.print(f"Serving {_shown(url)} on http://{host}:{port} (map: /map, docs: /docs)", markup=False)
    wiring.hand_to_workers(services.settings)  # workers are new processes
    uvicorn.run(
        "heatmap.api.app:served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level=log_level,
        proxy_headers=False,
        log_config=masked_log_config(LOGGING_CONFIG),
    )  # no personal data in logs


def _shown(url: str) -> str:
    """The store URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def register(app: typer.Typer) -> None:
    """Add ``keys`` and ``serve`` to the ``heatmap`` command."""
    app.add_typer(keys_app, name="keys")
    app.command("serve")(serve)

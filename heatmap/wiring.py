"""The composition root: where settings are read and the services built.

Only this module reads the environment (through :func:`heatmap.settings.load_settings`):
:func:`services` makes one :class:`heatmap.settings.Settings` from the ``HEATMAP_*``
variables and the caller's overrides (a CLI command's options), and a :class:`Services`
over it that builds each service once, when first asked: the store, the policy, the
agents' script templates, the SMS templates, the gazetteer geocoder, the SMS gateway and
the clock. CLI commands get them from here (``heatmap.cli.common.wired``); the HTTP API's
:func:`heatmap.api.create_app` keeps a :class:`Services` on ``app.state.api``.

``heatmap serve`` runs its app in uvicorn workers, which are new processes: the settings
reach them as one JSON value, written by :func:`hand_to_workers` into the process
environment (inherited by the workers) and read back by :func:`handed_settings` in
:func:`heatmap.api.app.served_app`, the factory uvicorn calls in each worker. Both ends
are here, so no other module touches the environment.

Importing this module costs nothing: what a service needs is imported when it is built
(``heatmap --help`` loads neither pandas nor pydantic).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from heatmap.closeout.gateways import Gateway
    from heatmap.closeout.templates import SmsTemplates
    from heatmap.core.policy import Policy
    from heatmap.core.script import ScriptTemplates
    from heatmap.geocode.matcher import GazetteerGeocoder
    from heatmap.settings import Settings
    from heatmap.store import Store

__all__ = [
    "SERVED_SETTINGS",
    "Clock",
    "Services",
    "hand_to_workers",
    "handed_settings",
    "moment",
    "services",
    "settings",
    "settings_of",
    "sms_gateway_key",
    "utc_now",
]

Clock = Callable[[], datetime]

#: The one variable ``heatmap serve`` hands its workers their settings in (JSON).
SERVED_SETTINGS = "HEATMAP_SERVE_SETTINGS"


def utc_now() -> datetime:
    """The system clock, UTC."""
    return datetime.now(UTC)


def moment(given: datetime | None, clock: Clock = utc_now) -> datetime:
    """``given`` as an aware UTC time (naive is taken as UTC), else ``clock()``."""
    if given is None:
        return clock()
    return given if given.tzinfo else given.replace(tzinfo=UTC)


def settings(**overrides: object) -> Settings:
    """Settings from the ``HEATMAP_*`` environment, with ``overrides`` (None: not given) on top.

    A field of the ``store`` or ``closeout`` section may be given flat (``db=…``).
    """
    from heatmap.settings import load_settings

    return load_settings(**overrides)


def services(**overrides: object) -> Services:
    """The services over :func:`settings` (``overrides`` as there)."""
    return Services(settings(**overrides))


class Services:
    """The services of one :class:`~heatmap.settings.Settings`, each built once when first used.

    ``store`` and ``clock`` may be given (tests, an embedding application); a store given
    is not closed by :meth:`close`.
    """

    def __init__(self, settings: Settings, *, store: Store | None = None, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or utc_now
        self.given_store = store
        self._store = store
        self._built: dict[str, Any] = {}
        self._lock = threading.RLock()

    def _once(self, name: str, build: Callable[[], Any]) -> Any:
        with self._lock:
            if name not in self._built:
                self._built[name] = build()
            return self._built[name]

    # --- the store ----------------------------------------------------------------------
    @property
    def store_url(self) -> str:
        return self.given_store.url if self.given_store is not None else self.settings.store.db

    def open_store(self) -> Store:
        """A new connection to the store (the API opens one per thread for SQLite), keyed by
        ``HEATMAP_SECRET_KEY`` when it is set."""
        from heatmap.store import open_store

        return open_store(self.store_url, secret_key=self.settings.store.secret_key)

    @property
    def store(self) -> Store:
        """The store, opened on first use and kept."""
        with self._lock:
            if self._store is None:
                self._store = self.open_store()
            return self._store

    def configured_db(self) -> str | None:
        """The store URL when one was named (``--db``, ``HEATMAP_DB``), else None."""
        return self.settings.store.db if "db" in self.settings.store.model_fields_set else None

    # --- rules and texts ----------------------------------------------------------------
    @property
    def policy(self) -> Policy:
        """The policy of ``HEATMAP_POLICY`` (``--policy``), else the packaged one."""
        from heatmap.core.policy import load_policy

        policy: Policy = self._once("policy", lambda: load_policy(self.settings.policy))
        return policy

    @property
    def templates(self) -> ScriptTemplates:
        """The agents' script templates."""
        from heatmap.core.script import load_templates

        templates: ScriptTemplates = self._once("templates", load_templates)
        return templates

    @property
    def sms_templates(self) -> SmsTemplates:
        """The close-out SMS templates (``HEATMAP_SMS_TEMPLATES``), checked for length."""
        from heatmap.closeout.templates import load_sms_templates

        closeout = self.settings.closeout
        built: SmsTemplates = self._once(
            "sms_templates",
            lambda: load_sms_templates(closeout.sms_templates, public_url=closeout.public_url),
        )
        return built

    # --- places -------------------------------------------------------------------------
    def gazetteer_entries(self) -> pd.DataFrame | None:
        """The entries of the gazetteer (``HEATMAP_GAZETTEER``, ``--gazetteer``), read now;
        None without one. Not kept: the geocoder and the basemap build their own indexes."""
        if self.settings.gazetteer is None:
            return None
        from heatmap.geocode import load_gazetteer

        return load_gazetteer(self.settings.gazetteer)

    def geocoder(self, entries: pd.DataFrame | None = None) -> GazetteerGeocoder | None:
        """The gazetteer geocoder (default city ``HEATMAP_CITY``), built once; None without a
        gazetteer. ``entries`` already read save reading the file again."""
        if entries is None and self.settings.gazetteer is None:
            return None
        from heatmap.geocode import GazetteerGeocoder

        def build() -> GazetteerGeocoder:
            rows = entries if entries is not None else self.gazetteer_entries()
            return GazetteerGeocoder(rows, default_city=self.settings.city)

        geocoder: GazetteerGeocoder = self._once("geocoder", build)
        return geocoder

    # --- the SMS gateway and the clock --------------------------------------------------
    def gateway(self, kind: str) -> Gateway:
        """A new SMS gateway ``kind`` (``file`` or ``kannel``) of the close-out settings."""
        from heatmap.closeout.gateways import open_gateway

        return open_gateway(kind, self.settings.closeout)

    def now(self, given: datetime | None = None) -> datetime:
        """``given`` as an aware UTC time (naive is taken as UTC), else the clock."""
        return moment(given, self.clock)

    def close(self) -> None:
        """Close the store this opened (not one given)."""
        with self._lock:
            store, self._store = self._store, self.given_store
        if store is not None and store is not self.given_store:
            store.close()


# --- an app's settings ------------------------------------------------------------------
def settings_of(app: Any) -> Settings:
    """The settings of a FastAPI ``app`` made by :func:`heatmap.api.create_app` (kept on
    ``app.state.api``); for a bare app (a router mounted alone), the environment's."""
    from heatmap.settings import Settings

    chosen = getattr(getattr(app.state, "api", None), "settings", None)
    return chosen if isinstance(chosen, Settings) else settings()


def sms_gateway_key(app: Any) -> str:
    """The key the SMS gateway presents to an app without API keys (``HEATMAP_SMS_GATEWAY_KEY``);
    empty when none is set."""
    key = settings_of(app).closeout.sms_gateway_key
    return "" if key is None else key.get_secret_value()


# --- heatmap serve's workers ------------------------------------------------------------
def hand_to_workers(chosen: Settings) -> None:
    """Hand ``chosen`` to the workers ``heatmap serve`` is about to start.

    The settings go whole, secrets included, into :data:`SERVED_SETTINGS`: the workers are
    new processes and inherit the environment, the only channel uvicorn leaves. A server
    freezes its start-up objects out of the garbage collector unless
    ``HEATMAP_API_GC_FREEZE`` says otherwise.
    """
    if chosen.api.gc_freeze is None:
        chosen = chosen.model_copy(update={"api": chosen.api.model_copy(update={"gc_freeze": True})})
    os.environ[SERVED_SETTINGS] = json.dumps(chosen.model_dump(), default=_revealed)


def handed_settings() -> Settings:
    """In a worker of ``heatmap serve``: the settings :func:`hand_to_workers` handed over;
    elsewhere the environment's."""
    handed = os.environ.get(SERVED_SETTINGS)
    return settings(**json.loads(handed)) if handed else settings()


def _revealed(value: object) -> object:
    from pydantic import SecretStr

    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot hand {type(value).__name__} to the workers")

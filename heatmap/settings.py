"""Every setting of Teplokarty in one typed :class:`Settings`, read from ``HEATMAP_*`` variables.

Only :mod:`heatmap.wiring` reads them (through :func:`load_settings`); everything else gets
a :class:`Settings`, or one of its sections, as an argument. The sections keep the
variable names the product has always documented:

* ``store`` — ``HEATMAP_DB``, ``HEATMAP_SECRET_KEY``;
* ``detection`` — ``HEATMAP_DETECT_*``;
* ``api`` — ``HEATMAP_API_*`` (and ``HEATMAP_TILES_URL``, ``HEATMAP_TILES_ATTRIBUTION``);
* ``closeout`` — ``HEATMAP_QUIET_HOURS``, ``HEATMAP_SMS_*``, ``HEATMAP_KANNEL_*``,
  ``HEATMAP_PUBLIC_URL``, ``HEATMAP_NOTIFY_INTERVAL_S``;

and the top level ``HEATMAP_POLICY``, ``HEATMAP_GAZETTEER``, ``HEATMAP_CITY``,
``HEATMAP_PROFILE``, ``HEATMAP_ACTOR``, ``HEATMAP_DASK_SCHEDULER``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from heatmap.core.quiet import DEFAULT_QUIET_HOURS, QuietHours, parse_quiet_hours
from heatmap.defaults import DEFAULT_DB
from heatmap.errors import ConfigError

__all__ = [
    "ApiSettings",
    "CloseoutSettings",
    "DetectionSettings",
    "Settings",
    "StoreSettings",
    "load_closeout_settings",
    "load_settings",
]

#: Secrets people copy from examples; refusing them keeps a demo key out of production.
_WEAK_SECRETS = frozenset({"", "changeme", "secret", "change-me", "default", "password"})


class StoreSettings(BaseSettings):
    """Which store, and the key of its keyed hashes (``HEATMAP_DB``, ``HEATMAP_SECRET_KEY``)."""

    model_config = SettingsConfigDict(env_prefix="HEATMAP_", extra="ignore")

    db: str = DEFAULT_DB
    #: Key of the keyed hash that derives subscriber ids from phone numbers.
    #: When unset, the store keeps a random key of its own made at ``init``.
    secret_key: SecretStr | None = None

    @field_validator("secret_key")
    @classmethod
    def _refuse_weak_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and (
            value.get_secret_value().lower() in _WEAK_SECRETS or len(value.get_secret_value()) < 16
        ):
            raise ValueError("HEATMAP_SECRET_KEY is a placeholder or shorter than 16 characters")
        return value


class DetectionSettings(BaseSettings):
    """Thresholds of spot detection (``HEATMAP_DETECT_*``)."""

    model_config = SettingsConfigDict(env_prefix="HEATMAP_DETECT_", extra="ignore")

    method: str = Field("h3", pattern="^(h3|dbscan)$")
    h3_res: int = Field(9, ge=0, le=15)
    eps_m: float = Field(250.0, gt=0)
    min_subscribers: int = Field(3, ge=1)
    window_days: float = Field(30.0, gt=0)
    rule: str = Field("expected", pattern="^(expected|count)$")
    q: float = Field(0.003, gt=0, lt=1)
    history_days: float = Field(180.0, ge=0)


class ApiSettings(BaseSettings):
    """What the API serves and how strictly (``HEATMAP_API_*``)."""

    model_config = SettingsConfigDict(env_prefix="HEATMAP_API_", extra="ignore", populate_by_name=True)

    #: An open spot this near a looked-up point (metres) counts as covering it.
    lookup_reach_m: float = Field(100.0, ge=0, le=5_000)
    #: Resolved spots shown beside a lookup: resolved within these days ...
    recent_days: float = Field(14.0, gt=0)
    #: ... and within this many metres of the point.
    recent_reach_m: float = Field(500.0, ge=0, le=20_000)
    #: How often (milliseconds) a worker asks the store whether spots changed.
    index_check_ms: int = Field(200, ge=0, le=60_000)
    #: Hex cells with fewer distinct complainants than this are never shown.
    hex_min_subscribers: int = Field(3, ge=1)
    #: Complaints of the last these days make the hex layer.
    hex_window_days: float = Field(30.0, gt=0)
    #: Seconds a computed hex layer is reused before it is computed again.
    hex_cache_s: float = Field(30.0, ge=0)
    #: Seconds a checked API key is trusted before the store is asked again.
    key_cache_s: float = Field(10.0, ge=0)
    #: Failed authentications (no key, a wrong one) a client may make per window; after
    #: that it is answered 429 with Retry-After until the window ends.
    auth_fail_limit: int = Field(20, ge=1)
    #: The window of ``auth_fail_limit``, in seconds.
    auth_fail_window_s: float = Field(60.0, gt=0)
    #: Freeze the objects loaded at startup out of the garbage collector. Unset: yes under
    #: ``heatmap serve``, no in an app made by ``create_app`` directly.
    gc_freeze: bool | None = None
    #: Where the map page loads Leaflet from: the copy installed with the package (the
    #: ``xstatic-leaflet`` dependency), served by this API, unless told otherwise.
    leaflet_url: str = "/static/leaflet"
    #: A tile server for the map page (``https://tile.openstreetmap.org/{z}/{x}/{y}.png`` or
    #: the operator's own); unset, the page draws the gazetteer's basemap and needs no host.
    tiles_url: str = Field("", validation_alias=AliasChoices("HEATMAP_TILES_URL", "HEATMAP_API_TILES_URL"))
    #: Attribution shown under the tiles of ``tiles_url``.
    tiles_attribution: str = Field(
        "&copy; OpenStreetMap contributors",
        validation_alias=AliasChoices("HEATMAP_TILES_ATTRIBUTION", "HEATMAP_API_TILES_ATTRIBUTION"),
    )


class CloseoutSettings(BaseSettings):
    """The SMS job, the gateways and the rating links."""

    model_config = SettingsConfigDict(env_prefix="HEATMAP_", extra="ignore")

    #: Local hours without SMS, ``START-END`` (``21-9``) or ``none``.
    quiet_hours: str = DEFAULT_QUIET_HOURS
    #: Attempts before a message is ``failed``; back-off doubles from ``sms_backoff_s``.
    sms_max_attempts: int = Field(5, ge=1, le=50)
    sms_backoff_s: float = Field(60.0, gt=0)
    sms_backoff_max_s: float = Field(3600.0, gt=0)
    #: How long a message whose gateway call was interrupted waits for a delivery report
    #: before it is taken as not sent and tried again.
    sms_confirm_after_s: float = Field(300.0, ge=0)
    sms_batch: int = Field(200, ge=1)
    notify_interval_s: float = Field(30.0, gt=0)
    #: Rating links: the public base URL of ``heatmap serve`` (no link without it) and days valid.
    public_url: str | None = None
    sms_link_days: float = Field(14.0, gt=0)
    #: Replies are matched to the last SMS sent to the number within this many days.
    sms_reply_days: float = Field(14.0, gt=0)
    sms_templates: Path | None = None
    #: The file gateway appends one JSON line per message here.
    sms_spool: Path = Path("sms-outbox.jsonl")
    #: Kannel smsbox ``sendsms``: URL, user, password, sender.
    kannel_url: str = "http://127.0.0.1:13013/cgi-bin/sendsms"
    kannel_user: str | None = None
    kannel_password: SecretStr | None = None
    sms_sender: str = "Teplokarty"
    #: Where Kannel sends delivery reports (the base URL of ``heatmap serve``) and the
    #: gateway-role API key it presents there (as ``?key=``, Kannel sends no headers).
    sms_callback_url: str | None = None
    sms_callback_key: SecretStr | None = None
    sms_timeout_s: float = Field(10.0, gt=0)
    #: The gateway's key when the SMS router runs on an app without API keys.
    sms_gateway_key: SecretStr | None = None

    @field_validator("quiet_hours")
    @classmethod
    def _valid_quiet_hours(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value

    @property
    def quiet(self) -> QuietHours | None:
        return parse_quiet_hours(self.quiet_hours)


#: The sections, and which of them take their fields flat (no prefix beyond ``HEATMAP_``).
_SECTIONS: dict[str, type[BaseSettings]] = {
    "store": StoreSettings,
    "detection": DetectionSettings,
    "api": ApiSettings,
    "closeout": CloseoutSettings,
}
_FLAT = ("store", "closeout")


class Settings(BaseSettings):
    """Everything configurable, in sections; read from ``HEATMAP_*`` variables.

    ``Settings(db=…, quiet_hours=…)`` is accepted: a field of the ``store`` or ``closeout``
    section given flat goes to its section, as its variable (``HEATMAP_DB``) is flat too.
    A section given as a dict is completed from the environment, like the top level.
    """

    model_config = SettingsConfigDict(env_prefix="HEATMAP_", extra="ignore")

    store: StoreSettings = Field(default_factory=StoreSettings)
    detection: DetectionSettings = Field(default_factory=DetectionSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    closeout: CloseoutSettings = Field(default_factory=CloseoutSettings)
    policy: Path | None = None
    gazetteer: Path | None = None
    city: str | None = None
    #: The mapping profile of CRM exports (``--profile``).
    profile: str | None = None
    #: Who acts in ``heatmap spot …`` (default: the OS user).
    actor: str | None = None
    #: The Dask scheduler of ``heatmap detect --engine dask``.
    dask_scheduler: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _sections(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name, section in _SECTIONS.items():
            given = data.get(name)
            flat = {k: data.pop(k) for k in list(data) if name in _FLAT and k in section.model_fields}
            if flat and isinstance(given, section):
                given = {k: getattr(given, k) for k in given.model_fields_set}
            if flat or isinstance(given, dict):
                data[name] = section(**{**(given or {}), **flat})
        return data

    @property
    def db(self) -> str:
        """The store's URL (``store.db``)."""
        return self.store.db

    @property
    def secret_key(self) -> SecretStr | None:
        """The key of the store's keyed hashes (``store.secret_key``)."""
        return self.store.secret_key


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (None: not given) on top."""
    try:
        given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
        return Settings(**given)
    except ValueError as exc:
        raise ConfigError(f"invalid settings: {exc}") from exc


def load_closeout_settings(**overrides: object) -> CloseoutSettings:
    """The close-out section alone, from the environment with explicit overrides on top."""
    try:
        given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
        return CloseoutSettings(**given)
    except (ValueError, ConfigError) as exc:
        raise ConfigError(f"invalid close-out settings: {exc}") from exc

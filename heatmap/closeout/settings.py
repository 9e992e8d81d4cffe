"""Close-out settings from the environment (``HEATMAP_*``), typed, with sensible defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from heatmap.closeout.quiet import DEFAULT_QUIET_HOURS, QuietHours, parse_quiet_hours
from heatmap.errors import ConfigError

__all__ = ["CloseoutSettings", "load_closeout_settings"]


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

    @field_validator("quiet_hours")
    @classmethod
    def _valid_quiet_hours(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value

    @property
    def quiet(self) -> QuietHours | None:
        return parse_quiet_hours(self.quiet_hours)


def load_closeout_settings(**overrides: object) -> CloseoutSettings:
    """Settings from the environment with explicit overrides on top (None means "not given")."""
    try:
        settings = CloseoutSettings()
    except (ValueError, ConfigError) as exc:
        raise ConfigError(f"invalid close-out settings: {exc}") from exc
    values = {k: v for k, v in overrides.items() if v is not None}
    return settings.model_copy(update=values) if values else settings

"""Typed settings from the environment (``HEATMAP_*``) with sensible defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from heatmap.defaults import DEFAULT_DB
from heatmap.errors import ConfigError

#: Secrets people copy from examples; refusing them keeps a demo key out of production.
_WEAK_SECRETS = frozenset({"", "changeme", "secret", "change-me", "default", "password"})


class DetectionSettings(BaseSettings):
    """Thresholds of spot detection."""

    model_config = SettingsConfigDict(env_prefix="HEATMAP_DETECT_", extra="ignore")

    method: str = Field("h3", pattern="^(h3|dbscan)$")
    h3_res: int = Field(9, ge=0, le=15)
    eps_m: float = Field(250.0, gt=0)
    min_subscribers: int = Field(3, ge=1)
    window_days: float = Field(30.0, gt=0)
    rule: str = Field("expected", pattern="^(expected|count)$")
    q: float = Field(0.01, gt=0, lt=1)
    history_days: float = Field(180.0, ge=0)


class Settings(BaseSettings):
    """Everything configurable; read from ``HEATMAP_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="HEATMAP_", extra="ignore")

    db: str = DEFAULT_DB
    policy: Path | None = None
    gazetteer: Path | None = None
    city: str | None = None
    #: Key of the keyed hash that derives subscriber ids from phone numbers.
    #: When unset, the store keeps a random key of its own made at ``init``.
    secret_key: SecretStr | None = None
    detect: DetectionSettings = Field(default_factory=DetectionSettings)

    @field_validator("secret_key")
    @classmethod
    def _refuse_weak_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and (
            value.get_secret_value().lower() in _WEAK_SECRETS or len(value.get_secret_value()) < 16
        ):
            raise ValueError("HEATMAP_SECRET_KEY is a placeholder or shorter than 16 characters")
        return value


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (CLI options) on top."""
    try:
        settings = Settings()
    except ValueError as exc:
        raise ConfigError(f"invalid settings: {exc}") from exc
    values = {k: v for k, v in overrides.items() if v is not None}
    return settings.model_copy(update=values) if values else settings

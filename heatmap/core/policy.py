"""The priority and routing policy: a TOML file, validated into typed values."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from heatmap.domain import SEGMENTS, TOPICS
from heatmap.errors import ConfigError

FACTORS = ("excess", "segment", "topic", "ltv", "recency", "growth")
#: Old names of priority factors, still accepted in a policy file (operators keep copies).
FACTOR_ALIASES = {"complainants": "excess"}
#: A spot's label from its time series against its history (emerging hot-spot analysis).
Trend = Literal["new", "intensifying", "persistent", "diminishing"]
TRENDS: tuple[str, ...] = get_args(Trend)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PriorityParams(_Strict):
    ltv_scale_rub: float = Field(10_000.0, gt=0)
    recency_half_life_hours: float = Field(72.0, gt=0)
    growth_window_hours: float = Field(24.0, gt=0)


class PriorityPolicy(_Strict):
    weights: dict[str, float]
    params: PriorityParams = Field(default_factory=PriorityParams)
    segment: dict[str, float]
    topic_severity: dict[str, float]

    @model_validator(mode="before")
    @classmethod
    def _old_factor_names(cls, data: Any) -> Any:
        """``complainants = 10`` of an old policy file is the ``excess`` weight."""
        if not isinstance(data, dict) or not isinstance(data.get("weights"), dict):
            return data
        weights = dict(data["weights"])
        for old, new in FACTOR_ALIASES.items():
            if old not in weights:
                continue
            if new in weights:
                raise ValueError(
                    f"priority.weights: {old!r} is the old name of {new!r}; give only one of them"
                )
            weights[new] = weights.pop(old)
        return {**data, "weights": weights}

    @model_validator(mode="after")
    def _known_keys(self) -> PriorityPolicy:
        _only(self.weights, set(FACTORS), "priority.weights")
        _only(self.segment, set(SEGMENTS), "priority.segment")
        _only(self.topic_severity, set(TOPICS) | {"unknown"}, "priority.topic_severity")
        return self


class Queue(_Strict):
    title: str
    sla_hours: float = Field(gt=0)


class RoutingRule(_Strict):
    name: str
    queue: str
    topics: list[str] | None = None
    regions: list[str] | None = None
    #: the engineer's cause, or else the cause suggested by network correlation
    causes: list[str] | None = None
    #: severity of an alarm on a site serving the spot during its window
    alarm_severities: list[str] | None = None
    #: the spot's trend label (new, intensifying, persistent, diminishing); a spot without
    #: one (detected by the count rule, or a known issue) matches no list
    trends: list[Trend] | None = None
    min_subscribers: int | None = None
    min_priority: float | None = None


class Escalation(_Strict):
    """A spot whose distinct complainants at least double within ``doubling_hours``."""

    doubling_hours: float = Field(24.0, gt=0)
    min_subscribers: int = Field(6, ge=1)
    boost: float = Field(20.0, ge=0)


class Join(_Strict):
    """How near an open spot a new complaint must be to join it at once."""

    reach_m: float = Field(100.0, ge=0)
    window_days: float = Field(30.0, gt=0)
    #: a detected spot takes complaints made up to this long after detection last found it
    active_hours: float = Field(24.0, gt=0)


class Network(_Strict):
    """How far a site is taken to serve a spot."""

    reach_m: float = Field(1500.0, gt=0)


class Closeout(_Strict):
    """Client answers after a resolution: how many "still broken" replies reopen a spot."""

    reopen_after: int = Field(2, ge=1)


#: Causes an engineer may resolve a spot with, and how the pages name them (a policy file
#: without a ``[causes]`` table gets these).
DEFAULT_CAUSES: dict[str, str] = {
    "equipment_failure": "Отказ оборудования базовой станции",
    "power": "Пропадание электропитания",
    "transport_link": "Авария транспортного канала",
    "capacity": "Нехватка ёмкости сети",
    "coverage_gap": "Нет покрытия (нужно строительство)",
    "radio_tuning": "Настройка радиосети (антенны, параметры)",
    "planned_works": "Плановые работы",
    "known_outage": "Известная авария",
}


class Policy(_Strict):
    priority: PriorityPolicy
    queues: dict[str, Queue]
    routing: list[RoutingRule]
    escalation: Escalation = Field(default_factory=Escalation)
    network: Network = Field(default_factory=Network)
    join: Join = Field(default_factory=Join)
    closeout: Closeout = Field(default_factory=Closeout)
    #: cause name → its title on the pages; a spot is resolved with one of these
    causes: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_CAUSES), min_length=1)

    @model_validator(mode="after")
    def _rules_name_queues(self) -> Policy:
        for rule in self.routing:
            if rule.queue not in self.queues:
                raise ValueError(f"routing rule {rule.name!r} names unknown queue {rule.queue!r}")
        if not self.routing or any(_has_condition(r) for r in self.routing[-1:]):
            raise ValueError("the last routing rule must have no conditions (the default queue)")
        return self


def _has_condition(rule: RoutingRule) -> bool:
    return any(
        v is not None
        for v in (
            rule.topics,
            rule.regions,
            rule.causes,
            rule.alarm_severities,
            rule.trends,
            rule.min_subscribers,
            rule.min_priority,
        )
    )


def _only(mapping: dict[str, float], allowed: set[str], where: str) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown keys {unknown}; allowed: {sorted(allowed)}")


def default_policy_text() -> str:
    return (resources.files("heatmap.policy") / "default.toml").read_text(encoding="utf-8")


def parse_policy(text: str, *, origin: str = "policy") -> Policy:
    """Validate policy TOML text; any problem is a :class:`ConfigError` naming ``origin``."""
    try:
        return Policy.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not valid TOML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'policy'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{origin}: {problems}") from exc


def load_policy(path: Path | None = None) -> Policy:
    """The policy at ``path``, or the packaged default."""
    if path is None:
        return parse_policy(default_policy_text(), origin="default policy")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read policy {path}: {exc}") from exc
    return parse_policy(text, origin=str(path))

"""Engineers' and clients' decisions, and the replay settings file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heatmap.errors import ConfigError
from heatmap.replay import people
from heatmap.replay.config import ReplayConfig, load_config


def test_a_spot_is_about_the_incident_of_half_its_complaints() -> None:
    assert people.incident_of(pd.Series([2, 2, -1])) == 2
    assert people.incident_of(pd.Series([2, -1, -1])) == -1
    assert people.incident_of(pd.Series([2, 3, 4])) == -1
    assert people.incident_of(pd.Series([], dtype=int)) == -1


def test_ratings_fall_with_the_wait_and_broken_fixes_are_reported() -> None:
    config = ReplayConfig()
    rng = np.random.default_rng(0)
    quick = np.mean([people.rating(2, config=config, rng=rng) for _ in range(400)])
    slow = np.mean([people.rating(24 * 20, config=config, rng=rng) for _ in range(400)])
    assert 4.2 < quick <= 5 and slow < quick - 1
    answers = [
        people.client_reply(still_broken=True, waited_hours=5, config=config, rng=rng) for _ in range(200)
    ]
    assert 0.7 < answers.count(people.PERSISTS_TEXT) / 200 < 0.9
    assert set(answers) - {people.PERSISTS_TEXT} <= {"1", "2"}


def test_working_hours_and_fix_times() -> None:
    config = ReplayConfig()
    night = datetime(2026, 9, 1, 23, tzinfo=UTC)  # 02:00 in Moscow
    assert people.on_duty("outage_response", night, config)
    assert not people.on_duty("capacity", night, config)
    assert people.on_duty("capacity", datetime(2026, 9, 1, 9, tzinfo=UTC), config)
    rng = np.random.default_rng(1)
    assert people.fix_hours(None, over=False, config=config, rng=rng) == config.false_spot_hours
    assert people.fix_hours("power", over=True, config=config, rng=rng) == 1.0
    power = np.median([people.fix_hours("power", over=False, config=config, rng=rng) for _ in range(300)])
    gap = np.median(
        [people.fix_hours("coverage_gap", over=False, config=config, rng=rng) for _ in range(300)]
    )
    assert 3 < power < 8 and gap > 300


def test_settings_file_overrides_and_refuses_unknown_keys(tmp_path: Path) -> None:
    good = tmp_path / "r.toml"
    good.write_text(
        "days = 9\nreply_share = 0.5\n[capacity]\ncapacity = 7\n[causes.power]\nfix_median_hours = 2.5\n",
        encoding="utf-8",
    )
    config = load_config(good)
    assert config.days == 9 and config.reply_share == 0.5
    assert config.capacity["capacity"] == 7 and config.capacity["outage_response"] == 4
    assert config.causes["power"].fix_median_hours == 2.5
    bad = tmp_path / "bad.toml"
    bad.write_text("dayz = 9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown replay settings"):
        load_config(bad)
    bad.write_text("days = 'many'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="days must be a number"):
        load_config(bad)
    bad.write_text("[causes.meteor]\nweight = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="causes are"):
        load_config(bad)

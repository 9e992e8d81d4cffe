from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from heatmap.core.script import (
    agent_script,
    eta_overdue,
    load_templates,
    russian_date,
    spot_eta_overdue,
    spot_script,
)
from heatmap.errors import ConfigError

TEMPLATES = load_templates()


def test_eta_is_told_as_a_russian_date_in_local_time() -> None:
    late_evening_utc = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)  # 01:30 on the 25th in Moscow
    assert russian_date(late_evening_utc) == "25 ноября"
    assert russian_date(late_evening_utc, utc_offset_hours=2) == "25 ноября"
    assert russian_date(late_evening_utc, utc_offset_hours=0) == "24 ноября"


def test_script_names_the_cause_in_the_callers_terms() -> None:
    text = agent_script(
        status="in_progress", cause="power", eta=datetime(2026, 11, 25, 9, tzinfo=UTC), templates=TEMPLATES
    )
    assert text == (
        "Вижу, что по вашему адресу уже ведутся работы по восстановлению "
        "электропитания базовой станции. Решение ожидается до 25 ноября."
    )


def test_script_without_eta_or_cause_and_after_the_fix() -> None:
    pending = agent_script(status="queued", cause=None, eta=None, templates=TEMPLATES)
    assert "улучшению качества связи" in pending and "Срок уточняется" in pending
    assert agent_script(status="resolved", cause="power", eta=None, templates=TEMPLATES) == TEMPLATES.resolved
    assert agent_script(status="rejected", cause=None, eta=None, templates=TEMPLATES) == TEMPLATES.not_in_work


def test_broken_templates_fail_at_load(tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text('with_eta = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"t\.toml"):
        load_templates(tmp_path / "t.toml")


@pytest.mark.parametrize("trend", ["new", "intensifying", "diminishing", None])
def test_acute_spots_are_told_as_works_under_way(trend: str | None) -> None:
    text = agent_script(
        status="queued",
        cause="coverage_gap",
        trend=trend,
        eta=datetime(2026, 11, 25, 9, tzinfo=UTC),
        templates=TEMPLATES,
    )
    assert text == (
        "Вижу, что по вашему адресу уже ведутся работы по улучшению покрытия сети."
        " Решение ожидается до 25 ноября."
    )


def test_a_persistent_spot_is_told_as_planned_development_of_the_network() -> None:
    with_eta = agent_script(
        status="in_progress",
        cause="coverage_gap",
        trend="persistent",
        eta=datetime(2026, 11, 25, 9, tzinfo=UTC),
        templates=TEMPLATES,
    )
    assert with_eta == (
        "Вижу, что по вашему адресу идёт плановое развитие сети: запланированы"
        " работы по улучшению покрытия сети. Решение ожидается до 25 ноября."
    )
    without = agent_script(status="queued", cause=None, trend="persistent", eta=None, templates=TEMPLATES)
    assert "плановое развитие сети" in without and "Срок уточняется" in without
    assert "ведутся работы" not in with_eta + without
    assert (
        agent_script(status="resolved", cause=None, trend="persistent", eta=None, templates=TEMPLATES)
        == TEMPLATES.resolved
    )


def test_spot_script_reads_a_stored_spot() -> None:
    spot = {
        "status": "queued",
        "cause": None,
        "suggested_cause": "capacity",
        "eta": pd.Timestamp("2026-11-25T09:00:00Z"),
        "trend": "persistent",
    }
    assert spot_script(spot, TEMPLATES) == agent_script(
        status="queued",
        cause="capacity",
        eta=datetime(2026, 11, 25, 9, tzinfo=UTC),
        trend="persistent",
        templates=TEMPLATES,
    )
    old = {"status": "new", "cause": float("nan"), "eta": pd.NaT, "trend": float("nan")}
    assert spot_script(old, TEMPLATES) == agent_script(
        status="new", cause=None, eta=None, templates=TEMPLATES
    )


def test_an_operators_older_template_file_gets_the_packaged_persistent_sentences(tmp_path: Path) -> None:
    packaged = Path(str(resources.files("heatmap.templates") / "agent_script.toml"))
    old = "\n".join(
        line
        for line in packaged.read_text(encoding="utf-8").splitlines()
        if not line.startswith("persistent_")
    )
    (tmp_path / "old.toml").write_text(old, encoding="utf-8")
    loaded = load_templates(tmp_path / "old.toml")
    assert loaded == TEMPLATES


def test_a_passed_eta_is_never_read_out_the_script_says_works_go_on() -> None:
    eta = datetime(2026, 11, 25, 12, tzinfo=UTC)
    before = agent_script(
        status="in_progress", cause="power", eta=eta, templates=TEMPLATES, now=eta - timedelta(hours=1)
    )
    after = agent_script(
        status="in_progress", cause="power", eta=eta, templates=TEMPLATES, now=eta + timedelta(minutes=1)
    )
    assert "Решение ожидается до 25 ноября" in before
    assert "25 ноября" not in after
    assert "Работы продолжаются, срок уточняется; мы сообщим по SMS" in after
    assert "электропитания" in after, "the cause is still named"
    assert eta_overdue(eta, eta + timedelta(seconds=1))
    assert not eta_overdue(eta, eta) and not eta_overdue(None, eta) and not eta_overdue(eta, None)
    # a resolved spot is not late, whatever its old ETA
    assert (
        agent_script(
            status="resolved", cause="power", eta=eta, templates=TEMPLATES, now=eta + timedelta(days=3)
        )
        == TEMPLATES.resolved
    )


def test_an_operators_file_without_the_late_sentence_gets_the_packaged_one(tmp_path: Path) -> None:
    packaged = Path(str(resources.files("heatmap.templates") / "agent_script.toml"))
    old = "\n".join(
        line for line in packaged.read_text(encoding="utf-8").splitlines() if not line.startswith("late")
    )
    (tmp_path / "old.toml").write_text(old, encoding="utf-8")
    assert load_templates(tmp_path / "old.toml").late == TEMPLATES.late


def test_a_stored_spot_is_overdue_only_while_open() -> None:
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    spot = {"status": "in_progress", "eta": pd.Timestamp("2026-11-25T09:00:00Z"), "cause": None}
    assert spot_eta_overdue(spot, now)
    assert "Работы продолжаются" in spot_script(spot, TEMPLATES, now=now)
    assert not spot_eta_overdue({**spot, "status": "resolved"}, now)
    assert not spot_eta_overdue({**spot, "eta": pd.NaT}, now)
    assert not spot_eta_overdue(spot, datetime(2026, 11, 24, tzinfo=UTC))

from datetime import UTC, datetime
from pathlib import Path

import pytest

from heatmap.core.script import agent_script, load_templates, russian_date
from heatmap.errors import ConfigError

TEMPLATES = load_templates()


def test_eta_is_told_as_a_russian_date_in_local_time() -> None:
    late_evening_utc = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)  # 01:30 on the 25th in Moscow
    assert russian_date(late_evening_utc) == "25 ноября"
    assert russian_date(late_evening_utc, utc_offset_hours=2) == "25 ноября"
    assert russian_date(late_evening_utc, utc_offset_hours=0) == "24 ноября"


def test_script_names_the_cause_in_the_callers_terms() -> None:
    text = agent_script(status="in_progress", cause="power",
                        eta=datetime(2026, 11, 25, 9, tzinfo=UTC), templates=TEMPLATES)
    assert text == ("Вижу, что по вашему адресу уже ведутся работы по восстановлению "
                    "электропитания базовой станции. Решение ожидается до 25 ноября.")


def test_script_without_eta_or_cause_and_after_the_fix() -> None:
    pending = agent_script(status="queued", cause=None, eta=None, templates=TEMPLATES)
    assert "улучшению качества связи" in pending and "Срок уточняется" in pending
    assert agent_script(status="resolved", cause="power", eta=None,
                        templates=TEMPLATES) == TEMPLATES.resolved
    assert agent_script(status="rejected", cause=None, eta=None,
                        templates=TEMPLATES) == TEMPLATES.not_in_work


def test_broken_templates_fail_at_load(tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text('with_eta = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"t\.toml"):
        load_templates(tmp_path / "t.toml")

"""Workflow rules as plain functions: causes from the policy, ETAs in the future, Moscow dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from heatmap.core.policy import DEFAULT_CAUSES, default_policy_text, load_policy, parse_policy
from heatmap.core.workflow_rules import (
    check_cause,
    check_eta,
    check_reason,
    moscow_day_end,
    read_moment,
)
from heatmap.errors import ConfigError, RuleError

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # 12:30 in Moscow


def test_the_default_policy_lists_the_causes_the_code_defaults_to() -> None:
    assert load_policy().causes == DEFAULT_CAUSES
    # a copy of an older policy file without [causes] gets the same list
    text = default_policy_text()
    older = text[: text.index("[causes]")] + text[text.index("# Routing:") :]
    assert "[causes]" not in older and "[[routing]]" in older
    assert parse_policy(older).causes == DEFAULT_CAUSES


def test_an_empty_cause_list_is_refused() -> None:
    with pytest.raises(ConfigError, match="causes"):
        parse_policy(default_policy_text() + "\n[causes]\n")


@pytest.mark.parametrize("cause", [None, "", "  "])
def test_resolving_without_a_cause_is_refused_naming_the_allowed(cause: str | None) -> None:
    with pytest.raises(RuleError, match="needs a cause; allowed: equipment_failure, power"):
        check_cause(cause, DEFAULT_CAUSES)


def test_an_unknown_cause_is_refused_naming_the_allowed() -> None:
    with pytest.raises(RuleError, match=r"unknown cause 'bogus'; allowed: .*radio_tuning"):
        check_cause("bogus", DEFAULT_CAUSES)
    assert check_cause(" power ", DEFAULT_CAUSES) == "power"
    assert check_cause("fibre_cut", {"fibre_cut": "Обрыв ВОЛС"}) == "fibre_cut"
    with pytest.raises(RuleError):
        check_cause("power", {"fibre_cut": "Обрыв ВОЛС"})


def test_a_bare_date_is_midnight_in_moscow_and_a_time_without_offset_too() -> None:
    assert read_moment("2026-11-25") == datetime(2026, 11, 24, 21, tzinfo=UTC)
    assert read_moment("2026-11-25T18:00") == datetime(2026, 11, 25, 15, tzinfo=UTC)
    assert read_moment("2026-11-25 18:00") == datetime(2026, 11, 25, 15, tzinfo=UTC)
    assert read_moment("2026-11-25T18:00Z") == datetime(2026, 11, 25, 18, tzinfo=UTC)
    assert read_moment("2026-11-25T18:00+05:00") == datetime(2026, 11, 25, 13, tzinfo=UTC)


@pytest.mark.parametrize("text", ["someday", "25.11.2026", "2026-13-01", "1999-01-01", ""])
def test_what_is_not_a_moment_is_refused(text: str) -> None:
    with pytest.raises(RuleError, match="ETA must be a date"):
        read_moment(text, "ETA")


def test_an_eta_that_has_passed_is_refused() -> None:
    with pytest.raises(RuleError, match=r"has already passed .*2026-12-07T18:00"):
        check_eta(read_moment("2026-12-07"), now=NOW)  # today's midnight is behind us
    with pytest.raises(RuleError, match="already passed"):
        check_eta(NOW, now=NOW)
    later = read_moment("2026-12-07T18:00")
    assert check_eta(later, now=NOW) == later
    assert check_eta(NOW + timedelta(seconds=1), now=NOW) == NOW + timedelta(seconds=1)
    with pytest.raises(RuleError, match="time zone"):
        check_eta(datetime(2026, 12, 8), now=NOW)


def test_a_reason_is_needed_to_reject() -> None:
    with pytest.raises(RuleError, match="reason"):
        check_reason("   ")
    assert check_reason(" test SIMs ") == "test SIMs"


@pytest.mark.parametrize(
    ("now", "end"),
    [
        (datetime(2026, 12, 7, 9, 30, tzinfo=UTC), datetime(2026, 12, 7, 21, tzinfo=UTC)),
        # 22:30 UTC is already 01:30 of 8 December in Moscow
        (datetime(2026, 12, 7, 22, 30, tzinfo=UTC), datetime(2026, 12, 8, 21, tzinfo=UTC)),
        (datetime(2026, 12, 7, 20, 59, tzinfo=UTC), datetime(2026, 12, 7, 21, tzinfo=UTC)),
    ],
)
def test_today_ends_at_midnight_in_moscow(now: datetime, end: datetime) -> None:
    assert moscow_day_end(now) == end

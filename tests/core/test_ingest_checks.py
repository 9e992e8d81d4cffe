"""What a created_at not read is told it may be: the formats of the profile in use."""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatmap.core.ingest import validate_export
from heatmap.core.ingest_checks import ISO_ALLOWED, datetime_allowed
from heatmap.domain.raw import RawExport
from heatmap.io.reasons import parse_reasons

CRM_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y")
ROW = {
    "ticket_id": "100",
    "created_at": "27.11.26 01:45",
    "segment": "mass",
    "address": "Вологда, ул. Мира, 1",
}


def quarantined(date_formats: tuple[str, ...] = ()) -> str:
    rows = pd.DataFrame([ROW], dtype=str)
    checked = validate_export(
        RawExport("crm.csv", rows, np.array([2])), key=b"k" * 32, date_formats=date_formats
    )
    assert checked.complaints.empty
    return str(checked.quarantine["reasons"].iloc[0])


def test_a_profiles_formats_are_shown_as_a_date_written_in_each() -> None:
    assert datetime_allowed(CRM_FORMATS) == (
        "01.12.2026 10:00, 01.12.2026 10:00:00, 01.12.2026, 2026-12-01T10:00:00+03:00"
    )
    assert datetime_allowed(("%m/%d/%Y %I:%M:%S %p",)) == (
        "12/01/2026 10:00:00 AM, 2026-12-01T10:00:00+03:00"
    )
    assert datetime_allowed(()) == ISO_ALLOWED


def test_a_date_the_profile_cannot_read_is_told_the_profiles_formats_in_russian() -> None:
    """`ingest --profile crm-ru` with '27.11.26 01:45' was told to use ISO 8601 'или
    --profile с форматом вашей CRM', as though no profile were in use."""
    (reason,) = parse_reasons(quarantined(date_formats=CRM_FORMATS))
    assert reason.code == "bad_profile_datetime" and reason.value == "'27.11.26 01:45'"
    assert reason.text("ru") == (
        "created_at — не дата и время в форматах профиля (указано '27.11.26 01:45', допустимо: "
        "01.12.2026 10:00, 01.12.2026 10:00:00, 01.12.2026, 2026-12-01T10:00:00+03:00)"
    )
    assert "--profile" not in reason.text("ru") and "--profile" not in reason.text("en")


def test_with_a_profiles_formats_the_reason_names_them_before_iso_8601() -> None:
    """With --profile crm-ru the reason still began 'не … в формате ISO 8601' and named the
    profile's formats only after it, as though ISO 8601 were what the CRM should write."""
    text = quarantined(date_formats=CRM_FORMATS)
    assert text == (
        "created_at is not in the profile's date formats (got '27.11.26 01:45', allowed: "
        "01.12.2026 10:00, 01.12.2026 10:00:00, 01.12.2026, 2026-12-01T10:00:00+03:00)"
    )
    russian = parse_reasons(text)[0].text("ru")
    assert russian.index("01.12.2026 10:00") < russian.index("2026-12-01T10:00:00+03:00")
    assert "ISO 8601" not in russian and "ISO 8601" not in text


def test_without_a_profile_the_advice_is_the_contracts() -> None:
    (reason,) = parse_reasons(quarantined())
    assert reason.text("ru").endswith(
        "(указано '27.11.26 01:45', допустимо: например 2026-12-01T10:00:00+03:00, или --profile"
        " с форматом вашей CRM)"
    )


def test_a_negative_ltv_is_quarantined_with_its_value() -> None:
    """'ltv is negative' was the one value check that did not quote the value."""
    rows = pd.DataFrame([{**ROW, "created_at": "2026-12-01T10:00:00+03:00", "ltv": "-1 250,5"}], dtype=str)
    checked = validate_export(RawExport("crm.csv", rows, np.array([2])), key=b"k" * 32)
    (reason,) = parse_reasons(str(checked.quarantine["reasons"].iloc[0]))
    assert reason.code == "negative" and reason.value == "'-1 250,5'"
    assert reason.text("ru") == "ltv меньше нуля (указано '-1 250,5')"


def test_an_unknown_value_is_told_the_profiles_writings_before_the_contracts() -> None:
    """Under --profile crm-ru, 'Золотой' was told 'allowed: b2b, b2g, mass, premium, vip',
    values the CRM never writes, as the dates were told ISO 8601."""
    rows = pd.DataFrame(
        [{**ROW, "created_at": "2026-12-01T10:00:00+03:00", "segment": "Золотой", "channel": "Голубь"}],
        dtype=str,
    )
    values = {"segment": ("массовый", "vip"), "channel": ("колл-центр",)}
    checked = validate_export(RawExport("crm.csv", rows, np.array([2])), key=b"k" * 32, values=values)
    segment, channel = parse_reasons(str(checked.quarantine["reasons"].iloc[0]))
    assert segment.allowed == "массовый, vip, b2b, b2g, mass, premium"
    assert channel.text("ru") == (
        "неизвестное значение поля channel (указано 'Голубь', допустимо: колл-центр, app, call_centre,"
        " chat, email, retail, social)"
    )

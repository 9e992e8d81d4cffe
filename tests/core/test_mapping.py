"""Mapping profiles over text frames: renames, joins, constants, values, dates, commas."""

from __future__ import annotations

import pandas as pd
import pytest

from heatmap.core.mapping import Profile, apply_profile, check_header, dates_iso
from heatmap.errors import InputError
from heatmap.io.profiles import load_profile


def test_the_crm_profile_makes_contract_columns_and_keeps_the_files_own() -> None:
    rows = pd.DataFrame(
        {
            "Номер обращения": ["7"],
            "ДАТА СОЗДАНИЯ ": ["01.12.2026 10:05"],
            "Сегмент": ["Массовый"],
            "Канал": ["Колл-центр"],
            "Тема": ["Другое"],
            "Широта": ["59,22"],
            "Долгота": ["39,88"],
        }
    )
    out = apply_profile(rows, load_profile("crm-ru"))
    assert out.loc[0, ["ticket_id", "created_at", "segment", "channel", "topic", "lat", "lon"]].tolist() == [
        "7",
        "2026-12-01T10:05:00+03:00",
        "mass",
        "call_centre",
        "other",
        "59.22",
        "39.88",
    ]
    assert out.loc[0, "Номер обращения"] == "7"


def test_unknown_values_stay_as_written_for_validation_to_show() -> None:
    rows = pd.DataFrame({"Сегмент": ["золотой"], "Дата создания": ["31.02.2026 10:00"]})
    out = apply_profile(rows, load_profile("crm-ru"))
    assert out.loc[0, "segment"] == "золотой" and out.loc[0, "created_at"] == "31.02.2026 10:00"


def test_311_joins_type_and_descriptor_and_fills_constants() -> None:
    rows = pd.DataFrame(
        {
            "Unique Key": ["1"],
            "Created Date": ["3/14/2025 1:20"],
            "Complaint Type": ["Animal-Abuse"],
            "Descriptor": ["Neglected"],
        }
    )
    out = apply_profile(rows, load_profile("nyc-311"))
    assert out.loc[0, "description"] == "Animal-Abuse: Neglected"
    assert (out.loc[0, "segment"], out.loc[0, "topic"]) == ("mass", "other")
    assert out.loc[0, "created_at"] == "2025-03-14T01:20:00-04:00"  # New York, daylight time


@pytest.mark.parametrize(
    ("text", "fmt", "zone", "iso"),
    [
        ("03/14/2025 01:20:00 PM", "%m/%d/%Y %I:%M:%S %p", "America/New_York", "2025-03-14T13:20:00-04:00"),
        ("01.07.2026", "%d.%m.%Y", "Asia/Novosibirsk", "2026-07-01T00:00:00+07:00"),
        ("2026-12-01T10:00:00+03:00", "%d.%m.%Y", "Europe/Moscow", "2026-12-01T10:00:00+03:00"),
        # ISO 8601 without an offset is the profile's zone too (was refused: "no UTC offset")
        ("2026-11-27 01:45", "%d.%m.%Y %H:%M", "Europe/Moscow", "2026-11-27T01:45:00+03:00"),
        ("2026-11-27T01:45:30", "%d.%m.%Y %H:%M", "Europe/Moscow", "2026-11-27T01:45:30+03:00"),
        ("2026-11-27", "%d.%m.%Y %H:%M", "Asia/Novosibirsk", "2026-11-27T00:00:00+07:00"),
        ("2026-11-27T01:45:00Z", "%d.%m.%Y %H:%M", "Europe/Moscow", "2026-11-27T01:45:00Z"),
    ],
)
def test_dates_in_a_crms_own_format_become_iso_with_the_zones_offset(
    text: str, fmt: str, zone: str, iso: str
) -> None:
    assert dates_iso(pd.Series([text]), [fmt], zone).tolist() == [iso]


def test_a_header_without_required_fields_is_refused_with_the_closest_columns() -> None:
    with pytest.raises(InputError) as refused:
        check_header(["Ticket", "Created Date", "segment", "lat", "lon"], Profile(name="x"))
    said = str(refused.value)
    assert "ticket_id, created_at" in said and "'Created Date'" in said and "'Ticket'" in said


def test_constants_and_optional_fields_satisfy_the_header_check() -> None:
    check_header(["Unique Key", "Created Date", "Latitude", "Longitude"], load_profile("nyc-311"))
    check_header(["ticket_id", "created_at", "address"], Profile(name="x", optional=frozenset({"segment"})))


def test_the_contracts_own_profile_changes_nothing() -> None:
    rows = pd.DataFrame({"ticket_id": ["1"], "segment": ["mass"]})
    assert apply_profile(rows, load_profile("teplokarty")) is rows


def test_iso_without_an_offset_stays_as_written_when_the_profile_has_no_zone() -> None:
    assert dates_iso(pd.Series(["2026-11-27 01:45"]), ["%d.%m.%Y"], None).tolist() == ["2026-11-27 01:45"]

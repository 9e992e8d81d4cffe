import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from heatmap.core.ingest import (
    COMPLAINT_COLUMNS,
    maybe_stored,
    parse_times,
    plan_upsert,
    validate_export,
    validate_parts,
)
from heatmap.domain.raw import RawExport

KEY = b"test-key-0123456789abcdef"
GOOD = {
    "ticket_id": "T-1",
    "created_at": "2026-11-10T10:00:00+03:00",
    "msisdn": "89161234567",
    "subscriber_id": "",
    "segment": "mass",
    "ltv": "1200.5",
    "topic": "no_coverage",
    "description": "Нет сети",
    "address": "Вологда, ул. Мира, 1",
    "lat": "",
    "lon": "",
    "region": "Вологодская область",
    "channel": "call_centre",
}


def raw(*rows: dict[str, str]) -> RawExport:
    frame = pd.DataFrame(list(rows), dtype=str).fillna("")
    return RawExport("export.csv", frame, np.arange(2, len(rows) + 2))


def reasons_of(row: dict[str, str]) -> str:
    checked = validate_export(raw(row), key=KEY)
    assert len(checked.complaints) == 0, "the row should have been quarantined"
    return str(checked.quarantine["reasons"].iloc[0])


def test_good_row_becomes_a_canonical_complaint() -> None:
    checked = validate_export(raw(GOOD), key=KEY)
    assert checked.quarantine.empty
    complaint = checked.complaints.iloc[0]
    assert list(checked.complaints.columns) == list(COMPLAINT_COLUMNS)
    assert complaint["msisdn"] == "+79161234567"
    assert complaint["subscriber_id"].startswith("s:")
    assert complaint["created_at"] == pd.Timestamp("2026-11-10T07:00:00Z")
    assert complaint["ltv"] == 1200.5
    assert complaint["topic_source"] == "crm"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"ticket_id": ""}, "missing ticket_id"),
        ({"created_at": "10.11.2026"}, "created_at is not an ISO 8601 date-time"),
        ({"created_at": "2026-11-10T10:00:00"}, "created_at has no UTC offset"),
        ({"created_at": ""}, "missing created_at"),
        ({"segment": "gold"}, "unknown segment"),
        ({"segment": ""}, "missing segment"),
        ({"ltv": "-5"}, "ltv is negative"),
        ({"ltv": "много"}, "ltv is not a number"),
        ({"topic": "bad_weather"}, "unknown topic"),
        ({"channel": "pigeon"}, "unknown channel"),
        ({"msisdn": "12345"}, "msisdn is not a Russian mobile number"),
        ({"address": "", "lat": "123", "lon": "30"}, "lat outside -90..90"),
        ({"address": "", "lat": "60", "lon": "200"}, "lon outside -180..180"),
        ({"address": "", "lat": "60"}, "lat and lon must be given together"),
        ({"address": ""}, "neither address nor lat/lon"),
        ({"description": "нет\x00сети"}, "description holds a NUL character"),
    ],
)
def test_bad_rows_are_quarantined_with_their_reason(change: dict[str, str], reason: str) -> None:
    assert reason in reasons_of({**GOOD, **change})


def test_a_nul_is_looked_for_unless_the_reader_saw_none() -> None:
    row = pd.DataFrame([{**GOOD, "address": "ул.\x00Мира"}], dtype=str)
    told = validate_export(RawExport("x.csv", row, np.array([2])), key=KEY)
    assert told.quarantine["reasons"].tolist() == ["address holds a NUL character"]
    assert "\\u0000" in told.quarantine["raw"].iloc[0]


def test_every_reason_is_reported() -> None:
    reasons = reasons_of({**GOOD, "ticket_id": "", "segment": "gold", "ltv": "-1"})
    assert reasons.split("; ") == [
        "missing ticket_id",
        "unknown segment (got 'gold', allowed: b2b, b2g, mass, premium, vip)",
        "ltv is negative (got '-1')",
    ]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"created_at": "01.12.2026 10:00"}, "(got '01.12.2026 10:00', allowed: e.g. 2026-12-01T"),
        ({"msisdn": "+7911123456789"}, "(got '+791…89', allowed: +79XXXXXXXXX"),
        ({"channel": "fax"}, "(got 'fax', allowed: app, call_centre, chat, email, retail, social)"),
        ({"lat": "91"}, "lat outside -90..90 (got '91')"),
        ({"segment": "я" * 60}, f"(got '{'я' * 40}…'"),
    ],
)
def test_a_reason_quotes_the_value_and_what_is_allowed(change: dict[str, str], said: str) -> None:
    assert said in reasons_of({**GOOD, **change})


def test_quarantine_keeps_line_and_raw_row() -> None:
    rows = [GOOD, {**GOOD, "ticket_id": "T-2", "segment": "gold"}]
    checked = validate_export(raw(*rows), key=KEY)
    bad = checked.quarantine.iloc[0]
    assert bad["line"] == 3
    assert json.loads(bad["raw"])["segment"] == "gold"
    assert len(checked.complaints) + len(checked.quarantine) == checked.read == 2


def test_coordinates_keep_their_point_and_commas_are_decimal() -> None:
    checked = validate_export(raw({**GOOD, "address": "", "lat": "59,22", "lon": "39,88"}), key=KEY)
    assert checked.complaints[["lat", "lon"]].iloc[0].tolist() == [59.22, 39.88]


def test_topic_is_classified_from_description_when_absent() -> None:
    rows = [
        {**GOOD, "topic": "", "description": "Постоянно обрывается звонок"},
        {**GOOD, "ticket_id": "T-2", "topic": "", "description": "Всё плохо"},
    ]
    complaints = validate_export(raw(*rows), key=KEY).complaints
    assert complaints["topic"].iloc[0] == "dropped_calls"
    assert complaints["topic_source"].iloc[0] == "classified"
    assert complaints[["topic", "topic_source"]].iloc[1].isna().all()


def test_repeat_caller_keeps_one_subscriber_and_anonymous_rows_stay_apart() -> None:
    rows = [
        GOOD,
        {**GOOD, "ticket_id": "T-2", "msisdn": "+7 916 123-45-67"},
        {**GOOD, "ticket_id": "T-3", "msisdn": ""},
        {**GOOD, "ticket_id": "T-4", "msisdn": ""},
    ]
    subscribers = validate_export(raw(*rows), key=KEY).complaints["subscriber_id"].tolist()
    assert subscribers[0] == subscribers[1]
    assert len(set(subscribers)) == 3


def test_segment_case_is_forgiven() -> None:
    assert validate_export(raw({**GOOD, "segment": "VIP"}), key=KEY).complaints["segment"].tolist() == ["vip"]


def test_repeated_ticket_in_one_export_keeps_the_last() -> None:
    rows = [GOOD, {**GOOD, "description": "позже"}]
    checked = validate_export(raw(*rows), key=KEY)
    assert checked.complaints["description"].tolist() == ["позже"]
    assert "repeated later" in checked.quarantine["reasons"].iloc[0]


def test_plan_upsert_splits_new_changed_and_same() -> None:
    complaints = validate_export(
        raw(GOOD, {**GOOD, "ticket_id": "T-2"}, {**GOOD, "ticket_id": "T-3"}), key=KEY
    ).complaints
    existing = pd.DataFrame(
        {"ticket_id": ["T-1", "T-2"], "content_hash": [complaints["content_hash"].iloc[0], "different"]}
    )
    plan = plan_upsert(complaints, existing)
    assert plan.inserts["ticket_id"].tolist() == ["T-3"]
    assert plan.updates["ticket_id"].tolist() == ["T-2"]
    assert plan.unchanged == 1


def test_content_hash_changes_with_content_only() -> None:
    a = validate_export(raw(GOOD), key=KEY).complaints["content_hash"].iloc[0]
    b = validate_export(raw(GOOD), key=KEY).complaints["content_hash"].iloc[0]
    c = validate_export(raw({**GOOD, "description": "иначе"}), key=KEY).complaints["content_hash"].iloc[0]
    assert a == b != c


@pytest.mark.parametrize(
    "values",
    [
        ["2026-11-10T10:00:00+03:00", "2026-11-10 10:00:00.123456Z", "2026-11-10T10:00+0300", ""],
        ["2026-11-10T10:00:00+03:00", "2026-11-10T10:00:00", "10.11.2026", ""],  # pandas reads
        ["2026-11-10T10:00:00.1234567+03:00", "2026-02-30T10:00:00+03:00", "вчера"],
    ],
)
def test_times_read_by_arrow_equal_pandas_iso8601(values: list[str]) -> None:
    parsed = parse_times(pa.array(values, type=pa.large_string()))
    expected = pd.to_datetime(pd.Series(values), utc=True, format="ISO8601", errors="coerce")
    assert str(parsed.dtype) == "datetime64[us, UTC]"
    assert parsed.tolist() == expected.dt.as_unit("us").tolist()


def test_parts_start_small_and_double_up_to_their_size() -> None:
    rows = [{**GOOD, "ticket_id": f"T-{i}"} for i in range(23)]
    parts = list(validate_parts(raw(*rows), key=KEY, rows=8, first=2))
    assert [part.read for part in parts] == [2, 4, 8, 8, 1]
    tickets = [t for part in parts for t in part.complaints["ticket_id"]]
    assert sorted(tickets) == sorted(f"T-{i}" for i in range(23))
    assert [part.read for part in validate_parts(raw(), key=KEY, rows=8)] == [0]


def test_only_tickets_at_or_before_the_greatest_stored_one_may_be_stored() -> None:
    tickets = pd.Series(["CRM-001-9", "CRM-002-1", "CRM-002-10", "999", "1000", "Ж-1", "A"], dtype="str")
    assert maybe_stored(tickets, None).tolist() == [False] * 7
    # byte order: "1000" < "999" < "CRM-…" < "Ж-1" (UTF-8 bytes of Ж sort after ASCII)
    assert maybe_stored(tickets, "CRM-002-1").tolist() == [True, True, False, True, True, False, True]
    assert maybe_stored(tickets, "Ж-1").all()

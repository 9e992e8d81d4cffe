"""What the 90-day replay was made faster with: an SMS reply reads only its number's
outbox rows, the SQLite store converts complaints through Arrow, an hour's clean export
builds no quarantine, and the replay takes its close-out settings from its caller."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heatmap.core.ingest import validate_export
from heatmap.core.policy import load_policy
from heatmap.detect.run import DetectParams
from heatmap.domain.raw import RawExport
from heatmap.service import detect_spots, ingest, workflow
from heatmap.settings import CloseoutSettings
from heatmap.store import Store
from heatmap.store.columns import STORED_COMPLAINT_COLUMNS
from heatmap.store.frames import complaint_frame, complaint_records, nullable

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
POLICY = load_policy()


def _number(i: int) -> str:
    return f"+7916{i:07d}"


def _resolved_spot(store: Store, tmp_path: Path, count: int) -> None:
    """A spot of ``count`` complainants, resolved: one close-out SMS each in the outbox."""
    export = tmp_path / "export.csv"
    pd.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(count)],
            "created_at": "2026-11-19T10:00:00+03:00",
            "msisdn": [_number(i) for i in range(count)],
            "segment": "mass",
            "topic": "no_coverage",
            "lat": [59.22 + (i % 7) * 1e-5 for i in range(count)],
            "lon": [39.88 + (i // 7) * 1e-5 for i in range(count)],
            "region": "Вологодская область",
        }
    ).to_csv(export, index=False)
    ingest(store, [export], now=NOW, policy=POLICY)
    detect_spots(store, params=DetectParams(rule="count"), policy=POLICY, now=NOW)
    spot_id = str(store.load_spots(statuses=["new", "queued"])["id"].iloc[0])
    workflow.transition(store, spot_id, "take", actor="eng", now=NOW, policy=POLICY)
    workflow.transition(store, spot_id, "resolve", actor="eng", now=NOW, policy=POLICY, cause="power")


def test_the_outbox_by_number_holds_that_numbers_rows_only(store: Store, tmp_path: Path) -> None:
    _resolved_spot(store, tmp_path, 4)
    everything = store.load_outbox()
    assert sorted(everything["msisdn"]) == [_number(i) for i in range(4)]
    one = store.load_outbox(msisdn=_number(2))
    expected = everything[everything["msisdn"] == _number(2)].reset_index(drop=True)
    pd.testing.assert_frame_equal(one.reset_index(drop=True), expected)
    assert store.load_outbox(msisdn=_number(2), statuses=["sent"]).empty, "filters combine"
    assert len(store.load_outbox(msisdn=_number(2), statuses=["pending"])) == 1
    nobody = store.load_outbox(msisdn=_number(9))
    assert nobody.empty and list(nobody.columns) == list(everything.columns)


def _rows(count: int) -> list[tuple[object, ...]]:
    """Stored complaints as a SQLite cursor gives them: text, floats and NULLs."""
    rows = []
    for i in range(count):
        values: dict[str, object] = dict.fromkeys(STORED_COMPLAINT_COLUMNS)
        values |= {
            "ticket_id": f"T{i}",
            "created_at": f"2026-11-19T10:{i % 60:02d}:00.000000Z",
            "ingested_at": "2026-11-19T11:00:00.000000Z",
            "updated_at": "2026-11-19T11:00:00.000000Z",
            "subscriber_id": f"S{i}",
            "segment": "mass",
            "content_hash": f"{i:016x}",
            "lat": 59.22 + i * 1e-5 if i % 3 else None,
            "lon": 39.88 if i % 3 else None,
            "ltv": None,
            "spot_id": "spot-1" if i % 2 else None,
            "description": 'Нет связи, "совсем"\n' if i == 1 else None,
        }
        rows.append(tuple(values[c] for c in STORED_COMPLAINT_COLUMNS))
    return rows


@pytest.mark.parametrize("count", [0, 1, 2, 40])
def test_complaints_through_arrow_are_the_frame_inference_gives(count: int) -> None:
    rows = _rows(count)
    inferred = complaint_frame(pd.DataFrame.from_records(rows, columns=list(STORED_COMPLAINT_COLUMNS)))
    converted = complaint_records(rows, STORED_COMPLAINT_COLUMNS)
    pd.testing.assert_frame_equal(converted, inferred, check_exact=True)
    if count > 2:
        assert converted["spot_id"].dtype == "str" and converted["ltv"].isna().all()
        assert converted["address"].dtype == object, "a column with no value stays object"


def test_complaints_holding_other_kinds_go_through_inference() -> None:
    text_in_numbers = [(*row[:10], "north", *row[11:]) for row in _rows(3)]  # lat as text
    not_utf8 = [(*row[:2], b"\xff\xfe", *row[3:]) for row in _rows(3)]  # msisdn, a blob
    inferred = complaint_frame(pd.DataFrame.from_records(not_utf8, columns=list(STORED_COMPLAINT_COLUMNS)))
    pd.testing.assert_frame_equal(complaint_records(not_utf8, STORED_COMPLAINT_COLUMNS), inferred)
    with pytest.raises(ValueError, match="north"):  # as inference refuses it
        complaint_records(text_in_numbers, STORED_COMPLAINT_COLUMNS)
    utf8 = [(*row[:2], b"+79160000001", *row[3:]) for row in _rows(3)]
    assert complaint_records(utf8, STORED_COMPLAINT_COLUMNS)["msisdn"].tolist() == ["+79160000001"] * 3, (
        "a blob of UTF-8 text in a text column is read as that text"
    )


def _export(lat: str) -> RawExport:
    rows = pd.DataFrame(
        {
            "ticket_id": ["T1", "T2"],
            "created_at": ["2026-11-19T10:00:00+03:00"] * 2,
            "msisdn": [_number(1), _number(2)],
            "segment": ["mass"] * 2,
            "topic": ["no_data"] * 2,
            "lat": ["59.22", lat],
            "lon": ["39.88"] * 2,
        }
    )
    return RawExport("hour.csv", rows, np.arange(2, 4, dtype=np.int64), nul_free=True)


def test_a_clean_export_has_an_empty_quarantine_of_its_own() -> None:
    clean = validate_export(_export("59.23"), key=b"k").quarantine
    bad = validate_export(_export("north"), key=b"k").quarantine
    assert clean.empty and list(clean.columns) == list(bad.columns)
    assert list(clean.dtypes)[:3] == list(bad.dtypes)[:3], "source, line and raw as for bad rows"
    clean["source"] = pd.Series(["changed"], dtype="str")  # a caller's change stays its own
    assert validate_export(_export("59.23"), key=b"k").quarantine.empty
    assert bad["line"].tolist() == [3]


def test_the_replay_takes_the_close_out_settings_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    from heatmap.replay.run import closeout_settings

    monkeypatch.setenv("HEATMAP_QUIET_HOURS", "none")
    chosen = closeout_settings(CloseoutSettings(sms_batch=7), Path("/spool/sms.jsonl"))
    assert (chosen.sms_batch, chosen.quiet_hours) == (7, "none")
    assert (chosen.sms_spool, chosen.public_url) == (Path("/spool/sms.jsonl"), "")
    default = closeout_settings(None, Path("/spool/sms.jsonl"))
    assert default.quiet_hours == CloseoutSettings.model_fields["quiet_hours"].default, (
        "without settings given, the environment is not read"
    )


def test_values_for_a_driver_are_python_values_or_none() -> None:
    stamp = pd.Timestamp("2026-11-19T10:00:00", tz="UTC")
    cases: list[tuple[pd.Series, list[object]]] = [
        (pd.Series([1.5, None]), [1.5, None]),
        (pd.Series(["x", None], dtype="str"), ["x", None]),
        (pd.Series([3, None], dtype="Int64"), [3, None]),
        (pd.Series([stamp, None]), [stamp, None]),
        (pd.Series([np.int64(7), np.nan, "a"], dtype=object), [7, None, "a"]),
        (pd.Series([True, False]), [True, False]),
    ]
    for values, expected in cases:
        got = nullable(values)
        assert got == expected, (values, got)
        assert not any(isinstance(v, np.generic) for v in got)

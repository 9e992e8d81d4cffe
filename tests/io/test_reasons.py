"""Quarantine reasons: every reason ingest and the readers write has a code and a Russian text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heatmap.core.ingest import validate_export
from heatmap.io.exports import RawExport, read_export
from heatmap.io.reasons import OTHER, codes, localised, matches, parse_reasons, pick_language, render
from heatmap.io.robust_csv import MAX_FIELD

GOOD = {
    "ticket_id": "T-1",
    "created_at": "2026-11-10T10:00:00+03:00",
    "msisdn": "89161234567",
    "segment": "mass",
    "ltv": "12",
    "topic": "no_coverage",
    "address": "Вологда, ул. Мира, 1",
    "lat": "",
    "lon": "",
    "channel": "call_centre",
}
#: One row per check of validation (each with the codes it must be given).
BAD_ROWS = [
    ({"ticket_id": ""}, {"missing_field"}),
    ({"created_at": ""}, {"missing_field"}),
    ({"created_at": "вчера"}, {"bad_datetime"}),
    ({"created_at": "2026-11-10T10:00:00"}, {"no_utc_offset"}),
    ({"msisdn": "12345"}, {"bad_msisdn"}),
    ({"segment": ""}, {"missing_field"}),
    ({"segment": "золотой"}, {"unknown_value"}),
    ({"ltv": "много"}, {"not_a_number"}),
    ({"ltv": "-5"}, {"negative"}),
    ({"topic": "погода"}, {"unknown_value"}),
    ({"channel": "голубь"}, {"unknown_value"}),
    ({"lat": "север", "lon": "39.8"}, {"not_a_number"}),
    ({"lat": "95", "lon": "39.8"}, {"out_of_range"}),
    ({"lat": "59.2", "lon": "190"}, {"out_of_range"}),
    ({"lat": "59.2"}, {"lat_lon_together"}),
    ({"address": ""}, {"no_place"}),
    ({"description": "a\x00b"}, {"nul_character"}),
]


def _validated(*changes: dict[str, str]) -> pd.DataFrame:
    rows = [{**GOOD, "ticket_id": f"T-{i}", **change} for i, change in enumerate(changes)]
    frame = pd.DataFrame(rows, dtype=str).fillna("")
    raw = RawExport("export.csv", frame, np.arange(2, len(rows) + 2))
    return validate_export(raw, key=b"k" * 32).quarantine


def test_every_reason_of_validation_has_a_code_and_a_russian_text() -> None:
    quarantine = _validated(*(change for change, _ in BAD_ROWS), {"ticket_id": "dup"}, {"ticket_id": "dup"})
    assert len(quarantine) == len(BAD_ROWS) + 1
    by_line = dict(zip(quarantine["line"].tolist(), quarantine["reasons"].tolist(), strict=True))
    for line, (_, expected) in enumerate(BAD_ROWS, start=2):
        found = codes(by_line[line])
        assert OTHER not in found, by_line[line]
        assert expected <= set(found), (by_line[line], found)
        russian = render(by_line[line], "ru")
        assert russian != by_line[line] and any("а" <= ch <= "я" for ch in russian)
    assert codes(by_line[len(BAD_ROWS) + 2]) == ["superseded"]


def test_a_reason_keeps_its_value_and_says_what_is_allowed_in_russian() -> None:
    (text,) = _validated({"segment": "Золотой; VIP"})["reasons"]
    (reason,) = parse_reasons(text)
    assert reason.code == "unknown_value" and reason.params == {"field": "segment"}
    assert reason.value == "'Золотой; VIP'" and reason.allowed == "b2b, b2g, mass, premium, vip"
    assert reason.text("en") == text
    assert reason.text("ru") == (
        "неизвестное значение поля segment (указано 'Золотой; VIP', допустимо: b2b, b2g, mass, premium, vip)"
    )
    (offset,) = _validated({"created_at": "2026-11-10T10:00:00"})["reasons"]
    assert render(offset, "ru") == (
        "у created_at не указано смещение от UTC (указано '2026-11-10T10:00:00',"
        " допустимо: +03:00 или Z в конце, или --profile с часовым поясом)"
    )
    assert parse_reasons(offset)[0].as_dict("ru")["allowed"].startswith("+03:00 или Z")


def test_several_reasons_of_one_row_in_order() -> None:
    (text,) = _validated({"segment": "", "address": "", "msisdn": "1"})["reasons"]
    assert codes(text) == ["bad_msisdn", "missing_field", "no_place"]
    russian = render(text, "ru").split("; ")
    assert russian[1:] == ["не заполнено поле segment", "нет ни адреса, ни координат lat/lon"]


def test_reasons_of_the_readers_have_codes(tmp_path: Path) -> None:
    csv = tmp_path / "broken.csv"
    huge = "x" * (MAX_FIELD + 1)
    csv.write_text(f'ticket_id,segment\nT1,mass\nT2,mass,extra\nT3,{huge}\nT4,"mass\n', encoding="utf-8")
    broken = {line: reason for line, _, reason in read_export(csv).broken}
    assert codes(broken[3]) == ["ragged_row"] and codes(broken[4]) == ["oversized_field"]
    assert codes(broken[5]) == ["unpaired_quotes"]
    assert render(broken[3], "ru") == "ожидалось полей: 2, найдено: 3"
    assert render(broken[4], "ru").startswith("поле длиной 1,000,001 символов")
    jsonl = tmp_path / "broken.jsonl"
    jsonl.write_text(json.dumps({"ticket_id": "T1"}) + "\n{oops\n[1]\n", encoding="utf-8")
    reasons = [reason for _, _, reason in read_export(jsonl).broken]
    assert [codes(r) for r in reasons] == [["malformed_json"], ["not_json_object"]]
    assert render(reasons[1], "ru") == "строка должна содержать объект JSON"


def test_an_unknown_reason_is_kept_as_it_is() -> None:
    (reason,) = parse_reasons("the moon is wrong")
    assert reason.code == OTHER and reason.text("ru") == "the moon is wrong"
    assert codes("missing ticket_id; the moon is wrong") == ["missing_field", OTHER]


def test_filtering_by_code_english_or_russian_and_localising_a_frame() -> None:
    text = "unknown segment (got 'x', allowed: mass)"
    assert matches(text, "unknown_value") and matches(text, "UNKNOWN SEG") and matches(text, "неизвестное")
    assert not matches(text, "missing_field") and not matches(text, "no_place")
    rows = pd.DataFrame({"source": ["a.csv"], "reasons": [text]})
    shown = localised(rows, "ru")
    assert shown["reasons"].tolist() == ["неизвестное значение поля segment (указано 'x', допустимо: mass)"]
    assert shown["reason_codes"].tolist() == [["unknown_value"]] and rows["reasons"].tolist() == [text]


@pytest.mark.parametrize(
    ("lang", "header", "expected"),
    [
        (None, None, "en"),
        (None, "ru", "ru"),
        (None, "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"),
        (None, "en-US,en;q=0.9,ru;q=0.8", "en"),
        (None, "de-DE,ru;q=0.5", "ru"),
        (None, "fr, de", "en"),
        (None, "ru;q=0", "en"),
        (None, "ru;q=abc, en;q=0.1", "en"),
        ("ru", "en", "ru"),
        ("en", "ru", "en"),
        ("ru-RU", None, "ru"),
    ],
)
def test_the_language_a_client_asks_for(lang: str | None, header: str | None, expected: str) -> None:
    assert pick_language(lang, header) == expected

"""Why a spot is one: clean values (never NaN) and the Russian sentence of the pages."""

import json
import math

import pandas as pd
import pytest
import shapely

from heatmap.render.evidence import evidence, evidence_text, russian_number, russian_p_value
from heatmap.render.geo import dumps, spots_geojson

EXAMPLE = {
    "id": "SP-1",
    "subscribers": 14,
    "observed": 14.0,
    "expected": 2.1,
    "excess": 11.9,
    "relative_risk": 14 / 2.1,
    "p_value": 3.04e-8,
    "trend": "new",
}


def test_the_sentence_of_the_pages() -> None:
    assert evidence_text(EXAMPLE) == (
        "Жалующихся: 14 при ожидаемых 2,1 (превышение 11,9; относительный риск 6,7; p = 3·10⁻⁸); тренд: новое"
    )


@pytest.mark.parametrize(
    ("trend", "label"),
    [
        ("new", "новое"),
        ("intensifying", "усиливается"),
        ("persistent", "хроническое"),
        ("diminishing", "ослабевает"),
    ],
)
def test_trend_labels(trend: str, label: str) -> None:
    assert evidence_text({**EXAMPLE, "trend": trend}).endswith("; тренд: " + label)


@pytest.mark.parametrize("missing", [None, float("nan"), "absent"])
def test_a_spot_without_evidence_falls_back_to_its_complainants(missing: object) -> None:
    spot: dict[str, object] = {"id": "SP-2", "subscribers": 5}
    if missing != "absent":
        spot.update(
            {
                k: missing
                for k in ("observed", "expected", "excess", "relative_risk", "p_value", "scan_days", "trend")
            }
        )
    assert evidence(spot) == {
        "observed": None,
        "expected": None,
        "excess": None,
        "relative_risk": None,
        "p_value": None,
        "scan_days": None,
        "trend": None,
    }
    assert evidence_text(spot) == "Жалующихся: 5 (ожидаемое число не рассчитано)"


def test_non_finite_numbers_and_unknown_labels_are_none() -> None:
    facts = evidence({**EXAMPLE, "relative_risk": math.inf, "p_value": pd.NA, "trend": "hot"})
    assert facts["relative_risk"] is None and facts["p_value"] is None and facts["trend"] is None
    assert evidence_text({**EXAMPLE, "relative_risk": math.inf, "trend": None}) == (
        "Жалующихся: 14 при ожидаемых 2,1 (превышение 11,9; p = 3·10⁻⁸)"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (14.0, "14"),
        (2.1, "2,1"),
        (13.64, "13,6"),
        (0.35, "0,35"),
        (0.04, "0,04"),
        (0.004, "менее 0,01"),
        (4666.7, "4667"),
        (232.5, "233"),
        (231.5, "232"),
        (2.25, "2,3"),
        (0.0, "0"),
    ],
)
def test_russian_numbers(value: float, text: str) -> None:
    assert russian_number(value) == text


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.012, "p = 0,012"),
        (0.5, "p = 0,5"),
        (3.04e-8, "p = 3·10⁻⁸"),
        (2.46e-12, "p = 2,5·10⁻¹²"),
        (1e-4, "p = 10⁻⁴"),
        (9.97e-5, "p = 10⁻⁴"),
        (0.0, "p < 10⁻³⁰⁰"),
    ],
)
def test_russian_p_values(p: float, text: str) -> None:
    assert russian_p_value(p) == text


def test_geojson_carries_the_evidence_and_never_nan() -> None:
    square = shapely.box(39.88, 59.21, 39.89, 59.22)
    frame = pd.DataFrame(
        [
            {**EXAMPLE, "status": "new", "geometry": square, "breakdown": {"excess": 1.0}},
            {
                "id": "SP-2",
                "status": "new",
                "subscribers": 5,
                "observed": math.nan,
                "expected": math.nan,
                "excess": math.nan,
                "relative_risk": math.nan,
                "p_value": math.nan,
                "trend": None,
                "geometry": square,
                "breakdown": {"complainants": math.nan},
            },
        ]
    )
    text = dumps(spots_geojson(frame))
    assert "NaN" not in text
    first, second = (f["properties"] for f in json.loads(text)["features"])
    assert first["excess"] == 11.9 and first["trend"] == "new" and first["p_value"] == 3.04e-8
    assert first["evidence_text"] == evidence_text(EXAMPLE)
    assert second["observed"] is None and second["trend"] is None
    assert second["breakdown"] == {"complainants": None}


def test_the_scan_window_is_told() -> None:
    spot = {**EXAMPLE, "scan_days": 3.0}
    assert evidence(spot)["scan_days"] == 3.0
    assert evidence_text(spot).startswith("Жалующихся за последние 3 дня: 14 при ожидаемых 2,1")
    assert evidence_text({**EXAMPLE, "scan_days": 1.0}).startswith("Жалующихся за последний день")
    assert evidence_text({**EXAMPLE, "scan_days": 30.0}).startswith("Жалующихся за последние 30 дней")


def test_a_half_count_and_its_excess_round_the_same_way() -> None:
    """A street-located complainant counts a half: 232.5 observed against 0.97 expected
    read "232 при ожидаемых 0,97 (превышение 232" before."""
    spot = {**EXAMPLE, "observed": 232.5, "expected": 0.97, "excess": 231.53, "relative_risk": 239.7}
    assert evidence_text(spot).startswith("Жалующихся: 233 при ожидаемых 0,97 (превышение 232;")

"""Why a spot is one: its evidence as clean values and as a Russian sentence for the pages.

Detection gives each spot ``observed`` (weighted distinct complainants), ``expected``
(complainants expected for the place and window), ``excess``, ``relative_risk``,
``p_value`` and a ``trend`` label. Spots of the count rule, known issues and spots
stored before the expected count existed have none of them: every function here
copes, and a missing or non-finite number is ``None``, never NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from heatmap.core.policy import TRENDS

#: Numeric evidence columns of a spot, in the order they are told.
EVIDENCE_NUMBERS: tuple[str, ...] = (
    "observed",
    "expected",
    "excess",
    "relative_risk",
    "p_value",
    "scan_days",
)
#: All evidence columns of a spot.
EVIDENCE_COLUMNS: tuple[str, ...] = (*EVIDENCE_NUMBERS, "trend")
#: The trend labels as the pages say them.
TREND_RU = {
    "new": "новое",
    "intensifying": "усиливается",
    "persistent": "хроническое",
    "diminishing": "ослабевает",
}
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def finite(value: object) -> float | None:
    """``value`` as a float when it is a finite number, else ``None``."""
    if value is None or isinstance(value, (bool, str)):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def trend_of(spot: Mapping[str, object]) -> str | None:
    """The spot's trend label when it is one of the known labels."""
    value = spot.get("trend")
    return value if isinstance(value, str) and value in TRENDS else None


def evidence(spot: Mapping[str, object]) -> dict[str, float | str | None]:
    """``observed, expected, excess, relative_risk, p_value, trend`` of ``spot`` (None
    where missing)."""
    out: dict[str, float | str | None] = {k: finite(spot.get(k)) for k in EVIDENCE_NUMBERS}
    out["trend"] = trend_of(spot)
    return out


def russian_number(value: float, *, decimals: int = 1) -> str:
    """``2,1``; whole numbers without decimals; below 1 two significant digits."""
    if value == 0:
        return "0"
    if abs(value) < 0.01:
        return "менее 0,01" if value > 0 else "0"
    if abs(value) < 1:
        decimals = max(decimals, -math.floor(math.log10(abs(value))) + 1)
    elif abs(value) >= 100:
        decimals = 0
    # half up, as people round: half-even made an observed 232.5 "232" beside an excess of
    # 231.5 made "232", as though nothing at all were expected
    text = str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",").replace("-", "−")


def russian_p_value(p: float) -> str:
    """``p = 0,012`` or ``p = 3·10⁻⁸``."""
    if p <= 0:
        return "p < 10⁻³⁰⁰"
    if p >= 0.001:
        return "p = " + russian_number(p)
    exponent = math.floor(math.log10(p))
    mantissa = round(p / 10.0**exponent, 1)
    if mantissa >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    head = "" if mantissa == 1 else russian_number(mantissa) + "·"
    return f"p = {head}10{str(exponent).translate(_SUPERSCRIPT)}"


def evidence_text(spot: Mapping[str, object]) -> str:
    """Why the spot is one, in Russian: "Жалующихся за 7 дней: 14 при ожидаемых 2,1
    (превышение 11,9; относительный риск 6,7; p = 3·10⁻⁸); тренд: новое"."""
    facts = evidence(spot)
    observed, expected = facts["observed"], facts["expected"]
    if not isinstance(observed, float):
        observed = finite(spot.get("subscribers"))
    days = facts["scan_days"]
    text = "Жалующихся" + (f" за {_days(days)}" if isinstance(days, float) else "") + ": "
    text += "—" if observed is None else russian_number(observed)
    if isinstance(expected, float):
        details = []
        if isinstance(facts["excess"], float):
            details.append("превышение " + russian_number(facts["excess"]))
        if isinstance(facts["relative_risk"], float):
            details.append("относительный риск " + russian_number(facts["relative_risk"]))
        if isinstance(facts["p_value"], float):
            details.append(russian_p_value(facts["p_value"]))
        text += " при ожидаемых " + russian_number(expected)
        if details:
            text += " (" + "; ".join(details) + ")"
    else:
        text += " (ожидаемое число не рассчитано)"
    trend = facts["trend"]
    if isinstance(trend, str):
        text += "; тренд: " + TREND_RU[trend]
    return text


def _days(days: float) -> str:
    """The scan window in Russian: "последний день", "последние 3 дня", "последние 30 дней"."""
    if days != round(days):
        return "последние " + russian_number(days) + " дня"
    n = round(days)
    if n == 1:
        return "последний день"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"последние {n} дня"
    return f"последние {n} {'день' if n % 10 == 1 and n % 100 != 11 else 'дней'}"

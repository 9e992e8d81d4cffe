"""Russian mobile numbers: normalisation to E.164 and keyed pseudonyms."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_NON_DIGITS = r"[\s\-\(\)\.]"


def remove_pattern(values: pd.Series, pattern: str) -> pd.Series:
    """Delete every match of an RE2 ``pattern`` from text, in Arrow's native kernel."""
    array = pa.array(values.fillna("").astype(str).to_numpy(dtype=object), type=pa.string())
    cleaned = pc.replace_substring_regex(array, pattern, "")
    return pd.Series(cleaned.to_numpy(zero_copy_only=False), index=values.index, dtype=str)


def normalise_msisdn(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Normalise ``+79XXXXXXXXX``, ``89XXXXXXXXX``, ``79XXXXXXXXX`` (and ``9XXXXXXXXX``).

    Returns ``(e164, valid)``: E.164 text (empty where absent or invalid) and a
    mask that is False only where a value was given but is not a mobile number.
    """
    text = values.fillna("").astype(str).str.strip()
    digits = remove_pattern(text, _NON_DIGITS)
    plus = digits.str.startswith("+")
    digits = digits.str.lstrip("+")
    ten = digits.str.len() == 10
    eleven = digits.str.len() == 11
    national = pd.Series(np.where(ten, digits, digits.str[1:]), index=values.index)
    prefix_ok = (ten & ~plus) | (eleven & digits.str[0].eq("7")) | (
        eleven & ~plus & digits.str[0].eq("8")
    )
    ok = prefix_ok & national.str.fullmatch(r"9\d{9}").fillna(False).astype(bool)
    e164 = pd.Series(np.where(ok, "+7" + national, ""), index=values.index, dtype=object)
    given = text != ""
    return e164, ~given | ok


def pseudonym(value: str, key: bytes, *, prefix: str = "s") -> str:
    """A keyed hash (BLAKE2b MAC) of ``value``: stable for one key, not reversible without it."""
    digest = hashlib.blake2b(value.encode("utf-8"), key=key[:64], digest_size=10).hexdigest()
    return f"{prefix}:{digest}"


def pseudonyms(values: pd.Series, key: bytes, *, prefix: str = "s") -> pd.Series:
    """:func:`pseudonym` over a column, empty where the value is empty."""
    codes, unique = pd.factorize(values)
    table = np.array([pseudonym(v, key, prefix=prefix) if v else "" for v in unique] + [""],
                     dtype=object)
    return pd.Series(table[codes], index=values.index, dtype=object)


def mask_msisdn(e164: str) -> str:
    """What an agent may see: ``+7 9** ***-**-67``."""
    if not e164 or len(e164) != 12:
        return ""
    return f"+7 {e164[2]}** ***-**-{e164[-2:]}"

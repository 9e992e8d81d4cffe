"""Russian mobile numbers: normalisation to E.164 and keyed pseudonyms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from heatmap.core import text as tx

_NON_DIGITS = r"[\s\-\(\)\.]"


def remove_pattern(values: pd.Series, pattern: str) -> pd.Series:
    """Delete every match of an RE2 ``pattern`` from text, in Arrow's native kernel."""
    cleaned = tx.remove(tx.as_text(values), pattern)
    return pd.Series(cleaned.to_numpy(zero_copy_only=False), index=values.index, dtype=str)


def normalise_msisdn(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Normalise ``+79XXXXXXXXX``, ``89XXXXXXXXX``, ``79XXXXXXXXX`` (and ``9XXXXXXXXX``).

    Returns ``(e164, valid)``: E.164 text (empty where absent or invalid) and a
    mask that is False only where a value was given but is not a mobile number.
    """
    e164, valid = normalise_msisdn_text(tx.stripped(values))
    return (
        pd.Series(e164.to_numpy(zero_copy_only=False).astype(object), index=values.index),
        pd.Series(valid, index=values.index),
    )


def normalise_msisdn_text(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """:func:`normalise_msisdn` over an Arrow string array of stripped values."""
    # Most numbers come clean (digits, maybe a leading "+"): only the others go through RE2.
    messy = ~tx.mask(pc.utf8_is_digit(pc.utf8_ltrim(text, characters="+"))) & ~tx.empty(text)
    digits = text
    if messy.any():
        chosen = pa.array(messy)
        digits = pc.replace_with_mask(text, chosen, tx.remove(text.filter(chosen), _NON_DIGITS))
    plus = pc.starts_with(digits, "+")
    digits = pc.utf8_ltrim(digits, characters="+")
    length = pc.utf8_length(digits)
    ten = pc.equal(length, 10)
    eleven = pc.equal(length, 11)
    first = pc.utf8_slice_codeunits(digits, 0, 1)
    national = pc.if_else(ten, digits, pc.utf8_slice_codeunits(digits, 1))
    prefix_ok = pc.or_(
        pc.and_(ten, pc.invert(plus)),
        pc.and_(eleven, pc.or_(pc.equal(first, "7"), pc.and_(pc.equal(first, "8"), pc.invert(plus)))),
    )
    ok = tx.mask(prefix_ok) & tx.matches(national, r"^9\d{9}$")
    plus_seven, nothing = pa.scalar("+7", national.type), pa.scalar("", national.type)
    e164 = pc.if_else(pa.array(ok), pc.binary_join_element_wise(plus_seven, national, nothing), nothing)
    return e164, tx.empty(text) | ok


def pseudonym(value: str, key: bytes, *, prefix: str = "s") -> str:
    """A keyed hash (SipHash, :func:`heatmap.core.text.keyed_digests`) of ``value``:
    stable for one key, not reversible without it."""
    return str(tx.keyed_digests(pa.array([value], type=tx.TEXT), key, prefix=prefix)[0].as_py())


def pseudonyms(values: pd.Series, key: bytes, *, prefix: str = "s") -> pd.Series:
    """:func:`pseudonym` over a column, empty where the value is empty."""
    digests = tx.keyed_digests(tx.as_text(values), key, prefix=prefix)
    return pd.Series(digests.to_numpy(zero_copy_only=False), index=values.index, dtype=object)


#: A subscriber id ingest derived itself, a keyed pseudonym already: of the number
#: (``s:``) or, for a complaint with neither number nor id, of its ticket (``t:``).
DERIVED_SUBSCRIBER = r"^[st]:[0-9a-f]{16}$"


def subscriber_pseudonyms(values: pd.Series, key: bytes) -> pd.Series:
    """Subscriber ids fit to leave the store: each id the CRM gave — an account or contract
    number, a phone number — becomes a keyed pseudonym (:func:`pseudonyms`, ``s:``), as
    ``msisdn`` becomes ``msisdn_hash``. A phone number is hashed in E.164, so its
    pseudonym is that number's ``msisdn_hash``; ids ingest derived (:data:`DERIVED_SUBSCRIBER`)
    are pseudonyms already and stay, as do missing and empty ones."""
    text = tx.stripped(values)
    e164, _valid = normalise_msisdn_text(text)
    kept = tx.empty(text) | tx.matches(text, DERIVED_SUBSCRIBER)
    given = pc.if_else(pa.array(kept), "", pc.if_else(pa.array(~tx.empty(e164)), e164, text))
    hashed = tx.keyed_digests(given, key, prefix="s").to_numpy(zero_copy_only=False)
    out = np.where(kept, values.to_numpy(dtype=object), hashed.astype(object))
    return pd.Series(out, index=values.index, dtype=object)


def mask_msisdn(e164: str) -> str:
    """What an agent may see: ``+7 9** ***-**-67``."""
    if not e164 or len(e164) != 12:
        return ""
    return f"+7 {e164[2]}** ***-**-{e164[-2:]}"

"""Column-at-a-time text handling in Arrow's native kernels.

Validation touches every field of every row, so it works on Arrow string arrays
(``pa.StringArray``: never null here, a missing value is the empty string) and
returns NumPy arrays for masks and numbers. Nothing here loops over rows in Python.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def as_text(values: object, length: int | None = None, *, keep_null: bool = False) -> pa.Array:
    """Arrow string array of ``values`` (a Series, list, Arrow array).

    Missing values become ``""`` unless ``keep_null``; ``None`` gives ``length`` empty strings.
    """
    if values is None:
        return pa.array([""] * (length or 0), type=pa.string())
    if isinstance(values, pd.Series) and values.dtype == object:
        array = pa.array(values.to_numpy(), type=pa.string(), from_pandas=True)
    else:
        array = pa.array(values, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_string(array.type):
        array = pc.cast(array, pa.string())
    return array if keep_null else pc.fill_null(array, "")


def stripped(values: object) -> pa.Array:
    """:func:`as_text`, with surrounding whitespace removed."""
    return pc.utf8_trim_whitespace(as_text(values))


def mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow result as a NumPy mask, null counted as False."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def empty(text: pa.Array) -> np.ndarray:
    return mask(pc.equal(text, ""))


def matches(text: pa.Array, pattern: str) -> np.ndarray:
    """Where an RE2 ``pattern`` is found in ``text`` (search, not full match)."""
    return mask(pc.match_substring_regex(text, pattern))


def is_in(text: pa.Array, allowed: Iterable[object]) -> np.ndarray:
    return mask(pc.is_in(text, value_set=pa.array(sorted(str(v) for v in allowed))))


def lower(text: pa.Array) -> pa.Array:
    return pc.utf8_lower(text)


def remove(text: pa.Array, pattern: str) -> pa.Array:
    """Delete every match of an RE2 ``pattern``."""
    return pc.replace_substring_regex(text, pattern, "")


def to_float(text: pa.Array) -> np.ndarray:
    """Numbers from text, NaN where empty or not a number (decimal comma allowed)."""
    text = pc.replace_substring(text, ",", ".")
    given = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    try:
        numbers = pc.cast(given, pa.float64())
    except pa.ArrowInvalid:  # some value is not a number: parse leniently, one by one
        loose = pd.to_numeric(pd.Series(given.to_numpy(zero_copy_only=False)), errors="coerce")
        return np.asarray(loose, dtype=float)
    return np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=float)


def to_objects(text: pa.Array) -> np.ndarray:
    """Python strings in an object array, ``None`` where empty."""
    values = text.to_numpy(zero_copy_only=False).astype(object)
    values[values == ""] = None
    return values


def series(text: pa.Array) -> pd.Series:
    """A pandas text column over ``text`` without copying it, missing where empty."""
    return pd.Series(pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text), dtype="str")


def last_occurrence(text: pa.Array) -> np.ndarray:
    """True where the same value appears again later in ``text``."""
    codes = pc.dictionary_encode(text).indices.to_numpy(zero_copy_only=False)
    return np.asarray(pd.Series(codes).duplicated(keep="last"), dtype=bool)


def keyed_digests(text: pa.Array, key: bytes, *, prefix: str) -> np.ndarray:
    """``prefix:`` + a BLAKE2b MAC of each distinct non-empty value; ``""`` for empty ones."""
    encoded = pc.dictionary_encode(text)
    base = hashlib.blake2b(key=key[:64], digest_size=10)
    table: list[str] = []
    for value in encoded.dictionary.to_pylist():
        if value:
            digest = base.copy()
            digest.update(value.encode("utf-8"))
            table.append(f"{prefix}:{digest.hexdigest()}")
        else:
            table.append("")
    lookup = np.asarray(table, dtype=object)
    return lookup[encoded.indices.to_numpy(zero_copy_only=False)]


def hex64(values: np.ndarray) -> np.ndarray:
    """Unsigned 64-bit integers as 16-digit lowercase hex, in an object array."""
    packed = np.ascontiguousarray(values, dtype=">u8").tobytes().hex()
    return np.frombuffer(packed.encode("ascii"), dtype="S16").astype("U16").astype(object)

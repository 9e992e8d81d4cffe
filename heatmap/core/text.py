"""Column-at-a-time text handling in Arrow's native kernels.

Validation touches every field of every row, so it works on Arrow text arrays
(``large_string``, as pandas keeps text; never null here, a missing value is the
empty string) and returns NumPy arrays for masks and numbers. Rows are not looped
over in Python, except by the lenient fallback for numbers that Arrow cannot parse.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: The Arrow type of text here: what pandas' own text columns hold, so no copies between them.
TEXT = pa.large_string()


def as_text(values: object, length: int | None = None, *, keep_null: bool = False) -> pa.Array:
    """Arrow string array of ``values`` (a Series, list, Arrow array).

    Missing values become ``""`` unless ``keep_null``; ``None`` gives ``length`` empty strings.
    """
    if values is None:
        return pa.array([""] * (length or 0), type=TEXT)
    if isinstance(values, pd.Series) and values.dtype == object:
        array = pa.array(values.to_numpy(), type=TEXT, from_pandas=True)
    else:
        array = pa.array(values, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.type != TEXT:
        array = pc.cast(array, TEXT)
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
    return mask(pc.is_in(text, value_set=pa.array(sorted(str(v) for v in allowed), type=text.type)))


def lower(text: pa.Array) -> pa.Array:
    return pc.utf8_lower(text)


def remove(text: pa.Array, pattern: str) -> pa.Array:
    """Delete every match of an RE2 ``pattern``."""
    return pc.replace_substring_regex(text, pattern, "")


def to_float(text: pa.Array) -> np.ndarray:
    """Numbers from text, NaN where empty or not a number (decimal comma allowed)."""
    text = pc.replace_substring(text, ",", ".")
    given = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
    try:
        numbers = pc.cast(given, pa.float64())
    except pa.ArrowInvalid:  # some value is not a number: parse leniently, one by one
        loose = pd.to_numeric(pd.Series(given.to_numpy(zero_copy_only=False)), errors="coerce")
        return np.asarray(loose, dtype=float)
    return np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=float)


def series(text: pa.Array) -> pd.Series:
    """A pandas text column over ``text`` without copying it, missing where empty."""
    return pd.Series(pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text), dtype="str")


def last_occurrence(text: pa.Array) -> np.ndarray:
    """True where the same value appears again later in ``text``."""
    codes = pc.dictionary_encode(text).indices.to_numpy(zero_copy_only=False)
    return np.asarray(pd.Series(codes).duplicated(keep="last"), dtype=bool)


def keyed_digests(text: pa.Array, key: bytes, *, prefix: str) -> pa.Array:
    """``prefix:`` + a keyed 64-bit SipHash-2-4 of each non-empty value, ``""`` for empty ones.

    SipHash is a pseudorandom function made for short inputs under a secret key
    (pandas' ``hash_array`` runs it in C); the 96-bit key is derived from ``key``.
    Each distinct value is hashed once.
    """
    encoded = pc.dictionary_encode(text)
    values = encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
    digests = hex_text(
        pd.util.hash_array(values, hash_key=siphash_key(key), categorize=False), prefix=f"{prefix}:"
    )
    table = pc.if_else(pc.equal(encoded.dictionary, ""), pa.scalar("", TEXT), digests)
    return table.take(encoded.indices)


def siphash_key(key: bytes) -> str:
    """The 16-character key pandas' SipHash takes, derived from all of ``key`` (96 bits)."""
    return base64.b64encode(hashlib.blake2b(key, digest_size=12).digest()).decode("ascii")


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def hex_text(values: np.ndarray, *, prefix: str = "") -> pa.Array:
    """Unsigned 64-bit integers as ``prefix`` + 16 lowercase hex digits, an Arrow text array
    built in NumPy (no Python string per value)."""
    octets = np.ascontiguousarray(values, dtype=">u8").view(np.uint8).reshape(-1, 8)
    nibbles = np.stack([octets >> 4, octets & 0x0F], axis=2).reshape(-1, 16)
    head = np.frombuffer(prefix.encode("utf-8"), dtype=np.uint8)
    rows = np.concatenate([np.broadcast_to(head, (len(nibbles), len(head))), _HEX_DIGITS[nibbles]], axis=1)
    width = rows.shape[1]
    offsets = np.arange(len(rows) + 1, dtype=np.int64) * width
    return pa.Array.from_buffers(
        TEXT, len(rows), [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(rows))]
    )


#: What ``json.dumps`` writes for each character it escapes by name, the backslash first.
_JSON_ESCAPES = (
    ("\\", "\\\\"),
    ('"', '\\"'),
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\t", "\\t"),
    ("\b", "\\b"),
    ("\f", "\\f"),
)
#: Control characters it writes as ``\u00XX`` instead (rare: those values go one by one).
_JSON_NUMBERED = r"[\x00-\x07\x0b\x0e-\x1f]"


def json_objects(columns: Mapping[str, pa.Array]) -> pa.Array:
    """Each row of the text ``columns`` as one JSON object (null values as ``null``), exactly
    as ``json.dumps(row, ensure_ascii=False)`` writes it, built column by column."""
    pieces: list[pa.Array | pa.Scalar] = []
    for number, (name, values) in enumerate(columns.items()):
        key = json.dumps(str(name), ensure_ascii=False)
        pieces.append(pa.scalar(("{" if number == 0 else ", ") + key + ": ", TEXT))
        pieces.append(_json_strings(values))
    if not pieces:
        return pa.array([], type=TEXT)
    pieces.append(pa.scalar("}", TEXT))
    return pc.binary_join_element_wise(*pieces, pa.scalar("", TEXT))


def _json_strings(values: pa.Array) -> pa.Array:
    """JSON string literals of ``values`` (``null`` for a null)."""
    escaped = values
    for plain, written in _JSON_ESCAPES:
        escaped = pc.replace_substring(escaped, plain, written)
    quote = pa.scalar('"', TEXT)
    literals = pc.fill_null(pc.binary_join_element_wise(quote, escaped, quote, pa.scalar("", TEXT)), "null")
    numbered = mask(pc.match_substring_regex(values, _JSON_NUMBERED))
    if numbered.any():
        which = np.flatnonzero(numbered)
        odd = [json.dumps(v, ensure_ascii=False) for v in values.take(pa.array(which)).to_pylist()]
        literals = pc.replace_with_mask(literals, pa.array(numbered), pa.array(odd, type=TEXT))
    return literals


def has_word(text: str, word: str) -> bool:
    """Whether ``word`` occurs in ``text`` not as a piece of a longer word."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not text[at - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            return True
        at = text.find(word, at + 1)
    return False

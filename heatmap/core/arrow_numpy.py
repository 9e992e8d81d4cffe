"""NumPy arrays to Arrow and back without pandas.

pyarrow imports pandas (0.15-0.2 s) the first time it converts a NumPy array
(``pa.array``), a Python value (``pa.scalar``, a scalar argument of a compute
function) or an Arrow array to NumPy (``to_numpy``, ``np.asarray``). The count rule's
``detect-file`` needs none of pandas, so it converts through these, which wrap the
same memory as Arrow's own buffers.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def to_numpy(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A numeric Arrow array (integers or floats) as a read-only NumPy view of its
    memory (a copy when it is chunked); nulls of a float array read as NaN."""
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    dtype = _dtype(array.type)
    if len(array) == 0:
        return np.zeros(0, dtype=dtype)
    validity, data = array.buffers()[:2]
    out = np.frombuffer(data, dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize)
    if not array.null_count:
        return out
    if dtype.kind != "f":
        raise ValueError(f"{array.null_count} missing values in an integer array")
    bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
    out = out.copy()
    out[~bits[array.offset : array.offset + len(array)].astype(bool)] = np.nan
    return out


def to_arrow(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A one-dimensional numeric NumPy array as an Arrow array over the same memory
    (a copy when it is not contiguous); null where ``valid`` (booleans) is False."""
    contiguous = np.ascontiguousarray(values)
    kind = pa.from_numpy_dtype(contiguous.dtype)
    bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(kind, len(contiguous), [bitmap, pa.py_buffer(contiguous)])


def codes_of(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Codes ``0, 1, …`` of ``values`` (int64) in order of first appearance, equal where
    the values are (a missing value is one more value), and the distinct values in that
    order: hashed by Arrow in native code, chunk after chunk (none copied into one)."""
    if isinstance(values, pa.ChunkedArray) and values.num_chunks < 2:
        values = values.chunk(0) if values.num_chunks else values.combine_chunks()
    encoded = pc.dictionary_encode(values, null_encoding="encode")
    if isinstance(encoded, pa.Array):
        return to_numpy(encoded.indices).astype(np.int64), encoded.dictionary
    parts = [to_numpy(chunk.indices).astype(np.int64) for chunk in encoded.chunks]
    return np.concatenate(parts), encoded.chunks[-1].dictionary


def constant_text(text: bytes, kind: pa.DataType = pa.string()) -> pa.Scalar:
    """``text`` as an Arrow scalar of the string or binary type ``kind``."""
    wide = kind in (pa.large_string(), pa.large_binary())
    offsets = np.array([0, len(text)], dtype=np.int64 if wide else np.int32)
    return pa.Array.from_buffers(kind, 1, [None, pa.py_buffer(offsets), pa.py_buffer(text)])[0]


def _dtype(kind: pa.DataType) -> np.dtype:
    if pa.types.is_floating(kind) or pa.types.is_integer(kind):
        letter = "f" if pa.types.is_floating(kind) else ("i" if pa.types.is_signed_integer(kind) else "u")
        return np.dtype(f"{letter}{kind.bit_width // 8}")
    raise TypeError(f"not a numeric Arrow type: {kind}")

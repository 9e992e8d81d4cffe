"""NumPy to Arrow and back without pandas: same values, nulls as NaN, slices honoured."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from heatmap.core.arrow_numpy import codes_of, constant_text, to_arrow, to_numpy
from heatmap.testing import assert_imports_none


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint64, np.float64, np.uint8])
def test_a_round_trip_keeps_every_value(dtype: type) -> None:
    values: np.ndarray = (np.arange(50) * 7 % 13).astype(dtype)
    arrow = to_arrow(values)
    assert arrow.type == pa.from_numpy_dtype(np.dtype(dtype))
    assert arrow.to_pylist() == values.tolist()
    assert np.array_equal(to_numpy(arrow), values)
    assert to_numpy(arrow.slice(11, 20)).tolist() == values[11:31].tolist()


def test_chunks_are_joined_and_nulls_of_floats_read_as_nan() -> None:
    chunked = pa.chunked_array([pa.array([1.5, None, 3.0]), pa.array([None, 5.0])])
    assert np.array_equal(to_numpy(chunked), [1.5, np.nan, 3.0, np.nan, 5.0], equal_nan=True)
    assert np.array_equal(
        to_numpy(chunked.combine_chunks().slice(1)), [np.nan, 3.0, np.nan, 5.0], equal_nan=True
    )
    assert to_numpy(pa.array([], type=pa.int64())).shape == (0,)
    with pytest.raises(ValueError, match="missing"):
        to_numpy(pa.array([1, None]))
    with pytest.raises(TypeError, match="not a numeric"):
        to_numpy(pa.array(["a"]))


def test_valid_marks_nulls_and_constant_text_is_a_scalar() -> None:
    values = np.array([4, 5, 6, 7, 8, 9, 10, 11, 12], dtype=np.int64)
    arrow = to_arrow(values, valid=values % 3 != 0)
    assert arrow.to_pylist() == [4, 5, None, 7, 8, None, 10, 11, None]
    filled = pc.coalesce(pc.cast(arrow, pa.string()), constant_text(b"-"))
    assert filled.to_pylist() == ["4", "5", "-", "7", "8", "-", "10", "11", "-"]
    assert constant_text(b",", pa.large_binary()).as_py() == b","
    assert constant_text(b"ab").type == pa.string()


def test_nothing_here_imports_pandas() -> None:
    probe = (
        "import numpy as np, pyarrow as pa, pyarrow.compute as pc\n"
        "from heatmap.core.arrow_numpy import codes_of, constant_text, to_arrow, to_numpy\n"
        "codes = pc.dictionary_encode(to_arrow(np.array([3, 1, 3]))).indices\n"
        "assert to_numpy(codes).tolist() == [0, 1, 0]\n"
        "numbered = to_arrow(np.arange(3), valid=np.arange(3) > 0)\n"
        "pc.coalesce(pc.cast(numbered, pa.string()), constant_text(b''))\n"
    )
    assert_imports_none(probe, ["pandas"])


def test_codes_follow_first_appearance_across_chunks() -> None:
    chunked = pa.chunked_array([pa.array(["b", "a", None]), pa.array(["a", "c", None, "b"])])
    codes, distinct = codes_of(chunked)
    assert codes.tolist() == [0, 1, 2, 1, 3, 2, 0]
    assert distinct.to_pylist() == ["b", "a", None, "c"]
    one, _ = codes_of(pa.chunked_array([pa.array([7, 7, 5])]))
    assert one.tolist() == [0, 0, 1] and one.dtype == np.int64
    none, nothing = codes_of(pa.chunked_array([], type=pa.string()))
    assert none.shape == (0,) and len(nothing) == 0

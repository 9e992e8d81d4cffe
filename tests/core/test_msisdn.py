import numpy as np
import pandas as pd
import pytest

from heatmap.core.msisdn import mask_msisdn, normalise_msisdn, pseudonym, pseudonyms
from heatmap.core.text import siphash_key


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+79161234567", "+79161234567"),
        ("89161234567", "+79161234567"),
        ("79161234567", "+79161234567"),
        ("9161234567", "+79161234567"),
        ("+7 (916) 123-45-67", "+79161234567"),
        ("8 916 123 45 67", "+79161234567"),
    ],
)
def test_mobile_numbers_normalise_to_e164(raw: str, e164: str) -> None:
    value, ok = normalise_msisdn(pd.Series([raw]))
    assert value.tolist() == [e164]
    assert ok.tolist() == [True]


@pytest.mark.parametrize("raw", ["12345", "+74951234567", "+89161234567", "abc", "8916123456"])
def test_non_mobile_numbers_are_invalid(raw: str) -> None:
    value, ok = normalise_msisdn(pd.Series([raw]))
    assert value.tolist() == [""]
    assert ok.tolist() == [False]


def test_absent_number_is_valid_and_empty() -> None:
    value, ok = normalise_msisdn(pd.Series(["", None]))
    assert value.tolist() == ["", ""]
    assert ok.tolist() == [True, True]


def test_pseudonyms_are_keyed_and_stable() -> None:
    a = pseudonym("+79161234567", b"k" * 32)
    assert a == pseudonym("+79161234567", b"k" * 32)
    assert a != pseudonym("+79161234567", b"j" * 32)
    assert "9161234567" not in a
    column = pseudonyms(pd.Series(["+79161234567", "", "+79161234567"]), b"k" * 32)
    assert column.tolist() == [a, "", a]


def test_agent_sees_masked_number() -> None:
    assert mask_msisdn("+79161234567") == "+7 9** ***-**-67"
    assert mask_msisdn("") == ""


def test_clean_and_messy_numbers_in_one_column_each_normalise() -> None:
    raw = pd.Series(["+79161234567", "8 (916) 123-45-67", "", "89161234567", "+7 916 1234567", "12"])
    value, ok = normalise_msisdn(raw)
    assert value.tolist() == ["+79161234567"] * 2 + [""] + ["+79161234567"] * 2 + [""]
    assert ok.tolist() == [True, True, True, True, True, False]


def test_pseudonym_is_the_keyed_siphash_in_hex() -> None:
    key = b"k" * 32
    digest = pd.util.hash_array(
        np.array(["+79161234567"], dtype=object), hash_key=siphash_key(key), categorize=False
    )[0]
    assert pseudonym("+79161234567", key) == f"s:{int(digest):016x}"

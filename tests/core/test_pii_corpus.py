"""The masker on real complaint texts (311 requests of New York and Hoboken, ../shared/data):
it hides the personal data people typed and leaves their house numbers, dates and ranges."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from heatmap.core.pii import find_personal_data, mask_personal_data

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "complaints-311"
FILES = ("publicstuff_NYC_20190522.csv", "publicstuff_Hoboken_20190521.csv")
#: Personal data in these texts, found by reading every text with a run of digits, an "@"
#: or a phone word (benchmarks/eval_comment_filter.py lists the reviewed ids): the
#: numbers and addresses only (names are judged there).
KNOWN = {("phone", "718 229-5905"), ("email", "chiangamy@gmail.com")}
#: Numbers in these texts that are not personal data: house numbers of Queens, dates,
#: ranges of streets, a police complaint number, a zip code.
ORDINARY = re.compile(
    r"\d{1,4}-\d{2,4}\s+\d+\w*\s+(?:st|street|ave|avenue|place)\b|"
    r"\d{1,2}/\d{1,2}/\d{2,4}|\d{3,4}-\d{3,4}\s+\w+|\b\d{5}\b|\d-\d-\d{8}",
    re.IGNORECASE,
)


def texts() -> list[str]:
    out: set[str] = set()
    for name in FILES:
        frame = pd.read_csv(DATA / name, dtype=str, keep_default_na=False)
        out.update(t for t in frame["Description"] if t.strip())
    return sorted(out)


@pytest.mark.realdata
def test_real_texts_lose_their_personal_numbers_and_keep_the_others() -> None:
    corpus = texts()
    assert len(corpus) > 1000
    found = {(s.kind, t[s.start : s.end]) for t in corpus for s in find_personal_data(t, names=False)}
    assert found == KNOWN
    ordinary = [(t, m) for t in corpus for m in ORDINARY.finditer(t)]
    assert len(ordinary) > 30, "the corpus still holds the numbers this test is about"
    for text, match in ordinary:
        masked = mask_personal_data(text, names=False)
        assert masked is not None and match.group() in masked, match.group()

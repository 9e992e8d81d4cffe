"""What a spreadsheet would run as a formula: the rule every CSV writer neutralises by.

Its own module, with nothing heavy imported, so that writers that never touch pandas
(:mod:`heatmap.io.arrow_csv`, ``geocode-file``'s :mod:`heatmap.geocode.files`) share the
rule with those that do (:mod:`heatmap.io.writers`).
"""

from __future__ import annotations

import re

#: What a spreadsheet may read as the start of a formula (OWASP, CSV injection), with the
#: full-width forms some spreadsheets also take.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: A plain number is not a formula, whatever its sign: it is left as it is.
PLAIN_NUMBER = re.compile(r"[+\-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+\-]?[0-9]+)?")


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula: it begins like one and is not
    a plain number."""
    return text.startswith(FORMULA_START) and PLAIN_NUMBER.fullmatch(text) is None


def spreadsheet_text(text: str) -> str:
    """``text`` as written to a CSV: with a leading apostrophe when a spreadsheet would run
    it as a formula (OWASP's rule for CSV injection), so that it shows it as text."""
    return "'" + text if runs_as_formula(text) else text

"""What a spreadsheet would run as a formula: the rule every CSV writer neutralises by.

Its own module, with nothing heavy imported, so that writers that never touch pandas
(:mod:`heatmap.io.arrow_csv`) share the rule with those that do (:mod:`heatmap.io.writers`).
"""

from __future__ import annotations

import re

#: What a spreadsheet may read as the start of a formula (OWASP, CSV injection), with the
#: full-width forms some spreadsheets also take.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: A plain number is not a formula, whatever its sign: it is left as it is.
PLAIN_NUMBER = re.compile(r"[+\-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+\-]?[0-9]+)?")

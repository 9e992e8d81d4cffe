"""Write plain tables as CSV, JSON Lines or Parquet, atomically (temp file, then rename).

CSV is written safe for spreadsheets (:func:`spreadsheet_safe`). Who may read what is
written is :mod:`heatmap.io.atomic`'s policy: ``private`` for personal data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from heatmap.errors import UsageError
from heatmap.io.atomic import atomic_path, atomic_text, refuse_folder
from heatmap.io.formulas import runs_as_formula

__all__ = ["refuse_folder", "spreadsheet_safe", "write_table", "write_text"]


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that begins like a formula (``=``, ``+``, ``-``,
    ``@``, tab, carriage return) prefixed by an apostrophe, so a spreadsheet shows it as
    text and never runs it (OWASP's rule for CSV injection). Plain numbers written as
    text (``-73.86``, ``+79161234567``) are not formulas and stay as they are; number,
    time and missing cells are untouched. Returns a copy when anything changed."""
    out = frame
    for name in frame.columns:
        column = frame[name]
        if column.dtype != object and not pd.api.types.is_string_dtype(column):
            continue
        values = column.to_numpy(dtype=object)
        risky = np.fromiter(
            (isinstance(v, str) and runs_as_formula(v) for v in values), dtype=bool, count=len(values)
        )
        if risky.any():
            if out is frame:
                out = frame.copy()
            fixed = values.copy()
            fixed[risky] = ["'" + v for v in values[risky]]
            out[name] = pd.Series(fixed, index=frame.index, dtype=column.dtype)
    return out


def write_table(
    frame: pd.DataFrame, path: str | Path, *, private: bool = False, for_spreadsheets: bool = True
) -> None:
    """Write ``frame`` by the file's extension; a crash never leaves half a file.

    ``private``: the table holds personal data (the file is made its owner's only);
    otherwise the file follows the umask like any other.
    CSV is made safe for spreadsheets unless ``for_spreadsheets`` is False: a file that
    is input to another program (a generated CRM export for ``heatmap ingest``) keeps
    every cell as it is, or a phone number written ``+7 (916) …`` would come back with
    an apostrophe and be refused."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".ndjson", ".parquet"):
        raise UsageError(f"{path}: write .csv, .jsonl or .parquet")
    with atomic_path(path, private=private) as temp:
        if suffix == ".csv":
            (spreadsheet_safe(frame) if for_spreadsheets else frame).to_csv(temp, index=False)
        elif suffix == ".parquet":
            frame.to_parquet(temp, index=False)
        else:
            frame.to_json(temp, orient="records", lines=True, force_ascii=False)


def write_text(text: str, path: str | Path, *, private: bool = False) -> None:
    """Write text atomically; ``private``: it holds personal data (else the umask rules)."""
    with atomic_text(path, private=private) as stream:
        stream.write(text)

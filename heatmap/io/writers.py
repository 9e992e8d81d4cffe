"""Write plain tables as CSV, JSON Lines or Parquet, atomically (temp file, then rename)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from heatmap.errors import UsageError


def write_table(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` by the file's extension; a crash never leaves half a file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".ndjson", ".parquet"):
        raise UsageError(f"{path}: write .csv, .jsonl or .parquet")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        if suffix == ".csv":
            frame.to_csv(temp, index=False)
        elif suffix == ".parquet":
            frame.to_parquet(temp, index=False)
        else:
            frame.to_json(temp, orient="records", lines=True, force_ascii=False)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def write_text(text: str, path: str | Path) -> None:
    """Write text atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)

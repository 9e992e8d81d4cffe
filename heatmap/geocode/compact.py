"""The matcher's columns of a gazetteer in a JSON file beside its Parquet file.

``gazetteer build`` writes ``NAME.parquet`` and ``NAME.parquet.index.json``: the
columns the matcher reads (:data:`.entries.INDEX_COLUMNS`) and the SHA-1 of the
Parquet file they were taken from. A command that geocodes reads the JSON file with
the standard library when it still belongs to the Parquet file beside it (same size
and digest), which spares it importing Arrow and numpy (about 0.15 s of a
``geocode-file`` run); a missing, stale or unreadable one is ignored and the Parquet
file is read as before. No pandas here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from heatmap.errors import GeocodeError
from heatmap.geocode.entries import INDEX_COLUMNS
from heatmap.io.atomic import atomic_text

#: Bumped when the file's layout changes: older files are then ignored.
FORMAT = 1


def compact_path(parquet: str | Path) -> Path:
    """Where the compact columns of a gazetteer file live."""
    path = Path(parquet)
    return path.with_name(path.name + ".index.json")


def _digest(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.sha1(stream.read(), usedforsecurity=False).hexdigest()


def read_parquet_columns(parquet: str | Path) -> dict[str, list[Any]]:
    """The matcher's columns read from the Parquet file with Arrow alone (no pandas)."""
    import pyarrow.parquet as pq

    try:  # ParquetFile, not read_table: the dataset layer would import pandas
        table = pq.ParquetFile(parquet).read(columns=list(INDEX_COLUMNS))
    except (OSError, ValueError, KeyError) as exc:
        raise GeocodeError(f"cannot read gazetteer {parquet}: {exc}") from exc
    return {name: table.column(name).to_pylist() for name in INDEX_COLUMNS}


def index_columns(parquet: str | Path) -> dict[str, list[Any]]:
    """The matcher's columns of a gazetteer file: from the compact file when it belongs to
    it, else from the Parquet file."""
    return read_compact(parquet) or read_parquet_columns(parquet)


def write_compact(parquet: str | Path) -> Path:
    """Write the matcher's columns of ``parquet`` (as Arrow reads them) beside it."""
    source = Path(parquet)
    target = compact_path(source)
    body = {
        "format": FORMAT,
        "parquet_size": source.stat().st_size,
        "parquet_sha1": _digest(source),
        "columns": read_parquet_columns(source),
    }
    with atomic_text(target, private=False) as stream:  # no personal data: as the Parquet file
        json.dump(body, stream, ensure_ascii=False, separators=(",", ":"))
    return target


def read_compact(parquet: str | Path) -> dict[str, list[Any]] | None:
    """The matcher's columns of ``parquet`` from the file beside it, or None when there is
    none that belongs to this very Parquet file."""
    source = Path(parquet)
    target = compact_path(source)
    try:
        if not target.is_file():
            return None
        body = json.loads(target.read_text(encoding="utf-8"))
        if (
            not isinstance(body, dict)
            or body.get("format") != FORMAT
            or body.get("parquet_size") != source.stat().st_size
            or body.get("parquet_sha1") != _digest(source)
        ):
            return None
        columns = body.get("columns")
    except (OSError, ValueError):
        return None
    if not isinstance(columns, dict):
        return None
    out = {name: columns.get(name) for name in INDEX_COLUMNS}
    lengths = {len(v) if isinstance(v, list) else -1 for v in out.values()}
    if len(lengths) != 1 or -1 in lengths:
        return None
    return out  # type: ignore[return-value]

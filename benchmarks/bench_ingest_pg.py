"""Ingest throughput into PostGIS: `heatmap ingest` beside a bare COPY of the same rows.

Run: python benchmarks/bench_ingest_pg.py --dsn postgresql://user@host/db [--n 200000]

Generates one synthetic CRM export (the demo generator, seed 7), writes it as CSV,
then on those same rows measures

* ours: :func:`heatmap.service.ingest` into a fresh schema — the whole call: read the
  file, validate and normalise (Arrow kernels, shared with SQLite) part by part, while
  the store's one transaction (advisory lock, hash lookup, COPY, quarantine) writes the
  part before. The store call is timed on its own as well; it contains the validation
  of every part but the first, since the two overlap;
* bare: the file's rows streamed with ``COPY … FROM STDIN (FORMAT csv)`` into a plain
  table of text columns — no parsing, no validation, no indexes: the floor.

Each measurement runs in its own schema, dropped afterwards. Target: >= 200,000 rows/s.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from heatmap.io.writers import write_table
from heatmap.samples import SAMPLES_NOW, generate_export, read_addresses
from heatmap.service import ingest, init_store
from heatmap.store import open_store
from heatmap.store.postgis import conninfo, fresh_schema_url

TARGET = 200_000
_CHUNK = 1 << 20


def export_file(n: int, folder: Path) -> Path:
    """The benchmark export for ``n`` rows (kept in ``folder`` and reused if present)."""
    path = folder / f"bench-export-{n}-seed7.csv"
    if not path.exists():
        frame, _ = generate_export(read_addresses(), n=n, seed=7, now=SAMPLES_NOW)
        write_table(frame, path)
    return path


def ours(dsn: str, csv_path: Path) -> dict[str, Any]:
    """``heatmap ingest`` of the file into a fresh schema, then once more (all unchanged)."""
    with fresh_schema_url(dsn) as url:
        store = open_store(url)
        init_store(store)
        spent: list[float] = []
        apply = store.apply_ingest

        def timed(batch: Any) -> dict[str, int]:
            start = time.perf_counter()
            try:
                return apply(batch)
            finally:
                spent.append(time.perf_counter() - start)

        store.apply_ingest = timed  # type: ignore[method-assign]
        start = time.perf_counter()
        first = ingest(store, [csv_path], now=datetime.now(UTC))
        fresh = time.perf_counter() - start
        start = time.perf_counter()
        ingest(store, [csv_path], now=datetime.now(UTC))
        again = time.perf_counter() - start
        store.close()
    return {"fresh_s": fresh, "store_s": spent[0], "reimport_s": again,
            "reimport_store_s": spent[1], "totals": first.totals}


def bare_copy(dsn: str, csv_path: Path) -> float:
    """Stream the file's rows into a plain text table with COPY (file read included)."""
    with fresh_schema_url(dsn) as url, psycopg.connect(conninfo(url)) as conn:
        start = time.perf_counter()
        data = csv_path.read_bytes()
        header, _, body = data.partition(b"\n")
        names = [c.strip() for c in header.decode("utf-8").split(",")]
        table = sql.Identifier("bare_export")
        conn.execute(sql.SQL("CREATE TABLE {} ({})").format(
            table, sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in names)
        ))
        view = memoryview(body)
        with conn.cursor() as cursor, cursor.copy(
            sql.SQL("COPY {} FROM STDIN (FORMAT csv)").format(table)
        ) as copy:
            for offset in range(0, len(view), _CHUNK):
                copy.write(view[offset : offset + _CHUNK])
        conn.commit()
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dsn", required=True, help="postgresql://… of a database with PostGIS")
    parser.add_argument("--n", type=int, default=200_000, help="rows in the export")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep (and reuse) the generated export here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        csv_path = export_file(args.n, folder)
        made = time.perf_counter() - start
        result = ours(args.dsn, csv_path)
        bare = bare_copy(args.dsn, csv_path)

    n = args.n
    out = {
        "rows": n,
        "export_s": round(made, 2),
        "ours_s": round(result["fresh_s"], 3),
        "ours_rows_per_s": round(n / result["fresh_s"]),
        "store_s": round(result["store_s"], 3),
        "store_rows_per_s": round(n / result["store_s"]),
        "before_store_s": round(result["fresh_s"] - result["store_s"], 3),
        "reimport_s": round(result["reimport_s"], 3),
        "reimport_store_s": round(result["reimport_store_s"], 3),
        "bare_copy_s": round(bare, 3),
        "bare_copy_rows_per_s": round(n / bare),
        "ratio_ours_to_bare": round(result["fresh_s"] / bare, 2),
        "totals": result["totals"],
    }
    if args.json:
        print(json.dumps(out))
        return
    print(f"export: {n:,} rows ({out['export_s']:.1f} s to generate or reuse)")
    print(f"{'':34} {'seconds':>9} {'rows/s':>11}")
    print(f"{'heatmap ingest (whole call)':34} {out['ours_s']:>9.2f} {out['ours_rows_per_s']:>11,}")
    print(f"{'  read + first part validated':34} {out['before_store_s']:>9.2f}")
    print(f"{'  store (1 transaction, overlapped)':34} {out['store_s']:>9.2f} "
          f"{out['store_rows_per_s']:>11,}")
    print(f"{'re-import (all unchanged)':34} {out['reimport_s']:>9.2f} "
          f"{round(n / result['reimport_s']):>11,}")
    print(f"{'  of which store (1 transaction)':34} {out['reimport_store_s']:>9.2f} "
          f"{round(n / result['reimport_store_s']):>11,}")
    print(f"{'bare COPY into a text table':34} {out['bare_copy_s']:>9.2f} "
          f"{out['bare_copy_rows_per_s']:>11,}")
    print(f"ours / bare: {out['ratio_ours_to_bare']:.2f}x   counts: {out['totals']}")
    verdict = "met" if out["ours_rows_per_s"] >= TARGET else "NOT met"
    print(f"target >= {TARGET:,} rows/s for the whole call: {verdict}")


if __name__ == "__main__":
    main()

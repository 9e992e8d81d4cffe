"""Ingest throughput into PostGIS: `heatmap ingest` beside two floors on the same rows.

Run: python benchmarks/bench_ingest_pg.py --dsn postgresql://user@host/db [--n 200000]

Generates one synthetic CRM export (the demo generator, seed 7), writes it as CSV,
then on those same rows measures, ``--repeat`` times interleaved (medians reported):

* ours: :func:`heatmap.service.ingest` into a fresh schema — the whole call: read the
  file, validate and normalise (Arrow kernels, shared with SQLite) and encode part by
  part, while the store's one transaction (advisory lock, binary COPY, quarantine,
  index rebuild) writes the part before;
* server floor: the same complaints, validated and encoded beforehand (not timed),
  sent with binary ``COPY`` into the complaints table of a fresh schema with its
  indexes rebuilt afterwards, as ours does — what the server alone needs to store
  these rows in this schema, whatever the client does;
* bare: the file's rows streamed with ``COPY … FROM STDIN (FORMAT csv)`` into a plain
  table of text columns — no parsing, no validation, no keys, no indexes.

With ``--base N`` the store (for ours and the floor) already holds about N complaints
from earlier exports of the same generator (other seeds), ingested untimed: the daily
case, where indexes grow row by row and every ticket is looked up.

Each measurement runs in its own schema, dropped afterwards. Target: >= 200,000 rows/s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
from psycopg import sql

from heatmap.core.ingest import validate_export
from heatmap.devtools.samples import SAMPLES_NOW, generate_export, read_addresses
from heatmap.io.exports import read_export
from heatmap.io.writers import write_table
from heatmap.service import ingest, init_store
from heatmap.store import Store, open_store
from heatmap.store import postgis as pg
from heatmap.store.postgis.bulk import copy_payload, indexes_to_rebuild
from heatmap.store.postgis.ingest import encode_new
from heatmap.store.postgis.kinds import INSERT_KINDS

TARGET = 200_000
BARE_RATIO = 5.0  # the target against the ~1M rows/s bare COPY the issue assumed
_CHUNK = 1 << 20


def export_file(n: int, folder: Path, seed: int = 7) -> Path:
    """The benchmark export for ``n`` rows (kept in ``folder`` and reused if present)."""
    path = folder / f"bench-export-{n}-seed{seed}.csv"
    if not path.exists():
        frame, _ = generate_export(read_addresses(), n=n, seed=seed, now=SAMPLES_NOW)
        write_table(frame, path)
    return path


def fresh_store(url: str, base: list[Path]) -> Store:
    """A store at ``url`` with the schema and the ``base`` exports ingested."""
    store = open_store(url)
    init_store(store)
    if base:
        ingest(store, base, now=datetime.now(UTC))
    return store


def ours(dsn: str, csv_path: Path, base: list[Path]) -> dict[str, Any]:
    """``heatmap ingest`` of the file into a fresh schema, then once more (all unchanged)."""
    with pg.fresh_schema_url(dsn) as url:
        store = fresh_store(url, base)
        start = time.perf_counter()
        first = ingest(store, [csv_path], now=datetime.now(UTC))
        fresh = time.perf_counter() - start
        start = time.perf_counter()
        ingest(store, [csv_path], now=datetime.now(UTC))
        again = time.perf_counter() - start
        store.close()
    return {"fresh_s": fresh, "reimport_s": again, "totals": first.totals}


def server_payload(csv_path: Path) -> tuple[list[bytes], int]:
    """The export's valid complaints as new rows, encoded for binary COPY (untimed)."""
    checked = validate_export(read_export(csv_path), key=b"bench-key-0123456789")
    at = pd.Timestamp.now(tz="UTC").floor("us")
    return encode_new(checked.complaints, at), len(checked.complaints)


def server_floor(dsn: str, payload: list[bytes], rows: int, base: list[Path]) -> float:
    """Binary COPY of ready rows into a fresh complaints table (holding the ``base``
    exports), indexes rebuilt after where ours would rebuild them."""
    with pg.fresh_schema_url(dsn) as url:
        fresh_store(url, base).close()
        with psycopg.connect(pg.conninfo(url)) as conn, conn.cursor() as cursor:
            start = time.perf_counter()
            rebuild = indexes_to_rebuild(cursor, rows)
            copy_payload(cursor, "complaints", INSERT_KINDS, payload)
            if rebuild:  # with the memory ours gives its index builds
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _, definition in rebuild:
                cursor.execute(definition)
            conn.commit()
            return time.perf_counter() - start


def bare_copy(dsn: str, csv_path: Path) -> float:
    """Stream the file's rows into a plain text table with COPY (file read included)."""
    with pg.fresh_schema_url(dsn) as url, psycopg.connect(pg.conninfo(url)) as conn:
        start = time.perf_counter()
        data = csv_path.read_bytes()
        header, _, body = data.partition(b"\n")
        names = [c.strip() for c in header.decode("utf-8").split(",")]
        table = sql.Identifier("bare_export")
        conn.execute(
            sql.SQL("CREATE TABLE {} ({})").format(
                table, sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in names)
            )
        )
        view = memoryview(body)
        with (
            conn.cursor() as cursor,
            cursor.copy(sql.SQL("COPY {} FROM STDIN (FORMAT csv)").format(table)) as copy,
        ):
            for offset in range(0, len(view), _CHUNK):
                copy.write(view[offset : offset + _CHUNK])
        conn.commit()
        return time.perf_counter() - start


def _print_load() -> None:
    """The machine's load before the benchmark starts (figures under load are not judged)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.timing import busy, machine_load

    print(f"# {machine_load()}{' (busy: figures are noisy)' if busy() else ''}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dsn", required=True, help="postgresql://… of a database with PostGIS")
    parser.add_argument("--n", type=int, default=200_000, help="rows in the export")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each side, interleaved; the medians are reported"
    )
    parser.add_argument(
        "--base", type=int, default=0, help="complaints already in the store, from earlier exports (untimed)"
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep (and reuse) the generated export here"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    _print_load()

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        csv_path = export_file(args.n, folder)
        earlier = -(-args.base // args.n)  # exports of n rows that make up the base
        base = [export_file(args.n, folder, seed) for seed in range(1, earlier + 1)]
        payload, valid = server_payload(csv_path)
        runs: dict[str, list[float]] = {"ours": [], "reimport": [], "floor": [], "bare": []}
        totals: dict[str, int] = {}
        for _ in range(args.repeat):
            result = ours(args.dsn, csv_path, base)
            runs["ours"].append(result["fresh_s"])
            runs["reimport"].append(result["reimport_s"])
            totals = result["totals"]
            runs["floor"].append(server_floor(args.dsn, payload, valid, base))
            runs["bare"].append(bare_copy(args.dsn, csv_path))

    n = args.n
    median = {name: statistics.median(values) for name, values in runs.items()}
    out = {
        "rows": n,
        "valid_rows": valid,
        "base_rows": len(base) * n,
        "runs": args.repeat,
        "ours_s": round(median["ours"], 3),
        "ours_rows_per_s": round(n / median["ours"]),
        "reimport_s": round(median["reimport"], 3),
        "server_floor_s": round(median["floor"], 3),
        "server_floor_rows_per_s": round(n / median["floor"]),
        "bare_copy_s": round(median["bare"], 3),
        "bare_copy_rows_per_s": round(n / median["bare"]),
        "ratio_ours_to_floor": round(median["ours"] / median["floor"], 2),
        "ratio_ours_to_bare": round(median["ours"] / median["bare"], 2),
        "each_run_s": {name: [round(v, 3) for v in values] for name, values in runs.items()},
        "totals": totals,
    }
    if args.json:
        print(json.dumps(out))
        return
    into = f" into a store of {len(base) * n:,} rows" if base else " into an empty store"
    print(f"export: {n:,} rows, {valid:,} valid,{into}; medians of {args.repeat} interleaved runs")
    print(f"{'':44} {'seconds':>9} {'rows/s':>11} {'ours/this':>10}")
    print(f"{'heatmap ingest (whole call)':44} {out['ours_s']:>9.2f} {out['ours_rows_per_s']:>11,}")
    print(f"{'re-import (all unchanged)':44} {out['reimport_s']:>9.2f} {round(n / median['reimport']):>11,}")
    print(
        f"{'server floor: binary COPY of ready rows':44} {out['server_floor_s']:>9.2f} "
        f"{out['server_floor_rows_per_s']:>11,} {out['ratio_ours_to_floor']:>9.2f}x"
    )
    print(
        f"{'bare COPY of the file into a text table':44} {out['bare_copy_s']:>9.2f} "
        f"{out['bare_copy_rows_per_s']:>11,} {out['ratio_ours_to_bare']:>9.2f}x"
    )
    print("each run (s): " + "; ".join(f"{k} {v}" for k, v in out["each_run_s"].items()))
    print(f"counts: {totals}")
    verdict = "met" if out["ours_rows_per_s"] >= TARGET else "NOT met"
    print(f"target >= {TARGET:,} rows/s for the whole call: {verdict}")
    # The target was set for a machine whose bare COPY reaches ~1M rows/s: 1/5 of that.
    scaled = "within" if out["ratio_ours_to_bare"] <= BARE_RATIO else "NOT within"
    print(
        f"scaled to this machine's bare COPY ({out['bare_copy_rows_per_s']:,} rows/s, the"
        f" target assumed ~1,000,000): ours takes {out['ratio_ours_to_bare']}x its time,"
        f" {scaled} the {BARE_RATIO:g}x that {TARGET:,} of 1,000,000 allows"
    )


if __name__ == "__main__":
    main()

"""Ingest throughput into SQLite: `heatmap ingest` beside a bare load of the same rows.

The peer reads the same CSV with pandas and inserts the raw text rows into a
plain SQLite table with executemany — no validation, no normalisation, no
dedup: the floor any ingest into SQLite pays. Both sides run ``--repeat`` times,
interleaved, and the medians are compared (a shared machine is noisy).

It also times the profile layer (issue 18: at most 10 % of an ingest on a file that
needs no mapping): what the default profile does to a contract file beyond reading and
validating it — sniffing the separator, counting quotes (an unclosed one goes to the
robust reader), checking the header and the identity mapping — step by step on the same
file, as a share of the whole ingest.
Run: `make bench-ingest`.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from heatmap.core.mapping import Profile, apply_profile, check_header
from heatmap.devtools.samples import SAMPLES_NOW, generate_export, read_addresses
from heatmap.io.exports import read_export
from heatmap.io.sniff import sniff_separator
from heatmap.io.writers import write_table
from heatmap.service import ingest, init_store
from heatmap.store import open_store


def bare_load(csv_path: Path, db_path: Path) -> float:
    start = time.perf_counter()
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    columns = ", ".join(f'"{c}" TEXT' for c in frame.columns)
    db.execute(f"CREATE TABLE raw ({columns})")
    db.execute("BEGIN")
    db.executemany(
        f"INSERT INTO raw VALUES ({', '.join('?' * len(frame.columns))})",
        frame.itertuples(index=False, name=None),
    )
    db.execute("COMMIT")
    db.close()
    return time.perf_counter() - start


def ours(csv_path: Path, db_path: Path) -> tuple[float, float, dict[str, int]]:
    """Seconds for a first import and a re-import, each until the store is closed."""
    init_store(open_store(f"sqlite:///{db_path}"))
    times = []
    totals: dict[str, int] = {}
    for _ in range(2):
        start = time.perf_counter()
        store = open_store(f"sqlite:///{db_path}")
        report = ingest(store, [csv_path], now=datetime.now(UTC))
        store.close()
        times.append(time.perf_counter() - start)
        totals = totals or report.totals
    return times[0], times[1], totals


#: The profile layer's cost when the last figure was taken (commit 18828aa): a quote count.
PREVIOUS_PROFILE_LAYER = "about 20 ms per 300k rows (commit 18828aa: the quote count)"


def profile_layer(csv_path: Path, runs: int = 5) -> float:
    """Median seconds of what the default profile adds to reading ``csv_path``."""
    data = csv_path.read_bytes()
    rows = read_export(csv_path).rows
    headers = [str(c) for c in rows.columns]
    default = Profile(name="teplokarty")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        sniff_separator(data)
        _ = data.count(b'"') % 2
        check_header(headers, default)
        apply_profile(rows, default)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _print_load() -> None:
    """The machine's load before the benchmark starts (figures under load are not judged)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.timing import busy, machine_load

    print(f"# {machine_load()}{' (busy: figures are noisy)' if busy() else ''}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, nargs="+", default=[100_000, 300_000])
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each side, interleaved; the medians are reported"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    _print_load()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.n:
            frame, _ = generate_export(read_addresses(), n=n, seed=7, now=SAMPLES_NOW)
            csv_path = Path(tmp) / f"export-{n}.csv"
            write_table(frame, csv_path)
            peers, firsts, agains = [], [], []
            totals: dict[str, int] = {}
            for run in range(args.repeat):
                peers.append(bare_load(csv_path, Path(tmp) / f"bare-{n}-{run}.db"))
                fresh, again, totals = ours(csv_path, Path(tmp) / f"ours-{n}-{run}.db")
                firsts.append(fresh)
                agains.append(again)
            peer, fresh, again = (statistics.median(v) for v in (peers, firsts, agains))
            layer = profile_layer(csv_path)
            results.append(
                {
                    "rows": n,
                    "ours_s": round(fresh, 3),
                    "ours_rows_per_s": round(n / fresh),
                    "reimport_s": round(again, 3),
                    "bare_s": round(peer, 3),
                    "bare_rows_per_s": round(n / peer),
                    "ratio_ours_to_bare": round(fresh / peer, 2),
                    "quarantined": totals["quarantined"],
                    "profile_layer_ms": round(layer * 1000, 1),
                    "profile_layer_share": round(layer / fresh, 4),
                    "runs": args.repeat,
                    "ours_runs_s": [round(v, 3) for v in firsts],
                    "bare_runs_s": [round(v, 3) for v in peers],
                }
            )
    if args.json:
        print(json.dumps(results))
        return
    print(
        f"{'rows':>8} {'heatmap ingest':>16} {'rows/s':>10} {'re-import':>10} "
        f"{'bare load':>10} {'rows/s':>10} {'ours/bare':>10}"
    )
    for r in results:
        print(
            f"{r['rows']:>8} {r['ours_s']:>15.2f}s {r['ours_rows_per_s']:>10,} "
            f"{r['reimport_s']:>9.2f}s {r['bare_s']:>9.2f}s {r['bare_rows_per_s']:>10,} "
            f"{r['ratio_ours_to_bare']:>9.2f}x"
        )
    print(
        f"medians of {args.repeat} interleaved runs; each run: "
        + "; ".join(f"{r['rows']:,}: ours {r['ours_runs_s']} bare {r['bare_runs_s']}" for r in results)
    )
    for r in results:
        print(
            f"profile layer on a file that needs no mapping, {r['rows']:,} rows: "
            f"{r['profile_layer_ms']:.1f} ms = {100 * r['profile_layer_share']:.2f} % of the ingest "
            f"(target <= 10 %); previous figure: {PREVIOUS_PROFILE_LAYER}"
        )
    print("target: >= 100,000 rows/s into SQLite (validation, normalisation, dedup, quarantine)")


if __name__ == "__main__":
    main()

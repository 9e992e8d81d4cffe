"""Detection benchmark: our DBSCAN against scikit-learn and PostGIS, and H3 labelling.

    python benchmarks/bench_detect.py --n 100000 1000000 [--json] [--pg-dsn DSN]

Every method runs in a child process of its own, on the same synthetic points
(``benchmarks/points.py``) written once per size. A child imports what it needs, loads
the points, then times the one call under test (wall and CPU seconds); the parent reads
the child's peak resident memory from the kernel (``wait4``) and also reports the rise
over what the child held just before the call. PostGIS runs in the server: its column
times ``ST_ClusterDBSCAN`` over a temporary table loaded by COPY (the load is reported
apart) and reads the backend's peak memory from /proc when the server is local.

Methods
  ours          heatmap.detect.dbscan.label_dbscan, every point its own subscriber
  ours_subs     the same with subscriber ids (distinct-subscriber counting)
  sklearn       sklearn DBSCAN(metric="haversine", algorithm="ball_tree")
  postgis       ST_ClusterDBSCAN(ST_Transform(geom, UTM zone), eps, minpoints),
                partitioned by UTM zone (needs --pg-dsn or HEATMAP_TEST_PG_DSN)
  h3_loop       H3 cell of each point, h3.latlng_to_cell in a Python loop
  h3ronpy       H3 cell of each point, h3ronpy (vectorised, native)
  label_h3      heatmap.detect.h3.label_h3: hot cells by distinct subscribers, joined
  count_*, expect_*, detect_*, detcnt_*
                the count rule and the expected rule (the default) through
                heatmap.detect.run, h3 and dbscan: see benchmarks/detect_rules.py; an
                expected-rule row shows its time over the count rule's ("x count")

Agreement: ``ours`` against scikit-learn must be identical (same noise, same partition);
PostGIS works on planar UTM metres, so it is compared by the adjusted Rand index with
noise points as singletons.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks import detect_rules  # noqa: E402

EARTH_RADIUS_M = 6_371_008.8
METHODS = (
    "ours",
    "ours_subs",
    "sklearn",
    "postgis",
    "h3_loop",
    "h3ronpy",
    "label_h3",
    *detect_rules.RULE_METHODS,
)


# ---------------------------------------------------------------- child side


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _prepare(method: str, data: pd.DataFrame, args: argparse.Namespace) -> Callable[[], Any]:
    """Import and set up outside the timed region; return the call to time."""
    lat = data["lat"].to_numpy(np.float64)
    lon = data["lon"].to_numpy(np.float64)
    eps_m, k, res = args.eps_m, args.min_subscribers, args.h3_res
    if method in detect_rules.RULE_METHODS:
        return detect_rules.prepare(method, data, args.points, args)
    if method in ("ours", "ours_subs"):
        from heatmap.detect.dbscan import label_dbscan

        subs = data["subscriber_id"].to_numpy() if method == "ours_subs" else None
        return lambda: label_dbscan(lat, lon, subs, eps_m=eps_m, min_subscribers=k)
    if method == "sklearn":
        from sklearn.cluster import DBSCAN

        def run_sklearn() -> np.ndarray:
            model = DBSCAN(
                eps=eps_m / EARTH_RADIUS_M,
                min_samples=k,
                metric="haversine",
                algorithm="ball_tree",
            )
            labels: np.ndarray = model.fit_predict(np.radians(np.column_stack([lat, lon])))
            return labels

        return run_sklearn
    if method == "h3_loop":
        import h3

        def run_loop() -> np.ndarray:
            cells = [h3.latlng_to_cell(a, b, res) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)]
            return pd.factorize(np.asarray(cells, dtype=object))[0]

        return run_loop
    if method == "h3ronpy":
        from h3ronpy.vector import coordinates_to_cells

        return lambda: pd.factorize(np.asarray(coordinates_to_cells(lat, lon, res)))[0]
    if method == "label_h3":
        label_h3 = _label_h3()
        subs = data["subscriber_id"].to_numpy()
        return lambda: label_h3(lat, lon, subs, res=res, min_subscribers=k)
    raise SystemExit(f"unknown method {method}")


def _label_h3() -> Callable[..., np.ndarray]:
    try:
        from heatmap.detect.h3 import label_h3

        return label_h3
    except ImportError:  # the package's own H3 engine is not there yet
        return _minimal_label_h3


def _minimal_label_h3(
    lat: np.ndarray, lon: np.ndarray, subscriber: np.ndarray, *, res: int, min_subscribers: int
) -> np.ndarray:
    """Hot cells (>= k distinct subscribers); edge-adjacent hot cells form one spot."""
    import h3
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    cells = np.asarray(
        [h3.latlng_to_cell(a, b, res) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)]
    )
    frame = pd.DataFrame({"cell": cells, "sub": subscriber})
    distinct = frame.drop_duplicates().groupby("cell").size()
    hot = distinct.index[distinct.to_numpy() >= min_subscribers].to_numpy()
    where = {c: i for i, c in enumerate(hot.tolist())}
    a, b = [], []
    for c, i in where.items():
        for d in h3.grid_ring(c, 1):
            j = where.get(d)
            if j is not None:
                a.append(i)
                b.append(j)
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(hot), len(hot)))
    comp = connected_components(graph, directed=False)[1] if len(hot) else np.zeros(0, int)
    per_cell = pd.Series(comp, index=hot)
    labels = per_cell.reindex(cells).fillna(-1).to_numpy(np.int64)
    return labels


def _run_postgis(data: pd.DataFrame, args: argparse.Namespace) -> dict[str, Any]:
    import io

    import psycopg

    n = len(data)
    buffer = io.StringIO()
    pd.DataFrame({"id": np.arange(n), "lat": data["lat"], "lon": data["lon"]}).to_csv(
        buffer, header=False, index=False
    )
    with psycopg.connect(args.pg_dsn, autocommit=True) as conn:
        backend = conn.info.backend_pid
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        started = time.perf_counter()
        conn.execute("CREATE TEMP TABLE bench_raw (id int4, lat float8, lon float8)")
        with conn.cursor().copy("COPY bench_raw (id, lat, lon) FROM STDIN (FORMAT csv)") as cp:
            cp.write(buffer.getvalue())
        conn.execute(
            "CREATE TEMP TABLE bench_pts AS SELECT id,"
            " ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom,"
            " (CASE WHEN lat >= 0 THEN 32600 ELSE 32700 END)"
            "   + LEAST(60, FLOOR((lon + 180.0) / 6.0)::int + 1) AS srid"
            " FROM bench_raw"
        )
        conn.execute("ANALYZE bench_pts")
        load_s = time.perf_counter() - started
        cpu_before = _backend_cpu_s(backend)
        started = time.perf_counter()
        conn.execute(
            "CREATE TEMP TABLE bench_out AS SELECT id, srid,"
            " ST_ClusterDBSCAN(ST_Transform(geom, srid), eps => %s, minpoints => %s)"
            "   OVER (PARTITION BY srid) AS cid"
            " FROM bench_pts",
            (float(args.eps_m), int(args.min_subscribers)),
        )
        seconds = time.perf_counter() - started
        out = io.StringIO()
        with conn.cursor().copy("COPY bench_out (id, srid, cid) TO STDOUT (FORMAT csv)") as cp:
            for chunk in cp:
                out.write(bytes(chunk).decode())
        cpu_after = _backend_cpu_s(backend)
        peak = _backend_peak_mb(backend)
    out.seek(0)
    rows = pd.read_csv(out, header=None, names=["id", "srid", "cid"])
    labels = np.full(n, -1, dtype=np.int64)
    clustered = rows.dropna(subset=["cid"])
    keys = clustered["srid"].astype(np.int64) * 10_000_000 + clustered["cid"].astype(np.int64)
    labels[clustered["id"].to_numpy(np.int64)] = pd.factorize(keys)[0]
    np.save(args.labels, labels)
    return {
        "seconds": seconds,
        "cpu_s": None if cpu_before is None or cpu_after is None else cpu_after - cpu_before,
        "load_s": load_s,
        "server_peak_mb": peak,
        "note": "server-side; load by COPY reported apart",
    }


def _backend_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a local server backend (None when not readable)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backend_peak_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def _child(args: argparse.Namespace) -> None:
    data = pd.read_parquet(args.points)
    if args.child == "postgis":
        result = _run_postgis(data, args)
    else:
        call = _prepare(args.child, data, args)
        before = _rss_mb()
        started = time.perf_counter()
        cpu = time.process_time()
        labels = call()
        result = {
            "seconds": time.perf_counter() - started,
            "cpu_s": time.process_time() - cpu,
            "rss_before_mb": before,
        }
        np.save(args.labels, np.asarray(labels, dtype=np.int64))
    result["child_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(result))


# ---------------------------------------------------------------- parent side


def _spawn(method: str, points: Path, labels: Path, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        method,
        "--points",
        str(points),
        "--labels",
        str(labels),
        "--eps-m",
        str(args.eps_m),
        "--min-subscribers",
        str(args.min_subscribers),
        "--h3-res",
        str(args.h3_res),
    ]
    if args.pg_dsn:
        command += ["--pg-dsn", args.pg_dsn]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        out, err = proc.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"error": f"timed out after {args.timeout} s"}
    whole = time.perf_counter() - started
    if proc.returncode != 0:
        tail = err.strip().splitlines()[-1:] or ["no output"]
        return {"error": f"exit {proc.returncode}: {tail[0]}"}
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["process_s"] = whole
    result["peak_mb"] = result.pop("child_maxrss_mb")
    if method == "postgis":  # the work is the server's: show its backend's peak
        result["client_peak_mb"] = result["peak_mb"]
        result["peak_mb"] = result.pop("server_peak_mb")
    if "rss_before_mb" in result:
        result["rise_mb"] = result["peak_mb"] - result.pop("rss_before_mb")
    return result


def _singletons(labels: np.ndarray) -> np.ndarray:
    out = labels.copy()
    noise = out < 0
    out[noise] = out.max(initial=-1) + 1 + np.arange(int(noise.sum()))
    return out


def _same_clustering(a: np.ndarray, b: np.ndarray) -> bool:
    if not np.array_equal(a < 0, b < 0):
        return False
    pairs = pd.DataFrame({"a": a[a >= 0], "b": b[b >= 0]}).drop_duplicates()
    return bool(pairs["a"].is_unique and pairs["b"].is_unique)


def _agreement(method: str, labels: dict[str, np.ndarray]) -> str:
    from sklearn.metrics import adjusted_rand_score

    ours = labels.get("ours")
    mine = labels.get(method)
    if mine is not None and method in detect_rules.RULE_METHODS:
        return detect_rules.note(method, mine)
    if ours is None or mine is None or method.startswith("h3"):
        return ""
    if method == "sklearn":
        if _same_clustering(ours, mine):
            return "identical to ours"
        ari = adjusted_rand_score(_singletons(ours), _singletons(mine))
        return f"DIFFERS: ARI {ari:.6f}"
    if method == "postgis":
        ari = adjusted_rand_score(_singletons(ours), _singletons(mine))
        return f"ARI {ari:.4f} vs ours"
    if method == "ours":
        sk = labels.get("sklearn")
        return "" if sk is None else ("= sklearn" if _same_clustering(ours, sk) else "≠ sklearn")
    if method in ("ours_subs", "label_h3"):
        clusters = int(mine.max(initial=-1)) + 1
        return f"{clusters} spots, {np.mean(mine >= 0):.1%} of points"
    return ""


def _num(row: dict[str, Any], key: str, fmt: str) -> str:
    value = row.get(key)
    return format(value, fmt) if isinstance(value, int | float) else "-"


def _table(rows: list[dict[str, Any]]) -> str:
    head = f"{'method':<10} {'n':>9} {'seconds':>9} {'cpu s':>8} {'peak MB':>8} {'rise MB':>8}"
    head += f" {'x ours':>7} {'cpu x':>6}  agreement / note"
    lines = [head, "-" * len(head)]
    for row in rows:
        if "error" in row:
            lines.append(f"{row['method']:<10} {row['n']:>9}  skipped: {row['error']}")
            continue

        note = row.get("agreement", "")
        if row["method"] == "postgis":
            note = f"{note}; COPY load {row['load_s']:.2f} s; cpu, peak: server backend"
        lines.append(
            f"{row['method']:<10} {row['n']:>9} {_num(row, 'seconds', '9.3f')}"
            f" {_num(row, 'cpu_s', '8.2f')} {_num(row, 'peak_mb', '8.0f')}"
            f" {_num(row, 'rise_mb', '8.0f')} {_num(row, 'ratio', '7.2f')}"
            f" {_num(row, 'cpu_ratio', '6.2f')}  {note}"
        )
    return "\n".join(lines)


def _print_load() -> None:
    """The machine's load before the benchmark starts (figures under load are not judged)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.timing import busy, machine_load

    print(f"# {machine_load()}{' (busy: figures are noisy)' if busy() else ''}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--eps-m", type=float, default=250.0)
    parser.add_argument("--min-subscribers", type=int, default=3)
    parser.add_argument("--h3-res", type=int, default=9)
    parser.add_argument("--pg-dsn", default=os.environ.get("HEATMAP_TEST_PG_DSN"))
    parser.add_argument("--timeout", type=float, default=1800.0, help="per child, seconds")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--points", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--labels", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child:
        _print_load()
    if args.child:
        _child(args)
        return 0

    sys.path.insert(0, str(ROOT))
    from benchmarks.points import make_points

    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    methods = list(args.methods)
    if "postgis" in methods and not args.pg_dsn:
        methods.remove("postgis")
        notes.append("postgis skipped: no --pg-dsn and no HEATMAP_TEST_PG_DSN")
    if "h3ronpy" in methods:
        try:
            import h3ronpy  # noqa: F401
        except ImportError:
            methods.remove("h3ronpy")
            notes.append("h3ronpy skipped: not installed")
    with tempfile.TemporaryDirectory(prefix="bench_detect_") as tmp:
        for n in args.n:
            points = Path(tmp) / f"points_{n}.parquet"
            detect_rules.write_inputs(make_points(n, args.seed), points)
            labels: dict[str, np.ndarray] = {}
            batch: list[dict[str, Any]] = []
            for method in methods:
                out = Path(tmp) / f"{method}_{n}.npy"
                print(f"… {method} n={n}", file=sys.stderr, flush=True)
                result = {"method": method, "n": n, **_spawn(method, points, out, args)}
                if "error" not in result:
                    labels[method] = np.load(out)
                batch.append(result)
            base = next((r for r in batch if r["method"] == "ours" and "seconds" in r), None)
            for result in batch:
                if base is not None and "seconds" in result:
                    result["ratio"] = result["seconds"] / base["seconds"]
                    if result.get("cpu_s") is not None:
                        result["cpu_ratio"] = result["cpu_s"] / base["cpu_s"]
                result["agreement"] = _agreement(result["method"], labels)
            detect_rules.add_ratios(batch)
            rows.extend(batch)
    if args.json:
        print(
            json.dumps(
                {
                    "rows": rows,
                    "notes": notes,
                    "eps_m": args.eps_m,
                    "min_subscribers": args.min_subscribers,
                    "seed": args.seed,
                }
            )
        )
    else:
        print(_table(rows))
        for note in notes:
            print(note)
        print(
            "seconds: the call alone (wall); x ours: seconds / ours' seconds;"
            " peak MB: child's max RSS; rise MB: peak minus RSS just before the call"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

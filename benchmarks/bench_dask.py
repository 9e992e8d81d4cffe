"""DBSCAN on a Dask LocalCluster at scale: time and peak memory per worker.

    python benchmarks/bench_dask.py [--n 10000000] [--workers 2] [--check-local]

Points come from ``benchmarks/points.py`` (many cities, realistic densities), handed to
the cluster as a Dask DataFrame of ``--partitions`` pieces. Peak memory is each worker
process's maximum resident set (``ru_maxrss``) after the run. ``--check-local`` also
runs the local engine on the same points and checks the labels are identical (needs the
memory of both at once).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.points import make_points


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _print_load() -> None:
    """The machine's load before the benchmark starts (figures under load are not judged)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.timing import busy, machine_load

    print(f"# {machine_load()}{' (busy: figures are noisy)' if busy() else ''}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--eps-m", type=float, default=250.0)
    parser.add_argument("--min-subscribers", type=int, default=3)
    parser.add_argument("--check-local", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    _print_load()

    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from heatmap.detect.dask_engine import label_dbscan_dask

    points = make_points(args.n, seed=11)[["lat", "lon", "subscriber_id"]]
    frame = dd.from_pandas(points, npartitions=args.partitions)
    with (
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            memory_limit="10GiB",
        ) as cluster,
        Client(cluster) as client,
    ):
        start = time.perf_counter()
        labels = label_dbscan_dask(
            frame, eps_m=args.eps_m, min_subscribers=args.min_subscribers, client=client
        )
        seconds = time.perf_counter() - start
        workers = client.run(_peak_mb)
    result = {
        "points": args.n,
        "workers": args.workers,
        "seconds": round(seconds, 1),
        "points_per_s": round(args.n / seconds),
        "spots": int(labels.max() + 1),
        "in_spots": int((labels >= 0).sum()),
        "peak_mb_per_worker": {w.rsplit(":", 1)[-1]: round(v) for w, v in workers.items()},
        "driver_peak_mb": round(_peak_mb()),
    }
    if args.check_local:
        from heatmap.detect.dbscan import label_dbscan

        start = time.perf_counter()
        local = label_dbscan(
            points["lat"].to_numpy(),
            points["lon"].to_numpy(),
            points["subscriber_id"].to_numpy(),
            eps_m=args.eps_m,
            min_subscribers=args.min_subscribers,
        )
        result["local_seconds"] = round(time.perf_counter() - start, 1)
        result["identical_to_local"] = bool(np.array_equal(local, labels))
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()

"""``heatmap geocode-file`` as a whole process, beside the same work in-process.

The input is written by the case generator (:mod:`benchmarks.geocode_cases`) from a
held-out city's registry: ``n`` rows, seeds after the benchmark's own until there are
enough (3,000 rows are distinct addresses; 100,000 repeat some, as a real file of
calls does — the number of distinct addresses is reported). Every figure is given as
wall time and as CPU time (user + system of the process): the machine is shared, and
CPU time is what the command costs.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.geocode_cases import CLASSES, write_cases
from heatmap.geocode.compact import compact_path
from heatmap.geocode.gazetteer import save_gazetteer
from heatmap.geocode.matcher import GazetteerGeocoder
from heatmap.geocode.normalise import clear_caches


def command_cases(entries: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` addresses written from ``entries``: distinct while the generator gives enough,
    then more seeds (so repeats) until there are ``n``."""
    frames: list[pd.DataFrame] = []
    have = 0
    k = 1
    while have < n and k <= 200:
        cases = write_cases(entries, n_per_class=n // len(CLASSES) + 60, seed=seed + k)
        frames.append(cases)
        have += len(cases)
        k += 1
    cases = pd.concat(frames, ignore_index=True)
    distinct = cases.drop_duplicates("text")
    if len(distinct) >= n:
        return distinct.sample(n=n, random_state=seed).reset_index(drop=True)
    return cases.sample(n=min(n, len(cases)), random_state=seed).reset_index(drop=True)


def timed(command: list[str], runs: int) -> tuple[float, float]:
    """The best wall time and the best CPU time (user + system) of a command over runs."""
    best = best_cpu = np.inf
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        best = min(best, time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_cpu = min(best_cpu, cpu)
    return float(best), float(best_cpu)


def _in_process(gazetteer: Path, texts: list[str]) -> tuple[float, float]:
    """CPU seconds to load the gazetteer, and to answer every text (a fresh geocoder)."""
    clear_caches()  # as cold as the command: no parse of an earlier run remembered
    c0 = time.process_time()
    geocoder = GazetteerGeocoder.from_parquet(gazetteer)
    c1 = time.process_time()
    geocoder.answers(texts)
    return c1 - c0, time.process_time() - c1


def run_command(
    label: str, entries: pd.DataFrame, n: int, seed: int, runs: int = 3, *, with_parquet_only: bool = False
) -> dict[str, object]:
    """``heatmap geocode-file`` on ``n`` addresses as a whole process (start-up included),
    and the same file in-process; ``runs`` runs each, the best kept. ``with_parquet_only``:
    the command once more with the gazetteer's Parquet file alone (no compact file)."""
    sample = command_cases(entries, n, seed)
    texts = sample["text"].tolist()
    with tempfile.TemporaryDirectory() as tmp:
        gaz, src, dst = Path(tmp, "g.parquet"), Path(tmp, "in.csv"), Path(tmp, "out.csv")
        save_gazetteer(entries, gaz)
        sample[["text"]].rename(columns={"text": "address"}).to_csv(src, index=False)
        command = [sys.executable, "-m", "heatmap", "geocode-file", str(src), "--column", "address"]
        command += ["--gazetteer", str(gaz), "--out", str(dst)]
        load = os.getloadavg()[0]
        best, best_cpu = timed(command, runs)
        loads, answers = zip(*(_in_process(gaz, texts) for _ in range(runs)), strict=True)
        written = pd.read_csv(dst)
        parquet_only = None
        if with_parquet_only:  # as a gazetteer copied without its compact file is read
            compact_path(gaz).unlink()
            parquet_only = round(len(sample) / timed(command, runs)[1])
    return {
        "city": label,
        "n": len(sample),
        "distinct": int(sample["text"].nunique()),
        "load_before": round(load, 2),
        "seconds": round(best, 3),
        "per_s": round(len(sample) / best),
        "cpu_seconds": round(best_cpu, 3),
        "per_cpu_s": round(len(sample) / best_cpu),
        "in_process_load_cpu_s": round(min(loads), 3),
        "in_process_cpu_s": round(min(answers), 3),
        "in_process_per_cpu_s": round(len(sample) / min(answers)),
        "rows_written": len(written),
        "parquet_only_per_cpu_s": parquet_only,
    }


def startup(runs: int = 3) -> dict[str, float]:
    """``heatmap --help`` alone: the floor under every command."""
    wall, cpu = timed([sys.executable, "-m", "heatmap", "--help"], runs)
    return {"help_seconds": round(wall, 3), "help_cpu_seconds": round(cpu, 3)}

"""How the benchmarks time whole processes and say when the machine was too noisy to judge.

Every pair (ours, the peer) runs interleaved — ours, peer, ours, peer, … — so a load that
comes and goes hits both alike; each side reports its median wall time and its spread
((max - min) / median), and beside it the median CPU time (user + system) of the process
and the children it waited for: on a machine others are loading, CPU time moves far less
than wall time, so a ratio of CPU times can still be read when wall times are noisy. A
spread above :data:`NOISY_SPREAD` on either side, or a load average above the number of
CPUs when the benchmark started, means the machine was busy: the ratio is printed, the
verdict is "noisy", not pass or fail.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: Above this spread of one side's runs, a comparison is not judged.
NOISY_SPREAD = 0.30


@dataclass(frozen=True)
class Timing:
    """Wall seconds of the runs of one command, and their CPU seconds (user + system)."""

    runs: tuple[float, ...]
    cpu: tuple[float, ...] = ()

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def spread(self) -> float:
        return (max(self.runs) - min(self.runs)) / self.median if self.median else 0.0

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")

    @property
    def cpu_spread(self) -> float:
        return (max(self.cpu) - min(self.cpu)) / self.cpu_median if self.cpu and self.cpu_median else 0.0

    def text(self) -> str:
        return f"{self.median:.2f} s (±{self.spread * 50:.0f} %)"

    def cpu_text(self) -> str:
        return f"{self.cpu_median:.2f} s (±{self.cpu_spread * 50:.0f} %)"


def machine_load() -> str:
    """The load the benchmark starts under, printed before it starts."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_once(argv: Sequence[str], env: Mapping[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv`` (CPU: user + system of the process and
    the children it waited for); a failed run stops the benchmark with its stderr."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        list(argv),
        capture_output=True,
        text=True,
        env=None if env is None else {**os.environ, **env},
        check=False,
    )
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return took, _children_cpu() - cpu


def interleaved(
    commands: Mapping[str, Sequence[str]],
    runs: int = 3,
    env: Mapping[str, str] | None = None,
    warmup: bool = False,
) -> dict[str, Timing]:
    """Each command ``runs`` times, taking turns (after one untimed run each with ``warmup``)."""
    for argv in commands.values() if warmup else ():
        run_once(argv, env)
    taken: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            taken[name].append(run_once(argv, env))
    return {
        name: Timing(tuple(wall for wall, _ in values), tuple(cpu for _, cpu in values))
        for name, values in taken.items()
    }


def busy() -> bool:
    """More runnable work than CPUs over the last minute: figures taken now are not judged."""
    return os.getloadavg()[0] > (os.cpu_count() or 1)


def verdict(ok: bool, *timings: Timing, busy_machine: bool = False) -> str:
    """pass / FAIL, or noisy when the machine was busy or a side's runs spread too far."""
    if busy_machine or any(t.spread > NOISY_SPREAD for t in timings):
        return "noisy"
    return "pass" if ok else "FAIL"

"""One replay from end to end: registry, world, a store of its own, the loop, the report.

The adapter the CLI and notebooks call. The store is a fresh SQLite file in a temporary
folder unless a URL is given (PostGIS), which must hold no complaints yet.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import SecretStr

from heatmap import service
from heatmap.core.policy import load_policy
from heatmap.devtools.samples import read_addresses
from heatmap.errors import UsageError
from heatmap.replay.config import ReplayConfig
from heatmap.replay.report import daily, density_layer, outcome_report
from heatmap.replay.run import Frames, replay
from heatmap.replay.world import World, city_houses, plan_world
from heatmap.service.exposure import load_subscriber_density
from heatmap.settings import CloseoutSettings
from heatmap.store import Store, open_store

__all__ = ["ReplayResult", "load_world", "run_replay"]


@dataclass
class ReplayResult:
    """A replay's outcome report, its daily series and the frames behind them."""

    report: dict[str, Any]
    days: pd.DataFrame
    frames: Frames
    #: wall-clock and CPU seconds of the replay loop (this process), and the machine's
    #: 1-minute load average at its end: for the speed report only
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    load: float = 0.0


def load_world(registry: Path, config: ReplayConfig) -> World:
    """The world of ``config`` over the houses of the registry at ``registry``."""
    return plan_world(city_houses(read_addresses(registry)), config)


def run_replay(
    world: World,
    config: ReplayConfig,
    *,
    policy: Path | None = None,
    db: str | None = None,
    on_day: Callable[[int], None] | None = None,
    closeout: CloseoutSettings | None = None,
    secret_key: SecretStr | None = None,
) -> ReplayResult:
    """Replay ``world`` with the policy at ``policy`` (default: the packaged one) and the
    SMS job's ``closeout`` settings (from :mod:`heatmap.wiring`; None: the defaults); a
    store named by ``db`` hashes with ``secret_key`` (the operator's, as the wiring
    passes it; None: the store's own key)."""
    import time

    rules = load_policy(policy)
    with tempfile.TemporaryDirectory(prefix="heatmap-replay-") as tmp:
        workdir = Path(tmp)
        store = open_store(db or f"sqlite:///{workdir / 'replay.db'}", secret_key=secret_key)
        try:
            service.init_store(store)
            if db is not None:
                _check_empty(store, world)
            # the operator's subscriber layer, as `heatmap density load` keeps it: detection
            # expects complaints by it (and the report counts reach by it)
            load_subscriber_density(
                store,
                density_layer(world.houses, subscribers_per_house=config.subscribers_per_house),
                origin="replay density",
            )
            if len(world.sites):  # as `heatmap network load --sites` keeps them
                store.replace_network(sites=world.sites)
            began, cpu = time.perf_counter(), time.process_time()  # for the speed report only
            frames = replay(
                world, store, policy=rules, config=config, workdir=workdir, on_day=on_day, closeout=closeout
            )
            seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        finally:
            store.close()
    report = outcome_report(frames, subscribers_per_house=config.subscribers_per_house)
    return ReplayResult(report, daily(frames), frames, seconds, cpu, os.getloadavg()[0])


def _check_empty(store: Store, world: World) -> None:
    """Refuse a store with spots, or with this world's first complaint (a replay ran there)."""
    first = world.complaints["ticket_id"].head(1).tolist()
    if not store.load_spots().empty or not store.load_complaints(ticket_ids=first).empty:
        raise UsageError(
            f"{store.url} holds spots or complaints of a replay already: a replay"
            " needs an empty store of its own"
        )


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any, Any]]:
    """Figures side by side with B − A where both are numbers."""
    rows = []
    for key in a:
        left, right = a[key], b.get(key)
        diff = None
        if isinstance(left, int | float) and isinstance(right, int | float):
            diff = round(right - left, 3)
        rows.append((key, left, right, diff))
    return rows

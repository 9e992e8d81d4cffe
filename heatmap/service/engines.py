"""Detection engines: the local process, or a Dask cluster for history beyond one machine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

from heatmap.detect.run import DetectParams, EngineLabeller, Labeller, label_points
from heatmap.domain import PRECISION_WEIGHT
from heatmap.errors import UsageError


@contextmanager
def labeller_for(engine: str, *, scheduler: str | None = None, workers: int = 2) -> Iterator[Labeller]:
    """A labeller for ``engine`` (``local`` or ``dask``), with its cluster while in use.

    ``dask`` connects to ``scheduler`` (``tcp://host:8786``) or starts a local
    cluster of ``workers`` processes for the duration; it runs DBSCAN (H3 labelling
    is one linear pass and gains nothing from a cluster): the count rule's labels, and
    the expected rule's neighbourhood strengths and clustering (its test stays here).
    """
    if engine == "local":
        yield label_points
        return
    if engine != "dask":
        raise UsageError(f"--engine must be local or dask, not {engine!r}")
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise UsageError("the Dask engine needs: pip install 'teplokarty[dask]'") from exc
    from heatmap.detect.dask_engine import label_dbscan_dask
    from heatmap.detect.dask_expected import dask_steps

    def on_dask(points: pd.DataFrame, params: DetectParams) -> np.ndarray:
        if params.method != "dbscan":
            raise UsageError("the Dask engine runs DBSCAN: use --method dbscan")
        frame = pd.DataFrame(
            {
                "lat": points["lat"].to_numpy(float),
                "lon": points["lon"].to_numpy(float),
                "subscriber_id": points["subscriber_id"].to_numpy(object),
                "weight": points["precision"].map(PRECISION_WEIGHT).fillna(0.0).to_numpy(float),
            }
        )
        return label_dbscan_dask(
            frame, eps_m=params.eps_m, min_subscribers=params.min_subscribers, client=client
        )

    if scheduler:
        with Client(scheduler) as client:
            yield EngineLabeller(on_dask, dask_steps(client))
        return
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield EngineLabeller(on_dask, dask_steps(client))

"""The product's scheduled jobs as an operator runs them during a replay.

Each step calls the product's own service functions on the replay's store:

* **Ingest** — the hour's complaints as the rows of a CRM export (text, in the contract's
  columns) through :func:`heatmap.service.pipeline.ingest_exports`, the storing half of
  ``heatmap ingest`` (validation, keyed subscriber ids, one transaction), then
  :func:`heatmap.service.pipeline.join_recent`, its joining half. The rows are handed over
  in memory instead of through a CSV file: the file reader is the only part of
  ``heatmap ingest`` left out.
* **Join** — ``join_recent`` tries every complaint of the join window without a spot
  against the open spots. Whether an older complaint joins depends only on the open
  spots' areas, which change only when detection runs or a client's answer reopens a
  spot (a join recounts a spot but keeps its area; taking and resolving only shrink the
  open set). So the full window is tried again only after either; otherwise only the
  hour's complaints are — the same joins, without re-reading a month of complaints
  every hour.
* **Detect** — :func:`heatmap.service.pipeline.detect_spots` with the exposure points
  read once: the subscriber layer is loaded before the replay and never changes.
* **Alarms** — what the simulated OSS has raised (and cleared) by now replaces the
  stored alarms through ``Store.replace_network``, as ``heatmap network load --alarms``
  does, whenever that list changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from heatmap.core.network import ALARM_COLUMNS
from heatmap.core.policy import Policy
from heatmap.detect.run import DetectParams
from heatmap.io.exports import RawExport
from heatmap.service.pipeline import detect_spots, exposure_points, ingest_exports, join_recent
from heatmap.store.base import Store

__all__ = ["CSV_COLUMNS", "Product", "crm_rows"]

#: The CRM export's columns, as ``heatmap ingest`` reads them (``docs``: the contract).
CSV_COLUMNS = (
    "ticket_id",
    "created_at",
    "msisdn",
    "subscriber_id",
    "segment",
    "topic",
    "lat",
    "lon",
    "region",
    "channel",
)


def crm_rows(batch: pd.DataFrame, *, region: str) -> pd.DataFrame:
    """The batch as a CRM export's rows: every value text, times with their UTC offset."""
    rows = batch.assign(
        created_at=batch["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        region=region,
        channel="call_centre",
    ).loc[:, list(CSV_COLUMNS)]
    return rows.astype(str).reset_index(drop=True)


@dataclass
class Product:
    """The product's jobs on one store, with what a replay cannot change read once."""

    store: Store
    policy: Policy
    params: DetectParams
    key: bytes
    exposure: tuple[pd.DataFrame | None, str]
    #: every candidate complaint as CRM export rows (text), made once, by the world's index
    rows: pd.DataFrame
    #: whether the open spots may have changed since the join window was last tried
    rejoin: bool = True
    #: the alarm list last stored (start and end per alarm), to store only changes
    alarms_stored: tuple[tuple[str, str], ...] = ()

    @classmethod
    def on(
        cls,
        store: Store,
        policy: Policy,
        complaints: pd.DataFrame,
        *,
        region: str = "Санкт-Петербург",
        params: DetectParams | None = None,
    ) -> Product:
        """The jobs on ``store``, its secret key and exposure layer read once; the
        world's ``complaints`` written as export rows once."""
        return cls(
            store,
            policy,
            params or DetectParams(),
            store.secret(),
            exposure_points(store, None),
            crm_rows(complaints, region=region).set_axis(complaints.index),
        )

    def ingest(self, batch: pd.DataFrame, *, since: datetime, now: datetime) -> None:
        """The complaints of ``batch`` (rows of the world's complaints, made in ``[since,
        now)``) through ingest, then the joins."""
        if batch.empty:
            return
        rows = self.rows.loc[batch.index].reset_index(drop=True)
        raw = RawExport(
            f"replay-crm-{now:%Y%m%dT%H%M}.csv",
            rows,
            np.arange(2, len(rows) + 2, dtype=np.int64),
            nul_free=True,
        )
        ingest_exports(self.store, [(raw.source, raw)], now=now, key=self.key)
        join_recent(self.store, policy=self.policy, now=now, since=None if self.rejoin else since)
        self.rejoin = False

    def detect(self, *, now: datetime) -> None:
        """Detection over the stored complaints, as the scheduled ``heatmap detect``."""
        detect_spots(self.store, params=self.params, policy=self.policy, now=now, exposure=self.exposure)
        self.rejoin = True

    def spots_may_reopen(self) -> None:
        """Clients answered: a spot may be open again, so the next join tries the window."""
        self.rejoin = True

    def feed_alarms(self, alarms: pd.DataFrame) -> bool:
        """Store ``alarms`` (the OSS's list as of now) when it differs from the stored one;
        whether it did."""
        seen = tuple(
            (str(s), "" if pd.isna(e) else str(e))
            for s, e in zip(alarms["start"].tolist(), alarms["end"].tolist(), strict=True)
        )
        if seen == self.alarms_stored:
            return False
        self.store.replace_network(alarms=alarms.loc[:, list(ALARM_COLUMNS)])
        self.alarms_stored = seen
        return True

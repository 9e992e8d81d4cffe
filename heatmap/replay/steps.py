"""The product's scheduled jobs as an operator runs them during a replay.

Each step calls the product's own service functions on the replay's store:

* **Ingest** — the hour's complaints as the rows of a CRM export (text, in the contract's
  columns) through :func:`heatmap.service.pipeline.ingest_exports`, the storing half of
  ``heatmap ingest`` (validation, keyed subscriber ids, one transaction). The rows are
  handed over in memory instead of through a CSV file: the file reader is the only part
  of ``heatmap ingest`` left out.
* **Join** — ``heatmap ingest`` then runs ``join_recent``: every complaint of the join
  window without a spot is read back and tried against the open spots
  (:func:`heatmap.service.workflow.join_complaints`). Whether a complaint joins depends
  only on where and when it is and on the open spots' areas and the time detection last
  found them (a join recounts a spot but keeps both), so a complaint tried once need be
  tried again only against a spot that is new, reopened, has another area or was found
  again since. The replay keeps the open spots' areas and those times of the last
  hour and reads back only the hour's complaints in reach of any open spot and the
  window's in reach of a changed one, then calls ``join_complaints`` on them: the same
  joins (a test compares with ``join_recent`` every hour) without reading a month of
  complaints every hour. Which complaints are in reach is found by the product's own
  :func:`heatmap.detect.join.attach` on the coordinates the replay sent.
* **Detect** — :func:`heatmap.service.pipeline.detect_spots` with the exposure points
  read once: the subscriber layer is loaded before the replay and never changes.
* **Alarms** — what the simulated OSS has raised (and cleared) by now replaces the
  stored alarms through ``Store.replace_network``, as ``heatmap network load --alarms``
  does, whenever that list changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

import numpy as np
import pandas as pd
import shapely

from heatmap.core.network import ALARM_COLUMNS
from heatmap.core.policy import Policy
from heatmap.detect.join import attach
from heatmap.detect.run import DetectParams
from heatmap.domain import OPEN_STATUSES
from heatmap.io.exports import RawExport
from heatmap.service.pipeline import detect_spots, exposure_points, ingest_exports, join_recent
from heatmap.service.workflow import join_complaints
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

    #: False: join as ``heatmap ingest`` does, the whole window every hour (for tests)
    narrow_joins: ClassVar[bool] = True

    store: Store
    policy: Policy
    params: DetectParams
    key: bytes
    exposure: tuple[pd.DataFrame | None, str]
    #: every candidate complaint as CRM export rows (text), made once, by the world's index
    rows: pd.DataFrame
    #: the same complaints' ``ticket_id, lat, lon, created_at``, and which were ingested
    points: pd.DataFrame
    ingested: np.ndarray
    #: the open spots' areas (WKB) and when detection last found them, by id, when the
    #: joins last ran
    areas: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    #: the open spots those areas were taken from (the same frame: nothing changed since)
    areas_read: pd.DataFrame | None = None
    #: the open spots as last read, while nothing may have changed them since (detection,
    #: a workflow step or a join clears it: :meth:`spots_changed`)
    open_spots: pd.DataFrame | None = None
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
            complaints.loc[:, ["ticket_id", "lat", "lon", "created_at"]],
            np.zeros(len(complaints), dtype=bool),
        )

    def ingest(self, batch: pd.DataFrame, *, now: datetime) -> None:
        """The complaints of ``batch`` (rows of the world's complaints, made by ``now``)
        through ingest, then the joins."""
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
        self.ingested[self.points.index.get_indexer(batch.index)] = True
        if self.narrow_joins:
            self._join(batch, now=now)
        else:
            join_recent(self.store, policy=self.policy, now=now)
            self.spots_changed()

    def _join(self, batch: pd.DataFrame, *, now: datetime) -> None:
        """``join_complaints`` on the hour's complaints in reach of an open spot and the
        window's in reach of a spot new or changed since the last hour (its area, or when
        detection last found it: complaints made after the spot's active hours may be in
        time again)."""
        spots = self.open_now()
        read_again = spots is not self.areas_read  # else nothing changed since the last joins
        if not read_again:
            changed = spots.iloc[:0]
        else:
            wkb = shapely.to_wkb(spots["geometry"].to_numpy())
            found = spots["found_at"].astype(str)
            areas = dict(zip(spots["id"].astype(str), zip(wkb, found, strict=True), strict=True))
            changed = spots[[areas[i] != self.areas.get(i) for i in spots["id"].astype(str)]]
            self.areas, self.areas_read = areas, spots
        if spots.empty:
            return
        reach = self.policy.join.reach_m
        tickets = set(attach(self.points.loc[batch.index], spots, reach_m=reach)["ticket_id"])
        if len(changed):
            since = pd.Timestamp(now) - pd.Timedelta(days=self.policy.join.window_days)
            window = self.points[self.ingested & (self.points["created_at"] >= since).to_numpy()]
            tickets |= set(attach(window, changed, reach_m=reach)["ticket_id"])
        if tickets:
            complaints = self.store.load_complaints(ticket_ids=sorted(tickets))
            if len(join_complaints(self.store, complaints, now=now, policy=self.policy, reach_m=reach)):
                self.spots_changed()

    def open_now(self) -> pd.DataFrame:
        """The open spots as stored now: read again only after :meth:`spots_changed`."""
        if self.open_spots is None:
            self.open_spots = self.store.load_spots(statuses=sorted(OPEN_STATUSES))
        return self.open_spots

    def spots_changed(self) -> None:
        """Read the open spots again at the next joins: something may have changed them
        (the replay tells after its engineers or clients acted; detection and joins here)."""
        self.open_spots = None

    def detect(self, *, now: datetime) -> None:
        """Detection over the stored complaints, as the scheduled ``heatmap detect``."""
        detect_spots(self.store, params=self.params, policy=self.policy, now=now, exposure=self.exposure)
        self.spots_changed()

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

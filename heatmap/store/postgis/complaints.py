"""The PostGIS store's complaints as read, their geocodes, quarantine and recorded changes
(the read side of :class:`heatmap.store.ComplaintStore`; the ingest is
:mod:`heatmap.store.postgis.ingest`), and DBSCAN of them on the server."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd
from psycopg import sql

from heatmap.errors import StoreError
from heatmap.store.columns import CHANGES_SCHEMA, MEMBER_TALLY_COLUMNS, STORED_COMPLAINT_COLUMNS
from heatmap.store.frames import COMPLAINT_TIMES, change_frame, complaint_frame, iso_one, tally_frame
from heatmap.store.postgis.bulk import last_per_key, stage
from heatmap.store.postgis.kinds import GEOCODE_KINDS
from heatmap.store.postgis.schema import PostGISBase, assign, iso, select
from heatmap.store.queries import complaint_filter


class PostGISComplaints(PostGISBase):
    """Complaints by filter, geocodes saved, the quarantine, recorded changes, clusters."""

    def load_complaints(
        self,
        *,
        since: datetime | None = None,
        pending_geocode: bool = False,
        ticket_ids: Sequence[str] | None = None,
        spot_ids: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        self._require_schema()
        where = complaint_filter("%s", since=since, pending_geocode=pending_geocode, spot_ids=spot_ids)
        if ticket_ids is not None:
            where.among("ticket_id", ticket_ids)
        query = (
            f"SELECT {select(STORED_COMPLAINT_COLUMNS, COMPLAINT_TIMES)} FROM complaints"
            f' WHERE {where.sql} ORDER BY created_at, ticket_id COLLATE "C"'
        )
        return complaint_frame(self._frame("loading complaints", query, where.params))

    def load_member_tallies(self, spot_ids: Sequence[str]) -> pd.DataFrame:
        self._require_schema()
        keys = "spot_id, subscriber_id, segment, topic"
        # segment and topic have the database's collation: ordered byte by byte as in SQLite
        query = (
            f"SELECT {keys}, count(*), {iso('min(created_at)')}, {iso('max(created_at)')},"
            " max(coalesce(ltv, 0.0)) FROM complaints WHERE spot_id = ANY(%s::text[])"
            f' GROUP BY {keys} ORDER BY spot_id, subscriber_id, segment COLLATE "C",'
            ' topic COLLATE "C" NULLS FIRST'
        )
        frame = self._frame("tallying spot members", query, [sorted(set(spot_ids))])
        return tally_frame(frame.set_axis(list(MEMBER_TALLY_COLUMNS), axis=1))

    def load_complaint_changes(self, ticket_ids: Sequence[str] | None = None) -> pd.DataFrame:
        self._require_schema(CHANGES_SCHEMA)
        query = (
            "SELECT c.ticket_id, c.at, c.kind, c.actor, i.source, c.old_hash, c.new_hash"
            " FROM complaint_changes AS c JOIN ingests AS i ON i.id = c.ingest_id"
        )
        params: list[object] = []
        if ticket_ids is not None:
            query += " WHERE c.ticket_id = ANY(%s::text[])"
            params.append(list(ticket_ids))
        return change_frame(self._frame("loading complaint changes", query + " ORDER BY c.id", params))

    def save_geocodes(self, geocodes: pd.DataFrame) -> None:
        self._require_schema()
        columns = [c for c in GEOCODE_KINDS if c != "ticket_id"]
        rows = last_per_key(geocodes, "ticket_id")
        with self._tx("saving geocodes", writes=True) as cursor:
            stage(cursor, "_hm_geocodes", rows, GEOCODE_KINDS)
            cursor.execute(
                sql.SQL(
                    "UPDATE complaints AS c SET {} FROM _hm_geocodes AS g WHERE c.ticket_id = g.ticket_id"
                ).format(assign(columns, "g"))
            )

    def load_quarantine(self, *, limit: int | None = None) -> pd.DataFrame:
        self._require_schema()
        # ``at`` stays ISO 8601 text, as the SQLite store gives it.
        query = f"SELECT id, source, line, reasons, raw, {iso('at')} AS at FROM quarantine ORDER BY id"
        if limit is not None and int(limit) >= 0:  # SQLite reads a negative limit as none
            query += f" LIMIT {int(limit)}"
        return self._frame("loading the quarantine", query)

    def cluster_dbscan(self, eps_m: float, min_points: int, *, since: datetime | None = None) -> pd.DataFrame:
        """DBSCAN of the located complaints in PostGIS: ``ticket_id, cluster`` (-1 = noise).

        Distances are metres in the UTM zone of the points' centroid: within the zone they
        differ from great-circle metres on the mean sphere (what
        :func:`heatmap.detect.dbscan.label_dbscan` measures) by a few tenths of a percent.
        """
        self._require_schema()
        if eps_m <= 0 or min_points < 1:
            raise StoreError("cluster_dbscan needs eps_m > 0 and min_points >= 1")
        where = "geom IS NOT NULL"
        params: list[object] = []
        if since is not None:
            where += " AND created_at >= %s::timestamptz"
            params.append(iso_one(since))
        with self._tx("clustering complaints") as cursor:
            cursor.execute(f"SELECT avg(lat), avg(lon), count(*) FROM complaints WHERE {where}", params)
            row = cursor.fetchone()
            if row is None or not row[2]:
                return pd.DataFrame(
                    {"ticket_id": pd.Series(dtype=object), "cluster": pd.Series(dtype=np.int64)}
                )
            srid = utm_epsg(float(row[0]), float(row[1]))
            cursor.execute(
                "SELECT ticket_id, ST_ClusterDBSCAN(ST_Transform(geom, %s::integer),"
                f" %s, %s) OVER () FROM complaints WHERE {where}"
                ' ORDER BY ticket_id COLLATE "C"',
                [srid, float(eps_m), int(min_points), *params],
            )
            rows = cursor.fetchall()
        frame = pd.DataFrame.from_records(rows, columns=["ticket_id", "cluster"])
        frame["cluster"] = frame["cluster"].fillna(-1).astype(np.int64)
        return frame


def utm_epsg(lat: float, lon: float) -> int:
    """EPSG code of the WGS 84 / UTM zone holding ``(lat, lon)`` (326xx north, 327xx south)."""
    if not (np.isfinite(lat) and np.isfinite(lon)):
        raise StoreError("no located complaints to pick a UTM zone from")
    zone = int(np.floor(((lon + 180.0) % 360.0) / 6.0)) + 1
    return (32600 if lat >= 0 else 32700) + min(zone, 60)

"""The PostGIS store's spots and their events (:class:`heatmap.store.SpotStore`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd
import shapely
from psycopg import sql

from heatmap.store.columns import EVENT_COLUMNS, spots_to_store
from heatmap.store.conflicts import guarded_ids, refuse_moved
from heatmap.store.frames import SPOT_TIMES, breakdown_to_json, event_frame, geometry_to_wkt, spot_frame
from heatmap.store.postgis.bulk import columns_sql, copy_frame, last_per_key, stage
from heatmap.store.postgis.kinds import EVENT_KINDS, EVENT_TIMES, MEMBER_KINDS, SPOT_KINDS
from heatmap.store.postgis.outbox import insert_outbox
from heatmap.store.postgis.schema import Cur, PostGISBase, iso, one, select
from heatmap.store.queries import spot_filter
from heatmap.store.writes import SpotChanges


class PostGISSpots(PostGISBase):
    """Spots by status or id, their events, and spot changes in one transaction."""

    def load_spots(
        self, *, statuses: Collection[str] | None = None, ids: Collection[str] | None = None
    ) -> pd.DataFrame:
        self._require_schema()
        names = [
            "ST_AsBinary(geometry) AS geometry"
            if c == "geometry"
            else "breakdown::text AS breakdown"
            if c == "breakdown"
            else f"{iso(c)} AS {c}"
            if c in SPOT_TIMES
            else c
            for c in self._spot_columns()
        ]
        where = spot_filter("%s", statuses=statuses, ids=ids)
        query = f"SELECT {', '.join(names)} FROM spots WHERE {where.sql}"
        frame = self._frame("loading spots", query + ' ORDER BY priority DESC, id COLLATE "C"', where.params)
        wkb = frame["geometry"].to_numpy(dtype=object)
        return spot_frame(frame, np.asarray(shapely.from_wkb(wkb), dtype=object))

    def load_events(self, spot_id: str | None = None) -> pd.DataFrame:
        self._require_schema()
        query = f"SELECT {select(EVENT_COLUMNS, EVENT_TIMES)} FROM spot_events"
        params: list[object] = []
        if spot_id is not None:
            query += " WHERE spot_id = %s"
            params.append(spot_id)
        return event_frame(self._frame("loading spot events", query + " ORDER BY id", params))

    def apply_spot_changes(self, changes: SpotChanges) -> None:
        columns = self._spot_columns()
        spots = last_per_key(spots_to_store(changes.spots), "id").copy()
        spots["geometry"] = geometry_to_wkt(spots["geometry"])
        spots["breakdown"] = breakdown_to_json(spots["breakdown"])
        spots["escalated"] = spots["escalated"].fillna(False).astype(bool).astype(int)
        members = last_per_key(changes.members.loc[:, ["ticket_id", "spot_id"]], "ticket_id")
        events = changes.events.loc[:, list(EVENT_COLUMNS)]
        values = [
            sql.SQL("ST_GeomFromText(s.geometry, 4326)")
            if c == "geometry"
            else sql.SQL("s.breakdown::jsonb")
            if c == "breakdown"
            else sql.Identifier("s", c)
            for c in columns
        ]
        updates = sql.SQL(", ").join(
            sql.SQL("{} = excluded.{}").format(sql.Identifier(c), sql.Identifier(c))
            for c in columns
            if c != "id"
        )
        with self._tx("saving spot changes", writes=True) as cursor:
            guarded = guarded_ids(changes.expected, changes.seen)
            if guarded:
                refuse_moved(_stored_states(cursor, guarded), changes.expected, changes.seen)
            if len(spots):
                stage(cursor, "_hm_spots", spots, SPOT_KINDS)
                cursor.execute(
                    sql.SQL(
                        "INSERT INTO spots ({}) SELECT {} FROM _hm_spots AS s ORDER BY s.seq"
                        " ON CONFLICT (id) DO UPDATE SET {}"
                    ).format(columns_sql(columns), sql.SQL(", ").join(values), updates)
                )
            if len(members):
                stage(cursor, "_hm_members", members, MEMBER_KINDS)
                cursor.execute(
                    "UPDATE complaints AS c SET spot_id = m.spot_id FROM _hm_members AS m"
                    " WHERE c.ticket_id = m.ticket_id"
                )
            if len(events):
                copy_frame(cursor, "spot_events", events, EVENT_KINDS)
            cursor.execute(
                "UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'spots_version'"
            )  # API index freshness (schema 3)
            if changes.outbox is not None and len(changes.outbox):
                insert_outbox(cursor, changes.outbox)  # close-out (schema 4)

    def spots_version(self) -> int:
        with self._tx("reading the spots version") as cursor:
            cursor.execute("SELECT value FROM meta WHERE key = 'spots_version'")
            value = one(cursor)
        return -1 if value is None else int(value)


def _stored_states(cursor: Cur, ids: Sequence[str]) -> dict[str, tuple[object, object]]:
    """``id → (status, updated_at)`` of those spots that are stored, locked for this
    transaction (a writer that read them too waits here, then sees what this one wrote)."""
    cursor.execute(
        "SELECT id, status, updated_at FROM spots WHERE id = ANY(%s::text[]) ORDER BY id FOR UPDATE",
        (list(ids),),
    )
    return {spot_id: (status, updated) for spot_id, status, updated in cursor.fetchall()}

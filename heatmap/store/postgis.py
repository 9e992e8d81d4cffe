"""PostgreSQL + PostGIS store: the production adapter, same behaviour as SQLite.

psycopg 3 over a small connection pool (connections are checked before use, so a
restarted server is recovered), ``COPY`` for every bulk write, timestamptz times,
``geometry(Point, 4326)`` on complaints and ``geometry(Geometry, 4326)`` on spots
under GiST indexes. Frames cross the seam exactly as with
:class:`heatmap.store.sqlite.SQLiteStore`: same columns, same dtypes, times
tz-aware UTC.

The URL picks the schema through libpq's ``options``::

    postgresql://user@host:5432/db?options=-csearch_path%3Dmyschema%2Cpublic

Tables live in the first schema of the search path; PostGIS types must resolve
through it as well (keep ``public`` in it when PostGIS is installed there).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import Cursor, sql
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from heatmap.closeout.schema import (
    NEW_OUTBOX_COLUMNS,
    OUTBOX_COLUMNS,
    OUTBOX_INTEGERS,
    OUTBOX_TIMES,
    RATING_ROW_COLUMNS,
)
from heatmap.core.ingest import COMPLAINT_COLUMNS, maybe_stored, plan_upsert
from heatmap.core.network import ALARM_COLUMNS, SITE_COLUMNS
from heatmap.errors import ConflictError, MigrationError, StoreError
from heatmap.store import base
from heatmap.store.base import (
    EVENT_COLUMNS,
    INGEST_ADDS_NOTHING,
    SPOT_COLUMNS,
    STORED_COMPLAINT_COLUMNS,
    ApiKeyRecord,
    IngestPart,
    IngestWrite,
    SpotChanges,
    spot_columns_at,
    spots_to_store,
    typed_spot_measures,
    write_behind_prepared,
)
from heatmap.store.coverage import COVERAGE_SCHEMA, checked_coverage, coverage_frame
from heatmap.store.exposure import EXPOSURE_SCHEMA, check_source, checked_layer, exposure_frame
from heatmap.store.frames import (
    breakdown_from_json,
    breakdown_to_json,
    geometry_to_wkt,
    iso_one,
    parse_utc,
)
from heatmap.store.postgis_copy import (
    columns_sql,
    copy_frame,
    copy_payload,
    encode_frame,
    last_per_key,
    stage,
)
from heatmap.store.purge import purge_statements
from heatmap.store.secrets import hash_key
from heatmap.store.sqlite import migrations

__all__ = ["PostGISStore", "fresh_schema_url", "schema_url", "utm_epsg"]

Cur = Cursor[tuple[Any, ...]]

_TIME_COLUMNS = ("created_at", "ingested_at", "updated_at")
#: Advisory lock class ids ("HEAT" + n); the object id is a hash of the schema name, so
#: stores in different schemas of one database do not wait for each other.
_LOCK_SCHEMA = 0x48454101
_LOCK_INGEST = 0x48454102
_BIG_BATCH = 5_000  # tickets from which hashes are looked up through a staged COPY

#: Kinds of the columns written by COPY (see :mod:`heatmap.store.postgis_copy`).
_COMPLAINT_KINDS: dict[str, str] = {
    "ticket_id": "text",
    "created_at": "time",
    "msisdn": "text",
    "subscriber_id": "text",
    "segment": "text",
    "ltv": "float",
    "topic": "text",
    "topic_source": "text",
    "description": "text",
    "address": "text",
    "lat": "float",
    "lon": "float",
    "region": "text",
    "channel": "text",
    "content_hash": "text",
}
_INSERT_KINDS: dict[str, str] = {
    **_COMPLAINT_KINDS,
    "precision": "text",
    "geo_score": "float",
    "ingested_at": "time",
    "updated_at": "time",
}
_QUARANTINE_KINDS = {"source": "text", "line": "int", "raw": "text", "reasons": "text"}
#: Quarantined rows as the quarantine table takes them by COPY (its line is an integer).
_QUARANTINE_ROW_KINDS = {
    "ingest_id": "int",
    "source": "text",
    "line": "int32",
    "raw": "text",
    "reasons": "text",
    "at": "time",
}
_GEOCODE_KINDS = {
    "ticket_id": "text",
    "lat": "float",
    "lon": "float",
    "precision": "text",
    "geo_score": "float",
    "matched_address": "text",
    "geo_reason": "text",
}
#: Kinds of every spot and event column the schema has (a superset of the protocol's).
_SPOT_COLUMN_KINDS: dict[str, str] = {
    "id": "text",
    "status": "text",
    "method": "text",
    "geometry": "text",
    "centroid_lat": "float",
    "centroid_lon": "float",
    "region": "text",
    "address": "text",
    "complaints": "int",
    "subscribers": "int",
    "first_complaint_at": "time",
    "last_complaint_at": "time",
    "dominant_topic": "text",
    "priority": "float",
    "breakdown": "text",
    "queue": "text",
    "sla_hours": "float",
    "due_at": "time",
    "eta": "time",
    "cause": "text",
    "engineer": "text",
    "merged_into": "text",
    "created_at": "time",
    "updated_at": "time",
    # schema 2
    "kind": "text",
    "suggested_cause": "text",
    "alarm_site": "text",
    "escalated": "int",
    # schema 7
    "observed": "float",
    "expected": "float",
    "excess": "float",
    "relative_risk": "float",
    "p_value": "float",
    "scan_days": "float",
    "trend": "text",
}
_EVENT_COLUMN_KINDS: dict[str, str] = {
    "spot_id": "text",
    "at": "time",
    "kind": "text",
    "from_status": "text",
    "to_status": "text",
    "related_spot_id": "text",
    "actor": "text",
    "note": "text",
    "eta": "time",  # schema 2
}
_MEMBER_KINDS = {"ticket_id": "text", "spot_id": "text"}
_SITE_KINDS = {
    "site_id": "text",
    "lat": "float",
    "lon": "float",
    "technology": "text",
    "band": "text",
    "azimuth": "float",
}
_ALARM_KINDS = {
    "site_id": "text",
    "severity": "text",
    "start": "time",
    "end": "time",
    "kind": "text",
    "text": "text",
}
_EXPOSURE_KINDS = {"source": "text", "h3_cell": "text", "weight": "float"}
_COVERAGE_KINDS = {
    "h3_cell": "text",
    "res": "int32",
    "rsrp_median": "float",
    "rsrp_samples": "int32",
    "rssi_median": "float",
    "rssi_samples": "int32",
}


def _kinds(columns: Sequence[str], known: dict[str, str]) -> dict[str, str]:
    return {c: known.get(c, "") for c in columns}


_SPOT_KINDS = _kinds(SPOT_COLUMNS, _SPOT_COLUMN_KINDS)
_EVENT_KINDS = _kinds(EVENT_COLUMNS, _EVENT_COLUMN_KINDS)
_SPOT_TIMES = tuple(c for c, k in _SPOT_KINDS.items() if k == "time")
_EVENT_TIMES = tuple(c for c, k in _EVENT_KINDS.items() if k == "time")
#: Protocol columns this adapter has no type for (a newer heatmap.store.base).
_UNKNOWN_COLUMNS = [
    f"{table}.{c}"
    for table, kinds in (("spots", _SPOT_KINDS), ("spot_events", _EVENT_KINDS))
    for c, k in kinds.items()
    if not k
]
assert tuple(_COMPLAINT_KINDS) == COMPLAINT_COLUMNS


# --- URLs -------------------------------------------------------------------------------
def conninfo(url: str) -> str:
    """A libpq connection string for a store URL (``postgis://`` and ``+driver`` accepted)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url  # key=value form
    base = scheme.split("+", 1)[0]
    if base in ("postgis", "postgres", "postgresql"):
        return f"postgresql://{rest}"
    raise StoreError(f"not a PostgreSQL URL: {display_url(url)}")


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        parts = conninfo_to_dict(conninfo(url) if "://" in url else url)
    except (psycopg.ProgrammingError, StoreError):
        return "<unparseable PostgreSQL URL>"
    user = str(parts.get("user") or "")
    host = parts.get("host") or "localhost"
    port = parts.get("port") or "5432"
    shown = f"postgresql://{user + '@' if user else ''}{host}:{port}/{parts.get('dbname') or ''}"
    options = str(parts.get("options") or "")
    return f"{shown} ({options.strip()})" if options else shown


def schema_url(dsn: str, schema: str, *, extra: Sequence[str] = ("public",)) -> str:
    """``dsn`` as a URL whose connections use ``search_path = schema, *extra``."""
    path = ",".join([schema, *extra])
    option = f"-csearch_path={path}"
    if "://" not in dsn:  # key=value conninfo: carry every parameter in the query
        params = {k: str(v) for k, v in conninfo_to_dict(dsn).items()}
        params["options"] = f"{params['options']} {option}" if params.get("options") else option
        return "postgresql://?" + urlencode(params)
    parts = urlsplit(conninfo(dsn))
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query["options"] = f"{query['options']} {option}" if query.get("options") else option
    return urlunsplit(parts._replace(query=urlencode(query)))


@contextmanager
def fresh_schema_url(dsn: str) -> Iterator[str]:
    """A new, uniquely named schema in ``dsn``'s database, as a store URL; dropped after."""
    name = f"heatmap_{uuid.uuid4().hex[:16]}"
    ident = sql.Identifier(name)
    try:
        with psycopg.connect(conninfo(dsn), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(ident))
    except psycopg.Error as exc:
        raise StoreError(f"cannot create a schema in {display_url(dsn)}: {_why(exc)}") from exc
    try:
        yield schema_url(dsn, name)
    finally:
        with psycopg.connect(conninfo(dsn), autocommit=True) as conn:
            conn.execute("SET lock_timeout = '60s'")
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(ident))


def utm_epsg(lat: float, lon: float) -> int:
    """EPSG code of the WGS 84 / UTM zone holding ``(lat, lon)`` (326xx north, 327xx south)."""
    if not (np.isfinite(lat) and np.isfinite(lon)):
        raise StoreError("no located complaints to pick a UTM zone from")
    zone = int(np.floor(((lon + 180.0) % 360.0) / 6.0)) + 1
    return (32600 if lat >= 0 else 32700) + min(zone, 60)


# --- the store -----------------------------------------------------------------------
class PostGISStore:
    """:class:`heatmap.store.base.Store` on PostgreSQL with PostGIS."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 4, timeout: float = 30.0) -> None:
        self.url = url
        self._shown = display_url(url)
        if _UNKNOWN_COLUMNS:
            raise StoreError(
                "the PostGIS adapter has no column type for "
                f"{', '.join(_UNKNOWN_COLUMNS)}: update heatmap/store/postgis.py"
            )
        self._schema_ok = 0  # the schema version last seen, once it is not 0
        info = self._info = conninfo(url)
        kwargs: dict[str, Any] = {}
        try:
            if "application_name" not in conninfo_to_dict(info):
                kwargs["application_name"] = "teplokarty"
        except psycopg.ProgrammingError as exc:
            raise StoreError(f"bad PostgreSQL URL {self._shown}: {exc}") from exc
        try:  # one direct connection first: a wrong URL fails at once, in libpq's words
            with psycopg.connect(info, **kwargs):
                pass
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to {self._shown}: {_first_line(exc)}") from exc
        self._pool = ConnectionPool(
            info,
            kwargs=kwargs,
            min_size=min_size,
            max_size=max_size,
            open=False,
            check=ConnectionPool.check_connection,
            timeout=timeout,
            name=f"teplokarty-{id(self):x}",
        )
        try:
            self._pool.open(wait=True, timeout=timeout)
        except PoolTimeout as exc:
            self._pool.close()
            raise StoreError(f"cannot connect to {self._shown}: {_connect_error(info)}") from exc

    # --- plumbing -------------------------------------------------------------------
    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _tx(self, what: str, *, writes: bool = False) -> Iterator[Cur]:
        """A cursor in one transaction: committed at the end, rolled back on any error."""
        try:
            with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
                yield cursor
        except PoolTimeout as exc:
            raise StoreError(
                f"{what}: no connection to {self._shown} within {self._pool.timeout:g} s"
                f" ({_connect_error(self._info)})"
            ) from exc
        except psycopg.Error as exc:
            undone = " and was rolled back, nothing of it was stored" if writes else ""
            raise StoreError(f"{what} failed on {self._shown}{undone}: {_why(exc)}") from exc

    def _frame(self, what: str, query: sql.Composed | str, params: Sequence[object] = ()) -> pd.DataFrame:
        with self._tx(what) as cursor:
            cursor.execute(query, tuple(params) if params else None)
            names = [d.name for d in cursor.description or ()]
            rows = cursor.fetchall()
        return pd.DataFrame.from_records(rows, columns=names)

    def _require_schema(self, version: int = 1) -> None:
        if self._schema_ok >= version:
            return
        current = self.schema_version()
        if current == 0:
            raise MigrationError(f"{self._shown} has no schema yet: run `heatmap init` first")
        if current < version:
            raise MigrationError(
                f"{self._shown} is at schema {current}, this needs {version}: run `heatmap db upgrade` first"
            )
        self._schema_ok = current

    def _spot_columns(self) -> tuple[str, ...]:
        self._require_schema()
        return spot_columns_at(self._schema_ok)

    @staticmethod
    def _lock(cursor: Cur, kind: int) -> None:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(coalesce(current_schema(), '')))",
            (kind,),
        )

    # --- schema ---------------------------------------------------------------------
    def schema_version(self) -> int:
        with self._tx("reading the schema version") as cursor:
            return _version(cursor)

    def upgrade(self) -> list[int]:
        applied: list[int] = []
        known = migrations("postgis")
        self._schema_ok = 0  # read the version again after this
        while True:  # one transaction per migration, as with SQLite
            with self._tx("upgrade", writes=True) as cursor:
                self._lock(cursor, _LOCK_SCHEMA)
                cursor.execute("SELECT current_schema(), current_setting('search_path')")
                schema, path = cursor.fetchone() or (None, "")
                if schema is None:
                    raise MigrationError(
                        f"{self._shown}: no schema of the search_path ({path}) exists:"
                        " create it first (CREATE SCHEMA …)"
                    )
                _ensure_postgis(cursor, self._shown)
                cursor.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY,"
                    " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
                )
                current = _version(cursor)
                if known and current > known[-1][0]:
                    raise MigrationError(
                        f"{self._shown} is at schema {current}, newer than this version of"
                        f" Teplokarty knows ({known[-1][0]}): upgrade the package"
                    )
                pending = [m for m in known if m[0] > current]
                if not pending:
                    return applied
                version, name, text = pending[0]
                try:
                    cursor.execute(text)
                except psycopg.Error as exc:
                    raise MigrationError(f"migration {name} failed: {_why(exc)}") from exc
                if version == 1:
                    cursor.execute(
                        "INSERT INTO meta (key, value) VALUES ('secret', %s)",
                        (secrets.token_hex(32),),
                    )
                cursor.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    (version, name),
                )
            applied.append(version)

    def secret(self) -> bytes:
        self._require_schema()
        with self._tx("reading the store secret") as cursor:
            cursor.execute("SELECT value FROM meta WHERE key = 'secret'")
            row = cursor.fetchone()
        if row is None:
            raise StoreError(f"{self._shown} has no secret in its meta table")
        return hash_key(bytes.fromhex(row[0]))

    def purge_personal_data(self, *, before: datetime) -> dict[str, int]:
        """Remove the personal data of closed complaints made before ``before``
        (:mod:`heatmap.store.purge`); rows changed per table."""
        self._require_schema()
        removed: dict[str, int] = {}
        with self._tx("purging personal data", writes=True) as cursor:
            for table, statement, params in purge_statements("postgis", before):
                cursor.execute(statement, params)
                removed[table] = cursor.rowcount
        return removed

    # --- complaints -----------------------------------------------------------------
    def complaint_hashes(self, ticket_ids: Sequence[str]) -> pd.DataFrame:
        self._require_schema()
        with self._tx("reading complaint hashes") as cursor:
            return _hashes(cursor, ticket_ids)

    def apply_ingest(self, batch: IngestWrite) -> dict[str, int]:
        self._require_schema()
        at = pd.Timestamp(batch.at).tz_convert("UTC").floor("us")
        counts = dict.fromkeys(("inserted", "updated", "unchanged", "quarantined"), 0)
        with self._tx(f"ingest of {batch.source}", writes=True) as cursor:
            # Concurrent ingests queue here, so each compares against what the one
            # before it wrote: no ticket is lost or inserted twice.
            self._lock(cursor, _LOCK_INGEST)
            # Each part looks its tickets up by the primary key. At the default cost of a
            # random page (4, made for spinning disks) the planner hashes the whole
            # complaints table for every part instead, which grows with the table rather
            # than the part; the index of a table being written is in memory.
            cursor.execute("SET LOCAL random_page_cost = 1.1")
            cursor.execute(
                "INSERT INTO ingests (source, at, read, inserted, updated, unchanged,"
                " quarantined) VALUES (%s, %s, %s, 0, 0, 0, 0) RETURNING id",
                (batch.source, at.to_pydatetime(), batch.read),
            )
            ingest_id = _one(cursor)
            # Only tickets that sort at or before the greatest stored one are looked up
            # (none in a first load); the parts of one export hold distinct tickets. Likewise
            # a source with nothing in quarantine yet cannot meet its own quarantined lines.
            cursor.execute(
                'SELECT (SELECT max(ticket_id COLLATE "C") FROM complaints),'
                " NOT EXISTS (SELECT FROM quarantine WHERE source = %s)",
                (batch.source,),
            )
            greatest, new_source = cursor.fetchone() or (None, False)
            into = _Ingest(
                at=at,
                ingest_id=ingest_id,
                greatest=greatest,
                new_source=bool(new_source),
                actor=batch.actor,
                may_update=batch.may_update,
            )
            rebuild = _indexes_to_rebuild(cursor, batch.read)

            def write(part: IngestPart, ready: _Payloads | None) -> bool:
                written = _write_part(cursor, part, ready, into)
                for name, n in written.items():
                    counts[name] += n
                return written["inserted"] == len(part.complaints)

            # Parts are encoded for COPY (complaints as all new) by the thread that validates
            # them, so the writing thread mostly waits on the server.
            write_behind_prepared(batch.parts(), lambda part: _prepare(part, into), write)
            if rebuild:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _, definition in rebuild:
                cursor.execute(definition)
            cursor.execute(
                "UPDATE ingests SET inserted = %s, updated = %s, unchanged = %s, quarantined = %s"
                " WHERE id = %s",
                (*counts.values(), ingest_id),
            )
        return {"read": batch.read, **counts}

    def load_complaints(
        self,
        *,
        since: datetime | None = None,
        pending_geocode: bool = False,
        ticket_ids: Sequence[str] | None = None,
        spot_ids: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        self._require_schema()
        where: list[str] = []
        params: list[object] = []
        if spot_ids is not None:
            where.append("spot_id = ANY(%s::text[])")
            params.append(list(spot_ids))
        if since is not None:
            where.append("created_at >= %s::timestamptz")
            params.append(iso_one(since))
        if pending_geocode:
            where.append('"precision" IS NULL')
        if ticket_ids is not None:
            where.append("ticket_id = ANY(%s::text[])")
            params.append(list(ticket_ids))
        query = (
            f"SELECT {_select(STORED_COMPLAINT_COLUMNS, _TIME_COLUMNS)} FROM complaints"
            f' WHERE {" AND ".join(where) or "true"} ORDER BY created_at, ticket_id COLLATE "C"'
        )
        frame = self._frame("loading complaints", query, params)
        for name in _TIME_COLUMNS:
            frame[name] = parse_utc(frame[name])
        for name in ("ltv", "lat", "lon", "geo_score"):
            frame[name] = pd.to_numeric(frame[name]).astype(float)
        return frame

    def load_complaint_changes(self, ticket_ids: Sequence[str] | None = None) -> pd.DataFrame:
        self._require_schema(base.CHANGES_SCHEMA)
        query = (
            "SELECT c.ticket_id, c.at, c.kind, c.actor, i.source, c.old_hash, c.new_hash"
            " FROM complaint_changes AS c JOIN ingests AS i ON i.id = c.ingest_id"
        )
        params: list[object] = []
        if ticket_ids is not None:
            query += " WHERE c.ticket_id = ANY(%s::text[])"
            params.append(list(ticket_ids))
        frame = self._frame("loading complaint changes", query + " ORDER BY c.id", params)
        frame["at"] = parse_utc(frame["at"])
        return frame.reindex(columns=list(base.CHANGE_COLUMNS))

    def save_geocodes(self, geocodes: pd.DataFrame) -> None:
        self._require_schema()
        columns = [c for c in _GEOCODE_KINDS if c != "ticket_id"]
        rows = last_per_key(geocodes, "ticket_id")
        with self._tx("saving geocodes", writes=True) as cursor:
            stage(cursor, "_hm_geocodes", rows, _GEOCODE_KINDS)
            cursor.execute(
                sql.SQL(
                    "UPDATE complaints AS c SET {} FROM _hm_geocodes AS g WHERE c.ticket_id = g.ticket_id"
                ).format(_assign(columns, "g"))
            )

    def load_quarantine(self, *, limit: int | None = None) -> pd.DataFrame:
        self._require_schema()
        # ``at`` stays ISO 8601 text, as the SQLite store gives it.
        query = f"SELECT id, source, line, reasons, raw, {_iso('at')} AS at FROM quarantine ORDER BY id"
        if limit is not None and int(limit) >= 0:  # SQLite reads a negative limit as none
            query += f" LIMIT {int(limit)}"
        return self._frame("loading the quarantine", query)

    # --- spots ----------------------------------------------------------------------
    def load_spots(
        self, *, statuses: Collection[str] | None = None, ids: Collection[str] | None = None
    ) -> pd.DataFrame:
        self._require_schema()
        names = [
            "ST_AsBinary(geometry) AS geometry"
            if c == "geometry"
            else "breakdown::text AS breakdown"
            if c == "breakdown"
            else f"{_iso(c)} AS {c}"
            if c in _SPOT_TIMES
            else c
            for c in self._spot_columns()
        ]
        where: list[str] = []
        params: list[object] = []
        for column, values in (("status", statuses), ("id", ids)):
            if values is not None:
                where.append(f"{column} = ANY(%s::text[])")
                params.append(list(values))
        query = f"SELECT {', '.join(names)} FROM spots WHERE {' AND '.join(where) or 'true'}"
        frame = self._frame("loading spots", query + ' ORDER BY priority DESC, id COLLATE "C"', params)
        frame["escalated"] = frame["escalated"].astype(bool)
        frame["geometry"] = np.asarray(
            shapely.from_wkb(frame["geometry"].to_numpy(dtype=object)), dtype=object
        )
        frame["breakdown"] = [{k: d[k] for k in sorted(d)} for d in breakdown_from_json(frame["breakdown"])]
        for name in _SPOT_TIMES:
            frame[name] = parse_utc(frame[name])
        return typed_spot_measures(frame)

    def load_events(self, spot_id: str | None = None) -> pd.DataFrame:
        self._require_schema()
        query = f"SELECT {_select(EVENT_COLUMNS, _EVENT_TIMES)} FROM spot_events"
        params: list[object] = []
        if spot_id is not None:
            query += " WHERE spot_id = %s"
            params.append(spot_id)
        frame = self._frame("loading spot events", query + " ORDER BY id", params)
        for name in _EVENT_TIMES:
            frame[name] = parse_utc(frame[name])
        return frame

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
            if changes.expected:
                _check_expected(cursor, changes.expected)
            if len(spots):
                stage(cursor, "_hm_spots", spots, _SPOT_KINDS)
                cursor.execute(
                    sql.SQL(
                        "INSERT INTO spots ({}) SELECT {} FROM _hm_spots AS s ORDER BY s.seq"
                        " ON CONFLICT (id) DO UPDATE SET {}"
                    ).format(columns_sql(columns), sql.SQL(", ").join(values), updates)
                )
            if len(members):
                stage(cursor, "_hm_members", members, _MEMBER_KINDS)
                cursor.execute(
                    "UPDATE complaints AS c SET spot_id = m.spot_id FROM _hm_members AS m"
                    " WHERE c.ticket_id = m.ticket_id"
                )
            if len(events):
                copy_frame(cursor, "spot_events", events, _EVENT_KINDS)
            cursor.execute(
                "UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'spots_version'"
            )  # API index freshness (schema 3)
            if changes.outbox is not None and len(changes.outbox):
                _insert_outbox(cursor, changes.outbox)  # close-out (schema 4)

    # --- network --------------------------------------------------------------------
    def replace_network(
        self, *, sites: pd.DataFrame | None = None, alarms: pd.DataFrame | None = None
    ) -> None:
        self._require_schema()
        with self._tx("replacing network sites and alarms", writes=True) as cursor:
            if sites is not None:
                cursor.execute("DELETE FROM sites")
                copy_frame(cursor, "sites", sites.loc[:, list(SITE_COLUMNS)], _SITE_KINDS)
            if alarms is not None:
                cursor.execute("DELETE FROM alarms")
                copy_frame(cursor, "alarms", alarms.loc[:, list(ALARM_COLUMNS)], _ALARM_KINDS)

    def load_sites(self) -> pd.DataFrame:
        self._require_schema()
        frame = self._frame(
            "loading sites", f'SELECT {", ".join(SITE_COLUMNS)} FROM sites ORDER BY site_id COLLATE "C"'
        )
        for name in ("lat", "lon", "azimuth"):
            frame[name] = pd.to_numeric(frame[name]).astype(float)
        return frame

    def load_alarms(self) -> pd.DataFrame:
        self._require_schema()
        start, end = _iso("start"), _iso('"end"')
        frame = self._frame(
            "loading alarms",
            f'SELECT site_id, severity, {start} AS start, {end} AS "end", kind, text FROM alarms ORDER BY id',
        )
        frame["start"] = parse_utc(frame["start"])
        frame["end"] = parse_utc(frame["end"])
        return frame

    # --- exposure -------------------------------------------------------------------
    def replace_exposure(self, source: str, layer: pd.DataFrame) -> None:
        rows = checked_layer(source, layer).assign(source=source)
        self._require_schema(EXPOSURE_SCHEMA)
        with self._tx(f"replacing the {source} exposure layer", writes=True) as cursor:
            cursor.execute("DELETE FROM exposure WHERE source = %s", (source,))
            copy_frame(cursor, "exposure", rows, _EXPOSURE_KINDS)

    def load_exposure(self, source: str) -> pd.DataFrame:
        check_source(source)
        self._require_schema()
        if self._schema_ok < EXPOSURE_SCHEMA:
            return exposure_frame([])  # nothing can be stored before the upgrade
        with self._tx(f"loading the {source} exposure layer") as cursor:
            cursor.execute(
                "SELECT h3_cell, weight FROM exposure WHERE source = %s ORDER BY h3_cell", (source,)
            )
            return exposure_frame(cursor.fetchall())

    # --- coverage -------------------------------------------------------------------
    def replace_coverage(self, layer: pd.DataFrame) -> None:
        rows = checked_coverage(layer)
        self._require_schema(COVERAGE_SCHEMA)
        with self._tx("replacing the coverage layer", writes=True) as cursor:
            cursor.execute("DELETE FROM coverage")
            copy_frame(cursor, "coverage", rows, _COVERAGE_KINDS)

    def load_coverage(self) -> pd.DataFrame:
        self._require_schema()
        if self._schema_ok < COVERAGE_SCHEMA:
            return coverage_frame([])
        with self._tx("loading the coverage layer") as cursor:
            cursor.execute(
                "SELECT h3_cell, res, rsrp_median, rsrp_samples, rssi_median,"
                ' rssi_samples FROM coverage ORDER BY h3_cell COLLATE "C"'
            )
            return coverage_frame(cursor.fetchall())

    # --- api keys -------------------------------------------------------------------
    def save_api_key(self, key: ApiKeyRecord) -> None:
        self._require_schema()
        with self._tx("saving an API key", writes=True) as cursor:
            cursor.execute(
                "INSERT INTO api_keys (key_id, key_hash, role, name, created_at, revoked_at)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (key.key_id, key.key_hash, key.role, key.name, key.created_at, key.revoked_at),
            )

    def load_api_key(self, key_id: str) -> ApiKeyRecord | None:
        self._require_schema()
        with self._tx("reading an API key") as cursor:
            cursor.execute(
                "SELECT key_id, key_hash, role, name, created_at, revoked_at FROM api_keys WHERE key_id = %s",
                (key_id,),
            )
            row = cursor.fetchone()
        return None if row is None else ApiKeyRecord(*row)

    def load_api_keys(self) -> list[ApiKeyRecord]:
        self._require_schema()
        with self._tx("reading API keys") as cursor:
            cursor.execute(
                "SELECT key_id, key_hash, role, name, created_at, revoked_at"
                ' FROM api_keys ORDER BY created_at, key_id COLLATE "C"'
            )
            rows = cursor.fetchall()
        return [ApiKeyRecord(*row) for row in rows]

    def revoke_api_key(self, key_id: str, at: datetime) -> bool:
        self._require_schema()
        with self._tx("revoking an API key", writes=True) as cursor:
            cursor.execute(
                "UPDATE api_keys SET revoked_at = %s WHERE key_id = %s AND revoked_at IS NULL", (at, key_id)
            )
            return cursor.rowcount == 1

    def spots_version(self) -> int:
        with self._tx("reading the spots version") as cursor:
            cursor.execute("SELECT value FROM meta WHERE key = 'spots_version'")
            value = _one(cursor)
        return -1 if value is None else int(value)

    # --- close-out ------------------------------------------------------------------
    def load_outbox(
        self,
        *,
        statuses: Collection[str] | None = None,
        ids: Collection[int] | None = None,
        msisdn: str | None = None,
    ) -> pd.DataFrame:
        self._require_schema()
        where: list[str] = []
        params: list[object] = []
        if statuses is not None:
            where.append("status = ANY(%s::text[])")
            params.append(list(statuses))
        if ids is not None:
            where.append("id = ANY(%s::bigint[])")
            params.append([int(i) for i in ids])
        if msisdn is not None:
            where.append("msisdn = %s")
            params.append(msisdn)
        query = (
            f"SELECT {_select(OUTBOX_COLUMNS, OUTBOX_TIMES)} FROM sms_outbox"
            f" WHERE {' AND '.join(where) or 'true'} ORDER BY id"
        )
        return _outbox_frame(self._frame("loading the SMS outbox", query, params))

    def due_outbox(self, *, now: datetime, limit: int) -> pd.DataFrame:
        self._require_schema()
        query = (
            f"SELECT {_select(OUTBOX_COLUMNS, OUTBOX_TIMES)} FROM sms_outbox"
            " WHERE status IN ('pending', 'held') AND next_attempt_at <= %s"
            " ORDER BY next_attempt_at, id LIMIT %s"
        )
        return _outbox_frame(self._frame("loading due SMS", query, [_pg_value(now), int(limit)]))

    def update_outbox(
        self, outbox_id: int, values: Mapping[str, object], *, only_if: Collection[str]
    ) -> bool:
        self._require_schema()
        names = list(values)
        unknown = set(names) - set(OUTBOX_COLUMNS[1:])
        if unknown or not names:
            raise StoreError(f"not outbox columns: {sorted(unknown) or 'none given'}")
        assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(n)) for n in names)
        with self._tx("updating an SMS", writes=True) as cursor:
            cursor.execute(
                sql.SQL("UPDATE sms_outbox SET {} WHERE id = %s AND status = ANY(%s::text[])").format(
                    assignments
                ),
                [*(_pg_value(values[n]) for n in names), int(outbox_id), list(only_if)],
            )
            return cursor.rowcount == 1

    def add_sms_report(self, outbox_id: int, *, at: datetime, code: int, text: str | None) -> None:
        self._require_schema()
        with self._tx("saving a delivery report", writes=True) as cursor:
            cursor.execute(
                "INSERT INTO sms_reports (outbox_id, at, code, text) VALUES (%s, %s, %s, %s)",
                (int(outbox_id), _pg_value(at), int(code), text),
            )

    def load_sms_reports(self) -> pd.DataFrame:
        self._require_schema()
        frame = self._frame(
            "loading delivery reports",
            f"SELECT outbox_id, {_iso('at')} AS at, code, text FROM sms_reports ORDER BY id",
        )
        frame["at"] = parse_utc(frame["at"])
        return frame

    def add_inbound(
        self, *, at: datetime, msisdn: str, outbox_id: int | None, kind: str, text: str | None
    ) -> None:
        self._require_schema()
        with self._tx("saving an SMS reply", writes=True) as cursor:
            cursor.execute(
                "INSERT INTO sms_inbound (at, msisdn, outbox_id, kind, text) VALUES (%s, %s, %s, %s, %s)",
                (_pg_value(at), msisdn, None if outbox_id is None else int(outbox_id), kind, text),
            )

    def add_optout(self, msisdn: str, *, at: datetime, source: str) -> None:
        self._require_schema()
        with self._tx("saving an opt-out", writes=True) as cursor:
            cursor.execute(
                "INSERT INTO sms_optouts (msisdn, at, source) VALUES (%s, %s, %s)"
                " ON CONFLICT (msisdn) DO NOTHING",
                (msisdn, _pg_value(at), source),
            )

    def load_optouts(self) -> pd.DataFrame:
        self._require_schema()
        frame = self._frame(
            "loading opt-outs",
            f'SELECT msisdn, {_iso("at")} AS at, source FROM sms_optouts ORDER BY msisdn COLLATE "C"',
        )
        frame["at"] = parse_utc(frame["at"])
        return frame

    def record_rating(self, rating: Mapping[str, object], *, use_link_of: int | None = None) -> bool:
        self._require_schema()
        names = [c for c in RATING_ROW_COLUMNS if c not in ("id", "superseded_at")]
        at = _pg_value(rating["at"])
        with self._tx("saving a rating", writes=True) as cursor:
            # one writer per (spot, subscriber): the answer in force is replaced in order
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                (f"rating:{rating['spot_id']}:{rating['subscriber_id']}",),
            )
            if use_link_of is not None:
                cursor.execute(
                    "UPDATE sms_outbox SET link_used_at = %s WHERE id = %s AND link_used_at IS NULL",
                    (at, int(use_link_of)),
                )
                if cursor.rowcount != 1:
                    return False
            cursor.execute(
                "UPDATE ratings SET superseded_at = %s WHERE spot_id = %s"
                " AND subscriber_id = %s AND superseded_at IS NULL",
                (at, rating["spot_id"], rating["subscriber_id"]),
            )
            cursor.execute(
                sql.SQL("INSERT INTO ratings ({}) VALUES ({})").format(
                    columns_sql(names), sql.SQL(", ").join(sql.Placeholder() * len(names))
                ),
                [_pg_value(rating.get(n)) for n in names],
            )
        return True

    def load_ratings(
        self, *, current_only: bool = True, spot_ids: Collection[str] | None = None
    ) -> pd.DataFrame:
        self._require_schema()
        where: list[str] = []
        params: list[object] = []
        if current_only:
            where.append("superseded_at IS NULL")
        if spot_ids is not None:
            where.append("spot_id = ANY(%s::text[])")
            params.append(list(spot_ids))
        query = (
            f"SELECT {_select(RATING_ROW_COLUMNS, ('at', 'superseded_at'))} FROM ratings"
            f" WHERE {' AND '.join(where) or 'true'} ORDER BY id"
        )
        frame = self._frame("loading ratings", query, params)
        for name in ("at", "superseded_at"):
            frame[name] = parse_utc(frame[name])
        for name in ("id", "outbox_id", "rating"):
            frame[name] = pd.to_numeric(frame[name]).astype("Int64")
        frame["persists"] = frame["persists"].astype(bool)
        return frame

    # --- server-side analytics ------------------------------------------------------
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


# --- close-out helpers ---
def _insert_outbox(cursor: Cur, rows: pd.DataFrame) -> None:
    frame = rows.loc[:, list(NEW_OUTBOX_COLUMNS)]
    cursor.executemany(
        sql.SQL(
            "INSERT INTO sms_outbox ({}) VALUES ({}) ON CONFLICT (spot_id, subscriber_id, event) DO NOTHING"
        ).format(
            columns_sql(NEW_OUTBOX_COLUMNS), sql.SQL(", ").join(sql.Placeholder() * len(NEW_OUTBOX_COLUMNS))
        ),
        [[_pg_value(v) for v in row] for row in frame.itertuples(index=False, name=None)],
    )


def _pg_value(value: object) -> object:
    """A value for a psycopg parameter: timestamps as aware datetimes, NaN/NaT as NULL."""
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if value is None or isinstance(value, datetime | str):
        return value
    if pd.isna(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _outbox_frame(frame: pd.DataFrame) -> pd.DataFrame:
    for name in OUTBOX_TIMES:
        frame[name] = parse_utc(frame[name])
    for name in OUTBOX_INTEGERS:
        frame[name] = pd.to_numeric(frame[name]).astype("Int64")
    return frame


# --- helpers ---------------------------------------------------------------------------
def _check_expected(cursor: Cur, expected: dict[str, str]) -> None:
    """Lock the spots a change was computed from; refuse it if one moved meanwhile."""
    cursor.execute(
        "SELECT id, status FROM spots WHERE id = ANY(%s::text[]) ORDER BY id FOR UPDATE",
        (list(expected),),
    )
    stored: dict[str, str] = dict(cursor.fetchall())
    for spot_id, status in expected.items():
        if stored.get(spot_id) != status:
            raise ConflictError(
                f"spot {spot_id} changed meanwhile (now {stored.get(spot_id, 'gone')}, "
                f"expected {status}): reload and try again"
            )


def _version(cursor: Cur) -> int:
    cursor.execute(
        "SELECT CASE WHEN current_schema() IS NULL THEN false"
        " ELSE to_regclass(format('%I.schema_migrations', current_schema())) IS NOT NULL END"
    )
    if not _one(cursor):
        return 0
    cursor.execute("SELECT max(version) FROM schema_migrations")
    return int(_one(cursor) or 0)


def _ensure_postgis(cursor: Cur, shown: str) -> None:
    cursor.execute("SELECT to_regtype('geometry') IS NOT NULL")
    if _one(cursor):
        return
    cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")
    if _one(cursor):
        raise MigrationError(
            f"PostGIS is installed in {shown} but its types are not on the search_path:"
            " add the extension's schema (usually public) to the URL's search_path"
        )
    try:
        with cursor.connection.transaction():
            cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except psycopg.Error as exc:
        raise MigrationError(
            f"{shown} has no PostGIS and it cannot be added ({_why(exc)}): have an"
            " administrator run CREATE EXTENSION postgis in that database"
        ) from exc


def _hashes(cursor: Cur, ticket_ids: Sequence[str]) -> pd.DataFrame:
    ids = list(ticket_ids)
    rows: list[tuple[Any, ...]] = []
    if ids:
        cursor.execute(
            "SELECT ticket_id, content_hash FROM complaints WHERE ticket_id = ANY(%s::text[])",
            (ids,),
        )
        rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=["ticket_id", "content_hash"])


def _batch_hashes(cursor: Cur, ticket_ids: pd.Series) -> pd.DataFrame:
    """Stored hashes of a batch's tickets: small batches by array, big ones by a COPY + join."""
    if len(ticket_ids) < _BIG_BATCH:
        return _hashes(cursor, ticket_ids.tolist())
    stage(cursor, "_hm_batch", pd.DataFrame({"ticket_id": ticket_ids}), {"ticket_id": "text"})
    cursor.execute(
        "SELECT c.ticket_id, c.content_hash FROM _hm_batch AS b JOIN complaints AS c"
        " ON c.ticket_id = b.ticket_id"
    )
    return pd.DataFrame(cursor.fetchall(), columns=["ticket_id", "content_hash"])


def _new_rows(complaints: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    """Complaints as new rows of the complaints table: placed where the CRM gave a point."""
    located = complaints["lat"].notna().to_numpy()
    return complaints.loc[:, list(COMPLAINT_COLUMNS)].assign(
        precision=np.array([None, "point"], dtype=object)[located.astype(int)],
        geo_score=np.where(located, 1.0, np.nan),
        ingested_at=at,
        updated_at=at,
    )


def _encode_new(complaints: pd.DataFrame, at: pd.Timestamp) -> list[bytes]:
    """The binary COPY payload of complaints as new rows (in ticket order, as validated)."""
    return encode_frame(_new_rows(complaints, at), _INSERT_KINDS)


@dataclass(frozen=True)
class _Ingest:
    """What every part of one ingest shares, decided once inside its transaction."""

    at: pd.Timestamp
    ingest_id: int
    #: the greatest stored ticket id (None: none is stored); no greater one needs looking up
    greatest: str | None
    #: the quarantine holds no line of this source: no part's bad row can be there already
    new_source: bool
    #: :attr:`heatmap.store.base.IngestWrite.actor` and ``may_update``
    actor: str | None = None
    may_update: bool = True


@dataclass(frozen=True)
class _Payloads:
    """A part's COPY payloads made ahead: its complaints as new rows, and its bad rows for a
    source new to the quarantine (else None)."""

    complaints: list[bytes]
    quarantine: list[bytes] | None


def _prepare(part: IngestPart, into: _Ingest) -> _Payloads:
    held = None
    if into.new_source and len(part.quarantine):
        held = encode_frame(_quarantine_rows(part.quarantine, into), _QUARANTINE_ROW_KINDS)
    return _Payloads(_encode_new(part.complaints, into.at), held)


def _write_part(cursor: Cur, part: IngestPart, ready: _Payloads | None, into: _Ingest) -> dict[str, int]:
    """One part of an ingest, inside the ingest's transaction, with its payloads if they
    were made beforehand (:func:`_prepare`)."""
    tickets = part.complaints["ticket_id"]
    stored = _batch_hashes(cursor, tickets[maybe_stored(tickets, into.greatest)])
    plan = plan_upsert(part.complaints, stored)
    if len(plan.updates) and not into.may_update:
        raise ConflictError(base.changing_refused(plan.updates["ticket_id"]))
    if len(plan.inserts) == len(part.complaints) and ready is not None:
        copy_payload(cursor, "complaints", _INSERT_KINDS, ready.complaints)
    elif len(plan.inserts):
        copy_payload(cursor, "complaints", _INSERT_KINDS, _encode_new(plan.inserts, into.at))
    if len(plan.updates):
        _update_complaints(cursor, plan.updates, into.at, into.ingest_id)
    if into.actor is not None:
        _record_actor(cursor, plan.inserts, plan.updates, into)
    if ready is not None and ready.quarantine is not None:
        copy_payload(cursor, "quarantine", _QUARANTINE_ROW_KINDS, ready.quarantine)
    elif len(part.quarantine):
        _quarantine(cursor, part.quarantine, into)
    return {
        "inserted": len(plan.inserts),
        "updated": len(plan.updates),
        "unchanged": plan.unchanged,
        "quarantined": len(part.quarantine),
    }


def _record_actor(cursor: Cur, inserts: pd.DataFrame, updates: pd.DataFrame, into: _Ingest) -> None:
    """Name the actor on the changes this ingest recorded, and record its inserts (schema 8)."""
    cursor.executemany(
        "INSERT INTO complaint_changes (ticket_id, ingest_id, at, new_hash, kind, actor)"
        " VALUES (%s, %s, %s, %s, 'inserted', %s)",
        [
            (t, into.ingest_id, into.at.to_pydatetime(), h, into.actor)
            for t, h in zip(inserts["ticket_id"].tolist(), inserts["content_hash"].tolist(), strict=True)
        ],
    )
    if len(updates):
        cursor.execute(
            "UPDATE complaint_changes SET actor = %s WHERE ingest_id = %s AND ticket_id = ANY(%s::text[])",
            (into.actor, into.ingest_id, updates["ticket_id"].tolist()),
        )


def _quarantine_rows(rows: pd.DataFrame, into: _Ingest) -> pd.DataFrame:
    return rows.assign(ingest_id=into.ingest_id, at=into.at)


def _quarantine(cursor: Cur, rows: pd.DataFrame, into: _Ingest) -> None:
    """Keep a part's bad rows; one kept by an earlier ingest of the source is not kept twice.
    (Lines are distinct within a source's one ingest, so a new source's rows go straight in.)"""
    if into.new_source:
        copy_frame(cursor, "quarantine", _quarantine_rows(rows, into), _QUARANTINE_ROW_KINDS)
        return
    stage(cursor, "_hm_quarantine", rows, _QUARANTINE_KINDS)
    cursor.execute(
        "INSERT INTO quarantine (ingest_id, source, line, raw, reasons, at)"
        " SELECT %s, source, line, raw, reasons, %s FROM _hm_quarantine"
        " ORDER BY seq ON CONFLICT (source, line, md5(raw)) DO NOTHING",
        (into.ingest_id, into.at.to_pydatetime()),
    )


def _indexes_to_rebuild(cursor: Cur, rows: int) -> list[tuple[str, str]]:
    """An ingest that at least doubles the table rebuilds the secondary indexes afterwards
    instead of growing them row by row (much faster for a first load; the table is
    locked for the rest of the transaction). Returns what it dropped."""
    if rows < base.REBUILD_MIN_ROWS:
        return []
    cursor.execute("SELECT count(*) FROM (SELECT FROM complaints LIMIT %s) AS t", (rows,))
    if _one(cursor) >= rows:
        return []
    return _drop_secondary_indexes(cursor)


def _drop_secondary_indexes(cursor: Cur) -> list[tuple[str, str]]:
    """Drop the non-unique indexes of complaints; ``(name, CREATE INDEX …)`` of each.

    Nothing is dropped (and the caller inserts row by row) when the store's role may
    not, or when readers hold the table longer than a moment.
    """
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
        " WHERE indrelid = 'complaints'::regclass AND NOT indisunique AND NOT indisprimary"
        " AND indexrelid::regclass::text <> ALL(%s) ORDER BY indexrelid",
        (list(INGEST_ADDS_NOTHING),),
    )
    indexes = [(str(r[0]), str(r[1])) for r in cursor.fetchall()]
    try:
        with cursor.connection.transaction():
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            for name, _ in indexes:
                cursor.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
            cursor.execute("SET LOCAL lock_timeout = 0")
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.LockNotAvailable):
        return []
    return indexes


def _update_complaints(cursor: Cur, updates: pd.DataFrame, at: pd.Timestamp, ingest_id: int) -> None:
    """Changed tickets: record the old values, then overwrite (mirrors the SQLite store)."""
    stage(cursor, "_hm_updates", last_per_key(updates, "ticket_id"), _COMPLAINT_KINDS)
    fields = [c for c in COMPLAINT_COLUMNS if c != "ticket_id"]
    old_values = sql.SQL(", ").join(
        sql.SQL("{}, {}").format(
            sql.Literal(c),
            sql.SQL(_iso("c.created_at")) if c == "created_at" else sql.Identifier("c", c),
        )
        for c in fields
    )
    when = at.to_pydatetime()
    cursor.execute(
        sql.SQL(
            "INSERT INTO complaint_changes (ticket_id, ingest_id, at, old_hash, new_hash,"
            " old_values) SELECT c.ticket_id, %s, %s, c.content_hash, u.content_hash,"
            " jsonb_build_object({}) FROM _hm_updates AS u JOIN complaints AS c"
            " ON c.ticket_id = u.ticket_id ORDER BY u.seq"
        ).format(old_values),
        (ingest_id, when),
    )
    # A changed ticket is placed again: its new CRM point, else it waits for geocoding.
    cursor.execute(
        sql.SQL(
            "UPDATE complaints AS c SET {}, updated_at = %s,"
            " \"precision\" = CASE WHEN u.lat IS NOT NULL THEN 'point' END,"
            " geo_score = CASE WHEN u.lat IS NOT NULL THEN 1.0 END,"
            " matched_address = NULL, geo_reason = NULL"
            " FROM _hm_updates AS u WHERE c.ticket_id = u.ticket_id"
        ).format(_assign(fields, "u")),
        (when,),
    )


def _assign(columns: Sequence[str], source: str) -> sql.Composable:
    return sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(c), sql.Identifier(source, c)) for c in columns
    )


def _iso(column: str) -> str:
    """SQL for a timestamptz as ISO 8601 UTC text with microseconds (the SQLite form)."""
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"


def _select(columns: Sequence[str], times: Sequence[str]) -> str:
    return ", ".join(
        f"{_iso(c)} AS {c}" if c in times else '"precision"' if c == "precision" else c for c in columns
    )


def _one(cursor: Cur) -> Any:
    row = cursor.fetchone()
    return None if row is None else row[0]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _why(exc: psycopg.Error) -> str:
    """A one-line reason for a driver error; lost connections said plainly."""
    text = _first_line(exc)
    if isinstance(exc, psycopg.OperationalError):
        return f"the connection to the server was lost or refused ({text})"
    code = f" [{exc.sqlstate}]" if exc.sqlstate else ""
    return f"{text}{code}"


def _connect_error(info: str) -> str:
    """Why a fresh connection cannot be made right now (for pool timeouts)."""
    try:
        with psycopg.connect(info, connect_timeout=5):
            return "the server accepts connections again; the pool was busy"
    except psycopg.Error as exc:
        return _first_line(exc)

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

One module per subject of :class:`heatmap.store.Store`, as the SQLite store has, all on
one pool (:class:`~heatmap.store.postgis.schema.PostGISBase`): ``schema``, ``ingest``
and ``complaints``, ``spots``, ``ground``, ``keys``, ``outbox``; ``bulk`` writes by
binary COPY, ``kinds`` types its columns, ``urls`` reads and shows URLs.
"""

from __future__ import annotations

from heatmap.store.migrate import migrations
from heatmap.store.postgis.complaints import PostGISComplaints, utm_epsg
from heatmap.store.postgis.ground import PostGISGround
from heatmap.store.postgis.ingest import PostGISIngest
from heatmap.store.postgis.keys import PostGISKeys
from heatmap.store.postgis.outbox import PostGISOutbox
from heatmap.store.postgis.spots import PostGISSpots
from heatmap.store.postgis.urls import conninfo, display_url, fresh_schema_url, schema_url

__all__ = [
    "PostGISStore",
    "conninfo",
    "display_url",
    "fresh_schema_url",
    "migrations",
    "schema_url",
    "utm_epsg",
]


class PostGISStore(PostGISIngest, PostGISComplaints, PostGISSpots, PostGISGround, PostGISKeys, PostGISOutbox):
    """:class:`heatmap.store.Store` on PostgreSQL with PostGIS."""

"""The PostGIS store's ground layers: network sites and alarms, exposure, coverage
(:class:`heatmap.store.GroundStore`)."""

from __future__ import annotations

import pandas as pd

from heatmap.core.network import ALARM_COLUMNS, SITE_COLUMNS
from heatmap.store.coverage import COVERAGE_SCHEMA, checked_coverage, coverage_frame
from heatmap.store.exposure import EXPOSURE_SCHEMA, check_source, checked_layer, exposure_frame
from heatmap.store.frames import alarm_frame, site_frame
from heatmap.store.postgis.bulk import copy_frame
from heatmap.store.postgis.kinds import ALARM_KINDS, COVERAGE_KINDS, EXPOSURE_KINDS, SITE_KINDS
from heatmap.store.postgis.schema import PostGISBase, iso


class PostGISGround(PostGISBase):
    """Sites, alarms, exposure and coverage: each replaced whole in one transaction (COPY)."""

    def replace_network(
        self, *, sites: pd.DataFrame | None = None, alarms: pd.DataFrame | None = None
    ) -> None:
        self._require_schema()
        with self._tx("replacing network sites and alarms", writes=True) as cursor:
            if sites is not None:
                cursor.execute("DELETE FROM sites")
                copy_frame(cursor, "sites", sites.loc[:, list(SITE_COLUMNS)], SITE_KINDS)
            if alarms is not None:
                cursor.execute("DELETE FROM alarms")
                copy_frame(cursor, "alarms", alarms.loc[:, list(ALARM_COLUMNS)], ALARM_KINDS)

    def load_sites(self) -> pd.DataFrame:
        self._require_schema()
        query = f'SELECT {", ".join(SITE_COLUMNS)} FROM sites ORDER BY site_id COLLATE "C"'
        return site_frame(self._frame("loading sites", query))

    def load_alarms(self) -> pd.DataFrame:
        self._require_schema()
        start, end = iso("start"), iso('"end"')
        query = (
            f'SELECT site_id, severity, {start} AS start, {end} AS "end", kind, text FROM alarms ORDER BY id'
        )
        return alarm_frame(self._frame("loading alarms", query))

    # --- exposure -------------------------------------------------------------------
    def replace_exposure(self, source: str, layer: pd.DataFrame) -> None:
        rows = checked_layer(source, layer).assign(source=source)
        self._require_schema(EXPOSURE_SCHEMA)
        with self._tx(f"replacing the {source} exposure layer", writes=True) as cursor:
            cursor.execute("DELETE FROM exposure WHERE source = %s", (source,))
            copy_frame(cursor, "exposure", rows, EXPOSURE_KINDS)

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
            copy_frame(cursor, "coverage", rows, COVERAGE_KINDS)

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

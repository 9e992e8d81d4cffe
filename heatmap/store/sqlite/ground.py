"""The SQLite store's ground layers: network sites and alarms, exposure, coverage
(:class:`heatmap.store.GroundStore`)."""

from __future__ import annotations

import sqlite3

import pandas as pd

from heatmap.core.coverage import COVERAGE_COLUMNS
from heatmap.core.network import ALARM_COLUMNS, SITE_COLUMNS
from heatmap.errors import StoreError
from heatmap.store.coverage import COVERAGE_SCHEMA, checked_coverage, coverage_frame
from heatmap.store.exposure import EXPOSURE_SCHEMA, check_source, checked_layer, exposure_frame
from heatmap.store.frames import alarm_frame, iso_utc, nullable, site_frame
from heatmap.store.sqlite.schema import SQLiteBase


class SQLiteGround(SQLiteBase):
    """Sites, alarms, exposure and coverage: each replaced whole in one transaction."""

    # --- network --------------------------------------------------------------------
    def replace_network(
        self, *, sites: pd.DataFrame | None = None, alarms: pd.DataFrame | None = None
    ) -> None:
        self._require_schema()
        with self._tx() as cursor:
            if sites is not None:
                cursor.execute("DELETE FROM sites")
                cursor.executemany(
                    f"INSERT INTO sites ({', '.join(SITE_COLUMNS)}) VALUES"
                    f" ({', '.join('?' * len(SITE_COLUMNS))})",
                    zip(*(nullable(sites[c]) for c in SITE_COLUMNS), strict=True),
                )
            if alarms is not None:
                frame = alarms.loc[:, list(ALARM_COLUMNS)].copy()
                frame["start"] = iso_utc(frame["start"])
                frame["end"] = iso_utc(frame["end"])
                cursor.execute("DELETE FROM alarms")
                cursor.executemany(
                    'INSERT INTO alarms (site_id, severity, start, "end", kind, text)'
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    zip(*(nullable(frame[c]) for c in ALARM_COLUMNS), strict=True),
                )

    def load_sites(self) -> pd.DataFrame:
        self._require_schema()
        return site_frame(self._frame(f"SELECT {', '.join(SITE_COLUMNS)} FROM sites ORDER BY site_id"))

    def load_alarms(self) -> pd.DataFrame:
        self._require_schema()
        return alarm_frame(
            self._frame('SELECT site_id, severity, start, "end", kind, text FROM alarms ORDER BY id')
        )

    # --- exposure -------------------------------------------------------------------
    def replace_exposure(self, source: str, layer: pd.DataFrame) -> None:
        rows = checked_layer(source, layer)
        self._require_schema(EXPOSURE_SCHEMA)
        try:
            with self._tx() as cursor:
                cursor.execute("DELETE FROM exposure WHERE source = ?", (source,))
                cursor.executemany(
                    "INSERT INTO exposure (source, h3_cell, weight) VALUES (?, ?, ?)",
                    zip([source] * len(rows), rows["h3_cell"].tolist(), rows["weight"].tolist(), strict=True),
                )
        except sqlite3.Error as exc:
            raise StoreError(
                f"replacing the {source} exposure layer failed on {self.url} and"
                f" was rolled back, nothing of it was stored: {exc}"
            ) from exc

    def load_exposure(self, source: str) -> pd.DataFrame:
        check_source(source)
        self._require_schema()
        if self.schema_version() < EXPOSURE_SCHEMA:
            return exposure_frame([])  # nothing can be stored before the upgrade
        return exposure_frame(
            self._db.execute(
                "SELECT h3_cell, weight FROM exposure WHERE source = ? ORDER BY h3_cell", (source,)
            )
        )

    # --- coverage -------------------------------------------------------------------
    def replace_coverage(self, layer: pd.DataFrame) -> None:
        rows = checked_coverage(layer)
        self._require_schema(COVERAGE_SCHEMA)
        with self._tx() as cursor:
            cursor.execute("DELETE FROM coverage")
            cursor.executemany(
                f"INSERT INTO coverage ({', '.join(COVERAGE_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
                zip(*(nullable(rows[c]) for c in COVERAGE_COLUMNS), strict=True),
            )

    def load_coverage(self) -> pd.DataFrame:
        self._require_schema()
        if self.schema_version() < COVERAGE_SCHEMA:
            return coverage_frame([])
        return coverage_frame(
            self._db.execute(f"SELECT {', '.join(COVERAGE_COLUMNS)} FROM coverage ORDER BY h3_cell")
        )

"""A running `heatmap serve` over PostGIS recovers its pool when the server drops it:
its connections killed on the shared server, or a private server restarted for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from heatmap.devtools.pgserver import PrivateServer
from heatmap.store import open_store

from .test_serve import call, running_server

ROOT = Path(__file__).resolve().parents[2]


def served_store(url: str) -> tuple[dict[str, str], str]:
    """Make the schema at ``url`` and an admin key; the environment `heatmap serve` needs."""
    store = open_store(url)
    store.upgrade()
    store.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HEATMAP_DB": url, "HEATMAP_API_LEAFLET_URL": ""}
    made = subprocess.run(
        [sys.executable, "-m", "heatmap", "keys", "create", "--role", "admin"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    return env, made.stdout.split()[-1]


@pytest.mark.postgis
def test_serve_recovers_its_pool_after_the_connections_are_killed() -> None:
    dsn = os.environ.get("HEATMAP_TEST_PG_DSN")
    if not dsn:
        pytest.skip("PostGIS tests need HEATMAP_TEST_PG_DSN=postgresql://… (see README)")
    from heatmap.store.postgis import fresh_schema_url

    with fresh_schema_url(dsn) as url:
        env, key = served_store(url)
        with running_server(env, "--log-level", "warning") as base:
            assert call(f"{base}/api/v1/spots", key)[0] == 200
            with psycopg.connect(dsn, autocommit=True) as admin:
                killed = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    " AND backend_type = 'client backend'"
                ).fetchone()
            assert killed is not None and killed[0] >= 1, "serve held pooled connections"
            statuses = [call(f"{base}/api/v1/spots", key)[0] for _ in range(3)]
            assert statuses[-1] == 200, f"the pool did not recover: {statuses}"


@pytest.mark.postgis
@pytest.mark.slow
def test_serve_recovers_after_the_server_restarts(private_pg: PrivateServer) -> None:
    env, key = served_store(private_pg.dsn)
    with running_server(env, "--log-level", "warning") as base:
        assert call(f"{base}/api/v1/spots", key)[0] == 200
        private_pg.restart()
        statuses = [call(f"{base}/api/v1/spots", key)[0] for _ in range(3)]
        assert statuses[-1] == 200, f"the pool did not recover: {statuses}"

"""PostgreSQL restarted for real while an ingest runs: the batch is rolled back whole,
the command says so, and a rerun on the same store object completes.

The shared test server cannot be restarted under other tests, so this runs on a
private server of its own (:mod:`heatmap.devtools.pgserver`)."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from heatmap.devtools.pgserver import PrivateServer
from heatmap.errors import StoreError
from heatmap.service import ingest
from heatmap.store.postgis import PostGISStore, conninfo, fresh_schema_url

pytestmark = [pytest.mark.postgis, pytest.mark.slow]

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "crm_export.csv"


def big_export(folder: Path, copies: int) -> Path:
    """The committed sample export repeated with distinct ticket ids."""
    sample = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    frames = [
        sample.assign(
            ticket_id=sample["ticket_id"].where(sample["ticket_id"] == "", sample["ticket_id"] + f"-{k}")
        )
        for k in range(copies)
    ]
    path = folder / "big.csv"
    pd.concat(frames, ignore_index=True).to_csv(path, index=False)
    return path


def test_restart_mid_ingest_rolls_back_and_a_rerun_completes(
    private_pg: PrivateServer, tmp_path: Path, now: datetime
) -> None:
    path = big_export(tmp_path, copies=60)
    with fresh_schema_url(private_pg.dsn) as url:
        name = "hm_restart_test"
        store = PostGISStore(f"{url}&application_name={name}")
        store.upgrade()
        outcome: dict[str, object] = {}

        def run() -> None:
            try:
                outcome["report"] = ingest(store, [path], now=now)
            except BaseException as exc:
                outcome["error"] = exc

        worker = threading.Thread(target=run)
        worker.start()
        restarted = False
        deadline = time.monotonic() + 120
        with psycopg.connect(conninfo(private_pg.dsn), autocommit=True) as monitor:
            while worker.is_alive() and time.monotonic() < deadline:
                busy = monitor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
                    " AND state = 'active' AND query ILIKE 'COPY%%complaints%%'",
                    (name,),
                ).fetchone()
                if busy and busy[0]:
                    break
                time.sleep(0.002)
        if worker.is_alive():
            private_pg.restart()
            restarted = True
        worker.join(120)
        assert restarted, f"the ingest finished before the server could be restarted: {outcome}"
        error = outcome.get("error")
        assert isinstance(error, StoreError), outcome
        message = str(error)
        assert "ingest of" in message and "big.csv" in message, message
        assert "nothing of it was stored" in message, message
        assert "connection to the server was lost" in message, message

        # The same store object works again: nothing of the batch is there, and a rerun completes.
        assert store.load_complaints().empty
        assert store.load_quarantine().empty
        report = ingest(store, [path], now=now)
        assert report.totals["read"] == 60 * len(pd.read_csv(SAMPLE, dtype=str))
        assert report.totals["inserted"] + report.totals["quarantined"] == report.totals["read"]
        assert len(store.load_complaints()) == report.totals["inserted"]
        with psycopg.connect(conninfo(url), autocommit=True) as check:
            assert check.execute("SELECT count(*) FROM ingests").fetchone() == (1,)
        store.close()

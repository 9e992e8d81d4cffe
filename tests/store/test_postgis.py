"""The PostGIS store beyond the shared protocol tests: parity with SQLite, concurrency,
faults, geometry, server-side DBSCAN. Every test needs HEATMAP_TEST_PG_DSN."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg
import pytest

from heatmap.core.ingest import content_hashes, validate_export
from heatmap.core.policy import load_policy
from heatmap.detect.run import DetectParams
from heatmap.errors import MigrationError, StoreError
from heatmap.io.exports import read_export
from heatmap.service import detect_spots, ingest
from heatmap.store import Store, open_store
from heatmap.store.base import IngestWrite
from heatmap.store.sqlite import migrations

pytestmark = pytest.mark.postgis

DSN = os.environ.get("HEATMAP_TEST_PG_DSN")
LATEST = migrations("postgis")[-1][0]
HEADER = "ticket_id,created_at,msisdn,segment,ltv,topic,description,address,lat,lon,region,channel\n"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema in the test database (dropped afterwards)."""
    if not DSN:
        pytest.skip("PostGIS tests need HEATMAP_TEST_PG_DSN=postgresql://… (see README)")
    from heatmap.store.postgis import fresh_schema_url

    with fresh_schema_url(DSN) as url:
        yield url


@pytest.fixture
def pg(pg_url: str) -> Iterator[Any]:
    """A PostGIS store with its schema."""
    from heatmap.store.postgis import PostGISStore

    store = PostGISStore(pg_url)
    store.upgrade()
    yield store
    store.close()


def sql_rows(url: str, query: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    """Run ``query`` on the store's schema through a connection of its own."""
    from heatmap.store.postgis import conninfo

    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        cursor = conn.execute(query, params or None)
        return cursor.fetchall() if cursor.description else []


def write_export(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def synthetic_rows(ids: range, *, note: str = "Нет сети", lat0: float = 59.22) -> list[str]:
    """Located complaints around Vologda: ticket K<id>, one subscriber each."""
    rows = []
    for i in ids:
        lat = lat0 + (i % 97) * 1e-4
        lon = 39.88 + (i % 89) * 1e-4
        rows.append(
            f"K{i:06d},2026-11-19T{i % 24:02d}:{i % 60:02d}:00+03:00,8916{i:07d},mass,{i % 500},"
            f"no_coverage,{note} {i % 7},,{lat:.6f},{lon:.6f},R,app"
        )
    return rows


def sorted_frame(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame.sort_values(key, kind="stable").reset_index(drop=True)


def assert_same_complaints(left: Store, right: Store) -> None:
    pd.testing.assert_frame_equal(
        sorted_frame(left.load_complaints(), "ticket_id"),
        sorted_frame(right.load_complaints(), "ticket_id"),
    )


def fake_geocodes(pending: pd.DataFrame) -> pd.DataFrame:
    """Deterministic 'geocoding' of address-only complaints: a house near the centre."""
    codes = pending["ticket_id"].map(lambda t: sum(map(ord, t)) % 50).to_numpy(float)
    return pd.DataFrame(
        {
            "ticket_id": pending["ticket_id"].to_numpy(),
            "lat": 59.2160 + codes * 1e-4,
            "lon": 39.8900 + codes * 1e-4,
            "precision": np.where(codes % 5 == 0, "street", "house"),
            "geo_score": 0.5 + codes / 100.0,
            "matched_address": "г. Вологда, ул. Мира, д. " + pd.Series(codes.astype(int)).astype(str),
            "geo_reason": pd.Series(codes % 5 == 0)
            .map({True: "house number not found", False: None})
            .to_numpy(),
        }
    )


# --- parity with SQLite ----------------------------------------------------------------
def test_same_export_gives_the_same_store_as_sqlite(
    pg: Any, pg_url: str, tmp_path: Path, now: datetime, sample_export: Path
) -> None:
    assert_parity_with_sqlite(pg, pg_url, tmp_path, now, sample_export)


@pytest.mark.parametrize("private_pg", ["ru_RU.UTF-8"], indirect=True)
def test_a_russian_locale_database_gives_the_same_store_as_sqlite(
    private_pg: Any, tmp_path: Path, now: datetime, sample_export: Path
) -> None:
    """ru_RU.UTF-8, usual for Russian operators, orders text by other rules than bytes
    (case and hyphens count for little): the answers must not change with it."""
    from heatmap.store.postgis import PostGISStore

    # Tickets whose order differs between the locale and bytes: lower and upper case,
    # hyphens, Cyrillic.
    text = sample_export.read_text(encoding="utf-8").splitlines()
    odd = [
        line.replace("CRM-", prefix, 1)
        for line, prefix in zip(
            text[1:9], ["crm-", "Crm", "CRM_", "ЖК-", "жк-", "CRM--", "a-", "B-"], strict=True
        )
    ]
    export = tmp_path / "ru.csv"
    export.write_text("\n".join([text[0], *odd, *text[9:]]) + "\n", encoding="utf-8")
    with psycopg.connect(private_pg.dsn) as conn:
        assert conn.execute("SHOW lc_collate").fetchone() == ("ru_RU.UTF-8",)
    store = PostGISStore(private_pg.dsn)
    store.upgrade()
    assert_parity_with_sqlite(store, private_pg.dsn, tmp_path, now, export)
    store.close()


def assert_parity_with_sqlite(
    pg: Any, pg_url: str, tmp_path: Path, now: datetime, sample_export: Path
) -> None:
    """Three exports, geocoding and three detection runs give the same store on both."""
    lite = open_store(f"sqlite:///{tmp_path / 'parity.db'}")
    lite.upgrade()
    # Pseudonymous subscriber ids are keyed by the store's secret: share one.
    sql_rows(pg_url, "UPDATE meta SET value = %s WHERE key = 'secret'", (lite.secret().hex(),))
    assert pg.secret() == lite.secret()
    stores: list[Store] = [lite, pg]

    first = [ingest(s, [sample_export], now=now).totals for s in stores]
    assert first[0] == first[1]
    assert first[0]["inserted"] > 2000 and first[0]["quarantined"] > 0
    assert_same_complaints(lite, pg)
    pd.testing.assert_frame_equal(lite.load_quarantine(), pg.load_quarantine())

    # A second export: some tickets changed, some new, the rest the same.
    text = sample_export.read_text(encoding="utf-8").splitlines()
    header, body = text[0], text[1:]
    changed = [line.replace("Нет", "Совсем нет", 1) if i % 10 == 0 else line for i, line in enumerate(body)]
    extra = [line.replace(",", "-B,", 1) for line in body[:50] if line.startswith("CRM")]
    v2 = tmp_path / "v2.csv"
    v2.write_text("\n".join([header, *changed, *extra]) + "\n", encoding="utf-8")
    second = [ingest(s, [v2], now=now + timedelta(hours=1)).totals for s in stores]
    assert second[0] == second[1]
    assert second[0]["updated"] > 0 and second[0]["inserted"] > 0
    assert_same_complaints(lite, pg)
    assert_same_complaints(lite, pg)  # pending and since filters too:
    for s in stores:
        assert len(s.load_complaints(pending_geocode=True)) > 0
    pd.testing.assert_frame_equal(
        sorted_frame(lite.load_complaints(pending_geocode=True), "ticket_id"),
        sorted_frame(pg.load_complaints(pending_geocode=True), "ticket_id"),
    )
    since = (now - timedelta(days=5)).replace(microsecond=0)
    pd.testing.assert_frame_equal(
        sorted_frame(lite.load_complaints(since=since), "ticket_id"),
        sorted_frame(pg.load_complaints(since=since), "ticket_id"),
    )
    pd.testing.assert_frame_equal(lite.complaint_hashes(["nope"]), pg.complaint_hashes(["nope"]))
    some = lite.load_complaints()["ticket_id"].tolist()[:30]
    pd.testing.assert_frame_equal(
        sorted_frame(lite.complaint_hashes(some), "ticket_id"),
        sorted_frame(pg.complaint_hashes(some), "ticket_id"),
    )

    geocodes = fake_geocodes(lite.load_complaints(pending_geocode=True))
    for s in stores:
        s.save_geocodes(geocodes)
    assert_same_complaints(lite, pg)

    # A third export changes geocoded (address-only) and located tickets alike.
    v3 = tmp_path / "v3.csv"
    v3.write_text(
        "\n".join([header, *[line.replace("Нет", "Опять нет", 1) for line in changed], *extra]) + "\n",
        encoding="utf-8",
    )
    third = [ingest(s, [v3], now=now + timedelta(hours=1, minutes=30)).totals for s in stores]
    assert third[0] == third[1] and third[0]["updated"] > 0
    assert_same_complaints(lite, pg)

    policy = load_policy()
    for when, params in [
        (now + timedelta(hours=2), DetectParams()),
        (now + timedelta(hours=3), DetectParams()),
        (now + timedelta(hours=4), DetectParams(method="dbscan")),
    ]:
        reports = [detect_spots(s, params=params, policy=policy, now=when) for s in stores]
        assert reports[0] == reports[1]
        spots = [s.load_spots() for s in stores]
        assert len(spots[0]) > 0
        pd.testing.assert_frame_equal(spots[0].drop(columns="geometry"), spots[1].drop(columns="geometry"))
        for a, b in zip(spots[0]["geometry"], spots[1]["geometry"], strict=True):
            assert a.equals_exact(b, tolerance=0.0), (a, b)
        pd.testing.assert_frame_equal(lite.load_events(), pg.load_events())
        assert_same_complaints(lite, pg)  # members: spot_id of every complaint
    open_ids = spots[0]["id"].iloc[:2].tolist()
    pd.testing.assert_frame_equal(
        lite.load_spots(statuses=["queued"]), pg.load_spots(statuses=["queued"]), check_exact=False
    )
    pd.testing.assert_frame_equal(lite.load_events(open_ids[0]), pg.load_events(open_ids[0]))
    pd.testing.assert_frame_equal(lite.load_quarantine(limit=3), pg.load_quarantine(limit=3))
    lite.close()


def test_copy_keeps_every_text_and_number_exactly(pg: Any, tmp_path: Path, now: datetime) -> None:
    """Quotes, commas, newlines, backslashes, a lone \\. line, empty text vs NULL, inf."""
    lite = open_store(f"sqlite:///{tmp_path / 'copy.db'}")
    lite.upgrade()
    tricky = [
        'say "hi", then\nleave',
        "back\\slash \\N",
        "\\.",
        "line\n\\.\nnext",
        "",
        "tab\there;",
        "эмодзи 📶",
        " padded ",
    ]
    n = len(tricky)
    complaints = pd.DataFrame(
        {
            "ticket_id": [f"C{i}" for i in range(n)],
            "created_at": pd.Timestamp("2026-11-19T07:00:00.123456Z") + pd.to_timedelta(range(n), "s"),
            "msisdn": [None, "+79160000001", *[None] * (n - 2)],
            "subscriber_id": [f"s{i}" for i in range(n)],
            "segment": "mass",
            "ltv": [float("inf"), 0.1 + 0.2, 1e-7, np.nan, 123456789.125, -0.0, 5.0, 7.5],
            "topic": "no_coverage",
            "topic_source": "crm",
            "description": tricky,
            "address": tricky[::-1],
            "lat": [59.123456789012, *[np.nan] * (n - 1)],
            "lon": [39.987654321098, *[np.nan] * (n - 1)],
            "region": None,
            "channel": "app",
        }
    )
    complaints["content_hash"] = content_hashes(complaints)
    quarantine = pd.DataFrame(
        {"source": "t.csv", "line": range(2, 2 + n), "raw": tricky, "reasons": tricky[::-1]}
    )
    for s in (lite, pg):
        counts = s.apply_ingest(
            IngestWrite(source="t.csv", at=now, read=2 * n, complaints=complaints, quarantine=quarantine)
        )
        assert counts["inserted"] == n and counts["quarantined"] == n
    assert_same_complaints(lite, pg)
    assert pg.load_complaints(ticket_ids=["C4"]).at[0, "description"] == ""
    assert pg.load_complaints(ticket_ids=["C0"]).at[0, "ltv"] == float("inf")
    pd.testing.assert_frame_equal(lite.load_quarantine(), pg.load_quarantine())
    assert pg.load_quarantine()["raw"].tolist() == tricky
    lite.close()


def test_empty_store_frames_match_sqlite(pg: Any, tmp_path: Path) -> None:
    lite = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    lite.upgrade()
    pd.testing.assert_frame_equal(lite.load_complaints(), pg.load_complaints())
    pd.testing.assert_frame_equal(lite.load_complaints(ticket_ids=[]), pg.load_complaints(ticket_ids=[]))
    pd.testing.assert_frame_equal(lite.load_spots(), pg.load_spots())
    pd.testing.assert_frame_equal(lite.load_events(), pg.load_events())
    pd.testing.assert_frame_equal(lite.load_quarantine(), pg.load_quarantine())
    pd.testing.assert_frame_equal(lite.complaint_hashes([]), pg.complaint_hashes([]))
    lite.close()


# --- concurrency ---------------------------------------------------------------------
def test_concurrent_overlapping_ingests_lose_and_duplicate_nothing(
    pg_url: str, tmp_path: Path, now: datetime
) -> None:
    from heatmap.store.postgis import PostGISStore

    setup = PostGISStore(pg_url)
    setup.upgrade()
    key = setup.secret()
    # A: K0..K5999; B: K3000..K8999, of which K3000..K4499 say something else.
    a = write_export(tmp_path / "a.csv", synthetic_rows(range(0, 6000)))
    b = write_export(
        tmp_path / "b.csv",
        synthetic_rows(range(3000, 4500), note="Плохо") + synthetic_rows(range(4500, 9000)),
    )
    batches = {}
    for path in (a, b):
        checked = validate_export(read_export(path), key=key)
        assert checked.quarantine.empty
        batches[path.name] = IngestWrite(
            source=path.name,
            at=now,
            read=checked.read,
            complaints=checked.complaints,
            quarantine=checked.quarantine,
        )
    stores = {name: PostGISStore(pg_url) for name in batches}  # two independent pools
    start = threading.Barrier(len(batches))
    results: dict[str, dict[str, int]] = {}
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            start.wait()
            results[name] = stores[name].apply_ingest(batches[name])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    first, second = sorted(results, key=lambda n: -results[n]["inserted"])
    assert results[first]["inserted"] == 6000, results
    assert results[second] == {
        "read": 6000,
        "inserted": 3000,
        "updated": 1500,
        "unchanged": 1500,
        "quarantined": 0,
    }, results

    stored = setup.load_complaints()
    assert len(stored) == 9000
    assert stored["ticket_id"].is_unique
    assert set(stored["ticket_id"]) == {f"K{i:06d}" for i in range(9000)}
    changed = stored.set_index("ticket_id").loc[[f"K{i:06d}" for i in range(3000, 4500)]]
    expected = "Плохо" if second == "b.csv" else "Нет сети"
    assert changed["description"].str.startswith(expected).all()
    assert sql_rows(pg_url, "SELECT count(*), count(DISTINCT ticket_id) FROM complaint_changes") == [
        (1500, 1500)
    ]
    assert sql_rows(pg_url, "SELECT count(*) FROM ingests") == [(2,)]
    for s in [setup, *stores.values()]:
        s.close()


# --- faults ----------------------------------------------------------------------------
def big_batch(n: int, now: datetime) -> IngestWrite:
    """A validated batch of ``n`` located complaints, built without the validator."""
    i = np.arange(n)
    complaints = pd.DataFrame(
        {
            "ticket_id": pd.Series(i).map("BIG-{:07d}".format).astype(str),
            "created_at": pd.Timestamp("2026-11-01T00:00:00Z") + pd.to_timedelta(i, unit="s"),
            "msisdn": pd.Series(i).map("+7916{:07d}".format).astype(str),
            "subscriber_id": pd.Series(i % 50_000).map("s:{:020x}".format).astype(str),
            "segment": np.where(i % 10 == 0, "vip", "mass"),
            "ltv": (i % 1000).astype(float),
            "topic": "no_coverage",
            "topic_source": "crm",
            "description": "Нет сети дома, звоню с работы",
            "address": None,
            "lat": 59.0 + (i % 1000) / 1e4,
            "lon": 39.0 + (i // 1000) / 1e4,
            "region": "Вологодская область",
            "channel": "app",
        }
    )
    complaints["content_hash"] = content_hashes(complaints)
    quarantine = pd.DataFrame(
        {
            "source": "big.csv",
            "line": [2, 3],
            "raw": ["{}", "[]"],
            "reasons": ["missing ticket_id", "missing ticket_id"],
        }
    )
    return IngestWrite(source="big.csv", at=now, read=n + 2, complaints=complaints, quarantine=quarantine)


def with_application_name(url: str, name: str) -> str:
    return f"{url}&application_name={name}"


@pytest.mark.slow
def test_backend_killed_mid_ingest_stores_nothing_and_the_pool_recovers(pg_url: str, now: datetime) -> None:
    from heatmap.store.postgis import PostGISStore

    name = f"hm_fault_{os.getpid()}_{time.monotonic_ns() % 10**6}"
    store = PostGISStore(with_application_name(pg_url, name))
    store.upgrade()
    indexes = "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1"
    before = sql_rows(pg_url, indexes)
    batch = big_batch(200_000, now)
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["counts"] = store.apply_ingest(batch)
        except BaseException as exc:
            outcome["error"] = exc

    from heatmap.store.postgis import conninfo

    killed = False
    with psycopg.connect(conninfo(pg_url), autocommit=True) as monitor:
        worker = threading.Thread(target=run)
        worker.start()
        deadline = time.monotonic() + 120
        while worker.is_alive() and time.monotonic() < deadline and not killed:
            # Kill the backend while it is inside the COPY of the complaints.
            rows = monitor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s AND state = 'active'"
                " AND query ILIKE 'COPY%%complaints%%'",
                (name,),
            ).fetchall()
            killed = any(r[0] for r in rows)
            time.sleep(0.002)
    worker.join(120)
    assert killed, f"the ingest finished before it could be interrupted: {outcome}"
    error = outcome.get("error")
    assert isinstance(error, StoreError), outcome
    message = str(error)
    assert "ingest of big.csv" in message and "nothing of it was stored" in message
    assert "connection to the server was lost" in message
    print(message)

    # Nothing of the batch is there, and the same store object works again.
    assert store.load_complaints().empty
    assert store.load_quarantine().empty
    assert sql_rows(pg_url, "SELECT count(*) FROM ingests") == [(0,)]
    assert sql_rows(pg_url, indexes) == before, "every index is back as it was"
    counts = store.apply_ingest(batch)
    assert counts == {"read": 200_002, "inserted": 200_000, "updated": 0, "unchanged": 0, "quarantined": 2}
    assert sql_rows(pg_url, "SELECT count(*), count(geom) FROM complaints") == [(200_000,) * 2]
    assert sql_rows(pg_url, indexes) == before
    store.close()


def test_pool_replaces_connections_the_server_dropped(pg_url: str) -> None:
    """What a server restart does to idle pooled connections: they are checked and replaced."""
    from heatmap.store.postgis import PostGISStore

    name = f"hm_idle_{os.getpid()}_{time.monotonic_ns() % 10**6}"
    store = PostGISStore(with_application_name(pg_url, name))
    store.upgrade()
    assert store.load_spots().empty
    dropped = sql_rows(
        pg_url,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
        (name,),
    )
    assert dropped[0][0] >= 1
    for _ in range(3):
        assert store.load_spots().empty
        assert store.schema_version() == LATEST
    store.close()


def test_unreachable_server_is_a_store_error() -> None:
    from heatmap.store.postgis import PostGISStore

    with pytest.raises(StoreError, match=r"cannot connect to postgresql://nobody@127\.0\.0\.1:1/"):
        PostGISStore("postgresql://nobody:secret@127.0.0.1:1/nowhere?connect_timeout=2")


def test_failed_write_is_a_store_error_and_rolls_back(pg: Any, tmp_path: Path, now: datetime) -> None:
    path = write_export(tmp_path / "e.csv", synthetic_rows(range(10)))
    checked = validate_export(read_export(path), key=pg.secret())
    broken = checked.complaints.assign(subscriber_id=None)  # NOT NULL in the schema
    with pytest.raises(StoreError, match=r"ingest of e\.csv failed.*rolled back.*subscriber_id"):
        pg.apply_ingest(
            IngestWrite(source="e.csv", at=now, read=10, complaints=broken, quarantine=checked.quarantine)
        )
    assert pg.load_complaints().empty
    assert ingest(pg, [path], now=now).totals["inserted"] == 10


# --- schema and geometry ----------------------------------------------------------------
def test_geometry_columns_indexes_and_points(pg: Any, pg_url: str, tmp_path: Path, now: datetime) -> None:
    rows = [*synthetic_rows(range(3)), "A1,2026-11-19T10:00:00+03:00,,mass,,,,ул. Мира 1,,,R,app"]
    ingest(pg, [write_export(tmp_path / "g.csv", rows)], now=now)
    columns = sql_rows(
        pg_url,
        "SELECT f_table_name, f_geometry_column, type, srid"
        " FROM geometry_columns WHERE f_table_schema = current_schema()"
        " AND f_table_name IN ('complaints', 'spots') ORDER BY 1",
    )
    assert columns == [("complaints", "geom", "POINT", 4326), ("spots", "geometry", "GEOMETRY", 4326)]
    gist = sql_rows(
        pg_url,
        "SELECT tablename FROM pg_indexes WHERE schemaname = current_schema()"
        " AND indexdef ILIKE '%USING gist%'",
    )
    assert {("complaints",), ("spots",)} <= set(gist)
    points = dict(sql_rows(pg_url, "SELECT ticket_id, ST_AsText(geom) FROM complaints"))
    frame = pg.load_complaints().set_index("ticket_id")
    assert points["K000001"] == f"POINT({frame.at['K000001', 'lon']} {frame.at['K000001', 'lat']})"
    assert points["A1"] is None, "an unlocated complaint has no point"
    pg.save_geocodes(
        pd.DataFrame(
            {
                "ticket_id": ["A1"],
                "lat": [59.2],
                "lon": [39.9],
                "precision": ["house"],
                "geo_score": [0.9],
                "matched_address": ["ул. Мира, 1"],
                "geo_reason": [None],
            }
        )
    )
    assert sql_rows(pg_url, "SELECT ST_AsText(geom) FROM complaints WHERE ticket_id = 'A1'") == [
        ("POINT(39.9 59.2)",)
    ]
    times = sql_rows(
        pg_url,
        "SELECT data_type FROM information_schema.columns WHERE"
        " table_schema = current_schema() AND table_name = 'complaints'"
        " AND column_name IN ('created_at', 'ingested_at', 'updated_at')",
    )
    assert {t[0] for t in times} == {"timestamp with time zone"}
    secret = sql_rows(pg_url, "SELECT value FROM meta WHERE key = 'secret'")[0][0]
    assert bytes.fromhex(secret) == pg.secret() and len(secret) == 64


def test_changes_keep_the_old_values_as_jsonb(pg: Any, pg_url: str, tmp_path: Path, now: datetime) -> None:
    ingest(pg, [write_export(tmp_path / "1.csv", synthetic_rows(range(2)))], now=now)
    ingest(
        pg,
        [write_export(tmp_path / "2.csv", synthetic_rows(range(2), note="Плохо"))],
        now=now + timedelta(hours=1),
    )
    rows = sql_rows(
        pg_url,
        "SELECT ticket_id, old_values, jsonb_typeof(old_values), old_hash"
        " <> new_hash FROM complaint_changes ORDER BY id",
    )
    assert [r[0] for r in rows] == ["K000000", "K000001"]
    old = rows[0][1]
    assert rows[0][2] == "object" and rows[0][3]
    assert old["description"] == "Нет сети 0" and old["lat"] == pytest.approx(59.22)
    assert old["created_at"] == "2026-11-18T21:00:00.000000Z"


def test_long_quarantined_rows_are_kept_once(pg: Any, tmp_path: Path, now: datetime) -> None:
    long = "x" * 5000
    path = write_export(tmp_path / "q.csv", [f"Q1,2026-11-19T10:00:00+03:00,,gold,,,{long},,,,R,"])
    for _ in range(2):
        assert ingest(pg, [path], now=now).totals["quarantined"] == 1
    quarantined = pg.load_quarantine()
    assert len(quarantined) == 1 and long in quarantined.at[0, "raw"]


def test_schema_newer_than_the_package_is_refused(pg: Any, pg_url: str) -> None:
    sql_rows(pg_url, "INSERT INTO schema_migrations (version, name) VALUES (99, 'future')")
    with pytest.raises(MigrationError, match="newer than this version"):
        pg.upgrade()


def test_postgis_has_the_same_migration_versions_as_sqlite(pg: Any) -> None:
    versions = [v for v, _, _ in migrations("postgis")]
    assert versions == [v for v, _, _ in migrations("sqlite")]
    assert pg.schema_version() == LATEST


def test_identifiers_compare_byte_by_byte_after_an_upgrade_with_data(
    pg_url: str, tmp_path: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 6 (key columns COLLATE "C") applied to a store at version 5 that holds
    complaints, spots and changes: nothing is lost and the keys still hold."""
    import heatmap.store.postgis as postgis
    from heatmap.store import migrate

    monkeypatch.setattr(migrate, "migrations", lambda dialect: migrations(dialect)[:5])
    store = postgis.PostGISStore(pg_url)
    assert store.upgrade() == [1, 2, 3, 4, 5]
    ingest(store, [write_export(tmp_path / "1.csv", synthetic_rows(range(40)))], now=now)
    ingest(
        store,
        [write_export(tmp_path / "2.csv", synthetic_rows(range(2), note="Плохо"))],
        now=now + timedelta(hours=1),
    )
    detect_spots(
        store,
        params=DetectParams(h3_res=7, window_days=3650, rule="count"),
        policy=load_policy(),
        now=now + timedelta(hours=2),
    )
    before = store.load_complaints()
    monkeypatch.undo()
    assert store.upgrade() == [v for v, _, _ in migrations("postgis") if v > 5]
    keys = {
        (table, column)
        for table, column, collation in sql_rows(
            pg_url,
            "SELECT table_name, column_name, collation_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND collation_name = 'C'",
        )
    }
    assert {
        ("complaints", "ticket_id"),
        ("complaints", "spot_id"),
        ("spots", "id"),
        ("complaint_changes", "ticket_id"),
        ("ratings", "subscriber_id"),
    } <= keys
    pd.testing.assert_frame_equal(store.load_complaints(), before)
    assert before["spot_id"].notna().any()
    with pytest.raises(psycopg.errors.UniqueViolation):
        sql_rows(
            pg_url,
            "INSERT INTO complaints (ticket_id, created_at, subscriber_id, segment,"
            " content_hash, ingested_at, updated_at) SELECT ticket_id, created_at,"
            " subscriber_id, segment, content_hash, ingested_at, updated_at FROM complaints"
            " LIMIT 1",
        )
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        sql_rows(pg_url, "UPDATE complaint_changes SET ticket_id = 'nowhere'")
    store.close()


def test_fresh_schema_url_makes_and_drops_a_schema() -> None:
    if not DSN:
        pytest.skip("PostGIS tests need HEATMAP_TEST_PG_DSN=postgresql://… (see README)")
    from heatmap.store.postgis import fresh_schema_url

    with fresh_schema_url(DSN) as url:
        assert "options=-csearch_path%3Dheatmap_" in url
        schema = sql_rows(url, "SELECT current_schema()")[0][0]
        assert schema.startswith("heatmap_")
        assert sql_rows(url, "SHOW search_path") == [(f"{schema},public",)]
    assert sql_rows(DSN, "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)) == [(0,)]


def test_url_helpers() -> None:
    from heatmap.store.postgis import conninfo, display_url, schema_url, utm_epsg

    url = schema_url("postgresql://u:pw@db:5433/hm?sslmode=disable&options=-cwork_mem%3D64MB", "s1")
    assert url.startswith("postgresql://u:pw@db:5433/hm?")
    assert "sslmode=disable" in url
    assert "options=-cwork_mem%3D64MB+-csearch_path%3Ds1%2Cpublic" in url
    assert "pw" not in display_url(url) and "search_path=s1,public" in display_url(url)
    assert conninfo("postgis://u@h/db") == "postgresql://u@h/db"
    assert schema_url("host=h dbname=d", "s2").startswith("postgresql://?")
    assert utm_epsg(59.22, 39.89) == 32637  # Vologda
    assert utm_epsg(-33.87, 151.21) == 32756  # Sydney
    assert utm_epsg(0.0, 180.0) == 32601 and utm_epsg(10.0, -180.0) == 32601


# --- server-side detection ---------------------------------------------------------------
def test_cluster_dbscan_agrees_with_label_dbscan(pg: Any, tmp_path: Path, now: datetime) -> None:
    try:
        from heatmap.detect.dbscan import label_dbscan
    except ImportError:
        pytest.skip("heatmap.detect.dbscan.label_dbscan does not exist yet")
    from sklearn.metrics import adjusted_rand_score

    from heatmap.devtools.samples import SAMPLES_NOW, generate_export, read_addresses
    from heatmap.io.writers import write_table

    frame, _ = generate_export(read_addresses(), n=4000, seed=11, now=SAMPLES_NOW)
    path = tmp_path / "dbscan.csv"
    write_table(frame, path)
    ingest(pg, [path], now=now)
    pg.save_geocodes(fake_geocodes(pg.load_complaints(pending_geocode=True)))

    server = pg.cluster_dbscan(250.0, 5)
    located = sorted_frame(pg.load_complaints(), "ticket_id")
    located = located[located["lat"].notna()].reset_index(drop=True)
    assert server["ticket_id"].tolist() == located["ticket_id"].tolist()
    assert len(server) > 3000
    local = label_dbscan(located["lat"].to_numpy(), located["lon"].to_numpy(), eps_m=250.0, min_subscribers=5)
    assert (local >= 0).sum() > 1000 and local.max() >= 2, "the data should have clusters"
    score = adjusted_rand_score(local, server["cluster"].to_numpy())
    assert score >= 0.98, score
    assert (server["cluster"] == -1).any() and server["cluster"].dtype == np.int64

    recent = pg.cluster_dbscan(250.0, 5, since=now - timedelta(days=3))
    assert 0 < len(recent) < len(server)

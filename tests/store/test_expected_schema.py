"""Schema 7 on every store kind: spot evidence columns, exposure layers, the upgrade from 6."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from heatmap.errors import InputError, MigrationError, StoreError, UsageError
from heatmap.service import ingest
from heatmap.store import Store, migrate, open_store
from heatmap.store import exposure as stored_exposure
from heatmap.store.base import EVENT_COLUMNS, SPOT_COLUMNS, SPOT_MEASURES, SpotChanges
from heatmap.store.exposure import EXPOSURE_SOURCES
from heatmap.store.sqlite import migrations

HEADER = "ticket_id,created_at,msisdn,segment,ltv,topic,description,address,lat,lon,region,channel\n"
CELLS = ["8b11aa6a0001fff", "8b11aa6a0002fff", "8b11aa6a0003fff"]
NEW_COLUMNS = (*SPOT_MEASURES, "trend")


def spot_row(spot_id: str, now: datetime, **values: object) -> dict[str, object]:
    """A stored-shape spot without the schema-7 columns, then ``values`` on top."""
    row: dict[str, object] = {c: None for c in SPOT_COLUMNS if c not in NEW_COLUMNS}
    row.update(
        id=spot_id,
        status="queued",
        method="h3",
        centroid_lat=59.22,
        centroid_lon=39.88,
        geometry=shapely.Point(39.88, 59.22).buffer(0.001),
        complaints=4,
        subscribers=3,
        first_complaint_at=pd.Timestamp(now) - pd.Timedelta(hours=5),
        last_complaint_at=pd.Timestamp(now),
        priority=12.5,
        breakdown={"segment": 1.0},
        created_at=pd.Timestamp(now),
        updated_at=pd.Timestamp(now),
        eta=pd.NaT,
        due_at=pd.NaT,
        kind="detected",
        escalated=False,
    )
    row.update(values)
    return row


def write_spots(store: Store, rows: list[dict[str, object]], now: datetime) -> None:
    store.apply_spot_changes(
        SpotChanges(
            at=now,
            spots=pd.DataFrame(rows),
            members=pd.DataFrame(columns=["ticket_id", "spot_id"]),
            events=pd.DataFrame(columns=list(EVENT_COLUMNS)),
        )
    )


def layer(cells: list[str], weights: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"h3_cell": cells, "weight": weights})


# --- spots ----------------------------------------------------------------------------
def test_spot_evidence_and_trend_round_trip(store: Store, now: datetime) -> None:
    write_spots(
        store,
        [
            spot_row(
                "S1",
                now,
                observed=7.5,
                expected=1.25,
                excess=6.25,
                relative_risk=6.0,
                p_value=1.5e-9,
                trend="intensifying",
            ),
            spot_row(
                "S2",
                now,
                observed=3.0,
                expected=float("nan"),
                excess=None,
                relative_risk=np.float64(2.5),
                p_value=np.nan,
                trend=None,
            ),
        ],
        now,
    )
    spots = store.load_spots().set_index("id")
    assert list(spots.reset_index().columns) == list(SPOT_COLUMNS)
    assert spots.loc["S1", ["observed", "expected", "excess", "relative_risk", "p_value"]].tolist() == [
        7.5,
        1.25,
        6.25,
        6.0,
        1.5e-9,
    ]
    assert spots.loc["S1", "trend"] == "intensifying"
    assert spots.loc["S2", "observed"] == 3.0 and spots.loc["S2", "relative_risk"] == 2.5
    assert all(math.isnan(spots.loc["S2", c]) for c in ("expected", "excess", "p_value"))
    assert spots.loc["S2", "trend"] is None
    assert all(spots[c].dtype == np.float64 for c in SPOT_MEASURES)


def test_a_spots_frame_without_the_evidence_stores_null(store: Store, now: datetime) -> None:
    write_spots(store, [spot_row("S1", now, observed=5.0, trend="new")], now)
    write_spots(store, [spot_row("S1", now, priority=20.0), spot_row("S2", now)], now)
    spots = store.load_spots()
    assert spots["id"].tolist() == ["S1", "S2"]
    assert spots[list(SPOT_MEASURES)].isna().all().all()
    assert spots["trend"].tolist() == [None, None]


def test_a_trend_outside_the_labels_is_refused(store: Store, now: datetime) -> None:
    with pytest.raises(Exception, match=r"(?i)check"):
        write_spots(store, [spot_row("S1", now, trend="sporadic")], now)
    assert store.load_spots().empty


# --- exposure -------------------------------------------------------------------------
def test_exposure_sources_are_those_detection_knows() -> None:
    detection = pytest.importorskip("heatmap.detect.exposure")
    assert detection.SOURCES == EXPOSURE_SOURCES


def test_exposure_replace_and_load_round_trip(store: Store) -> None:
    for source in EXPOSURE_SOURCES:
        empty = store.load_exposure(source)
        assert list(empty.columns) == ["h3_cell", "weight"] and empty.empty
    store.replace_exposure("subscribers", layer([" " + CELLS[2].upper(), *CELLS[1::-1]], [3.0, 0.0, 1250.5]))
    store.replace_exposure("addresses", layer(CELLS[:1], [2.0]))
    got = store.load_exposure("subscribers")
    assert got["h3_cell"].tolist() == CELLS
    assert got["weight"].tolist() == [1250.5, 0.0, 3.0]
    assert got["weight"].dtype == np.float64
    assert store.load_exposure("addresses")["weight"].tolist() == [2.0]


def test_replace_touches_only_its_source_and_sums_repeated_cells(store: Store) -> None:
    store.replace_exposure("subscribers", layer(CELLS, [1.0, 2.0, 3.0]))
    store.replace_exposure("addresses", layer(CELLS, [5.0, 5.0, 5.0]))
    store.replace_exposure("subscribers", layer([CELLS[2], CELLS[2]], [4.0, 0.5]))
    assert store.load_exposure("subscribers").to_dict("list") == {"h3_cell": [CELLS[2]], "weight": [4.5]}
    assert store.load_exposure("addresses")["weight"].tolist() == [5.0, 5.0, 5.0]
    store.replace_exposure("addresses", layer([], []))
    assert store.load_exposure("addresses").empty
    assert len(store.load_exposure("subscribers")) == 1


def test_bad_sources_and_layers_are_clear_errors(store: Store) -> None:
    with pytest.raises(UsageError, match="unknown exposure source 'people'"):
        store.replace_exposure("people", layer(CELLS, [1.0, 2.0, 3.0]))
    with pytest.raises(UsageError, match="unknown exposure source"):
        store.load_exposure("people")
    with pytest.raises(InputError, match="missing \\['weight'\\]"):
        store.replace_exposure("addresses", pd.DataFrame({"h3_cell": CELLS}))
    for weights in ([1.0, -1.0, 2.0], [1.0, float("nan"), 2.0], [1.0, float("inf"), 2.0]):
        with pytest.raises(InputError, match="1 row\\(s\\)"):
            store.replace_exposure("addresses", layer(CELLS, weights))
    with pytest.raises(InputError, match="3 row\\(s\\) without a valid H3 cell"):
        store.replace_exposure("addresses", layer([None, "", "zzz"], [1.0, 1.0, 1.0]))  # type: ignore[list-item]
    assert store.load_exposure("addresses").empty


def test_a_replace_that_fails_keeps_the_old_layer(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The delete and the inserts are one transaction: a failing insert undoes the delete."""
    store.replace_exposure("subscribers", layer(CELLS, [1.0, 2.0, 3.0]))
    store.replace_exposure("addresses", layer(CELLS[:1], [9.0]))
    broken = layer(CELLS, [4.0, -5.0, 6.0])  # the table's CHECK refuses the second row
    for module in _store_modules():
        monkeypatch.setattr(module, "checked_layer", lambda source, frame: broken)
    with pytest.raises(StoreError, match="rolled back"):
        store.replace_exposure("subscribers", broken)
    assert store.load_exposure("subscribers")["weight"].tolist() == [1.0, 2.0, 3.0]
    assert store.load_exposure("addresses")["weight"].tolist() == [9.0]


def _store_modules() -> list[object]:
    """The adapters' modules that replace exposure layers."""
    import heatmap.store.sqlite.ground as sqlite_ground

    modules: list[object] = [sqlite_ground]
    try:
        import heatmap.store.postgis.ground as postgis_ground
    except ImportError:
        return modules
    return [*modules, postgis_ground]


# --- the upgrade ------------------------------------------------------------------------
def _export(path: Path) -> Path:
    rows = [
        f"U{i},2026-11-19T1{i}:00:00+03:00,8916000000{i},mass,,no_coverage,Нет сети,,59.22{i},39.88{i},R,app"
        for i in range(5)
    ]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_upgrade_from_6_to_7_with_data_loses_nothing(
    store_url: str, tmp_path: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrate, "migrations", lambda dialect: migrations(dialect)[:6])
    store = open_store(store_url)
    assert store.upgrade() == [1, 2, 3, 4, 5, 6]
    ingest(store, [_export(tmp_path / "u.csv")], now=now)
    write_spots(store, [spot_row("S1", now, observed=4.0), spot_row("S2", now, status="taken")], now)
    store.apply_spot_changes(
        SpotChanges(
            at=now,
            spots=store.load_spots(ids=["S1"]),
            members=pd.DataFrame({"ticket_id": ["U1", "U2"], "spot_id": ["S1", "S1"]}),
            events=pd.DataFrame(
                [{"spot_id": "S1", "at": now, "kind": "created"}], columns=list(EVENT_COLUMNS)
            ),
        )
    )
    assert store.load_exposure("addresses").empty  # nothing to read before 7
    with pytest.raises(MigrationError, match="db upgrade"):
        store.replace_exposure("addresses", layer(CELLS, [1.0, 1.0, 1.0]))
    before = (store.load_complaints(), store.load_spots(), store.load_events())
    assert before[1][list(NEW_COLUMNS)].isna().all().all()  # observed not kept before 7
    monkeypatch.undo()

    assert store.upgrade()[:1] == [7]
    after = (store.load_complaints(), store.load_spots(), store.load_events())
    for old, new in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(old, new)
    assert after[0].set_index("ticket_id").loc[["U1", "U2"], "spot_id"].tolist() == ["S1", "S1"]
    write_spots(store, [spot_row("S1", now + timedelta(hours=1), observed=4.0, trend="new")], now)
    assert store.load_spots(ids=["S1"])[["observed", "trend"]].iloc[0].tolist() == [4.0, "new"]
    store.replace_exposure("addresses", layer(CELLS, [1.0, 1.0, 1.0]))
    assert len(store.load_exposure("addresses")) == 3
    store.close()


def test_both_dialects_end_at_the_same_version() -> None:
    assert [v for v, _, _ in migrations("sqlite")][-1] >= 7
    assert [v for v, _, _ in migrations("postgis")] == [v for v, _, _ in migrations("sqlite")]
    assert stored_exposure.EXPOSURE_SCHEMA == 7

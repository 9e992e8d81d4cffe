"""``heatmap spot show`` and ``heatmap spots``: when detection last confirmed a spot and
whether it still takes complaints (the join's ``policy.join.active_hours`` after it)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from heatmap.devtools.cli_runner import run_heatmap as heatmap

DETECTED = "2026-11-20T12:00:00Z"  # 15:00 Moscow time; the default policy's window is 24 h


def _detected_spot(url: str, folder: Path) -> str:
    """One spot of five complainants at a house, found by detection at :data:`DETECTED`."""
    from heatmap.core.policy import load_policy
    from heatmap.detect.run import DetectParams
    from heatmap.service import detect_spots, ingest
    from heatmap.store import open_store

    rows = [
        f"T{i},2026-11-19T10:00:00+03:00,+791600000{i:02d},mass,no_coverage,Нет связи,,"
        f"{59.22907 + (i - 2) * 1e-4},{39.869577 + (i % 2) * 1e-4},Вологодская"
        for i in range(5)
    ]
    export = folder / "five.csv"
    header = "ticket_id,created_at,msisdn,segment,topic,description,address,lat,lon,region\n"
    export.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    store = open_store(url)
    try:
        store.upgrade()
        now = pd.Timestamp(DETECTED).to_pydatetime()
        ingest(store, [export], now=now, policy=load_policy())
        detect_spots(store, params=DetectParams(rule="count"), policy=load_policy(), now=now)
        return str(store.load_spots()["id"].iloc[0])
    finally:
        store.close()


def test_spot_show_says_when_detection_confirmed_it_and_until_when_it_takes_complaints(
    sqlite_url: str, tmp_path: Path
) -> None:
    spot_id = _detected_spot(sqlite_url, tmp_path)
    shown = heatmap("spot", "show", spot_id, "--json", "--now", "2026-11-21T11:00:00", db=sqlite_url)
    assert shown.returncode == 0, shown.stderr
    answer = json.loads(shown.stdout)
    assert pd.Timestamp(answer["found_at"]) == pd.Timestamp(DETECTED)
    assert answer["confirmed_at"] == "2026-11-20T12:00:00+00:00" and answer["taking_complaints"] is True
    assert answer["taking_complaints_until"] == "2026-11-21T12:00:00+00:00"
    assert answer["confirmation_text"] == (
        "Подтверждено детекцией: 20 ноября, 15:00 мск; принимает жалобы до 21 ноября, 15:00 мск"
    )
    late = heatmap("spot", "show", spot_id, "--now", "2026-11-21T13:00:00", db=sqlite_url)
    assert late.returncode == 0, late.stderr
    table = " ".join(late.stdout.split())  # the table wraps long values
    assert "Подтверждено детекцией: 20 ноября, 15:00 мск; жалобы не принимает с 21 ноября, 15:00 мск" in table


def test_spots_json_and_geojson_carry_found_at_and_the_intake(sqlite_url: str, tmp_path: Path) -> None:
    _detected_spot(sqlite_url, tmp_path)
    listed = json.loads(heatmap("spots", "--format", "json", db=sqlite_url).stdout)["spots"][0]
    feature = json.loads(heatmap("spots", "--format", "geojson", db=sqlite_url).stdout)["features"][0]
    for properties in (listed, feature["properties"]):
        assert pd.Timestamp(properties["found_at"]) == pd.Timestamp(DETECTED)
        assert properties["confirmed_at"] == "2026-11-20T12:00:00+00:00"
        assert properties["taking_complaints_until"] == "2026-11-21T12:00:00+00:00"
        assert properties["confirmation_text"].startswith("Подтверждено детекцией: 20 ноября, 15:00 мск;")


def test_an_eta_is_told_back_in_moscow_time_as_it_was_given(sqlite_url: str, tmp_path: Path) -> None:
    """``spot eta SP 2026-11-25`` means midnight at its start in Moscow; the answer and
    ``spot show`` said ``2026-11-24 21:00:00+00:00``, a day earlier at first sight."""
    spot_id = _detected_spot(sqlite_url, tmp_path)
    at = ("--now", "2026-11-21T11:00:00", "--actor", "ivan")
    assert heatmap("spot", "take", spot_id, *at, db=sqlite_url).returncode == 0
    set_ = heatmap("spot", "eta", spot_id, "2026-11-25", *at, db=sqlite_url)
    assert set_.returncode == 0, set_.stderr
    assert "ETA 2026-11-25 00:00 Moscow time" in set_.stderr, set_.stderr
    shown = heatmap("spot", "show", spot_id, "--now", "2026-11-21T12:00:00", db=sqlite_url)
    assert "2026-11-25 00:00 Moscow time" in " ".join(shown.stdout.split())
    answer = json.loads(heatmap("spot", "show", spot_id, "--json", db=sqlite_url).stdout)
    assert pd.Timestamp(answer["eta"]) == pd.Timestamp("2026-11-24T21:00:00Z"), "JSON stays UTC"

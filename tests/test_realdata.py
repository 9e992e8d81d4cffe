"""Real complaints nobody here wrote: New York 311 requests, mapped to our CRM contract."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heatmap.core.policy import load_policy
from heatmap.detect.run import DetectParams
from heatmap.service import detect_spots, ingest
from heatmap.store import Store
from heatmap.testing import assert_counts_add_up

pytestmark = pytest.mark.realdata

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "complaints-311"


def publicstuff_as_crm(path: Path) -> pd.DataFrame:
    """PublicStuff 311 export → CRM contract: epoch seconds become ISO 8601 with offset."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    created = pd.to_datetime(pd.to_numeric(raw["Date Created"], errors="coerce"), unit="s", utc=True)
    return pd.DataFrame(
        {
            "ticket_id": "NYC-" + raw["ID"],
            "created_at": created.dt.strftime("%Y-%m-%dT%H:%M:%S+00:00").fillna(raw["Date Created"]),
            "msisdn": "",
            "subscriber_id": "user-" + raw["User"].where(raw["User"] != "Anonymous", "anon-" + raw["ID"]),
            "segment": "mass",
            "description": raw["Title"] + ". " + raw["Description"],
            "address": raw["Address"],
            "lat": raw["Latitude"],
            "lon": raw["Longitude"],
            "region": "New York",
            "channel": "app",
        }
    )


def animals_as_crm(path: Path) -> pd.DataFrame:
    """NYC Open Data 311 (local times) → CRM contract with the New York offset."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    local = pd.to_datetime(raw["Created Date"], format="%m/%d/%Y %H:%M", errors="coerce")
    aware = local.dt.tz_localize("America/New_York", ambiguous="NaT", nonexistent="NaT")
    iso = aware.dt.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(r"(\d\d)$", r":\1", regex=True)
    return pd.DataFrame(
        {
            "ticket_id": "NYA-" + raw["Unique Key"],
            "created_at": iso.fillna(raw["Created Date"]),
            "segment": "mass",
            "description": raw["Complaint Type"] + ": " + raw["Descriptor"],
            "address": raw["Incident Address"],
            "lat": raw["Latitude"],
            "lon": raw["Longitude"],
            "region": raw["Borough"],
            "channel": "call_centre",
        }
    )


def test_new_york_311_complaints_ingest_and_concentrate(store: Store, tmp_path: Path) -> None:
    nyc = publicstuff_as_crm(SHARED / "publicstuff_NYC_20190522.csv")
    animals = animals_as_crm(SHARED / "plotly_311_Animals_short.csv")
    nyc.to_csv(tmp_path / "nyc.csv", index=False)
    animals.to_json(tmp_path / "animals.jsonl", orient="records", lines=True, force_ascii=False)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    report = ingest(store, [tmp_path / "nyc.csv", tmp_path / "animals.jsonl"], now=now)
    for _, counts in report.files:
        assert_counts_add_up(counts)
    assert report.totals["read"] == len(nyc) + len(animals)
    # Animal reports without coordinates or address must be quarantined, not dropped.
    assert report.totals["quarantined"] >= 1
    quarantined = store.load_quarantine()
    assert quarantined["reasons"].str.len().gt(0).all()

    stored = store.load_complaints()
    located = stored[stored["lat"].notna()]
    assert len(located) > 0.95 * report.totals["inserted"]

    # The animal reports span a few days: look at them in their own window.
    last = pd.Timestamp(stored.loc[stored["ticket_id"].str.startswith("NYA-"), "created_at"].max())
    result = detect_spots(
        store,
        params=DetectParams(h3_res=8, min_subscribers=3, window_days=7),
        policy=load_policy(),
        now=last.to_pydatetime(),
    )
    assert result.spots >= 5, "311 animal reports concentrate in a few neighbourhoods"
    spots = store.load_spots()
    assert ((spots["centroid_lat"] > 40.4) & (spots["centroid_lat"] < 41.0)).all()
    assert ((spots["centroid_lon"] > -74.3) & (spots["centroid_lon"] < -73.6)).all()
    assert np.all(spots["subscribers"] >= 3)

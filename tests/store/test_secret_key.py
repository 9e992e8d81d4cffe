"""HEATMAP_SECRET_KEY keys the pseudonyms when set, on both stores opened through the wiring;
else each store's own key."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from heatmap import service, wiring
from heatmap.core.msisdn import pseudonym
from heatmap.devtools.samples import SAMPLES_NOW
from heatmap.errors import ConfigError
from heatmap.io.export import export
from heatmap.store import Store

KEY = "an operator key of 32 characters"


def crm(tmp_path: Path, ticket: str) -> Path:
    path = tmp_path / f"{ticket}.csv"
    pd.DataFrame(
        {
            "ticket_id": [ticket],
            "created_at": ["2026-11-19T10:00:00+03:00"],
            "msisdn": ["8 916 123-45-67"],
            "segment": ["mass"],
            "topic": ["no_data"],
            "lat": ["59.22"],
            "lon": ["39.89"],
        }
    ).to_csv(path, index=False)
    return path


def test_the_configured_key_derives_subscriber_ids_and_export_hashes(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = store.secret()
    service.ingest(store, [crm(tmp_path, "OWN-1")], now=SAMPLES_NOW)
    monkeypatch.setenv("HEATMAP_SECRET_KEY", KEY)
    assert store.secret() == own, "a store keeps the key it was opened with"
    keyed = wiring.services(db=store.url).open_store()  # as every command and the API open it
    try:
        assert keyed.secret() == KEY.encode()
        service.ingest(keyed, [crm(tmp_path, "KEYED-1")], now=SAMPLES_NOW)
        stored = keyed.load_complaints().set_index("ticket_id")["subscriber_id"]
        assert stored["OWN-1"] == pseudonym("+79161234567", own)
        assert stored["KEYED-1"] == pseudonym("+79161234567", KEY.encode())
        assert stored["OWN-1"] != stored["KEYED-1"], "rotation: old pseudonyms are not re-derived"
        export(keyed, what="complaints", fmt="csv", out=tmp_path / "c.csv")
    finally:
        keyed.close()
    hashes = pd.read_csv(tmp_path / "c.csv", dtype=str).set_index("ticket_id")["msisdn_hash"]
    assert set(hashes) == {pseudonym("+79161234567", KEY.encode())}


def test_a_weak_configured_key_is_refused(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEATMAP_SECRET_KEY", "changeme")
    with pytest.raises(ConfigError, match="HEATMAP_SECRET_KEY"):
        wiring.services(db=store.url).open_store()

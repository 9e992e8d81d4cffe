"""Exposure layers through the service, on every store kind."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import h3
import pandas as pd
import pytest

from heatmap.errors import InputError
from heatmap.service import geocode_pending, ingest
from heatmap.service.exposure import (
    exposure_summary,
    house_layer,
    keep_address_exposure,
    load_subscriber_density,
    read_density_file,
)
from heatmap.store import Store
from heatmap.testing import OnePointGeocoder

HEADER = "ticket_id,created_at,msisdn,segment,ltv,topic,description,address,lat,lon,region,channel\n"


def entries() -> pd.DataFrame:
    """Gazetteer-like entries: three houses (two in one res-11 cell), a shared street point."""
    return pd.DataFrame(
        {
            "lat": [59.22000, 59.22000, 59.23000, 59.24000, float("nan")],
            "lon": [39.88000, 39.88000, 39.89000, 39.90000, 39.9],
            "point_precision": ["house", "house", "house", "street", "house"],
        }
    )


def test_house_layer_counts_only_house_points() -> None:
    layer = house_layer(entries())
    assert sorted(layer["weight"].tolist()) == [1.0, 2.0]
    assert {h3.get_resolution(c) for c in layer["h3_cell"]} == {11}
    assert layer.loc[layer["weight"] == 2.0, "h3_cell"].item() == h3.latlng_to_cell(59.22, 39.88, 11)


def test_keep_address_exposure_stores_the_houses(store: Store) -> None:
    summary = keep_address_exposure(store, entries())
    assert (summary.cells, summary.weight, summary.resolutions) == (2, 3.0, {11: 2})
    shown = {s.source: s for s in exposure_summary(store)}
    assert list(shown) == ["subscribers", "addresses"]
    assert shown["addresses"] == summary and shown["subscribers"].cells == 0


def test_ingest_and_geocode_with_entries_keep_the_layer_once(
    store: Store, tmp_path: Path, now: datetime
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(HEADER + "A1,2026-11-19T10:00:00+03:00,,mass,,,,ул. Мира 1,,,R,app\n", encoding="utf-8")
    calls: list[str] = []
    original = store.replace_exposure

    def counted(source: str, layer: pd.DataFrame) -> None:
        calls.append(source)
        original(source, layer)

    store.replace_exposure = counted  # type: ignore[method-assign]
    ingest(store, [path], now=now, geocoder=OnePointGeocoder())
    assert calls == [] and store.load_exposure("addresses").empty
    ingest(store, [path], now=now, geocoder=OnePointGeocoder(), gazetteer_entries=entries())
    assert calls == ["addresses"]
    assert store.load_exposure("addresses")["weight"].sum() == 3.0
    keep_address_exposure(store, entries().iloc[:1])
    geocode_pending(store, OnePointGeocoder(), gazetteer_entries=entries())
    assert calls == ["addresses"] * 3
    assert store.load_exposure("addresses")["weight"].sum() == 3.0


def test_subscriber_density_of_any_resolution(store: Store, tmp_path: Path) -> None:
    cells = [h3.latlng_to_cell(59.22, 39.88, r) for r in (7, 9, 9)]
    frame = pd.DataFrame({"h3_cell": cells, "subscribers": [100, 5, 7]})
    frame.to_parquet(tmp_path / "d.parquet")
    summary = load_subscriber_density(store, read_density_file(tmp_path / "d.parquet"))
    assert (summary.cells, summary.weight, summary.resolutions) == (2, 112.0, {7: 1, 9: 1})
    assert store.load_exposure("subscribers")["weight"].tolist() == [100.0, 12.0]


def test_empty_or_zero_density_is_refused_and_keeps_the_layer(store: Store) -> None:
    cell = h3.latlng_to_cell(59.22, 39.88, 9)
    load_subscriber_density(store, pd.DataFrame({"h3_cell": [cell], "subscribers": [4]}))
    with pytest.raises(InputError, match="holds no cells"):
        load_subscriber_density(store, pd.DataFrame({"h3_cell": [], "subscribers": []}))
    with pytest.raises(InputError, match="0 subscribers"):
        load_subscriber_density(store, pd.DataFrame({"h3_cell": [cell], "subscribers": [0]}))
    assert store.load_exposure("subscribers")["weight"].tolist() == [4.0]


def test_house_layer_weighs_each_house_by_its_dwellings() -> None:
    frame = entries().assign(dwellings=[100.0, float("nan"), 20.0, 5.0, 1.0])
    layer = house_layer(frame).set_index("h3_cell")["weight"]
    # the unknown house weighs the median known house point (100, 20, 1 → 20)
    assert layer[h3.latlng_to_cell(59.22, 39.88, 11)] == 120.0
    assert layer[h3.latlng_to_cell(59.23, 39.89, 11)] == 20.0

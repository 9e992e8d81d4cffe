"""A spot of complaints that came with coordinates only takes the gazetteer's nearest
house's address through detection, on every store kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from heatmap.core.policy import load_policy
from heatmap.detect.nearest_house import NEAREST_HOUSE_MARK
from heatmap.detect.run import DetectParams
from heatmap.geocode import build_gazetteer, save_gazetteer
from heatmap.service import detect_spots, ingest
from heatmap.store import Store

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
REGISTRY = (
    "LAT,LON,HOUSE_ID,ADDRESS\n"
    '59.210336,39.840912,1,"обл. Вологодская, г. Вологда, ул. Солодунова, д. 38"\n'
    '59.191237,39.902994,2,"обл. Вологодская, г. Вологда, ул. Конева, д. 10"\n'
)
#: Five people 30 m north of the first house, five 10 km from any house.
NEAR, FAR = (59.210606, 39.840912), (59.300000, 39.840912)


def complaints(tmp_path: Path) -> Path:
    lines = ["ticket_id,created_at,msisdn,segment,topic,lat,lon,region"]
    for name, (lat, lon) in (("N", NEAR), ("F", FAR)):
        for j in range(5):
            at = (NOW - timedelta(hours=j + 1)).isoformat()
            lines.append(
                f"{name}{j},{at},8916{name == 'N':d}{j:06d},mass,no_data,{lat:.6f},{lon + j * 1e-5:.6f},R"
            )
    path = tmp_path / "points.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_coordinate_only_spot_is_named_after_the_nearest_house(store: Store, tmp_path: Path) -> None:
    (tmp_path / "registry.csv").write_text(REGISTRY, encoding="utf-8")
    entries, _ = build_gazetteer(tmp_path / "registry.csv")
    gazetteer = save_gazetteer(entries, tmp_path / "g.parquet")
    policy = load_policy()
    ingest(store, [complaints(tmp_path)], now=NOW, policy=policy)
    params = DetectParams(rule="count", min_subscribers=3)
    assert detect_spots(store, params=params, policy=policy, now=NOW).spots == 2
    unnamed = store.load_spots()["address"]
    assert unnamed.isna().all() or set(unnamed) == {""}, "without a gazetteer no spot has an address"

    report = detect_spots(
        store, params=params, policy=policy, now=NOW + timedelta(minutes=1), gazetteer=gazetteer
    )
    assert report.spots == 2
    spots = store.load_spots().sort_values("centroid_lat")
    house = entries.loc[entries["source_id"].astype(str) == "1", "address"].item()
    assert spots["address"].iloc[0] == house + NEAREST_HOUSE_MARK
    assert spots["address"].isna().iloc[1] or spots["address"].iloc[1] == "", "no house within reach"

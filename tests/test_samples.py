"""The sample CRM export's generator: plain ticket ids, and bad rows each bad in one
documented way (``BAD_ROW_KINDS``), as the demo's quarantine shows them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heatmap.devtools.samples import BAD_ROW_KINDS, SAMPLES_NOW, generate_export, read_addresses, sample_file

TICKET = r"CRM-\d{3}-\d{6}"
BAD_SUFFIX = r"-B\d+"


@pytest.fixture(scope="module")
def export() -> pd.DataFrame:
    """The committed sample's parameters: its 75 bad rows are drawn from 2,425 good ones
    with replacement, and two good rows are drawn twice (the case that once wrote a
    pandas Series' repr as the ticket id)."""
    frame, _ = generate_export(read_addresses(), n=2500, seed=1, now=SAMPLES_NOW)
    return frame


def _plain_tickets(tickets: pd.Series) -> None:
    text = tickets.astype(str)
    for leak in ("dtype", "Name:", "\n"):
        assert not text.str.contains(leak, regex=False).any(), text[text.str.contains(leak, regex=False)]
    assert text.str.fullmatch(f"({TICKET}({BAD_SUFFIX})?)?").all()
    named = text[text != ""]
    assert not named.duplicated().any(), named[named.duplicated(keep=False)]


def test_ticket_ids_are_plain_and_unique(export: pd.DataFrame) -> None:
    _plain_tickets(export["ticket_id"])


def test_the_committed_sample_has_plain_ticket_ids() -> None:
    sample = pd.read_csv(sample_file("crm_export.csv"), dtype=str, keep_default_na=False)
    assert len(sample) == 2500
    _plain_tickets(sample["ticket_id"])


def _kinds_matching(bad: pd.Series, source: pd.Series) -> list[str]:
    """The kinds that turn ``source`` into ``bad``, ticket id aside."""
    others = [c for c in source.index if c != "ticket_id"]
    matching = []
    for kind, fields in BAD_ROW_KINDS.items():
        made = source.copy()
        made[list(fields)] = list(fields.values())
        if made[others].equals(bad[others]) and not source[others].equals(bad[others]):
            matching.append(kind)
    return matching


def test_each_bad_row_is_a_good_row_made_bad_one_documented_way(export: pd.DataFrame) -> None:
    ticket = export["ticket_id"]
    good = export[ticket.str.fullmatch(TICKET)].set_index("ticket_id", drop=False)
    suffixed = export[ticket.str.fullmatch(TICKET + BAD_SUFFIX)]
    assert len(good) == 2425 and len(suffixed) + (ticket == "").sum() == 75
    sources = suffixed["ticket_id"].str.replace(f"{BAD_SUFFIX}$", "", regex=True)
    assert sources.duplicated().any(), "the seed no longer draws a good row twice"
    for (_, bad), source in zip(suffixed.iterrows(), sources, strict=True):
        kinds = _kinds_matching(bad, good.loc[source])
        assert len(kinds) == 1 and kinds != ["no_ticket"], (bad["ticket_id"], kinds)


def test_rows_without_a_ticket_are_good_rows_otherwise(export: pd.DataFrame) -> None:
    others = [c for c in export.columns if c != "ticket_id"]
    good = export[export["ticket_id"].str.fullmatch(TICKET)]
    missing = export[export["ticket_id"] == ""]
    assert len(missing) > 0
    assert len(missing[others].merge(good[others].drop_duplicates(), how="inner")) == len(missing)


def _registry(tmp_path: Path) -> Path:
    """A Leningrad oblast registry in the housing-registry format: six towns of 25 houses
    each, and 40 houses of four villages at one default point (Moscow's centre, as the real
    registry has 1,519 of its houses)."""
    rows = []
    towns = ["Выборг", "Гатчина", "Тихвин", "Кировск", "Луга", "Сланцы"]
    for t, town in enumerate(towns):
        for i in range(25):
            lat, lon = 59.0 + t * 0.2 + (i // 5) * 0.0005, 30.0 + (i % 5) * 0.001
            rows.append((lat, lon, f"обл. Ленинградская, р-н. Тестовый, г. {town}, ул. Ленина, д. {i + 1}"))
    for v, village in enumerate(["Бугры", "Кудрово", "Мурино", "Янино"]):
        for i in range(10):
            rows.append(
                (55.76, 37.64, f"обл. Ленинградская, р-н. Тестовый, д. {village}, ул. Садовая, д. {v}{i}")
            )
    path = tmp_path / "housedata.csv"
    pd.DataFrame(rows, columns=["LAT", "LON", "ADDRESS"]).to_csv(path, index=False)
    return path


def test_an_export_over_another_registry_names_its_region_and_no_default_point(tmp_path: Path) -> None:
    """Over the Leningrad oblast registry the export said "Вологодская область" on every row,
    and put complaints on the registry's default point: 77 of 3,000 at Moscow's centre, which
    detection took for a spot of 66 complainants with no address."""
    frame, plants = generate_export(read_addresses(_registry(tmp_path)), n=400, seed=3, now=SAMPLES_NOW)
    assert set(frame["region"]) == {"Ленинградская область"}
    lat = pd.to_numeric(frame["lat"], errors="coerce").dropna()
    assert len(lat) > 0 and (lat > 58.5).all(), lat[lat <= 58.5]
    assert not frame["address"].str.contains("Бугры|Кудрово|Мурино|Янино", case=False).any()
    assert all(p.lat > 58.5 for p in plants)


def test_the_committed_samples_registry_loses_no_house() -> None:
    """The default registry has no default point, so the committed sample stays as made."""
    assert len(read_addresses()) == 1500


def test_type_words_are_spelt_out_whole_never_inside_another(tmp_path: Path) -> None:
    """Writing ``д.`` as ``дом`` once turned ``проезд. Павелецкий 3-й`` into ``проездом
    Павелецкий 3-й``: 85 of 4,000 complaints over the Moscow registry were left ungeocoded."""
    rows = [
        (55.71 + i * 0.0005, 37.64, f"г. Москва, проезд. Павелецкий 3-й, д. {i + 1}") for i in range(30)
    ] + [
        (55.75 + i * 0.0005, 37.60 + t * 0.03, f"г. Москва, ул. Тверская, д. {t}{i}")
        for t in range(6)
        for i in range(10)
    ]
    path = tmp_path / "moscow.csv"
    pd.DataFrame(rows, columns=["LAT", "LON", "ADDRESS"]).to_csv(path, index=False)
    frame, _ = generate_export(read_addresses(path), n=600, seed=2, now=SAMPLES_NOW)
    written = frame["address"].str.lower()
    assert written.str.contains("проезд").any()
    assert not written.str.contains("проездом|проездулица").any(), written[written.str.contains("проездом")]


def test_points_scatter_as_far_east_west_as_north_south_in_a_southern_city() -> None:
    """The jitter around a house is metres, turned into degrees of longitude at the house's
    own latitude: it took Vologda's 59.2° everywhere, so in Krasnodar (45.04°) a point moved
    1.4 times as far east-west as north-south."""
    lat0, lon0 = 45.0355, 38.9753
    house = pd.DataFrame(
        {"LAT": [lat0], "LON": [lon0], "ADDRESS": ["край. Краснодарский, г. Краснодар, ул. Красная, д. 1"]}
    )
    frame, _ = generate_export(house, n=3000, seed=5, now=SAMPLES_NOW, spots=1, bad_share=0.0)
    lat = pd.to_numeric(frame["lat"], errors="coerce").dropna()
    lon = pd.to_numeric(frame["lon"], errors="coerce").dropna()
    assert len(lat) > 700
    north = (lat - lat0) * 111_000
    east = (lon - lon0) * 111_000 * np.cos(np.radians(lat0))
    assert 22 < north.std() < 28 and 22 < east.std() < 28, (north.std(), east.std())
    assert 0.9 < east.std() / north.std() < 1.1

"""A CRM's account numbers («Лицевой счёт», read as ``subscriber_id`` by the crm-ru profile)
leave the store as phone numbers do: as keyed pseudonyms, in exports and in the analyst's
frames alike. The ratings export and ``load_ratings`` carried them in clear, and a number
the CRM put in that column as well; the complaints export kept account numbers in clear."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from heatmap import analysis, wiring
from heatmap.core.msisdn import pseudonym
from heatmap.devtools.cli_runner import run_heatmap as heatmap
from heatmap.service.replies import handle_reply

#: Six complainants a few metres apart, as a Russian CRM exports them: four with an account
#: number, one whose account column holds a phone number, one without any (ingest derives
#: its id from the number).
ACCOUNTS = ["ЛС-40817001", "ЛС-40817002", "00123456789", "ЛС-40817004", "8 903 555-66-77", ""]
PHONES = [f"8916123456{i}" for i in range(len(ACCOUNTS))]


def crm_file(folder: Path) -> Path:
    lines = ["Номер обращения;Дата создания;Телефон;Лицевой счёт;Сегмент;Тема;Широта;Долгота;Канал"]
    for i, (account, phone) in enumerate(zip(ACCOUNTS, PHONES, strict=True)):
        point = f"59,2201{i};39,8912{i}"
        lines.append(f"T-{i};20.11.2026 1{i}:00;{phone};{account};Массовый;Нет интернета;{point};Чат")
    path = folder / "crm.csv"
    path.write_text("\n".join(lines) + "\n", encoding="cp1251")
    return path


@pytest.fixture(scope="module")
def rated(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store whose one spot was resolved and rated by every complainant by SMS."""
    folder = tmp_path_factory.mktemp("accounts")
    url = f"sqlite:///{folder / 'h.db'}"
    env = {"HEATMAP_SMS_SPOOL": str(folder / "sms.jsonl")}
    steps = [
        ("init",),
        ("ingest", str(crm_file(folder)), "--profile", "crm-ru"),
        ("detect", "--rule", "count", "--now", "2026-11-21T00:00"),
    ]
    for step in steps:
        assert heatmap(*step, db=url).returncode == 0
    spot = json.loads(heatmap("spots", "--format", "json", db=url).stdout)["spots"][0]["id"]
    for step in [
        ("spot", "take", spot, "--actor", "eng", "--now", "2026-11-21T01:00"),
        ("spot", "resolve", spot, "--cause", "equipment_failure", "--now", "2026-11-21T10:00"),
        ("notify", "--now", "2026-11-21T10:05"),
    ]:
        assert heatmap(*step, db=url, env=env).returncode == 0
    services = wiring.services(db=url)
    store = services.open_store()
    try:
        for i, phone in enumerate(PHONES):
            answer = handle_reply(
                store,
                msisdn=phone,
                text=str(1 + i % 5),
                now=datetime(2026, 11, 21, 12, tzinfo=UTC),
                policy=services.policy,
                templates=services.sms_templates,
            )
            assert answer.kind == "rating"
    finally:
        store.close()
    return url


def exported(url: str, what: str, folder: Path) -> pd.DataFrame:
    out = folder / f"{what}.csv"
    assert heatmap("export", "--what", what, "--format", "csv", "--out", str(out), db=url).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "ЛС-" not in text and "00123456789" not in text and "5556677" not in text
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def test_exports_carry_account_numbers_as_keyed_pseudonyms(rated: str, tmp_path: Path) -> None:
    complaints = exported(rated, "complaints", tmp_path).set_index("ticket_id").sort_index()
    ratings = exported(rated, "ratings", tmp_path)
    assert len(ratings) == len(ACCOUNTS)
    ids = complaints["subscriber_id"]
    assert ids.str.fullmatch(r"s:[0-9a-f]{16}").all() and ids.nunique() == len(ACCOUNTS)
    # one key for every pseudonym: the account's own, the number's (= its msisdn_hash)
    store = wiring.services(db=rated).open_store()
    try:
        key = store.secret()
    finally:
        store.close()
    assert ids["T-0"] == pseudonym("ЛС-40817001", key)
    assert ids["T-4"] == pseudonym("+79035556677", key)
    assert ids["T-5"] == complaints.loc["T-5", "msisdn_hash"]  # derived by ingest, as it was
    # the ratings' pseudonyms are the complaints': an analyst joins the two exports
    assert set(ratings["subscriber_id"]) == set(ids)


def test_analyst_frames_carry_the_same_pseudonyms(rated: str, tmp_path: Path) -> None:
    complaints = analysis.load_complaints(rated)
    ratings = analysis.load_ratings(rated)
    assert set(ratings["subscriber_id"]) == set(complaints["subscriber_id"])
    assert set(complaints["subscriber_id"]) == set(exported(rated, "complaints", tmp_path)["subscriber_id"])
    shown = " ".join(map(str, [*ratings["subscriber_id"], *complaints["subscriber_id"]]))
    assert "ЛС" not in shown and "00123456789" not in shown and "9035556677" not in shown


def test_subscriber_pseudonyms_hash_what_the_crm_gave_and_keep_what_ingest_derived() -> None:
    from heatmap.core.msisdn import subscriber_pseudonyms

    key = b"k" * 32
    derived = pseudonym("+79161234567", key)
    given = pd.Series(["ЛС-1", " ЛС-1 ", "+7 916 123-45-67", derived, "t:0123456789abcdef", "", None])
    out = subscriber_pseudonyms(given, key).tolist()
    assert out[0] == out[1] == pseudonym("ЛС-1", key) != pseudonym("ЛС-1", b"x" * 32)
    assert out[2] == out[3] == derived  # a number as the id: its msisdn_hash
    assert out[4:6] == ["t:0123456789abcdef", ""] and pd.isna(out[6])

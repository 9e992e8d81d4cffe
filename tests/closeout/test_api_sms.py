"""The SMS router: gateway callbacks and the rating page, on a bare app and in the API's app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from heatmap.api.sms import router, sms_clock
from heatmap.closeout.gateways import FileGateway
from heatmap.closeout.links import RatingLinks, link_key
from heatmap.closeout.notify import run_once
from heatmap.closeout.settings import CloseoutSettings
from heatmap.closeout.templates import SmsTemplates
from heatmap.errors import InputError
from heatmap.store import Store

Kit = Any  # tests/closeout/conftest.py
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
KEY = "gateway-key-for-tests-1234"


def number(i: int) -> str:
    return f"+7916{i:07d}"


@pytest.fixture
def sent(
    kit: Kit, store: Store, spot_id: str, settings: CloseoutSettings, templates: SmsTemplates
) -> pd.DataFrame:
    kit.resolve(spot_id)
    run_once(store, FileGateway(settings.sms_spool), now=NOW, settings=settings, templates=templates)
    return store.load_outbox().set_index("msisdn")


@pytest.fixture
def client(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The router on a bare FastAPI app: the store of HEATMAP_DB, HEATMAP_SMS_GATEWAY_KEY."""
    monkeypatch.setenv("HEATMAP_DB", store_url)
    monkeypatch.setenv("HEATMAP_SMS_GATEWAY_KEY", KEY)
    monkeypatch.setenv("HEATMAP_PUBLIC_URL", "https://tk.example.ru")
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[sms_clock] = lambda: NOW + timedelta(hours=1)
    with TestClient(app) as test_client:
        yield test_client


def test_inbound_needs_the_gateway_key(client: TestClient, sent: pd.DataFrame) -> None:
    body = b"5"
    assert (
        client.post("/api/v1/sms/inbound", content=body, headers={"X-Kannel-From": number(0)}).status_code
        == 401
    )
    assert (
        client.post(
            "/api/v1/sms/inbound?key=wrong", content=body, headers={"X-Kannel-From": number(0)}
        ).status_code
        == 401
    )
    answer = client.post(
        f"/api/v1/sms/inbound?key={KEY}",
        content=body,
        headers={"X-Kannel-From": number(0), "Content-Type": "text/plain"},
    )
    assert answer.status_code == 200 and answer.text == "Спасибо за оценку!"
    assert answer.headers["X-Teplokarty-Reply"] == "rating"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (f"/api/v1/sms/inbound?key={KEY}", "5" * 1601),
        (f"/api/v1/sms/inbound?key={KEY}&text=5&text=4", ""),
        (f"/api/v1/sms/inbound?key={KEY}&from=%2B79001234567&from=%2B79007654321&text=5", ""),
    ],
)
def test_an_inbound_message_that_is_no_sms_is_refused(client: TestClient, path: str, body: str) -> None:
    """Longer than 1,600 characters, or a field given twice: not what a gateway sends
    (the app answers 422 for an InputError)."""
    with pytest.raises(InputError, match=r"longer than 1600|more than once"):
        client.post(
            path, content=body.encode(), headers={"X-Kannel-From": number(0), "Content-Type": "text/plain"}
        )


@pytest.mark.parametrize("how", ["kannel-utf8", "kannel-ucs2", "form", "query"])
def test_inbound_as_kannel_and_others_send_it(
    client: TestClient, store: Store, sent: pd.DataFrame, how: str
) -> None:
    text = "4 нормально, пишите на ivan@mail.ru"
    headers = {"X-API-Key": KEY}
    if how == "kannel-utf8":
        reply = client.post(
            "/api/v1/sms/inbound",
            content=text.encode(),
            headers={
                **headers,
                "X-Kannel-From": "89160000001",
                "Content-Type": 'text/plain; charset="UTF-8"',
            },
        )
    elif how == "kannel-ucs2":
        reply = client.post(
            "/api/v1/sms/inbound",
            content=text.encode("utf-16-be"),
            headers={
                **headers,
                "X-Kannel-From": "+79160000001",
                "X-Kannel-Coding": "2",
                "Content-Type": "text/plain",
            },
        )
    elif how == "form":
        reply = client.post(
            "/api/v1/sms/inbound", data={"from": "79160000001", "text": text}, headers=headers
        )
    else:
        reply = client.post(
            "/api/v1/sms/inbound", params={"from": "+7 916 000-00-01", "text": text}, headers=headers
        )
    assert reply.status_code == 200, reply.text
    ratings = store.load_ratings()
    assert ratings[["rating", "comment"]].values.tolist() == [[4, "нормально, пишите на [e-mail скрыт]"]]


def test_inbound_without_a_sender_is_ignored(client: TestClient, store: Store) -> None:
    reply = client.post("/api/v1/sms/inbound", content=b"5", headers={"X-API-Key": KEY})
    assert (reply.status_code, reply.text) == (200, "")
    assert reply.headers["X-Teplokarty-Reply"] == "no_sender"
    assert store.load_ratings().empty


def test_delivery_reports(client: TestClient, store: Store, sent: pd.DataFrame) -> None:
    outbox_id = int(sent.loc[number(2), "id"])
    url = f"/api/v1/sms/dlr?id={outbox_id}&attempt=1&status=1&at=1795334830&key={KEY}"
    assert client.get(url).text == "delivered"
    assert client.get(url.replace("status=1", "status=8")).text == "unchanged"
    row = store.load_outbox(ids=[outbox_id]).iloc[0]
    assert row["status"] == "delivered"
    assert row["delivered_at"] == pd.Timestamp(datetime.fromtimestamp(1795334830, UTC))
    assert client.get(f"/api/v1/sms/dlr?id=999999&status=1&key={KEY}").status_code == 404
    assert client.get(f"/api/v1/sms/dlr?id=abc&status=1&key={KEY}").status_code == 422
    assert client.get(f"/api/v1/sms/dlr?id={outbox_id}&status=1").status_code == 401


def test_rating_page_by_signed_single_use_link(client: TestClient, store: Store, sent: pd.DataFrame) -> None:
    outbox_id = int(sent.loc[number(3), "id"])
    text = str(sent.loc[number(3), "text"])
    token = text.rsplit("/r/", 1)[1]
    page = client.get(f"/r/{token}")
    assert page.status_code == 200 and 'name="rating"' in page.text
    assert "ул. Мира" in page.text and 'value="0"' in page.text
    assert client.post(f"/r/{token}", data={"comment": "x"}).status_code == 400
    done = client.post(f"/r/{token}", data={"rating": "0", "comment": "нет 4G, 8 916 123 45 67"})
    assert done.status_code == 200 and "проблема осталась" in done.text
    answers = store.load_ratings()
    assert answers[["outbox_id", "persists", "comment", "channel"]].values.tolist() == [
        [outbox_id, True, "нет 4G, [телефон скрыт]", "link"]
    ]
    assert client.get(f"/r/{token}").status_code == 410
    assert client.post(f"/r/{token}", data={"rating": "5"}).status_code == 410
    assert client.get("/r/" + "A" * 24).status_code == 404
    expired = RatingLinks(link_key(store.secret())).issue(outbox_id, NOW)
    assert client.get(f"/r/{expired}").status_code == 410


def test_the_api_app_includes_the_router_with_its_keys(
    kit: Kit, store: Store, sent: pd.DataFrame, tmp_path: Any
) -> None:
    """Under :func:`heatmap.api.create_app` the gateway role of the API's keys applies."""
    from heatmap.api import create_app
    from heatmap.api.keys import create_key
    from heatmap.api.settings import ApiSettings
    from heatmap.settings import Settings

    keys = {role: create_key(store, role=role, now=NOW) for role in ("gateway", "agent")}
    app = create_app(
        Settings(db=store.url), store, api=ApiSettings(key_cache_s=0), clock=lambda: NOW + timedelta(hours=1)
    )
    with TestClient(app) as api:
        outbox_id = int(sent.loc[number(1), "id"])
        dlr = f"/api/v1/sms/dlr?id={outbox_id}&status=1"
        assert api.get(dlr, headers={"X-API-Key": keys["agent"]}).status_code == 403
        assert api.get(dlr + f"&key={keys['gateway']}").text == "delivered"
        reply = api.post(
            "/api/v1/sms/inbound",
            content="0 не работает".encode(),
            headers={"X-API-Key": keys["gateway"], "X-Kannel-From": number(1)},
        )
        assert reply.status_code == 200 and reply.headers["X-Teplokarty-Reply"] == "persists"
        paths = api.get("/openapi.json").json()["paths"]
        assert {"/api/v1/sms/inbound", "/api/v1/sms/dlr", "/r/{token}"} <= set(paths)


def test_inbound_with_nul_characters_is_stored_without_them(
    client: TestClient, store: Store, sent: pd.DataFrame
) -> None:
    reply = client.post(
        f"/api/v1/sms/inbound?key={KEY}",
        content="5 хо\x00рошо".encode(),
        headers={"X-Kannel-From": number(0) + "\x00", "Content-Type": "text/plain"},
    )
    assert reply.status_code == 200, reply.text
    comments = store.load_ratings()["comment"].tolist()
    assert comments == ["хо\ufffdрошо"]

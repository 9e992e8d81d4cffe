"""The rating page a close-out SMS links to, from its template: escaped, Russian, and asking
no other host (in Chromium with every other host blocked). The link's workflow (signed,
single use, expiry) is tested with the SMS router in tests/closeout/test_api_sms.py."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from starlette.responses import Response

from heatmap.api import rating_page as pages
from heatmap.closeout.links import LinkError

from .browser_support import PHONE, WAIT_MS, chromium, offline_page

#: What a registry might hold as an address, and a token as a link may carry it.
HOSTILE = '<script>alert("х")</script> ул. Мира & д. 5 <img src="https://evil.example/x.png">'
TOKEN = 'T0K"><b>EN'


def app() -> FastAPI:
    """The page's renderings behind the paths the SMS router gives them."""
    made = FastAPI()

    @made.get("/question")
    async def question(request: Request) -> Response:
        return pages.question(request, TOKEN, HOSTILE)

    @made.get("/used")
    async def used(request: Request) -> Response:
        return pages.link_error(request, LinkError("the link was used", reason="used"))

    @made.get("/bad")
    async def bad(request: Request) -> Response:
        return pages.link_error(request, LinkError("not signed by us"))

    @made.post("/r/{token}")
    async def answer(token: str, request: Request) -> Response:
        form = (await request.body()).decode()
        if "rating=" not in form:
            return pages.no_choice(request)
        return pages.thanks(request, persists="rating=0" in form)

    return made


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S)).strip()


def test_every_page_is_escaped_russian_and_names_no_other_host() -> None:
    client = TestClient(app())
    page = client.get("/question")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    assert '<html lang="ru">' in html
    assert "<script" not in html and "<img" not in html, "the address is text, not markup"
    assert "&lt;script&gt;alert(&#34;х&#34;)&lt;/script&gt; ул. Мира &amp; д. 5" in html
    assert 'action="/r/T0K&#34;&gt;&lt;b&gt;EN"' in html, "the token cannot leave its attribute"
    assert "https://evil.example" not in re.sub(r"&lt;img[^>]*&gt;", "", html)
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html), "nothing from another host"
    assert len(re.findall(r'type="radio" name="rating"', html)) == 6
    words = visible_text(html)
    assert "Как теперь работает связь?" in words and "Проблема не решена" in words
    assert not re.search(r"\b(?:the|link|rating|submit|comment)\b", words.replace(HOSTILE, ""), re.I)
    for path, status, said in (
        ("/used", 410, "Ссылка уже использована или срок её действия истёк."),
        ("/bad", 404, "Ссылка недействительна."),
    ):
        answer = client.get(path)
        assert answer.status_code == status and said in answer.text
        assert 'role="alert"' in answer.text and "<form" not in answer.text
    assert client.post("/r/x", data={"comment": "x"}).status_code == 400
    assert "проблема осталась" in client.post("/r/x", data={"rating": "0"}).text
    assert "Спасибо за оценку!" in client.post("/r/x", data={"rating": "5"}).text


@dataclass
class Served:
    url: str
    blocked: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the page's server did not start"
        time.sleep(0.05)
    try:
        yield Served(url=f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.mark.browser
def test_a_client_rates_on_a_phone_with_no_other_host(served: Served) -> None:
    browser: Any
    with chromium() as browser, offline_page(browser, served, viewport=PHONE) as page:
        page.goto(f"{served.url}/question")
        assert page.evaluate("document.documentElement.lang") == "ru"
        assert HOSTILE in page.inner_text("body"), "shown as the text it is"
        assert page.locator("img, script").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.check("input[name=rating][value='4']")
        page.fill("#comment", "стало лучше")
        page.click("button[type=submit]")
        page.wait_for_selector("text=Спасибо за оценку!", timeout=WAIT_MS)

"""What the browser tests share: Chromium (headless: the system's, else Playwright's own;
:func:`heatmap.testing.headless_chromium`, which the map's test drives too) and pages whose
requests to any host but the served API are refused and recorded, as on an operator's
intranet."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from heatmap.testing import headless_chromium as chromium

__all__ = ["LAPTOP", "PHONE", "WAIT_MS", "Server", "chromium", "offline_page"]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
WAIT_MS = 20_000


class Server(Protocol):
    url: str
    blocked: list[str]  # what the pages asked of other hosts


@contextmanager
def offline_page(browser: Any, served: Server, *, clock: bool = False, **options: Any) -> Iterator[Any]:
    """A page whose requests to any host but the server are refused (and recorded); with
    ``clock``, its timers run on Playwright's clock, moved on by the test."""
    page = browser.new_page(**options)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    if clock:
        page.clock.install()

    def only_the_server(route: Any) -> None:
        if route.request.url.startswith(served.url + "/"):
            route.continue_()
        else:
            served.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_server)
    try:
        yield page
        assert not problems, problems
        assert not served.blocked, f"the page asked other hosts: {served.blocked}"
    finally:
        page.close()

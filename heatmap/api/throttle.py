"""Failed authentications per client: after too many in a window, the client waits.

A plain value object: the caller passes the time (monotonic seconds), nothing here
reads a clock. Clients are kept in least-recently-failed order and at most
``max_clients`` of them, so a flood from many addresses costs bounded memory.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class _Window:
    started: float
    failures: int


class FailureLimiter:
    """At most ``limit`` failed authentications per client in ``window_s`` seconds."""

    def __init__(self, limit: int, window_s: float, *, max_clients: int = 10_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_clients = max_clients
        self._clients: OrderedDict[str, _Window] = OrderedDict()

    def _window(self, client: str, now: float) -> _Window | None:
        window = self._clients.get(client)
        if window is not None and now - window.started >= self.window_s:
            del self._clients[client]
            return None
        return window

    def retry_after(self, client: str, now: float) -> int | None:
        """Whole seconds the client must wait before its next try, or None when it may try."""
        window = self._window(client, now)
        if window is None or window.failures < self.limit:
            return None
        return max(1, math.ceil(window.started + self.window_s - now))

    def failed(self, client: str, now: float) -> bool:
        """Count one failure; True when it is the one that reached the limit."""
        window = self._window(client, now)
        if window is None:
            window = _Window(started=now, failures=0)
            self._clients[client] = window
            while len(self._clients) > self.max_clients:
                self._clients.popitem(last=False)
        else:
            self._clients.move_to_end(client)
        window.failures += 1
        return window.failures == self.limit

"""Prometheus metrics of the API: requests by route and status, latency, the spot index.

Each app has its own registry (tests build many apps in one process). With several
uvicorn workers each worker answers ``/metrics`` for itself.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from heatmap.api.index import SpotIndex

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class ApiMetrics:
    def __init__(self, index: SpotIndex) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "heatmap_http_requests",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "heatmap_http_request_seconds",
            "Time to answer a request",
            ["method", "route"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.lookups = Counter(
            "heatmap_lookups",
            "Lookups by kind and whether a spot was found",
            ["by", "found"],
            registry=self.registry,
        )
        self.complaints = Counter(
            "heatmap_api_complaints", "Complaints posted, by result", ["result"], registry=self.registry
        )
        self.auth_failures = Counter(
            "heatmap_auth_failures",
            "Failed authentications: missing key, invalid key, or"
            " refused unseen while the client was over its limit (throttled, 429)",
            ["reason"],
            registry=self.registry,
        )
        for reason in ("missing", "invalid", "throttled"):
            self.auth_failures.labels(reason)
        self._lookup_children = {
            (by, found): self.lookups.labels(by, str(found))
            for by in ("point", "address")
            for found in (True, False)
        }
        open_spots = Gauge(
            "heatmap_index_open_spots", "Open spots in this worker's index", registry=self.registry
        )
        open_spots.set_function(lambda: index.open_count)
        rebuilds = Gauge(
            "heatmap_index_rebuilds", "Times this worker rebuilt its spot index", registry=self.registry
        )
        rebuilds.set_function(lambda: index.rebuilds)

    def looked_up(self, by: str, found: bool) -> None:
        self._lookup_children[(by, found)].inc()


class MetricsMiddleware:
    """Counts and times every HTTP request under its route template (not the raw path)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route: Any = scope.get("route")
            template = getattr(route, "path", None) or scope.get("heatmap.route") or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)

"""What the API's handlers share: the store (per thread for SQLite), policy, geocoder, index.

One :class:`ApiState` lives on ``app.state.api``; handlers get it through
:func:`get_state`. Nothing in it is specific to one request. Its services (store, policy,
templates, geocoder, clock) come from a :class:`heatmap.wiring.Services`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from heatmap.api.index import SpotIndex
from heatmap.api.keys import Principal, verify_key
from heatmap.api.metrics import ApiMetrics
from heatmap.api.settings import ApiSettings
from heatmap.api.throttle import FailureLimiter
from heatmap.core.policy import Policy
from heatmap.core.script import ScriptTemplates
from heatmap.errors import ConfigError
from heatmap.geocode.base import Geocoder
from heatmap.render.basemap import Basemap
from heatmap.settings import Settings
from heatmap.store import Store
from heatmap.wiring import Services


class StoreProvider:
    """A store for the calling thread.

    A SQLite connection may be used only by the thread that opened it, so each
    thread of the server opens its own (WAL lets them read side by side); the
    PostGIS store has a thread-safe pool and is shared.
    """

    def __init__(self, services: Services) -> None:
        from heatmap.store.sqlite import SQLiteStore

        store = services.given_store
        self.url = services.store_url
        self._open = services.open_store
        self._per_thread = store is None or isinstance(store, SQLiteStore)
        self._shared = None if self._per_thread else store
        self._owned: list[Store] = []
        self._local = threading.local()
        self._lock = threading.Lock()
        if not self._per_thread and store is None:
            self._shared = self._open()
            self._owned.append(self._shared)

    def get(self) -> Store:
        if self._shared is not None:
            return self._shared
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = self._open()
            self._local.store = store
            with self._lock:
                self._owned.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            owned, self._owned = self._owned, []
        for store in owned:
            # a SQLite connection of another thread refuses; the process frees it at exit
            with contextlib.suppress(Exception):
                store.close()


class KeyCache:
    """Checked keys for a few seconds, so a busy agent does not cost a store read per call.

    Valid and refused keys are kept apart, each least recently used first and bounded:
    a flood of distinct bad keys only ever pushes out other bad keys, never a good one.
    """

    def __init__(self, ttl_s: float, *, limit: int = 10_000, bad_limit: int = 1_000) -> None:
        self.ttl_s = ttl_s
        self.limit = limit
        self.bad_limit = bad_limit
        self._good: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._bad: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bool, Principal | None]:
        now = time.monotonic()
        with self._lock:
            good = self._good.get(key)
            if good is not None and good[0] >= now:
                self._good.move_to_end(key)
                return True, good[1]
            bad = self._bad.get(key)
            if bad is not None and bad >= now:
                return True, None
        return False, None

    def put(self, key: str, principal: Principal | None) -> None:
        if self.ttl_s <= 0:
            return
        until = time.monotonic() + self.ttl_s
        with self._lock:
            if principal is None:
                self._bad[key] = until
                self._bad.move_to_end(key)
                while len(self._bad) > self.bad_limit:
                    self._bad.popitem(last=False)
                return
            self._bad.pop(key, None)
            self._good[key] = (until, principal)
            self._good.move_to_end(key)
            while len(self._good) > self.limit:
                self._good.popitem(last=False)

    def __len__(self) -> int:
        return len(self._good) + len(self._bad)

    def clear(self) -> None:
        with self._lock:
            self._good.clear()
            self._bad.clear()


class ApiState:
    """Everything the handlers share, built once per app from its :class:`Services`.

    ``ApiState(settings, api, store, clock)`` is accepted too: services over ``settings``
    with the API section ``api``.
    """

    def __init__(
        self,
        services: Services | Settings,
        api: ApiSettings | None = None,
        store: Store | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not isinstance(services, Services):
            chosen = services if api is None else services.model_copy(update={"api": api})
            services = Services(chosen, store=store, clock=clock)
        self.services = services
        self.settings: Settings = services.settings
        self.api: ApiSettings = services.settings.api
        self.clock = services.clock
        self.stores = StoreProvider(services)
        self.policy: Policy = services.policy
        self.templates: ScriptTemplates = services.templates
        self.index = SpotIndex(
            templates=self.templates,
            reach_m=self.api.lookup_reach_m,
            recent_days=self.api.recent_days,
            recent_reach_m=self.api.recent_reach_m,
            check_interval_s=self.api.index_check_ms / 1000,
            clock=self.clock,
            join_reach_m=self.policy.join.reach_m,
            cause_titles=self.policy.causes,
            active_hours=self.policy.join.active_hours,
        )
        self.keys = KeyCache(self.api.key_cache_s)
        self.failures = FailureLimiter(self.api.auth_fail_limit, self.api.auth_fail_window_s)
        self.metrics = ApiMetrics(self.index)
        self.hex_cache: dict[int, tuple[float, object]] = {}
        self._basemap_lock = threading.Lock()
        self._basemap: Basemap | None = None

    @property
    def store(self) -> Store:
        return self.stores.get()

    def geocoder(self) -> Geocoder | None:
        """The gazetteer geocoder (``HEATMAP_GAZETTEER``), loaded once; None when not set."""
        if self.settings.gazetteer is None:
            return None
        try:
            return self.services.geocoder()
        except Exception as exc:
            raise ConfigError(f"HEATMAP_GAZETTEER: {exc}") from exc

    def basemap(self) -> Basemap | None:
        """Houses, street and settlement names of the gazetteer, built once; None without one."""
        if self.settings.gazetteer is None:
            return None
        with self._basemap_lock:
            if self._basemap is None:
                from heatmap.render.basemap import build_basemap

                try:
                    entries = self.services.gazetteer_entries()
                    self._basemap = build_basemap(entries) if entries is not None else None
                except Exception as exc:
                    raise ConfigError(f"HEATMAP_GAZETTEER: {exc}") from exc
            return self._basemap

    def refresh_index(self) -> None:
        """Check the store's spot counter now (rebuild the index if spots changed)."""
        self.index.refresh(self.store)

    def authenticate(self, key: str) -> Principal | None:
        found, principal = self.keys.get(key)
        if not found:
            principal = verify_key(self.store, key)
            self.keys.put(key, principal)
        return principal

    def close(self) -> None:
        self.stores.close()


async def get_state(request: Request) -> ApiState:
    """The app's shared state (async: a plain function would cost a thread hop per request)."""
    state: ApiState = request.app.state.api
    return state


State = Annotated[ApiState, Depends(get_state)]

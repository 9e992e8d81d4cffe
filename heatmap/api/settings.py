"""Settings of the HTTP API (``HEATMAP_API_*``), beside the package's own settings."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """What the API serves and how strictly; read from ``HEATMAP_API_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="HEATMAP_API_", extra="ignore", populate_by_name=True)

    #: An open spot this near a looked-up point (metres) counts as covering it.
    lookup_reach_m: float = Field(100.0, ge=0, le=5_000)
    #: Resolved spots shown beside a lookup: resolved within these days ...
    recent_days: float = Field(14.0, gt=0)
    #: ... and within this many metres of the point.
    recent_reach_m: float = Field(500.0, ge=0, le=20_000)
    #: How often (milliseconds) a worker asks the store whether spots changed.
    index_check_ms: int = Field(200, ge=0, le=60_000)
    #: Hex cells with fewer distinct complainants than this are never shown.
    hex_min_subscribers: int = Field(3, ge=1)
    #: Complaints of the last these days make the hex layer.
    hex_window_days: float = Field(30.0, gt=0)
    #: Seconds a computed hex layer is reused before it is computed again.
    hex_cache_s: float = Field(30.0, ge=0)
    #: Seconds a checked API key is trusted before the store is asked again.
    key_cache_s: float = Field(10.0, ge=0)
    #: Failed authentications (no key, a wrong one) a client may make per window; after
    #: that it is answered 429 with Retry-After until the window ends.
    auth_fail_limit: int = Field(20, ge=1)
    #: The window of ``auth_fail_limit``, in seconds.
    auth_fail_window_s: float = Field(60.0, gt=0)
    #: Freeze the objects loaded at startup out of the garbage collector (``heatmap serve``).
    gc_freeze: bool = False
    #: Where the map page loads Leaflet from: the copy installed with the package (the
    #: ``xstatic-leaflet`` dependency), served by this API, unless told otherwise.
    leaflet_url: str = "/static/leaflet"
    #: A tile server for the map page (``https://tile.openstreetmap.org/{z}/{x}/{y}.png`` or
    #: the operator's own); unset, the page draws the gazetteer's basemap and needs no host.
    tiles_url: str = Field("", validation_alias=AliasChoices("HEATMAP_TILES_URL", "HEATMAP_API_TILES_URL"))
    #: Attribution shown under the tiles of ``tiles_url``.
    tiles_attribution: str = Field(
        "&copy; OpenStreetMap contributors",
        validation_alias=AliasChoices("HEATMAP_TILES_ATTRIBUTION", "HEATMAP_API_TILES_ATTRIBUTION"),
    )

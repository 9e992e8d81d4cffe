"""The API's section of :class:`heatmap.settings.Settings` (``HEATMAP_API_*``), under its old name."""

from __future__ import annotations

from heatmap.settings import ApiSettings

__all__ = ["ApiSettings"]

"""The close-out's section of :class:`heatmap.settings.Settings`, under its old names."""

from __future__ import annotations

from heatmap.settings import CloseoutSettings, load_closeout_settings

__all__ = ["CloseoutSettings", "load_closeout_settings"]

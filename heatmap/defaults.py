"""Defaults that light modules (the CLI's options, its help) need without importing settings."""

from __future__ import annotations

#: The store when neither ``--db`` nor ``HEATMAP_DB`` names one.
DEFAULT_DB = "sqlite:///heatmap.db"

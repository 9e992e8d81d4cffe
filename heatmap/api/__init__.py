"""The HTTP API and the agents' map page (FastAPI); ``heatmap serve`` runs it with uvicorn."""

from heatmap.api.app import create_app

__all__ = ["create_app"]

"""Teplokarty: network-quality complaints turned into spots on a map."""

__version__ = "0.1.0"

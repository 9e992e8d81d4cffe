"""Spot detection: clustering complaints into spots (H3 or DBSCAN), stable ids."""

"""Rendering spots for people and other programs: GeoJSON, self-contained HTML maps, the basemap."""

"""Rendering spots for people and other programs: GeoJSON, folium maps."""

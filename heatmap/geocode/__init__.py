"""Geocoding: Russian address normalisation, the offline gazetteer, online geocoders."""

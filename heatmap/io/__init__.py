"""Reading and writing files: CRM exports, GeoJSON, GeoParquet."""

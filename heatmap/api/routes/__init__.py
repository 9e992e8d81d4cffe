"""The API's routers; :func:`heatmap.api.app.create_app` mounts them.

Routers of data endpoints carry :data:`PREFIX` themselves, so a route's ``path`` is
its full template (metrics label requests by it).
"""

PREFIX = "/api/v1"

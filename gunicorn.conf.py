"""gunicorn reads this file from the working directory (``make run``, deploy/Procfile, the
Dockerfile and the tests all start it from the project root).

A sync worker is replaced after about a thousand requests: whatever its Python heap gathered
is returned, and with it any database connection it still holds. Connections themselves are
retired sooner, by the schemas they served (tenants/connections.py)."""

import os

max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))

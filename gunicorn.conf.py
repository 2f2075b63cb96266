"""gunicorn settings for AuroMart's web processes.

Used by docker-compose's `web` service, the Dockerfile's default command and
the benchmarks (bench/server.py). Threaded workers (gthread): an order spends
a good part of its time waiting on MariaDB round trips, and a sync worker sits
idle through each of them; with threads, another request's Python runs
meanwhile. Each thread has its own database connection (Django keeps
connections per thread).

Start-up: the app is loaded once in the master before the listening socket
opens (preload_app), and on_starting imports every URL pattern's view, so a
worker forked from it serves its first request at once; a restarted gunicorn
no longer queues the first requests behind each worker's own import (the
issue measured about 23 s). Nothing opens a database or Redis connection at
import time, so the forked workers share none.

Stopping: SIGTERM lets requests in flight finish for up to graceful_timeout
seconds; docker-compose's stop_grace_period for web is longer, so Docker's
SIGKILL never cuts them short (auromart/tests/test_deploy.py checks both).

Environment: WEB_CONCURRENCY (processes, default 3), GUNICORN_THREADS
(threads per process, default 4), GUNICORN_BIND (default 0.0.0.0:8000),
GUNICORN_TIMEOUT (a request's limit, default 60), GUNICORN_GRACEFUL_TIMEOUT
(default 30), GUNICORN_PRELOAD (default true).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Connections a thread keeps open between requests of a keep-alive client.
keepalive = 5
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() != "false"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))


def on_starting(server):
    """Before the socket opens: import every view (the URLconf is otherwise loaded lazily)."""
    if not server.cfg.preload_app:
        return  # nothing loaded yet: each worker imports the app itself
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (evaluating it imports the views)
    # Before any worker exists: a connection opened while loading must not be
    # inherited (and shared) by the forked workers.
    connections.close_all()

"""gunicorn settings for AuroMart's web processes.

Used by docker-compose's `web` service and by the benchmarks (bench/server.py).
Threaded workers (gthread): an order spends a good part of its time waiting
on MariaDB round trips, and a sync worker sits idle through each of them; with
threads, another request's Python runs meanwhile. Each thread has its own
database connection (Django keeps connections per thread).

Environment: WEB_CONCURRENCY (processes, default 3), GUNICORN_THREADS
(threads per process, default 4), GUNICORN_BIND (default 0.0.0.0:8000).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Connections a thread keeps open between requests of a keep-alive client.
keepalive = 5

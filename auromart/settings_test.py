"""Settings for the test suite: the real settings, with test-friendly defaults.

Everything that CI varies (DATABASE_URL, CELERY_BROKER_URL, CACHE_URL) still
comes from the environment, so the same suite runs on SQLite and on MariaDB.
"""

import os

# Plain-HTTP test servers: no HTTPS redirect, cookies without the Secure flag.
for _name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
    os.environ.setdefault(_name, "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789")

from .settings import *  # noqa: E402,F403

# Hashing cost is not what the tests measure.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# TEST_MEDIA_ROOT: CI runs the two databases' suites side by side, each with its own.
MEDIA_ROOT = Path(env("TEST_MEDIA_ROOT", default=str(BASE_DIR / ".test-media")))  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared in-memory database: that one locks whole
    # tables across threads and fails at once ("table is locked") where a real
    # SQLite file makes writers queue, so the concurrency tests would prove
    # nothing. One file per process, removed by the test runner afterwards.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": env(  # noqa: F405
            "SQLITE_TEST_NAME",
            default=str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3"),  # noqa: F405
        )
    }

# Deliver committed messages in the test's own thread unless a test asks for
# the thread pool or Celery: outcomes are then there to assert right away.
NOTIFICATIONS_DELIVERY = env("NOTIFICATIONS_DELIVERY", default="inline")  # noqa: F405

# Background jobs run in the test's own thread unless a test asks for the
# thread or Celery.
JOBS_DELIVERY = env("JOBS_DELIVERY", default="inline")  # noqa: F405

# seed_demo's history, small: the default size is tested once (auromart/tests/test_demo_history.py).
DEMO_HISTORY_ORDERS = env.int("DEMO_HISTORY_ORDERS", default=60)  # noqa: F405
DEMO_HISTORY_DAYS = env.int("DEMO_HISTORY_DAYS", default=20)  # noqa: F405

"""Production settings for bench/load.py's gunicorn and Celery worker; static files unhashed.

Compose runs collectstatic (the migrate service) and serves the hashed,
compressed manifest; building it takes minutes on this machine, and no
request of the load fetches a static file. Pages only need `{% static %}`
to resolve, which the plain storage does without a manifest (as
bench/catalog_search.py does for its page requests). Everything else is
auromart.settings as the environment sets it.
"""

from auromart.settings import *  # noqa: F403
from auromart.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

"""The Celery app.

With CELERY_BROKER_URL set, tasks go to that broker (Redis) and a worker runs
them. Without one, settings turn on eager mode: a task enqueued with
`delay_on_commit()` runs in this process right after the transaction commits,
so the embedded demo needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "auromart.settings")

app = Celery("auromart")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""Delivery through Celery: a real worker on Redis in CI, and the periodic sweep."""

import time
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from auromart.celery import app
from auromart.tests.celery_worker import celery_worker, database_url_of_the_test_database
from notifications import tasks
from notifications.models import MessageStatus, OutboundMessage
from orders.tests.factories import place_order


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_on_redis_delivers_a_queued_message(
    smtp_server, settings, monkeypatch
):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("no CELERY_BROKER_URL: the CI run on MariaDB + Redis sets one")
    if connection.vendor != "mysql":
        pytest.skip("the worker process needs a database server it can share with the test")
    queue = f"test-outbox-{uuid.uuid4().hex[:12]}"
    settings.NOTIFICATIONS_DELIVERY = "celery"
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    worker_env = {
        "DATABASE_URL": database_url_of_the_test_database(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
    }
    with celery_worker(queue, loglevel="info", env=worker_env) as worker:
        order = place_order()  # commits: the task goes to Redis, the worker picks it up
        message = OutboundMessage.objects.get()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            message.refresh_from_db()
            if message.status == MessageStatus.SENT:
                break
            time.sleep(0.2)
        assert message.status == MessageStatus.SENT, message.last_error
        [received] = smtp_server.inbox.wait_for(1)
        assert order.number in received["Subject"]
    assert "notifications.deliver_messages" in worker.output, worker.output
    assert "succeeded" in worker.output and "Traceback" not in worker.output, worker.output


@pytest.mark.django_db
def test_beat_schedules_the_sweep():
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-sweep-outbox"]
    assert entry["task"] == tasks.sweep_outbox.name
    assert 0 < entry["schedule"] <= 300


@pytest.mark.django_db
def test_the_sweep_task_without_a_broker_delivers_what_is_due(smtp_server, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    place_order()  # no on-commit run here: the row waits, as after a lost task
    assert OutboundMessage.objects.get().status == MessageStatus.PENDING
    result = tasks.sweep_outbox.delay().get()
    assert result["sent"] == 1
    assert len(smtp_server.inbox.wait_for(1)) == 1


@pytest.mark.django_db
def test_the_sweep_task_with_a_broker_hands_each_due_row_to_a_worker(monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    sent = []
    monkeypatch.setattr(tasks.deliver_message, "delay", lambda message_id: sent.append(message_id))
    place_order()
    place_order()
    assert tasks.sweep_outbox() == {"queued": 2, "interrupted": 0}
    assert sorted(sent) == sorted(OutboundMessage.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_deliver_outbox_command_reports_what_it_did(smtp_server, capsys):
    place_order()
    call_command("deliver_outbox")
    assert "sent 1, to retry 0, failed 0" in capsys.readouterr().out
    call_command("deliver_outbox")
    assert "sent 0" in capsys.readouterr().out
    assert len(smtp_server.inbox.wait_for(1)) == 1

import os
import uuid

import pytest
from celery.signals import task_postrun
from django.conf import settings
from django.db import transaction

from auromart.celery import app
from auromart.tasks import ping

from .celery_worker import celery_worker


@pytest.fixture
def eager(monkeypatch):
    """The configuration without a broker (CI's Redis run turns eager mode off)."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.fixture
def ran():
    seen = []

    def record(sender=None, task_id=None, args=None, retval=None, **kw):
        seen.append((sender.name, args, retval))

    task_postrun.connect(record, weak=False)
    yield seen
    task_postrun.disconnect(record)


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_task_runs_in_process_after_commit(eager, ran):
    with transaction.atomic():
        ping.delay_on_commit("after-commit")
        assert ran == []  # not while the transaction may still roll back
    assert len(ran) == 1
    name, args, retval = ran[0]
    assert name == "auromart.ping" and args == ["after-commit"]
    assert retval["pid"] == os.getpid()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_runs_no_task(eager, ran):
    with pytest.raises(RuntimeError), transaction.atomic():
        ping.delay_on_commit("never")
        raise RuntimeError("roll back")
    assert ran == []


@pytest.mark.services
def test_a_task_runs_through_a_real_worker_on_redis():
    if not settings.CELERY_BROKER_URL:
        pytest.skip("no CELERY_BROKER_URL: the CI run on MariaDB + Redis sets one")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    with celery_worker(queue) as worker:
        token = uuid.uuid4().hex
        result = ping.apply_async(args=[token], queue=queue).get(timeout=60)
        assert result["token"] == token
        assert result["pid"] == worker.process.pid  # another process ran it: the worker
    assert "Traceback" not in worker.output, worker.output

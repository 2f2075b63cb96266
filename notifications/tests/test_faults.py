"""Fault tests of the outbox: nothing lost, nothing sent twice.

The mail server down while orders come in, the broker (Redis) down at order
time, a deliverer killed in the middle of a send. Each counts orders, outbox
rows and the mails a real SMTP server (aiosmtpd) received. They commit real
transactions (transaction=True), so the after-commit hand-over runs as in
production, and a deliverer in another process sees the rows.
"""

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import CustomerFactory
from auromart.celery import app
from auromart.tests.celery_worker import celery_worker
from auromart.tests.helpers import database_url
from inventory.tests.factories import DistributorFactory
from invoicing.models import Invoice
from notifications import dispatch, services
from notifications.models import Channel, MessageStatus, OutboundMessage
from notifications.samples import sample_contexts
from notifications.tasks import sweep_outbox
from orders.models import Order
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_transition

from .conftest import Inbox, SMTPServer, free_port

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
ORDERS_URL = "/api/customer/orders"
FAULT_REDIS_DB = 11  # this module's own Redis database; flushed before use


def later(seconds: int):
    """Patch the clock the outbox services read, `seconds` from now."""
    moved = timezone.now() + timedelta(seconds=seconds)
    return mock.patch("notifications.services.timezone.now", return_value=moved)


def point_email_at(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def order_body(distributor, product, quantity=1) -> dict:
    return {
        "distributor_id": distributor.pk,
        "items": [{"product_id": product.pk, "quantity": quantity}],
        "shipping_address": "1 Test Street",
    }


def post_order(customer, body):
    client = APIClient()
    client.force_authenticate(customer)
    return client.post(ORDERS_URL, body, format="json")


# --- The SMTP server down ------------------------------------------------------------


def test_smtp_down_while_orders_are_placed_every_order_succeeds_and_each_mail_goes_once(
    settings,
):
    server = SMTPServer(free_port())  # not started yet: connections are refused
    point_email_at(settings, server.port)
    distributor = DistributorFactory()
    products = [stocked_product(distributor=distributor, on_hand=50) for _ in range(2)]
    customers = [CustomerFactory() for _ in range(5)]

    numbers = []
    for i, customer in enumerate(customers):
        response = post_order(customer, order_body(distributor, products[i % 2], quantity=2))
        assert response.status_code == 201, response.content
        numbers.append(response.json()["number"])

    assert Order.objects.count() == 5
    emails = OutboundMessage.objects.filter(channel=Channel.EMAIL)
    confirmations = emails.filter(template="order_confirmation")
    assert confirmations.count() == 5
    expected = emails.count()  # confirmations, and whatever else the orders queued
    for message in emails:
        assert message.status == MessageStatus.PENDING, message.last_error
        assert message.attempts == 1 and "ConnectionRefusedError" in message.last_error

    server.start()
    try:
        with later(3600):
            counts = services.outbox_sweep()
            assert counts["sent"] == expected and counts["failed"] == counts["retry"] == 0
            assert services.outbox_sweep()["sent"] == 0
        with later(7200):
            assert services.outbox_sweep()["sent"] == 0
        server.inbox.wait_for(expected)
        time.sleep(0.3)  # room for a duplicate to show up
        received = list(server.inbox.messages)
    finally:
        server.stop()

    assert len(received) == expected
    assert sorted(m["Message-ID"] for m in received) == sorted(
        emails.values_list("provider_message_id", flat=True)
    )
    subjects = [m["Subject"] for m in received]
    for number in numbers:
        assert sum(number in subject for subject in subjects) == 1, (number, subjects)
    assert set(emails.values_list("status", flat=True)) == {MessageStatus.SENT}


# --- The broker down ------------------------------------------------------------------


def _reset_celery_pools():
    app._pool = None
    app.amqp._producer_pool = None
    dispatch.broker_down_forget()


@pytest.fixture
def broker(monkeypatch):
    """Point the Celery app (not eager) at a broker URL for the test; restored afterwards.

    The environment's CELERY_BROKER_URL wins over app.conf, so both change.
    """

    def point_at(url: str) -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        monkeypatch.setitem(app.conf, "broker_url", url)
        monkeypatch.setitem(app.conf, "task_always_eager", False)
        _reset_celery_pools()

    yield point_at
    _reset_celery_pools()


@pytest.fixture
def hung_broker():
    """A port that accepts TCP connections and never answers: a frozen Redis."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/{FAULT_REDIS_DB}"


@pytest.fixture
def fault_redis_url():
    """This module's Redis database on the real server (CI's), flushed; skip when none answers."""
    base = urlsplit(settings.CELERY_BROKER_URL or "redis://127.0.0.1:6379/0")
    url = f"redis://{base.hostname}:{base.port or 6379}/{FAULT_REDIS_DB}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.RedisError as exc:
        if os.environ.get("AUROMART_EXPECT_BROKER") == "redis":
            raise
        pytest.skip(f"needs Redis at {base.hostname}:{base.port or 6379} ({exc})")
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.mark.parametrize("down", ["refused", "hung"])
def test_with_the_broker_down_an_order_still_answers_201_quickly_and_commits(
    down, settings, broker, hung_broker, caplog
):
    settings.NOTIFICATIONS_DELIVERY = "celery"
    broker(
        f"redis://127.0.0.1:{free_port()}/{FAULT_REDIS_DB}" if down == "refused" else hung_broker
    )
    distributor = DistributorFactory()
    product = stocked_product(distributor=distributor, on_hand=10)
    customer = CustomerFactory()

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="notifications.dispatch"):
        response = post_order(customer, order_body(distributor, product))
    elapsed = time.monotonic() - started

    assert response.status_code == 201, response.content
    # Measured: refused about 0.3 s, hung about 5 s (the socket timeout); Celery's
    # defaults held a hung broker's request for good.
    assert elapsed < (2.0 if down == "refused" else 8.0), f"the order took {elapsed:.2f} s"
    order = Order.objects.get(number=response.json()["number"])
    assert order.customer == customer
    message = OutboundMessage.objects.get(template="order_confirmation")
    assert message.status == MessageStatus.PENDING and message.attempts == 0
    assert "the outbox sweep will deliver them" in caplog.text


def test_the_sweep_delivers_what_the_broker_missed_once_it_is_back(
    settings, broker, fault_redis_url, smtp_server
):
    settings.NOTIFICATIONS_DELIVERY = "celery"
    broker(f"redis://127.0.0.1:{free_port()}/{FAULT_REDIS_DB}")  # down at order time
    distributor = DistributorFactory()
    product = stocked_product(distributor=distributor, on_hand=10)
    responses = [post_order(CustomerFactory(), order_body(distributor, product)) for _ in range(3)]
    assert [r.status_code for r in responses] == [201] * 3
    emails = OutboundMessage.objects.filter(channel=Channel.EMAIL)
    assert emails.filter(template="order_confirmation").count() == 3
    expected = emails.count()  # the confirmations and the procurement request's mails
    assert set(emails.values_list("status", "attempts")) == {(MessageStatus.PENDING, 0)}

    broker(fault_redis_url)  # the broker is back; beat's sweep and a worker run on it
    env = {
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": fault_redis_url,
        "CELERY_RESULT_BACKEND": fault_redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
    }
    with celery_worker("celery", env=env) as worker:
        sweep_outbox.apply_async(ignore_result=True)
        received = smtp_server.inbox.wait_for(expected, timeout=60)
        sweep_outbox.apply_async(ignore_result=True)  # a second sweep sends nothing more
        time.sleep(2)
    assert "Traceback" not in worker.output, worker.output
    assert len(received) == expected == len(smtp_server.inbox.messages)
    assert sorted(m["Message-ID"] for m in received) == sorted(
        emails.values_list("provider_message_id", flat=True)
    )
    assert set(emails.values_list("status", "attempts")) == {(MessageStatus.SENT, 1)}
    subjects = [m["Subject"] for m in received]
    for response in responses:
        assert sum(response.json()["number"] in subject for subject in subjects) == 1


def test_an_invoice_issued_with_the_broker_down_commits_and_its_pdf_renders_later(
    settings, broker, caplog
):
    """The second after-commit publisher: invoicing's PDF task."""
    settings.NOTIFICATIONS_DELIVERY = "celery"
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/{FAULT_REDIS_DB}"
    broker(settings.CELERY_BROKER_URL)
    order = place_order()
    with caplog.at_level(logging.WARNING), transaction.atomic():
        for status in ("accepted", "processing", "shipped", "delivered"):
            order = order_transition(order=order, to_status=status, by=None)
    invoice = Invoice.objects.get(order=order)  # committed, no error raised after commit
    assert not invoice.pdf
    assert f"Could not queue the PDF of invoice {invoice.pk}" in caplog.text
    assert OutboundMessage.objects.filter(template="invoice", status="pending").exists()


# --- A deliverer killed in the middle of a send --------------------------------------

DELIVER_ONE = """
import sys, django
django.setup()
from notifications.services import message_deliver
print(message_deliver(message_id=int(sys.argv[1])), flush=True)
"""


def _queued(dedup_key: str = "fault:killed") -> OutboundMessage:
    """A pending row that no deliverer of this process picks up (that is the test's job)."""
    with mock.patch("notifications.services.schedule_delivery"):
        services.message_queue(
            template="procurement_request",
            recipient="ops@example.com",
            context=sample_contexts()["procurement_request"],
            dedup_key=dedup_key,
        )
    return OutboundMessage.objects.get(dedup_key=dedup_key)


def _deliverer(message: OutboundMessage, smtp_port: int, **env: str) -> subprocess.Popen:
    """Another process delivering `message`, as a worker would."""
    return subprocess.Popen(
        [sys.executable, "-c", DELIVER_ONE, str(message.pk)],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "auromart.settings_test",
            "DATABASE_URL": database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "60",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_until(condition, timeout=30.0, what="") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL, process.stdout.read()


def test_a_deliverer_killed_before_the_handoff_leaves_a_message_that_goes_once(settings):
    """Killed while the mail server has not even said hello: nothing went out; retried."""
    with socket.socket() as silent:  # accepts the connection, never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        message = _queued()
        process = _deliverer(message, silent.getsockname()[1])
        silent.settimeout(30)
        peer, _ = silent.accept()  # the deliverer is connecting, claim taken
        _wait_until(
            lambda: OutboundMessage.objects.get(pk=message.pk).status == MessageStatus.SENDING,
            what="the claim",
        )
        _kill(process)
        peer.close()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING and message.provider_message_id == ""

    server = SMTPServer(free_port())
    point_email_at(settings, server.port)
    server.start()
    try:
        assert services.outbox_sweep()["interrupted"] == 0  # the claim has not expired yet
        with later(settings.NOTIFICATIONS_CLAIM_SECONDS + 60):
            counts = services.outbox_sweep()
            assert counts["interrupted"] == 1 and counts["sent"] == 1
            assert services.outbox_sweep()["sent"] == 0
        received = server.inbox.wait_for(1)
        time.sleep(0.3)
    finally:
        server.stop()
    assert len(received) == 1 == len(server.inbox.messages)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 2
    assert received[0]["Message-ID"] == message.provider_message_id


class HoldingInbox(Inbox):
    """Holds its 250 to the end of DATA for `hold` seconds.

    aiosmtpd cancels the handler when the client goes away. `keeps`: the
    message is stored as soon as its data is in (a server that queued it and
    lost only its answer to us), else only with the answer (a server that
    drops what it had not confirmed).
    """

    def __init__(self, *, hold: float, keeps: bool):
        super().__init__()
        self.hold, self.keeps = hold, keeps
        self.arrived = 0  # messages whose data is in

    async def handle_DATA(self, server, session, envelope):
        received = message_from_bytes(envelope.content, policy=policy.default)
        self.arrived += 1
        if self.keeps:
            self.messages.append(received)
        await asyncio.sleep(self.hold)
        if not self.keeps:
            self.messages.append(received)
        return "250 Message accepted for delivery"


def _sweep_period() -> int:
    return settings.CELERY_BEAT_SCHEDULE["notifications-sweep-outbox"]["schedule"]


@pytest.mark.parametrize("server_keeps", [True, False], ids=["server-kept-it", "server-dropped-it"])
def test_both_deliverers_killed_while_the_server_holds_its_250_nothing_is_resent_blind(
    settings, server_keeps
):
    """Two deliverers (workers) killed while the server holds its 250 for 5 s.

    Kept: the recipient has one copy per Message-ID and nothing is resent.
    Dropped: nothing arrived; each row is flagged for a person (failed, with
    why) at the first sweep after its lease, within 2 minutes of the crash,
    and the person's Resend delivers it once.
    """
    hold = 5.0
    server = SMTPServer(free_port())
    server.inbox = HoldingInbox(hold=hold, keeps=server_keeps)
    point_email_at(settings, server.port)
    server.start()
    try:
        messages = [_queued(f"fault:held:{i}") for i in range(2)]
        processes = [_deliverer(message, server.port) for message in messages]
        _wait_until(lambda: server.inbox.arrived == 2, what="both messages' data at the server")
        held_since = time.monotonic()
        for process in processes:
            _kill(process)
        rows = OutboundMessage.objects.filter(pk__in=[m.pk for m in messages])
        assert {(r.status, r.provider_message_id.startswith("<outbox.")) for r in rows} == {
            (MessageStatus.SENDING, True)  # handed over, the 250 not recorded
        }

        # While the lease runs the deliverer might be alive: the sweep leaves the rows.
        assert services.outbox_sweep()["interrupted"] == 0
        lease = settings.NOTIFICATIONS_CLAIM_SECONDS
        # The first sweep after the lease ran out settles them: at worst a lease
        # and one sweep period after the crash.
        assert lease + _sweep_period() <= 120
        with later(lease + 1):
            counts = services.outbox_sweep()
            assert counts["interrupted"] == 2 and counts["sent"] == 0
        with later(3600):
            assert services.outbox_sweep() == {**counts, "interrupted": 0}
        # Past the server's hold: a copy it was going to keep is in by now.
        time.sleep(max(0.0, held_since + hold + 0.5 - time.monotonic()))
        by_message_id = Counter(m["Message-ID"] for m in server.inbox.messages)
        rows = list(rows.all())  # read again
        for row in rows:
            assert row.status == MessageStatus.FAILED and row.attempts == 1
            assert "may or may not have gone out" in row.last_error
        if server_keeps:
            assert by_message_id == {row.provider_message_id: 1 for row in rows}
        else:
            assert by_message_id == {}
            server.inbox.hold = 0
            copies = [services.message_resend(message=row) for row in rows]  # the person
            received = server.inbox.wait_for(2)
            time.sleep(0.3)
            assert len(received) == 2 == len(server.inbox.messages)
            for copy in copies:
                copy.refresh_from_db()
                assert copy.status == MessageStatus.SENT
            assert sorted(m["Message-ID"] for m in received) == sorted(
                c.provider_message_id for c in copies
            )
    finally:
        server.stop()


class SlowQuitInbox(Inbox):
    """Answers DATA at once, then takes its time over QUIT."""

    async def handle_QUIT(self, server, session, envelope):
        await asyncio.sleep(30)
        return "221 Bye"


def test_the_servers_250_is_recorded_before_anything_else(settings):
    """A deliverer killed after the 250, while the server sits on QUIT: already sent, no resend."""
    server = SMTPServer(free_port())
    server.inbox = SlowQuitInbox()
    point_email_at(settings, server.port)
    server.start()
    try:
        message = _queued()
        process = _deliverer(message, server.port)
        _wait_until(
            lambda: OutboundMessage.objects.get(pk=message.pk).status == MessageStatus.SENT,
            what="the 250 recorded",
        )
        assert process.poll() is None  # still waiting for the answer to QUIT
        _kill(process)
        with later(3600):
            assert services.outbox_sweep()["sent"] == services.outbox_sweep()["interrupted"] == 0
        time.sleep(0.3)
        assert len(server.inbox.messages) == 1
    finally:
        server.stop()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1
    assert server.inbox.messages[0]["Message-ID"] == message.provider_message_id


def test_a_live_deliverer_keeps_renewing_its_lease_through_a_slow_send(settings):
    """A 3 s lease and a server that holds its 250 for 5 s: the sweep never takes the row."""
    server = SMTPServer(free_port())
    server.inbox = HoldingInbox(hold=5.0, keeps=False)
    point_email_at(settings, server.port)
    server.start()
    try:
        message = _queued()
        process = _deliverer(message, server.port, NOTIFICATIONS_CLAIM_SECONDS="3")
        _wait_until(lambda: server.inbox.arrived == 1, what="the data at the server")
        first = OutboundMessage.objects.get(pk=message.pk).claimed_until
        leases = set()
        deadline = time.monotonic() + 4.0  # past the first lease's end
        while time.monotonic() < deadline:
            row = OutboundMessage.objects.get(pk=message.pk)
            if row.status != MessageStatus.SENDING:
                break
            leases.add(row.claimed_until)
            assert services.outbox_release_interrupted() == 0
            time.sleep(0.2)
        output, _ = process.communicate(timeout=30)
        assert "Outcome(status='sent'" in output, output
        received = server.inbox.wait_for(1)
        time.sleep(0.3)
    finally:
        server.stop()
    assert len(received) == 1 == len(server.inbox.messages)
    assert max(leases) > first  # renewed while the server held its answer
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1

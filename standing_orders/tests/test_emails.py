"""The reminder before a run and the confirmation after it reach a real SMTP server (aiosmtpd)."""

import datetime

import pytest
import time_machine

from accounts.tests.factories import CustomerFactory
from auromart.tests.helpers import free_port
from inventory.tests.factories import DistributorFactory
from notifications.models import OutboundMessage
from notifications.tests.conftest import SMTPServer, parts
from orders.tests.factories import stocked_product
from standing_orders.tasks import run_due

from .factories import standing_order

pytestmark = pytest.mark.django_db

PORTS = range(18500, 18600)  # this helper's loopback ports

# Thursday 3 December 2026, 09:00 in Kolkata; the run is on Monday the 7th.
THURSDAY = datetime.datetime(2026, 12, 3, 3, 30, tzinfo=datetime.UTC)


@pytest.fixture
def smtp(settings):
    server = SMTPServer(free_port(PORTS))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    server.start()
    yield server
    server.stop()


def subject(message) -> str:
    return " ".join(message["Subject"].split())


def test_the_reminder_and_the_confirmation_reach_the_buyer(
    smtp, settings, django_capture_on_commit_callbacks
):
    settings.STANDING_ORDER_REMINDER_DAYS = 2
    buyer = CustomerFactory(name="Asha Rao", email="asha@example.test")
    distributor = DistributorFactory(name="Deccan Distribution")
    tea = stocked_product(distributor=distributor, on_hand=50, name="Assam tea, 500 g")
    ghee = stocked_product(distributor=distributor, on_hand=1, name="Cow ghee, 1 l")
    with time_machine.travel(THURSDAY, tick=False) as clock:
        so = standing_order(
            buyer=buyer,
            distributor=distributor,
            name="Weekly restock",
            lines=[(tea, 6), (ghee, 3)],
            next_run_date=datetime.date(2026, 12, 7),
        )
        for _day in range(5):  # Thursday to Monday, the beat twice a day
            with django_capture_on_commit_callbacks(execute=True):
                run_due()
                run_due()
            clock.shift(datetime.timedelta(days=1))

    # The order's own confirmation (order_placed) goes too; these two are the standing order's.
    received = [m for m in smtp.inbox.wait_for(3) if "Weekly restock" in subject(m)]
    assert [subject(m) for m in received] == [
        "Weekly restock orders again on Mon 7 Dec 2026",
        f"Weekly restock: order {so.runs.get().order.number} placed",
    ]
    reminder, confirmation = received
    assert reminder["To"] == "asha@example.test"
    text, html = parts(reminder)
    assert "on Monday 7 December 2026" in text and "6 x Assam tea, 500 g" in text
    assert f"/standing-orders/{so.pk}/skip/" in text and f"/standing-orders/{so.pk}/edit/" in html
    text, html = parts(confirmation)
    order = so.runs.get().order
    assert order.number in text and "Lines placed: 1" in text
    assert "3 x Cow ghee, 1 l" in text and "only 1 available" in text  # refused: ships complete
    assert "Next run: Monday 14 December 2026" in text
    assert "Lines placed" in html and order.number in html
    # Reminded once for that run date, though the beat ran ten times.
    assert OutboundMessage.objects.filter(template="standing_order_reminder").count() == 1

"""The bounced-cheque and reminder e-mails reach a real SMTP server (aiosmtpd on loopback)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import CustomerFactory
from auromart.tests.helpers import free_port
from invoicing.models import InvoiceStatus, PaymentMethod
from invoicing.receipts import invoice_payment_bounce, invoice_payment_record
from invoicing.tasks import send_payment_reminders
from notifications.tests.conftest import SMTPServer, parts

from .factories import invoice_owing

pytestmark = pytest.mark.django_db

PORTS = range(8350, 8400)  # this suite's loopback ports


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


def subject(mail) -> str:
    return " ".join(mail["Subject"].split())


def test_two_part_payments_then_a_bounced_cheque_emails_the_buyer(
    smtp, django_capture_on_commit_callbacks
):
    buyer = CustomerFactory(name="Asha Rao", email="asha@example.test")
    invoice = invoice_owing("2000.00", customer=buyer)
    invoice_payment_record(
        invoice=invoice,
        amount="1250.00",
        method=PaymentMethod.UPI,
        reference="UPI-1",
        received_on=timezone.localdate(),
    )
    cheque = invoice_payment_record(
        invoice=invoice,
        amount="750.00",
        method=PaymentMethod.CHEQUE,
        reference="CHQ 004512",
        received_on=timezone.localdate(),
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.balance_due == 0

    with django_capture_on_commit_callbacks(execute=True):
        invoice_payment_bounce(payment=cheque, by=None, reason="Insufficient funds")

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID
    assert str(invoice.balance_due) == "750.00"
    [mail] = [m for m in smtp.inbox.wait_for(1) if "bounced" in subject(m)]
    assert mail["To"] == "asha@example.test"
    assert subject(mail) == (
        f"Cheque CHQ 004512 bounced: invoice {invoice.number} has ₹750.00 to pay"
    )
    text, html = parts(mail)
    assert "returned unpaid: Insufficient funds" in text
    assert f"Invoice {invoice.number} (total ₹2,000.00" in text and "now has ₹750.00 to pay" in text
    assert "Balance due now" in html and "₹750.00" in html


def test_a_reminder_reaches_the_buyer(smtp, django_capture_on_commit_callbacks, settings):
    settings.PAYMENT_REMINDER_DAYS = [-3, 1, 7, 30]
    buyer = CustomerFactory(email="ravi@example.test")
    invoice = invoice_owing(
        "99.99", customer=buyer, due_date=timezone.localdate() + datetime.timedelta(days=2)
    )
    moment = datetime.datetime.combine(
        invoice.due_date + datetime.timedelta(days=7),
        datetime.time(9),
        tzinfo=timezone.get_current_timezone(),
    )
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        send_payment_reminders()
    [mail] = smtp.inbox.wait_for(1)
    assert subject(mail).startswith(f"Overdue: invoice {invoice.number}, ₹99.99 was due on")
    text, _html = parts(mail)
    assert "7 days ago" in text and "Balance due: ₹99.99" in text

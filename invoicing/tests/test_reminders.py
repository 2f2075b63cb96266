"""Payment reminders: one per PAYMENT_REMINDER_DAYS step per unpaid invoice, however often
the task runs; none for a paid or void invoice; a missed week sends one, not a burst."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, RetailerUserFactory
from invoicing import services
from invoicing.models import PaymentReminder
from invoicing.receipts import invoice_payment_record
from invoicing.reminders import payment_reminders_due, step_reached
from invoicing.tasks import send_payment_reminders
from notifications.models import OutboundMessage

from .factories import invoice_owing

pytestmark = pytest.mark.django_db


def at(day: datetime.date):
    """The clock at 10:00 local time on `day` (timezone.localdate() is `day`)."""
    moment = datetime.datetime.combine(
        day, datetime.time(10), tzinfo=timezone.get_current_timezone()
    )
    return time_machine.travel(moment, tick=False)


def reminder_mails(invoice):
    return OutboundMessage.objects.filter(
        template="payment_reminder", dedup_key__startswith=f"payment_reminder:{invoice.pk}:"
    )


@pytest.fixture(autouse=True)
def _steps(settings):
    settings.PAYMENT_REMINDER_DAYS = [-3, 1, 7, 30]


def test_an_overdue_invoice_gets_exactly_one_reminder_per_step_with_three_runs_a_day():
    invoice = invoice_owing("1500.00", due_date=timezone.localdate() + datetime.timedelta(days=5))
    due = invoice.due_date
    expected_steps = []
    for offset, step in (
        (-4, None),
        (-3, -3),
        (-1, None),
        (0, None),
        (1, 1),
        (2, None),
        (7, 7),
        (8, None),
        (29, None),
        (30, 30),
        (31, None),
        (60, None),
    ):
        with at(due + datetime.timedelta(days=offset)):
            for _run in range(3):
                send_payment_reminders()  # the beat task, run three times that day
        if step is not None:
            expected_steps.append(step)
        assert sorted(invoice.reminders.values_list("step", flat=True)) == expected_steps, offset
    assert reminder_mails(invoice).count() == 4  # one e-mail per step (customer, e-mail channel)
    mails = list(reminder_mails(invoice).order_by("pk"))
    assert "Reminder: invoice" in mails[0].subject and "due on" in mails[0].subject
    assert mails[1].subject.startswith("Overdue: invoice") and "₹1,500.00" in mails[1].subject
    assert "30 days ago" in mails[3].body_text


def test_a_paid_invoice_gets_no_more_reminders_and_a_part_paid_one_says_the_balance():
    paid = invoice_owing("100.00", due_date=timezone.localdate() + datetime.timedelta(days=5))
    part = invoice_owing("100.00", due_date=timezone.localdate() + datetime.timedelta(days=5))
    void = invoice_owing("100.00", due_date=timezone.localdate() + datetime.timedelta(days=5))
    invoice_payment_record(
        invoice=paid, amount="100", method="upi", reference="U", received_on=timezone.localdate()
    )
    invoice_payment_record(
        invoice=part, amount="40.50", method="upi", reference="U", received_on=timezone.localdate()
    )
    services.invoice_void(invoice=void, by=CustomerFactory(is_staff=True), reason="Wrong")
    with at(paid.due_date + datetime.timedelta(days=1)):
        call_command("send_payment_reminders")
    assert not paid.reminders.exists() and not void.reminders.exists()
    [mail] = reminder_mails(part)
    assert "₹59.50" in mail.subject and "Paid so far: ₹40.50" in mail.body_text


def test_a_missed_run_sends_the_latest_step_only():
    invoice = invoice_owing("10.00", due_date=timezone.localdate() + datetime.timedelta(days=2))
    with at(invoice.due_date + datetime.timedelta(days=40)):
        send_payment_reminders()
        send_payment_reminders()
    assert list(invoice.reminders.values_list("step", flat=True)) == [30]


def test_a_retailer_invoice_also_reminds_the_organization_address():
    buyer = RetailerUserFactory(organization__contact_email="accounts@ravi.test")
    invoice = invoice_owing(
        "10.00", customer=buyer, due_date=timezone.localdate() + datetime.timedelta(days=3)
    )
    with at(invoice.due_date):
        send_payment_reminders()
    recipients = set(reminder_mails(invoice).values_list("recipient", flat=True))
    assert recipients == {buyer.email, "accounts@ravi.test"}


def test_step_reached():
    due = datetime.date(2026, 6, 30)
    steps = [-3, 1, 7, 30]
    assert step_reached(due, datetime.date(2026, 6, 26), steps) is None
    assert step_reached(due, datetime.date(2026, 6, 27), steps) == -3
    assert step_reached(due, datetime.date(2026, 7, 1), steps) == 1
    assert step_reached(due, datetime.date(2026, 12, 1), steps) == 30


def test_finding_what_is_due_is_one_query(django_assert_num_queries):
    for _ in range(3):
        invoice_owing("5.00", due_date=timezone.localdate() - datetime.timedelta(days=2))
    with django_assert_num_queries(1):
        due = payment_reminders_due()
    assert [step for _pk, step in due] == [1, 1, 1]
    assert PaymentReminder.objects.count() == 0

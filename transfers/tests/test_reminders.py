"""A transfer request its source leaves unanswered is reminded once (transfers.reminders)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from catalog.tests.factories import ProductFactory
from transfers import services
from transfers.models import TransferOrder
from transfers.reminders import transfer_reminders_send
from transfers.tasks import send_confirmation_reminders

from .factories import distributor_with_member, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def requested(settings):
    settings.TRANSFER_CONFIRM_REMINDER_HOURS = 24
    east, east_clerk = distributor_with_member(name="Eastern Distribution Co.")
    west, west_clerk = distributor_with_member(name="Western Depot")
    product = ProductFactory(sku="GEN-0041", name="Basmati 5 kg")
    stock(product, east, 30)
    transfer = services.transfer_create(
        source=east, destination=west, lines=[(product, 12)], by=west_clerk
    )
    return transfer, east_clerk, west_clerk


def _reminders():
    return [m for m in mail.outbox if m.subject.startswith("Reminder: transfer")]


def test_the_source_is_reminded_once_after_the_hours_pass(
    requested, django_capture_on_commit_callbacks
):
    transfer, east_clerk, west_clerk = requested
    asked_at = transfer.created_at
    with django_capture_on_commit_callbacks(execute=True):
        assert transfer_reminders_send(now=asked_at + datetime.timedelta(hours=23)) == 0
    assert _reminders() == []

    later = asked_at + datetime.timedelta(hours=25)
    with django_capture_on_commit_callbacks(execute=True):
        assert transfer_reminders_send(now=later) == 1
        assert transfer_reminders_send(now=later + datetime.timedelta(hours=5)) == 0
    [reminder] = _reminders()
    assert reminder.to == [east_clerk.email]
    assert reminder.subject.startswith(f"Reminder: transfer {transfer.number} still waits for you")
    assert "has not been confirmed yet" in reminder.body and "12 x Basmati 5 kg" in reminder.body
    assert west_clerk.email not in reminder.to
    transfer.refresh_from_db()
    assert transfer.reminder_sent_at == later


def test_an_answered_transfer_is_not_reminded(requested, django_capture_on_commit_callbacks):
    transfer, east_clerk, _ = requested
    services.transfer_confirm(transfer=transfer, by=east_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        sent = transfer_reminders_send(now=timezone.now() + datetime.timedelta(days=3))
    assert sent == 0 and _reminders() == []


def test_the_hourly_task_sends_what_is_due(requested):
    transfer, *_ = requested
    TransferOrder.objects.filter(pk=transfer.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=30)
    )
    assert send_confirmation_reminders() == 1
    assert send_confirmation_reminders() == 0

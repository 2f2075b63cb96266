import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from payments import services
from payments.models import PaymentStatus

from .factories import awaiting_order

pytestmark = pytest.mark.django_db


def test_flagged_payments_filter_and_read_only(client, fake_razorpay):
    order = awaiting_order()
    payment = services.payment_start_for_order(order=order, by=order.customer)
    payment_id = fake_razorpay.capture(payment.provider_order_id, amount=1)
    body, signature = fake_razorpay.signed_webhook(payment_id)
    services.webhook_receive(body=body, signature=signature, event_id="evt_1")
    second = awaiting_order()
    other = services.payment_start_for_order(order=second, by=second.customer)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:payments_payment_changelist")
    page = client.get(url, {"status__exact": PaymentStatus.FLAGGED})
    assert page.status_code == 200
    shown = list(page.context["cl"].result_list)
    assert shown == [payment.__class__.objects.get(pk=payment.pk)]
    assert other not in shown
    change = client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert b'name="amount"' not in change.content  # read-only

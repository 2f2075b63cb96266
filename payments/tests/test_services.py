"""Online payment against the local fake of Razorpay's API, through the official SDK."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from inventory.models import StockItem
from invoicing.models import InvoiceStatus
from invoicing.tests.factories import deliver, invoice_for
from notifications.models import OutboundMessage
from orders.models import Order, OrderStatus
from payments import services
from payments.models import Payment, PaymentStatus, WebhookEvent

from .factories import awaiting_order

pytestmark = pytest.mark.django_db


def _stock(order):
    item = order.items.get()
    return StockItem.objects.get(product_id=item.product_id, distributor=order.distributor)


def _pay(fake, payment, **capture):
    payment_id = fake.capture(payment.provider_order_id, **capture)
    body, signature = fake.signed_webhook(payment_id)
    return payment_id, body, signature


def test_order_paid_end_to_end_through_the_signed_webhook(fake_razorpay):
    order = awaiting_order()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert _stock(order).allocated == 2  # allocated at placement, as always
    payment = services.payment_start_for_order(order=order, by=order.customer)
    assert fake_razorpay.orders[payment.provider_order_id]["amount"] == payment.amount_paise
    assert payment.amount == order.total
    payment_id, body, signature = _pay(fake_razorpay, payment)

    services.webhook_receive(body=body, signature=signature, event_id="evt_1")

    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert payment.provider_payment_id == payment_id
    assert order.status == OrderStatus.PLACED
    # The state came from a server-side fetch of the payment.
    assert ("GET", f"/v1/payments/{payment_id}") in fake_razorpay.requests


def test_a_replayed_webhook_changes_nothing(fake_razorpay):
    order = awaiting_order()
    payment = services.payment_start_for_order(order=order, by=order.customer)
    _, body, signature = _pay(fake_razorpay, payment)
    services.webhook_receive(body=body, signature=signature, event_id="evt_1")
    changes = order.status_changes.count()
    updated = Payment.objects.get(pk=payment.pk).updated_at

    assert services.webhook_receive(body=body, signature=signature, event_id="evt_1") is None

    assert order.status_changes.count() == changes
    assert Payment.objects.get(pk=payment.pk).updated_at == updated
    assert WebhookEvent.objects.count() == 1


def test_a_bad_signature_is_rejected_and_changes_nothing(fake_razorpay):
    order = awaiting_order()
    payment = services.payment_start_for_order(order=order, by=order.customer)
    payment_id = fake_razorpay.capture(payment.provider_order_id)
    body, good = fake_razorpay.signed_webhook(payment_id)
    _, forged = fake_razorpay.signed_webhook(payment_id, secret="not-the-secret")

    with pytest.raises(services.PaymentRejected):
        services.webhook_receive(body=body, signature=forged, event_id="evt_1")
    with pytest.raises(services.PaymentRejected):
        services.webhook_receive(body=body + b" ", signature=good, event_id="evt_2")  # tampered

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT
    assert not WebhookEvent.objects.exists()


def test_an_unknown_payment_is_rejected(fake_razorpay):
    order = awaiting_order()
    services.payment_start_for_order(order=order, by=order.customer)
    # A real provider order that is not ours.
    stranger = fake_razorpay.capture(
        fake_razorpay.orders.setdefault(
            "order_stranger", {"id": "order_stranger", "amount": 100, "currency": "INR"}
        )["id"]
    )
    body, signature = fake_razorpay.signed_webhook(stranger)
    with pytest.raises(services.PaymentRejected):
        services.webhook_receive(body=body, signature=signature, event_id="evt_x")
    assert not WebhookEvent.objects.exists()
    assert Payment.objects.get().status == PaymentStatus.CREATED


def test_an_amount_mismatch_flags_the_payment(fake_razorpay):
    order = awaiting_order()
    payment = services.payment_start_for_order(order=order, by=order.customer)
    _, body, signature = _pay(fake_razorpay, payment, amount=100)

    services.webhook_receive(body=body, signature=signature, event_id="evt_1")

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FLAGGED
    assert payment.amount_received == Decimal("1.00")
    assert "1.00" in payment.flag_reason
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT


def test_an_abandoned_payment_is_released_after_the_timeout(fake_razorpay, settings):
    settings.PAYMENT_TIMEOUT_MINUTES = 30
    order = awaiting_order()
    services.payment_start_for_order(order=order, by=order.customer)
    now = timezone.now()
    with time_machine.travel(now + datetime.timedelta(minutes=29)):
        assert services.payments_release_abandoned() == 0
    assert _stock(order).allocated == 2
    with time_machine.travel(now + datetime.timedelta(minutes=31)):
        assert services.payments_release_abandoned() == 1
        assert services.payments_release_abandoned() == 0  # once
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert _stock(order).allocated == 0


def _release(order):
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        services.payments_release_abandoned()
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_a_late_success_allocates_again_when_stock_is_there(
    fake_razorpay, django_capture_on_commit_callbacks
):
    order = awaiting_order(on_hand=10, quantity=2)
    payment = services.payment_start_for_order(order=order, by=order.customer)
    _release(order)
    _, body, signature = _pay(fake_razorpay, payment)

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_receive(body=body, signature=signature, event_id="evt_1")

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert _stock(order).allocated == 2
    assert order.items.get().quantity_allocated == 2
    assert payment.status == PaymentStatus.PAID
    assert fake_razorpay.refund_calls == 0
    told = OutboundMessage.objects.get(dedup_key__startswith=f"payment_late:{payment.pk}")
    assert "placed again" in told.subject


def test_a_late_success_is_refunded_when_the_stock_is_gone(
    fake_razorpay, django_capture_on_commit_callbacks
):
    order = awaiting_order(on_hand=2, quantity=2)
    payment = services.payment_start_for_order(order=order, by=order.customer)
    _release(order)
    # Someone else buys the released units.
    from orders.tests.factories import place_order

    place_order(distributor=order.distributor, lines=[(order.items.get().product, 2)])
    _, body, signature = _pay(fake_razorpay, payment)

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_receive(body=body, signature=signature, event_id="evt_1")

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert payment.status == PaymentStatus.REFUNDED
    assert payment.refund_id
    assert fake_razorpay.refund_calls == 1
    assert fake_razorpay.refunds[payment.provider_payment_id][0]["amount"] == payment.amount_paise
    told = OutboundMessage.objects.get(dedup_key__startswith=f"payment_late:{payment.pk}")
    assert "refunded" in told.subject


def test_a_late_success_for_an_order_that_redeemed_points_is_refunded(
    fake_razorpay, django_capture_on_commit_callbacks
):
    """The release gave the points back; placing the order again would keep their discount."""
    from accounts.tests.factories import CustomerFactory
    from inventory.tests.factories import DistributorFactory
    from loyalty.models import LoyaltyAccount
    from loyalty.services import points_balance
    from loyalty.tests.factories import loyalty_on
    from loyalty.tests.test_services import grant
    from orders.tests.factories import place_order, stocked_product

    loyalty_on()
    store = DistributorFactory(is_default_store=True, state="27")
    customer = CustomerFactory()
    grant(customer, 100)
    product = stocked_product(distributor=store, on_hand=10, price=Decimal("500.00"))
    order = place_order(
        customer=customer,
        distributor=store,
        lines=[(product, 2)],
        loyalty_points=100,
        shipping_state="27",
        awaiting_payment=True,
    )
    assert order.loyalty_discount == Decimal("100.00")
    payment = services.payment_start_for_order(order=order, by=customer)
    _release(order)
    assert points_balance(user_id=customer.pk) == 100  # returned with the release
    _, body, signature = _pay(fake_razorpay, payment)

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_receive(body=body, signature=signature, event_id="evt_1")

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert _stock(order).allocated == 0
    assert payment.status == PaymentStatus.REFUNDED
    assert fake_razorpay.refund_calls == 1
    assert points_balance(user_id=customer.pk) == 100
    assert LoyaltyAccount.objects.get(user=customer).entries.count() == 3  # earn, redeem, refund
    told = OutboundMessage.objects.get(dedup_key__startswith=f"payment_late:{payment.pk}")
    assert "refunded" in told.subject
    assert "loyalty points" in told.body_text


def test_a_retried_refund_makes_one_refund(fake_razorpay):
    order = awaiting_order()
    payment = services.payment_start_for_order(order=order, by=order.customer)
    _, body, signature = _pay(fake_razorpay, payment)
    services.webhook_receive(body=body, signature=signature, event_id="evt_1")

    first = services.payment_refund(payment=payment)
    again = services.payment_refund(payment=payment)  # retried: already done
    assert again.refund_id == first.refund_id
    # A crash after the provider refunded but before we saved: the retry finds it.
    Payment.objects.filter(pk=payment.pk).update(refund_id="", status=PaymentStatus.REFUNDING)
    retried = services.payment_refund(payment=payment)

    assert retried.refund_id == first.refund_id
    assert fake_razorpay.refund_calls == 1


def test_an_order_paid_before_it_is_invoiced_pays_its_invoice(fake_razorpay):
    order = awaiting_order()
    payment = services.payment_start_for_order(order=order, by=order.customer)
    _, body, signature = _pay(fake_razorpay, payment)
    services.webhook_receive(body=body, signature=signature, event_id="evt_1")

    order = deliver(Order.objects.get(pk=order.pk))

    invoice = order.invoices.get()
    assert invoice.status == InvoiceStatus.PAID
    payment_row = invoice.payments.get()
    assert payment_row.method == "online"
    assert payment_row.reference == Payment.objects.get().provider_payment_id
    assert Payment.objects.get().amount_applied == order.total


def test_pay_now_on_an_invoice_records_the_balance(fake_razorpay):
    invoice = invoice_for()
    payment = services.payment_start_for_invoice(invoice=invoice, by=invoice.customer)
    assert payment.amount == invoice.balance_due
    _, body, signature = _pay(fake_razorpay, payment)

    services.webhook_receive(body=body, signature=signature, event_id="evt_1")
    services.webhook_receive(body=body, signature=signature, event_id="evt_2")  # another id

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.payments.count() == 1
    with pytest.raises(services.NothingToPay):
        services.payment_start_for_invoice(invoice=invoice, by=invoice.customer)


def test_only_the_buyer_may_pay(fake_razorpay):
    from django.core.exceptions import PermissionDenied

    from accounts.tests.factories import CustomerFactory

    order = awaiting_order()
    with pytest.raises(PermissionDenied):
        services.payment_start_for_order(order=order, by=CustomerFactory())


def test_a_failed_payment_leaves_the_order_awaiting(fake_razorpay):
    order = awaiting_order()
    payment = services.payment_start_for_order(order=order, by=order.customer)
    payment_id = fake_razorpay.capture(payment.provider_order_id, status="failed")
    body, signature = fake_razorpay.signed_webhook(payment_id, event="payment.failed")
    services.webhook_receive(body=body, signature=signature, event_id="evt_1")
    assert Payment.objects.get().status == PaymentStatus.FAILED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT


def test_the_beat_task_releases_and_is_scheduled(fake_razorpay, settings):
    from payments.tasks import release_abandoned

    assert settings.CELERY_BEAT_SCHEDULE["payments-release-abandoned"]["task"] == (
        release_abandoned.name
    )
    order = awaiting_order()
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        assert release_abandoned() == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED


def test_the_buyer_may_cancel_an_order_awaiting_payment(fake_razorpay):
    from orders.transitions import order_cancel_by_customer

    order = awaiting_order()
    order_cancel_by_customer(order=order, by=order.customer)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert _stock(order).allocated == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", ["webhook", "return"])
def test_the_provider_is_asked_outside_any_transaction(fake_razorpay, monkeypatch, route):
    # A slow provider must not hold a database transaction (or a row lock) open.
    from django.db import connection

    from payments.gateway import RazorpayGateway

    seen = []
    fetch = RazorpayGateway.payment_fetch

    def recording_fetch(self, provider_payment_id):
        seen.append(connection.in_atomic_block)
        return fetch(self, provider_payment_id)

    monkeypatch.setattr(RazorpayGateway, "payment_fetch", recording_fetch)
    order = awaiting_order()
    payment = services.payment_start_for_order(order=order, by=order.customer)
    payment_id, body, signature = _pay(fake_razorpay, payment)

    if route == "webhook":
        services.webhook_receive(body=body, signature=signature, event_id="evt_out")
    else:
        services.payment_confirm(
            provider_payment_id=payment_id, provider_order_id=payment.provider_order_id
        )

    assert seen == [False]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def _distributor_heard(order, template):
    return OutboundMessage.objects.filter(
        template=template, recipient__in=[u.email for u in order.distributor.members.all()]
    ).count()


def test_the_distributor_hears_of_an_order_once_it_is_paid_not_before(fake_razorpay):
    from accounts.tests.factories import DistributorUserFactory

    clerk = DistributorUserFactory()
    order = awaiting_order(distributor=clerk.organization)
    assert _distributor_heard(order, "order_received") == 0
    assert OutboundMessage.objects.filter(template="order_confirmation").count() == 1

    payment = services.payment_start_for_order(order=order, by=order.customer)
    _, body, signature = _pay(fake_razorpay, payment)
    services.webhook_receive(body=body, signature=signature, event_id="evt_paid")

    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED
    assert _distributor_heard(order, "order_received") == 1


def test_an_unpaid_order_the_buyer_cancels_is_never_the_distributors_news(fake_razorpay):
    from accounts.tests.factories import DistributorUserFactory
    from orders.transitions import order_cancel_by_customer

    clerk = DistributorUserFactory()
    order = awaiting_order(distributor=clerk.organization)
    order_cancel_by_customer(order=order, by=order.customer)
    assert _distributor_heard(order, "order_received") == 0
    assert _distributor_heard(order, "order_cancelled_by_buyer") == 0

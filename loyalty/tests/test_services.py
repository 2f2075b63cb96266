"""Earning, redeeming, returning, clawing back and expiring points (#18 §5)."""

import datetime
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    OrganizationFactory,
    RetailerUserFactory,
)
from inventory.tests.factories import DistributorFactory
from invoicing.models import Invoice
from loyalty import services
from loyalty.models import (
    AppendOnlyError,
    EntryKind,
    LoyaltyAccount,
    LoyaltySettings,
    PointsEntry,
)
from loyalty.tests.factories import loyalty_on
from notifications.models import OutboundMessage
from orders.models import OrderStatus
from orders.shipments import shipment_create
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def store():
    return DistributorFactory(name="Portal Store", is_default_store=True, state="27")


def deliver(order, clerk=None):
    for status in (OrderStatus.ACCEPTED, OrderStatus.PROCESSING, OrderStatus.SHIPPED):
        order = order_transition(order=order, to_status=status, by=clerk, tracking_reference="T")
    return order_transition(order=order, to_status=OrderStatus.DELIVERED, by=clerk)


def grant(customer, points, *, when=None):
    """Points as a delivered order would earn them (an earn entry of its own)."""
    account, _ = LoyaltyAccount.objects.get_or_create(user=customer)
    return services._write(
        account=account,
        kind=EntryKind.EARN,
        points=points,
        dedup_key=None,
        when=when,
        amount=Decimal(points * 20),
    )


def balance(customer) -> int:
    return services.points_balance(user_id=customer.pk)


def test_the_programme_is_off_by_default_and_earns_nothing(store):
    assert LoyaltySettings.load().enabled is False
    customer = CustomerFactory()
    deliver(place_order(customer=customer, distributor=store))
    assert not PointsEntry.objects.exists()
    with pytest.raises(ValidationError) as refused:
        place_order(customer=customer, distributor=store, loyalty_points=1)
    assert "not running" in str(refused.value.message_dict["loyalty_points"])


def test_points_are_earned_on_the_taxable_value_of_delivered_lines_once(store):
    loyalty_on(points_per_100=Decimal("5"))
    customer = CustomerFactory()
    lamp = stocked_product(distributor=store, price=Decimal("999.00"))
    order = place_order(customer=customer, distributor=store, lines=[(lamp, 3)])
    order = order_transition(order=order, to_status=OrderStatus.ACCEPTED, by=None)
    order = order_transition(order=order, to_status=OrderStatus.PROCESSING, by=None)
    assert balance(customer) == 0  # nothing before delivery
    order = order_transition(order=order, to_status=OrderStatus.SHIPPED, by=None)
    assert balance(customer) == 0  # shipped is not delivered
    order_transition(order=order, to_status=OrderStatus.DELIVERED, by=None)

    entry = PointsEntry.objects.get()
    # ₹2,997.00 taxable (GST not counted) at 5 per ₹100 = 149.85 -> 149 points.
    assert (entry.kind, entry.points, entry.amount) == ("earn", 149, Decimal("2997.00"))
    assert entry.expires_on == services.add_months(timezone.localdate(), 12)
    # The receiver running again writes nothing (one entry per shipment).
    services.points_earn_for_shipment(shipment_id=order.shipments.get().pk)
    assert balance(customer) == 149


def test_part_shipments_earn_as_each_is_delivered(store):
    loyalty_on(points_per_100=Decimal("10"))
    customer = CustomerFactory()
    clerk = DistributorUserFactory(organization=store)
    tea = stocked_product(distributor=store, price=Decimal("100.00"))
    order = place_order(customer=customer, distributor=store, lines=[(tea, 4)])
    order = order_transition(order=order, to_status=OrderStatus.ACCEPTED, by=clerk)
    order = order_transition(order=order, to_status=OrderStatus.PROCESSING, by=clerk)
    from orders.shipments import shipment_mark_delivered

    first = shipment_create(order=order, lines={tea.pk: 1}, by=clerk, tracking_reference="A")
    shipment_mark_delivered(shipment=first, by=clerk)
    assert balance(customer) == 10  # ₹100 of 4 lines of ₹100


def test_retailers_and_other_distributors_customers_earn_nothing(store):
    loyalty_on()
    retailer = RetailerUserFactory(organization=OrganizationFactory(kind="retailer"))
    deliver(place_order(customer=retailer, distributor=store))
    other = DistributorFactory()
    deliver(place_order(customer=CustomerFactory(), distributor=other))
    assert not PointsEntry.objects.exists()


def test_redeemed_points_come_off_before_gst_and_show_on_the_invoice(store, client):
    loyalty_on(point_value=Decimal("0.50"), max_redeem_percent=Decimal("50"))
    customer = CustomerFactory()
    grant(customer, 500)
    lamp = stocked_product(distributor=store, price=Decimal("300.00"), hsn_code="")
    mug = stocked_product(distributor=store, price=Decimal("100.00"), hsn_code="")
    order = place_order(
        customer=customer,
        distributor=store,
        lines=[(lamp, 1), (mug, 1)],
        loyalty_points=101,
        shipping_state="27",
    )

    # ₹50.50 off ₹400 of goods, spread ₹37.88 / ₹12.62 by value; 18 % GST on the rest,
    # per line half-up: 2 x 23.59 + 2 x 7.86.
    assert order.loyalty_points_redeemed == 101
    assert order.loyalty_discount == Decimal("50.50")
    items = list(order.items.all())
    assert [item.discount for item in items] == [Decimal("37.88"), Decimal("12.62")]
    assert [item.line_total for item in items] == [Decimal("262.12"), Decimal("87.38")]
    assert order.subtotal == Decimal("349.50")
    assert order.tax == sum(item.cgst + item.sgst for item in items) == Decimal("62.90")
    assert order.total == order.subtotal + order.tax
    assert balance(customer) == 399
    redeem = PointsEntry.objects.get(kind="redeem")
    assert (redeem.points, redeem.amount, redeem.order_id) == (-101, Decimal("50.50"), order.pk)

    order = deliver(order)
    invoice = Invoice.objects.get(order=order)
    assert (invoice.discount, invoice.subtotal, invoice.tax) == (
        Decimal("50.50"),
        Decimal("349.50"),
        Decimal("62.90"),
    )
    assert [line.discount for line in invoice.lines.all()] == [Decimal("37.88"), Decimal("12.62")]
    mail = OutboundMessage.objects.get(channel="email", template="invoice")
    assert "Loyalty discount (before GST): -₹50.50" in mail.body_text
    # Earned on what was paid for: ₹349.50 at 5 per ₹100 -> 17.
    assert PointsEntry.objects.get(kind="earn", order=order).points == 17

    client.force_login(customer)
    args = [invoice.seller_slug, invoice.number]
    html = client.get(f"/invoices/{args[0]}/{args[1]}/").content.decode()
    assert 'id="invoice-discount"' in html and "\u2212₹50.50" in html
    pdf = client.get(f"/invoices/{args[0]}/{args[1]}/pdf/")
    body = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True
    ).stdout.decode()
    assert "Loyalty discount (before GST)" in text and "\u2212₹50.50" in text
    assert "Value of goods" in text and "₹400.00" in text
    page = client.get(f"/customer-portal/orders/{order.number}/").content.decode()
    assert 'id="order-loyalty-discount"' in page


def test_a_part_shipment_takes_its_share_of_the_discount(store):
    loyalty_on(max_redeem_percent=Decimal("50"))
    customer = CustomerFactory()
    clerk = DistributorUserFactory(organization=store)
    grant(customer, 100)
    tea = stocked_product(distributor=store, price=Decimal("100.00"), hsn_code="")
    order = place_order(customer=customer, distributor=store, lines=[(tea, 4)], loyalty_points=40)
    order = order_transition(order=order, to_status=OrderStatus.ACCEPTED, by=clerk)
    order = order_transition(order=order, to_status=OrderStatus.PROCESSING, by=clerk)
    shipment_create(order=order, lines={tea.pk: 1}, by=clerk, tracking_reference="A")
    invoice = Invoice.objects.get(order=order)
    # One of four units: ₹10 of the ₹40 discount, GST on ₹90.
    assert (invoice.discount, invoice.subtotal, invoice.tax) == (
        Decimal("10.00"),
        Decimal("90.00"),
        Decimal("16.20"),
    )


@pytest.mark.parametrize(
    ("percent", "cap", "points", "allowed"),
    [
        ("20", "500", 80, True),  # 20 % of ₹400 = ₹80: exactly the cap
        ("20", "500", 81, False),
        ("50", "60", 60, True),  # the absolute cap is lower here
        ("50", "60", 61, False),
        ("0", "500", 1, False),  # redeeming switched off by a 0 % cap
    ],
)
def test_the_cap_per_order_holds(store, percent, cap, points, allowed):
    loyalty_on(max_redeem_percent=Decimal(percent), max_redeem_amount=Decimal(cap))
    customer = CustomerFactory()
    grant(customer, 1000)
    lamp = stocked_product(distributor=store, price=Decimal("400.00"))
    if allowed:
        order = place_order(
            customer=customer, distributor=store, lines=[(lamp, 1)], loyalty_points=points
        )
        assert order.loyalty_discount == Decimal(points)
        return
    with pytest.raises(ValidationError) as refused:
        place_order(customer=customer, distributor=store, lines=[(lamp, 1)], loyalty_points=points)
    assert "at most" in str(refused.value.message_dict["loyalty_points"])
    assert balance(customer) == 1000 and not PointsEntry.objects.filter(kind="redeem").exists()


def test_more_points_than_the_balance_is_refused(store):
    loyalty_on()
    customer = CustomerFactory()
    grant(customer, 10)
    with pytest.raises(ValidationError) as refused:
        place_order(customer=customer, distributor=store, loyalty_points=11)
    assert "You have 10 points" in str(refused.value.message_dict["loyalty_points"])


def test_a_cancelled_or_rejected_order_gives_its_points_back_once(store):
    loyalty_on(max_redeem_percent=Decimal("100"))
    customer = CustomerFactory()
    grant(customer, 50)
    product = stocked_product(distributor=store, price=Decimal("100.00"))
    first = place_order(
        customer=customer, distributor=store, lines=[(product, 1)], loyalty_points=30
    )
    second = place_order(
        customer=customer, distributor=store, lines=[(product, 1)], loyalty_points=20
    )
    assert balance(customer) == 0
    order_transition(order=first, to_status=OrderStatus.CANCELLED, by=customer)
    order_transition(order=second, to_status=OrderStatus.REJECTED, by=None)
    assert balance(customer) == 50
    services.points_return_for_order(order_id=first.pk)  # again: nothing more
    assert balance(customer) == 50
    assert PointsEntry.objects.filter(kind="refund").count() == 2


def test_clawback_on_a_return_takes_the_earned_share_never_below_zero(store):
    loyalty_on(points_per_100=Decimal("10"), max_redeem_percent=Decimal("100"))
    customer = CustomerFactory()
    product = stocked_product(distributor=store, price=Decimal("1000.00"))
    order = deliver(place_order(customer=customer, distributor=store, lines=[(product, 2)]))
    assert balance(customer) == 200  # ₹2,000 at 10 per ₹100

    services.points_clawback(order_id=order.pk, taxable_returned=Decimal("500"), reference="R-1")
    assert balance(customer) == 150  # a quarter of the value back: a quarter of the points
    services.points_clawback(order_id=order.pk, taxable_returned=Decimal("500"), reference="R-1")
    assert balance(customer) == 150  # the same return twice: once

    # 120 points spent; the rest of the goods come back: only what is left goes.
    other = stocked_product(distributor=store, price=Decimal("500.00"))
    place_order(customer=customer, distributor=store, lines=[(other, 1)], loyalty_points=120)
    services.points_clawback(order_id=order.pk, taxable_returned=Decimal("1500"), reference="R-2")
    assert balance(customer) == 0
    clawed = PointsEntry.objects.filter(kind="clawback").aggregate(s=Sum("points"))["s"]
    assert clawed == -80
    with pytest.raises(ValidationError):
        services.points_clawback(order_id=order.pk, taxable_returned=Decimal("0"), reference="R-3")


def test_points_expire_oldest_first_and_the_task_is_idempotent(store):
    loyalty_on(expiry_months=6)
    customer = CustomerFactory()
    now = timezone.now()
    grant(customer, 100, when=now - datetime.timedelta(days=200))  # expired by today
    grant(customer, 40, when=now - datetime.timedelta(days=10))
    account = LoyaltyAccount.objects.get(user=customer)
    services._write(
        account=account, kind=EntryKind.REDEEM, points=-30, dedup_key=None, note="spent"
    )
    today = timezone.localdate()

    assert services.points_expire(today=today) == 70  # 100 old, 30 of them spent
    assert balance(customer) == 40
    assert services.points_expire(today=today) == 0  # the same day again
    assert services.points_expire(today=today + datetime.timedelta(days=1)) == 0
    # Half a year on, the 40 lapse too.
    assert services.points_expire(today=today + datetime.timedelta(days=200)) == 40
    assert balance(customer) == 0
    assert PointsEntry.objects.filter(kind="expire").count() == 2

    from loyalty.tasks import expire_points

    assert expire_points() == 0


def test_the_ledger_is_append_only():
    customer = CustomerFactory()
    entry = grant(customer, 5)
    entry.points = 50
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        PointsEntry.objects.filter(pk=entry.pk).update(points=50)
    with pytest.raises(AppendOnlyError):
        PointsEntry.objects.all().delete()
    assert PointsEntry.objects.get().points == 5


def test_the_settings_are_bounded():
    row = LoyaltySettings.load()
    for name, value in [
        ("points_per_100", Decimal("101")),
        ("point_value", Decimal("0")),
        ("max_redeem_percent", Decimal("100.01")),
        ("max_redeem_amount", Decimal("1000000.01")),
        ("expiry_months", 0),
        ("expiry_months", 121),
    ]:
        setattr(row, name, value)
        with pytest.raises(ValidationError) as refused:
            row.full_clean()
        assert name in refused.value.message_dict
        row = LoyaltySettings.load()


def test_a_received_return_takes_back_the_points_its_goods_earned_once(store):
    from invoicing.models import CreditNote
    from returns.services import return_receive
    from returns.tests.factories import approved

    loyalty_on(points_per_100=Decimal("10"), max_redeem_percent=Decimal("100"))
    customer = CustomerFactory()
    product = stocked_product(distributor=store, price=Decimal("1000.00"))
    order = deliver(place_order(customer=customer, distributor=store, lines=[(product, 2)]))
    assert balance(customer) == 200

    rma = approved(order, quantity=1)
    return_receive(return_request=rma, by=None, received={rma.lines.get().pk: (1, 0)})

    note = CreditNote.objects.get(invoice__order=order)
    assert (note.kind, note.subtotal) == ("return", Decimal("1000.00"))
    assert balance(customer) == 100  # half the goods back: half the points
    entry = PointsEntry.objects.get(kind="clawback")
    assert (entry.points, entry.order_id) == (-100, order.pk)
    services.points_clawback_for_credit_note(credit_note_id=note.pk)  # again: once
    assert balance(customer) == 100


def test_an_invoice_cancelled_to_reissue_keeps_the_points(store):
    from invoicing.credit_notes import credit_note_issue
    from invoicing.reissue import invoice_reissue

    loyalty_on(points_per_100=Decimal("10"), max_redeem_percent=Decimal("100"))
    customer = CustomerFactory()
    product = stocked_product(distributor=store, price=Decimal("1000.00"))
    order = deliver(place_order(customer=customer, distributor=store, lines=[(product, 2)]))
    invoice = Invoice.objects.get(order=order)
    credit_note_issue(invoice=invoice, by=None, kind="cancellation", reason="Wrong address")
    invoice_reissue(invoice=Invoice.objects.get(pk=invoice.pk), by=None)
    assert balance(customer) == 200
    assert not PointsEntry.objects.filter(kind="clawback").exists()

"""Issuing invoices: exactly one per delivered order, gap-free numbers, snapshots, money."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, OrganizationFactory, RetailerUserFactory
from auromart.numbering import number_next
from inventory.tests.factories import DistributorFactory
from invoicing import services
from invoicing.exceptions import InvoiceStateError
from invoicing.models import Invoice, InvoiceStatus
from invoicing.numbering import financial_year
from invoicing.signals import invoice_issued
from orders.models import Order, OrderStatus, Shipment
from orders.signals import order_status_changed, shipment_dispatched
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_transition

from .factories import TO_DELIVERED, deliver, delivered_order

pytestmark = pytest.mark.django_db

YEAR = financial_year(timezone.localdate())


def test_delivering_an_order_issues_one_invoice_with_its_lines_and_money(settings):
    settings.INVOICE_DUE_DAYS = 14
    distributor = DistributorFactory(
        name="Deccan Distribution",
        address="Plot 7, Peenya",
        city="Bengaluru",
        region="Karnataka",
        country="India",
        contact_email="billing@deccan.test",
        phone="+91 80 4000 1234",
    )
    tea = stocked_product(distributor=distributor, name="Assam tea", price=Decimal("425.00"))
    rice = stocked_product(distributor=distributor, name="Sona rice", price=Decimal("999.99"))
    customer = CustomerFactory(name="Asha Rao", phone="+919800000001")
    order = place_order(
        customer=customer,
        distributor=distributor,
        lines=[(tea, 2), (rice, 3)],
        shipping_address="12 MG Road\nBengaluru 560001",
    )
    assert Invoice.objects.count() == 0
    for status in TO_DELIVERED[:2]:
        order_transition(order=order, to_status=status, by=None)
    assert Invoice.objects.count() == 0  # nothing has left yet

    order_transition(order=order, to_status=OrderStatus.SHIPPED, by=None)

    invoice = Invoice.objects.get()  # issued at dispatch, for the one shipment
    assert invoice.order_id == order.pk and invoice.number == f"INV-{YEAR}-000001"
    assert invoice.shipment == order.shipments.get()
    order_transition(order=order, to_status=OrderStatus.DELIVERED, by=None)
    assert Invoice.objects.get() == invoice  # delivering issues no second one
    assert invoice.status == InvoiceStatus.ISSUED
    assert invoice.issue_date == timezone.localdate()
    assert invoice.due_date == invoice.issue_date + datetime.timedelta(days=14)
    assert (invoice.customer, invoice.distributor, invoice.buyer_organization) == (
        customer,
        distributor,
        None,
    )
    assert invoice.seller_name == "Deccan Distribution"
    assert invoice.seller_address == "Plot 7, Peenya\nBengaluru, Karnataka\nIndia"
    assert (invoice.seller_email, invoice.seller_phone) == (
        "billing@deccan.test",
        "+91 80 4000 1234",
    )
    assert invoice.buyer_name == "Asha Rao" and invoice.buyer_email == customer.email
    assert invoice.buyer_address == invoice.ship_to == "12 MG Road\nBengaluru 560001"
    lines = list(
        invoice.lines.values_list(
            "position", "sku", "description", "quantity", "unit_price", "line_total"
        )
    )
    assert lines == [
        (1, tea.sku, "Assam tea", 2, Decimal("425.00"), Decimal("850.00")),
        (2, rice.sku, "Sona rice", 3, Decimal("999.99"), Decimal("2999.97")),
    ]
    # 3849.97 x 0.18 = 692.9946 -> 692.99
    assert invoice.subtotal == Decimal("3849.97")
    # Seller and place of supply in Karnataka (the address names no state; a
    # private customer: the seller's): CGST + SGST at 9 %, rounded per line:
    # 850.00 -> 76.50 + 76.50; 2999.97 -> 270.00 + 270.00 (269.9973 half-up).
    assert invoice.seller_state == invoice.place_of_supply == "29"
    assert invoice.tax_rate == Decimal("0.1800") and invoice.tax == Decimal("693.00")
    assert invoice.cgst == invoice.sgst == Decimal("346.50") and invoice.igst == 0
    assert invoice.total == Decimal("4542.97")
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        order.subtotal,
        order.tax,
        order.total,
    )


def test_delivering_again_or_replaying_the_signals_issues_no_second_invoice():
    order = delivered_order()
    invoice = order.invoices.get()

    # The state machine refuses a second delivery ...
    with pytest.raises(Exception, match="delivered"):
        order_transition(order=order, to_status=OrderStatus.DELIVERED, by=None)
    # ... a replayed signal finds the invoice ...
    with transaction.atomic():
        order_status_changed.send(
            sender=Order,
            order_id=order.pk,
            distributor_id=order.distributor_id,
            customer_id=order.customer_id,
            from_status=OrderStatus.SHIPPED,
            to_status=OrderStatus.DELIVERED,
            changed_by_id=None,
            note="",
            reference=order.stock_reference,
        )
    # ... so does a replayed dispatch and a direct call; the database refuses a second row.
    shipment = order.shipments.get()
    with transaction.atomic():
        shipment_dispatched.send(
            sender=Shipment, shipment_id=shipment.pk, order_id=order.pk, sequence=1
        )
    assert services.invoice_issue_for_shipment(shipment_id=shipment.pk) is None
    assert Invoice.objects.count() == 1 and Invoice.objects.get().number == invoice.number
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(
            **{
                f.attname: getattr(invoice, f.attname)
                for f in Invoice._meta.concrete_fields
                if f.name not in ("id", "number")
            },
            number="INV-TEST-1",
        )
    # The seller's next delivery takes the next number: nothing was consumed by the replays.
    assert (
        delivered_order(distributor=invoice.distributor).invoices.get().number
        == f"INV-{YEAR}-000002"
    )


def test_tax_is_rounded_half_up_to_cents(settings):
    settings.INVOICE_TAX_RATE = Decimal("0.09")
    distributor = DistributorFactory(state="27")
    # Inter-state (IGST at the full rate): 0.50 x 9% = 0.045: half-up gives
    # 0.05 (banker's rounding would give 0.04).
    item = stocked_product(distributor=distributor, price=Decimal("0.50"))
    order = place_order(
        distributor=distributor, lines=[(item, 1)], shipping_address="1 Main Road, Goa"
    )
    invoice = deliver(order).invoices.get()
    assert (invoice.subtotal, invoice.igst, invoice.tax, invoice.total) == (
        Decimal("0.50"),
        Decimal("0.05"),
        Decimal("0.05"),
        Decimal("0.55"),
    )


def test_the_invoice_charges_the_rate_the_order_was_placed_at(settings):
    settings.INVOICE_TAX_RATE = Decimal("0.18")
    order = place_order()
    settings.INVOICE_TAX_RATE = Decimal("0.28")  # changed before delivery
    invoice = deliver(order).invoices.get()
    assert invoice.tax_rate == Decimal("0.18") and invoice.total == order.total


def test_a_retailer_order_bills_the_organization_and_snapshots_survive_renames():
    retailer = OrganizationFactory(
        kind="retailer",
        name="Koramangala Fresh Mart",
        address="80 Feet Road",
        city="Bengaluru",
        region="",
        country="",
        contact_email="accounts@freshmart.test",
    )
    member = RetailerUserFactory(organization=retailer)
    distributor = DistributorFactory(name="Deccan Distribution")
    product = stocked_product(distributor=distributor, name="Assam tea")
    order = place_order(
        customer=member,
        distributor=distributor,
        lines=[(product, 1)],
    )
    invoice = deliver(order).invoices.get()
    assert invoice.buyer_organization == retailer and invoice.customer == member
    assert invoice.buyer_name == "Koramangala Fresh Mart"
    assert invoice.buyer_address == "80 Feet Road\nBengaluru"
    assert invoice.buyer_email == "accounts@freshmart.test"

    retailer.name, distributor.name, product.name = "Renamed", "Renamed too", "Darjeeling"
    retailer.save(), distributor.save(), product.save()
    invoice.refresh_from_db()
    assert invoice.buyer_name == "Koramangala Fresh Mart"
    assert invoice.seller_name == "Deccan Distribution"
    assert invoice.lines.get().description == "Assam tea"


def test_a_dispatch_that_rolls_back_takes_its_shipment_invoice_and_number_with_it():
    first = place_order()
    for status in TO_DELIVERED[:2]:
        first = order_transition(order=first, to_status=status, by=None)

    def fail(**kwargs):
        raise RuntimeError("something later in the dispatch failed")

    invoice_issued.connect(fail, dispatch_uid="test.fail")
    try:
        with pytest.raises(RuntimeError):
            order_transition(order=first, to_status=OrderStatus.SHIPPED, by=None)
    finally:
        invoice_issued.disconnect(dispatch_uid="test.fail")
    first.refresh_from_db()
    assert first.status == OrderStatus.PROCESSING and Invoice.objects.count() == 0
    assert not first.shipments.exists() and first.items.get().quantity_shipped == 0

    first = order_transition(order=first, to_status=OrderStatus.SHIPPED, by=None)
    assert first.invoices.get().number == f"INV-{YEAR}-000001"  # the number was not lost
    assert (
        delivered_order(distributor=first.distributor).invoices.get().number == f"INV-{YEAR}-000002"
    )


def test_an_order_shipped_before_invoices_per_shipment_is_invoiced_when_delivered():
    order = place_order()
    for status in TO_DELIVERED[:2]:
        order = order_transition(order=order, to_status=status, by=None)
    order = order_transition(order=order, to_status=OrderStatus.SHIPPED, by=None)
    Invoice.objects.all().delete()  # as a shipment migrated from before this release
    order = order_transition(order=order, to_status=OrderStatus.DELIVERED, by=None)
    invoice = order.invoices.get()
    assert invoice.shipment == order.shipments.get() and invoice.total == order.total


def test_numbers_restart_each_year_and_never_repeat_within_one():
    with transaction.atomic():
        assert number_next(prefix="INV", width=6, year=2030) == "INV-2030-000001"
        assert number_next(prefix="INV", width=6, year=2030) == "INV-2030-000002"
        assert number_next(prefix="INV", width=6, year=2031) == "INV-2031-000001"
        assert number_next(prefix="PO", width=5, year=2030) == "PO-2030-00001"
    with pytest.raises(RuntimeError), transaction.atomic():
        number_next(prefix="INV", width=6, year=2030)
        raise RuntimeError("rolled back")
    with transaction.atomic():
        assert number_next(prefix="INV", width=6, year=2030) == "INV-2030-000003"


def test_mark_paid_then_neither_paid_again_nor_void():
    invoice = delivered_order().invoices.get()
    staff = CustomerFactory(is_staff=True)
    paid = services.invoice_mark_paid(invoice=invoice, by=staff, reference="UTR 1234")
    assert paid.status == InvoiceStatus.PAID and paid.paid_by == staff
    assert paid.paid_at is not None and paid.payment_reference == "UTR 1234"
    with pytest.raises(InvoiceStateError, match="is paid"):
        services.invoice_mark_paid(invoice=invoice, by=staff)
    with pytest.raises(InvoiceStateError, match="only an issued invoice can be voided"):
        services.invoice_void(invoice=invoice, by=staff, reason="duplicate")
    # (A date in the future is refused by invoicing.receipts: test_receipts.py.)


def test_void_needs_a_reason_keeps_the_number_and_the_next_number_moves_on():
    invoice = delivered_order().invoices.get()
    staff = CustomerFactory(is_staff=True)
    with pytest.raises(ValidationError):
        services.invoice_void(invoice=invoice, by=staff, reason="  ")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED

    void = services.invoice_void(invoice=invoice, by=staff, reason="Billed to the wrong store")
    assert void.status == InvoiceStatus.VOID and void.number == invoice.number
    assert void.voided_by == staff and void.void_reason == "Billed to the wrong store"
    with pytest.raises(InvoiceStateError):
        services.invoice_mark_paid(invoice=void, by=staff)
    next_one = delivered_order(distributor=invoice.distributor).invoices.get()
    assert next_one.number == f"INV-{YEAR}-000002"


def test_the_database_refuses_a_paid_invoice_without_a_date():
    invoice = delivered_order().invoices.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.PAID)

"""Acceptance (issue 24): a return end to end through the pages, with the stock back
through the ledger, the credit note's GST split, the messages sent after commit, and a
later cancellation of another order that gives back exactly its own units."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    OrganizationFactory,
    RetailerUserFactory,
)
from inventory.models import StockItem, StockMovement
from invoicing.models import CreditNote
from invoicing.tests.factories import deliver
from invoicing.tests.test_gst_invoice import gstin
from orders.models import DemandLine
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_transition
from returns.models import ReturnRequest, ReturnStatus
from returns.services import return_receive

from .factories import approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller():
    member = DistributorUserFactory(
        organization__state="27", organization__gstin=gstin("27", "R"), email="depot@example.com"
    )
    return member


def test_two_of_five_units_returned_restockable_through_the_pages(
    client, seller, django_capture_on_commit_callbacks
):
    depot = seller.organization
    product = stocked_product(
        distributor=depot, on_hand=20, price=Decimal("100.00"), hsn_code="9404"
    )
    buyer = CustomerFactory(email="buyer@example.com")
    # Pickup: intra-state, CGST 9 % + SGST 9 %. 5 x 100.00 = 500.00 + 90.00 GST.
    order = deliver(
        place_order(
            customer=buyer, distributor=depot, lines=[(product, 5)], fulfillment_type="pickup"
        )
    )
    invoice = order.invoices.get()
    assert (invoice.subtotal, invoice.cgst, invoice.sgst, invoice.total) == (
        Decimal("500.00"),
        Decimal("45.00"),
        Decimal("45.00"),
        Decimal("590.00"),
    )
    item = order.items.get()
    mail.outbox.clear()

    client.force_login(buyer)
    page = client.get(reverse("portal:order", args=[order.number])).content.decode()
    assert reverse("returns:create", args=[order.number]) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("returns:create", args=[order.number]),
            {f"quantity_{item.pk}": "2", f"reason_{item.pk}": "not_needed", "note": "Too many."},
        )
    rma = ReturnRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/returns/{rma.pk}/"
    subjects = {(m.to[0], m.subject) for m in mail.outbox}
    assert ("buyer@example.com", f"Return {rma.number} requested for order {order.number}") in (
        subjects
    )
    assert any(to == "depot@example.com" and rma.number in s for to, s in subjects)

    client.force_login(seller)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("distributor_returns:approve", args=[rma.pk]), {"note": ""})
    line = rma.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("distributor_returns:receive", args=[rma.pk]),
            {f"restock_{line.pk}": "2", f"damaged_{line.pk}": "0"},
        )
    assert response.status_code == 302
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.RECEIVED

    # Stock: 20 - 5 shipped + 2 back = 17, through one customer_return movement.
    stock = StockItem.objects.get(product=product, distributor=depot)
    assert (stock.on_hand, stock.allocated) == (17, 0)
    back = StockMovement.objects.get(reference=f"rma:{rma.pk}")
    assert (back.kind, back.quantity, back.balance_after) == ("customer_return", 2, 17)
    assert DemandLine.objects.get(order_item=item).returned == 2

    # The credit note: 2 of 5 units = 200.00 taxable, CGST 18.00, SGST 18.00, total 236.00.
    note = CreditNote.objects.get()
    assert (note.invoice_id, note.kind, note.reference) == (invoice.pk, "return", f"rma:{rma.pk}")
    assert (note.subtotal, note.cgst, note.sgst, note.igst, note.total) == (
        Decimal("200.00"),
        Decimal("18.00"),
        Decimal("18.00"),
        Decimal("0.00"),
        Decimal("236.00"),
    )
    assert [(cl.invoice_line_id, cl.quantity) for cl in note.lines.all()] == [
        (invoice.lines.get().pk, 2)
    ]
    invoice.refresh_from_db()
    assert invoice.amount_credited == Decimal("236.00")
    assert invoice.balance_due == Decimal("354.00")
    client.force_login(buyer)
    page = client.get(reverse("returns:detail", args=[rma.pk])).content.decode()
    assert note.number in page and "₹236.00" in page
    sent = [m.subject for m in mail.outbox if m.to == ["buyer@example.com"]]
    assert f"Return {rma.number}: goods received" in sent
    assert any(note.number in subject for subject in sent)

    # Cancelling a different order of the same product gives back exactly its own 3 units.
    other = place_order(distributor=depot, lines=[(product, 3)])
    stock.refresh_from_db()
    assert (stock.on_hand, stock.allocated, stock.available) == (17, 3, 14)
    order_transition(order=other, to_status="cancelled", by=other.customer)
    stock.refresh_from_db()
    assert (stock.on_hand, stock.allocated, stock.available) == (17, 0, 17)
    assert StockMovement.objects.filter(reference=f"rma:{rma.pk}").count() == 1
    assert sum(m.quantity for m in stock.movements.all()) == stock.on_hand


def test_an_inter_state_return_is_credited_in_igst(seller):
    depot = seller.organization
    product = stocked_product(distributor=depot, price=Decimal("100.00"), hsn_code="9404")
    retailer = RetailerUserFactory(organization=OrganizationFactory(kind="retailer", state="29"))
    order = deliver(
        place_order(
            customer=retailer,
            distributor=depot,
            lines=[(product, 5)],
            shipping_address="5 Residency Road, Bengaluru, Karnataka",
        )
    )
    rma = approved(order, quantity=2)
    return_receive(return_request=rma, by=seller, received={rma.lines.get().pk: (1, 1)})
    note = CreditNote.objects.get()
    # Damaged units are credited too: 2 units, 200.00 + IGST 36.00.
    assert (note.subtotal, note.cgst, note.sgst, note.igst, note.total) == (
        Decimal("200.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("36.00"),
        Decimal("236.00"),
    )


def test_units_from_two_shipments_are_credited_on_each_shipments_invoice(seller):
    from orders.shipments import shipment_create

    depot = seller.organization
    product = stocked_product(distributor=depot, price=Decimal("100.00"), hsn_code="9404")
    order = place_order(distributor=depot, lines=[(product, 5)], fulfillment_type="pickup")
    order = order_transition(order=order, to_status="accepted", by=seller)
    order = order_transition(order=order, to_status="processing", by=seller)
    item = order.items.get()
    shipment_create(order=order, lines={item.product_id: 2}, by=seller)
    shipment_create(order=order, lines={item.product_id: 3}, by=seller)
    first, second = order.invoices.order_by("pk")
    rma = approved(order, quantity=4)
    return_receive(return_request=rma, by=seller, received={rma.lines.get().pk: (4, 0)})
    credited = {
        note.invoice_id: sum(line.quantity for line in note.lines.all())
        for note in CreditNote.objects.all()
    }
    # Oldest shipment first: its 2 units, then 2 of the second's 3.
    assert credited == {first.pk: 2, second.pk: 2}
    rma2 = approved(order, quantity=1)
    return_receive(return_request=rma2, by=seller, received={rma2.lines.get().pk: (1, 0)})
    assert CreditNote.objects.filter(invoice=second).count() == 2

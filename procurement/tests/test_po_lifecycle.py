"""Purchase orders that close every loop: close short, proposals decided, supplier notices
through a real SMTP server with Reply-To, a cancelled PO's link, receipts before an answer."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import OrganizationFactory
from catalog.tests.factories import ProductFactory
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.tests.factories import place_order
from procurement import selectors, services
from procurement.exceptions import PurchaseOrderStateError
from procurement.models import POStatus, ProcurementRequest, RequestStatus

from .factories import procurement_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(settings):
    settings.PROCUREMENT_TEAM_EMAILS = ["team@auromart.test", "buyers@auromart.test"]
    supplier = OrganizationFactory(
        kind="manufacturer", name="Tea Co", contact_email="orders@tea.test"
    )
    distributor = DistributorFactory(name="Depot")
    product = ProductFactory(
        manufacturer=supplier,
        supplier=supplier,
        reorder_level=10,
        reorder_quantity=40,
        price=Decimal("400.00"),
        cost_price=Decimal("310.00"),
    )
    StockItemFactory(product=product, distributor=distributor, on_hand=14)
    staff = procurement_staff()
    place_order(distributor=distributor, lines=[(product, 5)])  # 9 left: a request for 40
    request = ProcurementRequest.objects.get()
    po = services.procurement_request_approve(request=request, by=staff)
    return product, distributor, staff, po


def notices_to_supplier(smtp_server, count):
    messages = smtp_server.inbox.wait_for(count)
    return [
        m for m in messages if "orders@tea.test" in m["To"] and "Purchase order" in m["Subject"]
    ]


def test_close_short_stops_incoming_records_the_short_and_reopens_demand(
    setup, smtp_server, django_capture_on_commit_callbacks
):
    product, distributor, staff, po = setup
    assert selectors.incoming_quantity(product_id=product.pk, distributor_id=distributor.pk) == 40
    services.purchase_order_receive(purchase_order=po, lines=[(product.pk, 10)], by=staff)
    place_order(distributor=distributor, lines=[(product, 12)])  # position 9+10-12+30 = 37
    assert ProcurementRequest.objects.filter(status=RequestStatus.OPEN).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        po = services.purchase_order_close_short(purchase_order=po, by=staff, reason="Out of stock")
    assert po.status == POStatus.CLOSED_SHORT and po.closed_at is not None
    line = po.lines.get()
    assert (line.quantity_received, line.quantity_short, line.outstanding) == (10, 30, 0)
    assert selectors.incoming_quantity(product_id=product.pk, distributor_id=distributor.pk) == 0
    # Demand is back: a new request, opened in the same transaction.
    reopened = ProcurementRequest.objects.get(status=RequestStatus.OPEN)
    assert reopened.reference == f"po:{po.pk}:closed_short" and reopened.incoming == 0
    [mail] = [m for m in smtp_server.inbox.wait_for(1) if "closed" in m["Subject"]]
    assert mail["To"] == "orders@tea.test"
    assert mail["Reply-To"] == "team@auromart.test, buyers@auromart.test"
    assert "30 not coming" in mail.get_body(("plain",)).get_content()


def test_only_a_partially_received_po_closes_short(setup):
    _product, _distributor, staff, po = setup
    with pytest.raises(PurchaseOrderStateError):
        services.purchase_order_close_short(purchase_order=po, by=staff, reason="x")


def test_supplier_notices_reach_smtp_with_reply_to(
    setup, smtp_server, django_capture_on_commit_callbacks
):
    product, distributor, staff, po = setup
    line = po.lines.get()
    capture = django_capture_on_commit_callbacks
    # Declined, then accepted (a smaller quantity), then a second PO cancelled.
    with capture(execute=True):
        services.purchase_order_propose(
            purchase_order=po, responded_by="Tea Co", quantities={line.pk: 20}
        )
        services.purchase_order_decline_proposal(purchase_order=po, by=staff, note="We need 40.")
    po.refresh_from_db()
    assert po.status == POStatus.SENT and po.lines.get().proposed_quantity is None
    with capture(execute=True):
        services.purchase_order_propose(
            purchase_order=po,
            responded_by="Tea Co",
            quantities={line.pk: 20},
            proposed_date=po.expected_date + datetime.timedelta(days=3),
        )
        po = services.purchase_order_accept_proposal(purchase_order=po, by=staff)
    assert po.lines.get().quantity == 20
    assert po.revised_date == po.expected_date and po.on_time_date == po.original_expected_date
    # 9 + 20 incoming = 29 > 10: nothing new; the shortfall was re-evaluated.
    with capture(execute=True):
        place_order(distributor=distributor, lines=[(product, 5)])
        staff2 = procurement_staff()
        services.purchase_order_cancel(purchase_order=po, by=staff2, reason="Found a cheaper one")
    # The cancel re-evaluated the item: it is low with nothing incoming, so a new request.
    assert ProcurementRequest.objects.filter(status=RequestStatus.OPEN).count() == 1
    mails = [
        m
        for m in smtp_server.inbox.wait_for(3)
        if m["To"] == "orders@tea.test" and po.number in m["Subject"]
    ]
    subjects = sorted(m["Subject"] for m in mails)
    assert any("declined" in s for s in subjects)
    assert any("accepted" in s for s in subjects)
    assert any("cancelled" in s for s in subjects)
    for mail in mails:
        assert mail["Reply-To"] == "team@auromart.test, buyers@auromart.test"
    declined = next(m for m in mails if "declined" in m["Subject"])
    assert "We need 40." in declined.get_body(("plain",)).get_content()


def test_a_cancelled_pos_link_answers_cancelled_and_its_pdf_is_404(setup):
    _product, _distributor, staff, po = setup
    token = services.purchase_order_token(po)
    services.purchase_order_cancel(purchase_order=po, by=staff, reason="Not needed")
    client = Client()
    page = client.get(reverse("procurement:answer", args=[token]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "This purchase order was cancelled" in text and "Download PDF" not in text
    assert client.get(reverse("procurement:answer_pdf", args=[token])).status_code == 404


def test_goods_received_before_an_answer_are_received_unconfirmed(setup):
    product, _distributor, staff, po = setup
    services.purchase_order_receive(purchase_order=po, lines=[(product.pk, 40)], by=staff)
    po.refresh_from_db()
    assert po.received_unconfirmed and po.status == POStatus.RECEIVED
    page = Client().get(reverse("procurement:answer", args=[services.purchase_order_token(po)]))
    text = page.content.decode()
    assert "Received unconfirmed" in text
    assert "This purchase order is confirmed" not in text


def test_a_confirmed_po_received_is_not_unconfirmed(setup):
    product, _distributor, staff, po = setup
    services.purchase_order_confirm(purchase_order=po, responded_by="Tea Co")
    services.purchase_order_receive(purchase_order=po, lines=[(product.pk, 40)], by=staff)
    po.refresh_from_db()
    assert not po.received_unconfirmed
    assert po.received_at.date() == timezone.localdate()

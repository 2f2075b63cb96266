"""The admin actions that close a PO's loops and switch a request's supplier."""

from decimal import Decimal

import pytest

from accounts.tests.factories import supplies
from catalog.models import SupplierLine
from inventory.tests.factories import DistributorFactory
from procurement import services
from procurement.models import POStatus, ProcurementRequest, RequestStatus

from .factories import procurement_staff
from .test_admin import staff_client
from .test_api import low_item

pytestmark = pytest.mark.django_db
POS = "/admin/procurement/purchaseorder/"
REQUESTS = "/admin/procurement/procurementrequest/"


def post_action(client, url, name, ids, **extra):
    return client.post(
        url, {"action": name, "_selected_action": [str(i) for i in ids], **extra}, follow=True
    )


def test_close_short_asks_for_a_reason_then_closes():
    staff = procurement_staff()
    request = low_item()
    po = services.procurement_request_approve(request=request, by=staff)
    services.purchase_order_receive(purchase_order=po, lines=[(request.product_id, 1)], by=staff)
    client = staff_client(staff)
    asked = post_action(client, POS, "close_short_selected", [po.pk])
    assert "Close purchase orders short" in asked.content.decode()
    done = post_action(client, POS, "close_short_selected", [po.pk], apply="1", reason="Gone")
    assert "closed short" in done.content.decode()
    po.refresh_from_db()
    assert po.status == POStatus.CLOSED_SHORT and po.close_reason == "Gone"


def test_decline_action_returns_the_po_to_sent():
    staff = procurement_staff()
    request = low_item()
    po = services.procurement_request_approve(request=request, by=staff)
    line = po.lines.get()
    services.purchase_order_propose(purchase_order=po, responded_by="S", quantities={line.pk: 1})
    client = staff_client(staff)
    post_action(client, POS, "decline_proposal_selected", [po.pk], apply="1", note="No")
    po.refresh_from_db()
    assert po.status == POStatus.SENT


def test_switch_supplier_action():
    request = low_item()
    wholesaler = DistributorFactory()
    supplies(request.product.manufacturer, wholesaler)
    line = SupplierLine.objects.create(
        product_id=request.product_id, supplier=wholesaler, unit_cost=Decimal("1.00")
    )
    client = staff_client()
    page = post_action(
        client, REQUESTS, "switch_supplier_selected", [request.pk], apply="1", supplier_line=line.pk
    )
    assert f"now with {wholesaler}" in page.content.decode()
    request = ProcurementRequest.objects.get(pk=request.pk)
    assert request.status == RequestStatus.OPEN
    assert (request.supplier, request.supplier_line) == (wholesaler, line)

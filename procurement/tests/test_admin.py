"""Procurement in the Django admin: filters, approve/reject actions, manual requests, receipts."""

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from inventory.models import StockItem
from notifications.models import OutboundMessage
from procurement.models import POStatus, ProcurementRequest, PurchaseOrder, RequestStatus

from .factories import procurement_staff
from .test_api import low_item

CHANGELIST = "/admin/procurement/procurementrequest/"


def staff_client(user=None):
    client = Client()
    client.force_login(user or procurement_staff())
    return client


def action(client, name, ids, **extra):
    return client.post(
        CHANGELIST, {"action": name, "_selected_action": [str(i) for i in ids], **extra}
    )


@pytest.mark.django_db
def test_changelist_filters_search_and_query_count(django_assert_max_num_queries):
    client = staff_client()
    from inventory.tests.factories import DistributorFactory

    distributor = DistributorFactory()
    requests = [low_item(distributor) for _ in range(3)]
    with django_assert_max_num_queries(40) as few:
        page = client.get(CHANGELIST)
    baseline = len(few.captured_queries)
    assert page.status_code == 200
    for request in requests:
        assert request.number in page.content.decode()
    for _ in range(9):
        low_item(distributor)
    with django_assert_max_num_queries(baseline):
        assert client.get(CHANGELIST).status_code == 200
    only = client.get(CHANGELIST, {"q": requests[0].product.sku}).content.decode()
    assert requests[0].number in only and requests[1].number not in only
    for query in (
        {"status__exact": "open"},
        {"supplier__id__exact": requests[0].supplier_id},
        {"distributor__id__exact": distributor.pk},
        {"created_at__year": str(requests[0].created_at.year)},
    ):
        assert client.get(CHANGELIST, query).status_code == 200


@pytest.mark.django_db
def test_approve_action_groups_requests_by_supplier_and_distributor():
    from catalog.tests.factories import ManufacturerFactory
    from inventory.tests.factories import DistributorFactory

    supplier = ManufacturerFactory()
    distributor = DistributorFactory()
    same = [low_item(distributor, manufacturer=supplier, supplier=supplier) for _ in range(2)]
    other = low_item(distributor)  # another supplier
    client = staff_client()
    response = action(client, "approve_selected", [r.pk for r in [*same, other]])
    assert response.status_code == 302
    assert PurchaseOrder.objects.count() == 2
    grouped = PurchaseOrder.objects.get(supplier=supplier)
    assert grouped.lines.count() == 2 and grouped.status == POStatus.SENT
    assert OutboundMessage.objects.filter(template="purchase_order").count() == 2
    # Approving again: refused as a whole, nothing new.
    action(client, "approve_selected", [same[0].pk])
    assert PurchaseOrder.objects.count() == 2
    messages = [str(m) for m in client.get(CHANGELIST).context["messages"]]
    assert any("Nothing was approved" in m and "already approved" in m for m in messages)


@pytest.mark.django_db
def test_reject_action_asks_for_a_reason_first():
    request = low_item()
    client = staff_client()
    form = action(client, "reject_selected", [request.pk])
    assert form.status_code == 200 and b"reason" in form.content
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN
    blank = action(client, "reject_selected", [request.pk], apply="1", reason="")
    assert blank.status_code == 200  # the form again, with its error
    done = action(client, "reject_selected", [request.pk], apply="1", reason="Discontinued")
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED
    assert request.rejection_reason == "Discontinued"


@pytest.mark.django_db
def test_staff_outside_the_procurement_group_cannot_approve():
    request = low_item()
    outsider = UserFactory(is_staff=True, is_superuser=False)
    client = Client()
    client.force_login(outsider)
    assert client.get(CHANGELIST).status_code == 403  # no view permission either
    assert not PurchaseOrder.objects.exists()
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN


@pytest.mark.django_db
def test_manual_request_from_the_admin_add_form():
    from catalog.tests.factories import ProductFactory
    from inventory.tests.factories import DistributorFactory, StockItemFactory

    product = ProductFactory(reorder_quantity=25)
    distributor = DistributorFactory()
    StockItemFactory(product=product, distributor=distributor, on_hand=80)
    client = staff_client()
    response = client.post(
        f"{CHANGELIST}add/",
        {"product": product.pk, "distributor": distributor.pk, "quantity": "", "note": "Promo"},
    )
    assert response.status_code == 302
    request = ProcurementRequest.objects.get()
    assert request.trigger == "manual" and request.quantity == 25 and request.on_hand == 80
    assert OutboundMessage.objects.filter(template="procurement_request").exists()
    again = client.post(f"{CHANGELIST}add/", {"product": product.pk, "distributor": distributor.pk})
    assert again.status_code == 200
    assert f"Request {request.number} is already open" in again.content.decode()
    assert ProcurementRequest.objects.count() == 1


@pytest.mark.django_db
def test_receive_goods_page_books_a_partial_receipt():
    request = low_item()
    staff = procurement_staff()
    client = staff_client(staff)
    action(client, "approve_selected", [request.pk])
    po = PurchaseOrder.objects.get()
    line = po.lines.get()
    change = client.get(f"/admin/procurement/purchaseorder/{po.pk}/change/")
    assert b"Receive goods" in change.content
    url = f"/admin/procurement/purchaseorder/{po.pk}/receive/"
    assert client.get(url).status_code == 200
    over = client.post(url, {f"line_{line.pk}": "31"})
    assert over.status_code == 200 and b"Only 30" in over.content
    nothing = client.post(url, {f"line_{line.pk}": ""})
    assert b"at least one line" in nothing.content
    assert client.post(url, {f"line_{line.pk}": "12", "note": "DN-1"}).status_code == 302
    po.refresh_from_db()
    assert po.status == POStatus.PARTIALLY_RECEIVED
    assert StockItem.objects.get(product_id=request.product_id).available == 21
    assert client.get(f"/admin/procurement/purchaseorder/{po.pk}/pdf/").status_code == 200


@pytest.mark.django_db
def test_purchase_order_changelist_query_count(django_assert_max_num_queries):
    from inventory.tests.factories import DistributorFactory

    client = staff_client()
    distributor = DistributorFactory()
    action(client, "approve_selected", [low_item(distributor).pk for _ in range(3)])
    url = "/admin/procurement/purchaseorder/"
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    baseline = len(few.captured_queries)
    for _ in range(3):
        action(client, "approve_selected", [low_item(distributor).pk for _ in range(3)])
    with django_assert_max_num_queries(baseline):
        page = client.get(url)
    assert page.content.decode().count("PO-") >= 4


@pytest.mark.django_db
def test_the_po_page_shows_its_lines_to_procurement_staff():
    request = low_item()
    client = staff_client()
    action(client, "approve_selected", [request.pk])
    po = PurchaseOrder.objects.get()
    page = client.get(f"/admin/procurement/purchaseorder/{po.pk}/change/").content.decode()
    assert request.product.sku in page and "Receive goods" in page


@pytest.mark.django_db
def test_admin_index_shows_procurement_staff_their_work():
    low_item()
    low_item()
    page = staff_client().get("/admin/").content.decode()
    assert "Procurement: your work" in page
    assert "Open requests to approve or reject</a></th><td>2</td>" in page
    superuser_page = Client()
    superuser_page.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "Procurement: your work" in superuser_page.get("/admin/").content.decode()

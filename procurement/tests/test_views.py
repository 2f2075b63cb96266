"""The supplier's pages: its members see and answer the POs addressed to it, nobody else's."""

import pytest
from django.test import Client

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    RetailerUserFactory,
)
from procurement import services
from procurement.models import POStatus

from .factories import procurement_staff
from .test_api import low_item


def issued_po():
    request = low_item()
    return services.procurement_request_approve(request=request, by=procurement_staff())


def member_client(organization):
    client = Client()
    client.force_login(ManufacturerUserFactory(organization=organization, name="Anil Bora"))
    return client


@pytest.mark.django_db
def test_member_lists_and_confirms_a_po_addressed_to_the_organization(
    django_assert_max_num_queries,
):
    po = issued_po()
    client = member_client(po.supplier)
    listing = client.get("/procurement/purchase-orders/")
    assert listing.status_code == 200 and po.number in listing.content.decode()
    assert "1 waiting for your answer" in listing.content.decode()
    page = client.get(f"/procurement/purchase-orders/{po.number}/")
    assert page.status_code == 200 and b"Confirm purchase order" in page.content
    assert b"Your name" not in page.content  # the account is who answers
    assert client.post(page.request["PATH_INFO"], {"action": "confirm"}).status_code == 302
    po.refresh_from_db()
    assert po.status == POStatus.CONFIRMED and po.responded_by.startswith("Anil Bora <")


@pytest.mark.django_db
def test_supplier_list_query_count_does_not_grow(django_assert_max_num_queries):
    from procurement.models import PurchaseOrder

    first = issued_po()
    client = member_client(first.supplier)
    with django_assert_max_num_queries(20) as few:
        client.get("/procurement/purchase-orders/")
    baseline = len(few.captured_queries)
    # More POs to the same supplier.
    for _ in range(5):
        po = issued_po()
        PurchaseOrder.objects.filter(pk=po.pk).update(supplier=first.supplier)
    with django_assert_max_num_queries(baseline):
        page = client.get("/procurement/purchase-orders/")
    assert page.content.decode().count("/procurement/purchase-orders/PO-") == 6


@pytest.mark.django_db
def test_another_organizations_po_is_404_and_other_roles_get_403():
    po = issued_po()
    stranger = member_client(ManufacturerUserFactory().organization)
    assert stranger.get(f"/procurement/purchase-orders/{po.number}/").status_code == 404
    assert stranger.get(f"/procurement/purchase-orders/{po.number}/pdf/").status_code == 404
    assert po.number not in stranger.get("/procurement/purchase-orders/").content.decode()
    for factory in (CustomerFactory, RetailerUserFactory):
        client = Client()
        client.force_login(factory())
        assert client.get("/procurement/purchase-orders/").status_code == 403
    anonymous = Client().get("/procurement/purchase-orders/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    # A distributor member may be a supplier too, but sees only its own POs.
    client = Client()
    client.force_login(DistributorUserFactory())
    assert client.get(f"/procurement/purchase-orders/{po.number}/").status_code == 404


@pytest.mark.django_db
def test_a_po_awaiting_second_approval_is_not_visible_to_the_supplier(settings):
    settings.PROCUREMENT_APPROVAL_LIMIT = 1
    po = issued_po()
    assert po.status == POStatus.AWAITING_APPROVAL
    client = member_client(po.supplier)
    assert client.get(f"/procurement/purchase-orders/{po.number}/").status_code == 404
    token = services.purchase_order_token(po)
    assert Client().get(f"/procurement/po/{token}/").status_code == 404
